package org.patchvisor.kernel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.patchvisor.model.Blocker;
import org.patchvisor.model.KernelId;
import org.patchvisor.model.LivePatch;

/**
 * A kernel in memory that follows the livepatch rules the engine relies on: a load starts a transition that
 * finishes after a number of polls (or never, for a "stuck" patch), a second load during a transition gets
 * EBUSY, a replace patch disables the others, a disabled patch is freed and its module can then be removed.
 */
final class FakeKernel implements KernelPort {
    static final long TAINT_K = 1L << 15;

    /** How a module behaves when loaded. */
    record Behaviour(String name, int pollsToFinish, boolean replace, Map<String, List<String>> functions) {
        static Behaviour quick(String name) {
            return new Behaviour(name, 2, false, Map.of("vmlinux", List.of(name + "_fn,1")));
        }

        static Behaviour stuck(String name) {
            return new Behaviour(name, Integer.MAX_VALUE, false, Map.of("vmlinux", List.of("smpboot_thread_fn,1")));
        }
    }

    private final Map<Path, Behaviour> modules = new LinkedHashMap<>();
    private final Map<String, State> patches = new LinkedHashMap<>();
    private final List<String> loadedModules = new ArrayList<>();
    final List<String> calls = new ArrayList<>();
    int ebusyLoads;
    /** How a file not registered with {@link #module} behaves when loaded (its name is taken from the test). */
    Behaviour anyOtherFile;
    long taint;

    private static final class State {
        final Behaviour behaviour;
        boolean enabled = true;
        int pollsLeft;

        State(Behaviour behaviour) {
            this.behaviour = behaviour;
            this.pollsLeft = behaviour.pollsToFinish();
        }

        boolean inTransition() {
            return pollsLeft > 0;
        }
    }

    Path module(Behaviour behaviour) {
        Path path = Path.of("/fake/" + behaviour.name() + ".ko");
        modules.put(path, behaviour);
        return path;
    }

    @Override
    public KernelId identify() {
        return new KernelId("6.1.0-56-amd64", "#1 SMP", "x86_64", Optional.of("ab12"));
    }

    @Override
    public KernelSupport support() {
        return new KernelSupport(true, false, Optional.of("none"), taint);
    }

    @Override
    public List<LivePatch> patches() {
        List<LivePatch> out = new ArrayList<>();
        for (String name : patches.keySet()) {
            out.add(view(name));
        }
        return out;
    }

    @Override
    public Optional<LivePatch> patch(String name) {
        State s = patches.get(name);
        if (s == null) {
            return Optional.empty();
        }
        // Each look at a transition is one "poll": the kernel makes progress between our reads.
        if (s.inTransition() && s.pollsLeft != Integer.MAX_VALUE) {
            s.pollsLeft--;
            if (!s.inTransition()) {
                finishTransition(name, s);
            }
        }
        return patches.containsKey(name) ? Optional.of(view(name)) : Optional.empty();
    }

    private void finishTransition(String name, State s) {
        if (!s.enabled) {
            patches.remove(name); // a disabled patch is freed
            return;
        }
        taint |= TAINT_K;
        if (s.behaviour.replace()) {
            patches.keySet().removeIf(other -> !other.equals(name));
        }
    }

    private LivePatch view(String name) {
        State s = patches.get(name);
        return new LivePatch(name, s.enabled, s.inTransition(), s.behaviour.functions());
    }

    @Override
    public void load(Path module) throws IOException {
        calls.add("load " + module.getFileName());
        Behaviour b = modules.getOrDefault(module, anyOtherFile);
        if (ebusyLoads > 0 || patches.values().stream().anyMatch(State::inTransition)) {
            ebusyLoads = Math.max(0, ebusyLoads - 1);
            throw new KernelCallException("finit_module", KernelCallException.EBUSY, "Device or resource busy");
        }
        if (loadedModules.contains(b.name())) {
            throw new KernelCallException("finit_module", KernelCallException.EEXIST, "File exists");
        }
        loadedModules.add(b.name());
        patches.put(b.name(), new State(b));
    }

    @Override
    public void setEnabled(String patchName, boolean enabled) {
        calls.add((enabled ? "enable " : "disable ") + patchName);
        State s = patches.get(patchName);
        boolean wasInTransition = s.inTransition();
        s.enabled = enabled;
        // Reversing a transition in flight finishes quickly; a fresh disable takes the usual polls.
        s.pollsLeft = wasInTransition ? 1 : Math.min(2, s.behaviour.pollsToFinish());
    }

    @Override
    public List<Blocker> blockers(int targetState) {
        boolean stuck = patches.values().stream().anyMatch(s -> s.pollsLeft == Integer.MAX_VALUE && s.enabled);
        return stuck ? List.of(new Blocker(12, "ksoftirqd/0"), new Blocker(15, "migration/0")) : List.of();
    }

    @Override
    public void unload(String moduleName) throws IOException {
        calls.add("unload " + moduleName);
        if (patches.containsKey(moduleName)) {
            throw new KernelCallException("delete_module", KernelCallException.EBUSY, "in use");
        }
        if (!loadedModules.remove(moduleName)) {
            throw new KernelCallException("delete_module", KernelCallException.ENOENT, "not loaded");
        }
    }

    @Override
    public boolean moduleLoaded(String moduleName) {
        return loadedModules.contains(moduleName);
    }
}
