package org.patchvisor.rollout;

import java.util.SplittableRandom;

/**
 * How long a simulated guest takes to be patched, drawn once per guest from a fixed seed so every run and the
 * critical-path bound see the same numbers. The step of one guest is the call sequence of the real guest path
 * — ping, get-osinfo, read /sys/kernel/notes, file-open, six 48 KiB writes of a 250 KB module, file-close,
 * guest-exec of the agent, two exec-status polls — each call log-normally distributed around
 * {@code callMedianMicros} (sigma 0.5: an agent under load has a long right tail), plus the kernel's transition
 * wait, uniform in [{@code transitionMinMicros}, 3 x that]. One guest in a hundred is a slow guest whose every
 * call takes ten times as long.
 */
record LatencyModel(long seed, long callMedianMicros, long transitionMinMicros) {
    static final int CALLS = 13;

    /** The simulated service time of guest {@code index}, in nanoseconds. */
    long serviceNanos(int index) {
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + index);
        double slow = random.nextInt(100) == 0 ? 10.0 : 1.0;
        double micros = 0;
        for (int call = 0; call < CALLS; call++) {
            micros += slow * callMedianMicros * Math.exp(0.5 * gaussian(random));
        }
        micros += transitionMinMicros * (1 + 2 * random.nextDouble());
        return (long) (micros * 1000);
    }

    /** One agent call (the kernel probe while planning). */
    long probeNanos(int index) {
        SplittableRandom random = new SplittableRandom(seed * 7_919L + index);
        return (long) (callMedianMicros * Math.exp(0.5 * gaussian(random)) * 1000);
    }

    private static double gaussian(SplittableRandom random) {
        double u = Math.max(random.nextDouble(), 1e-12);
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
