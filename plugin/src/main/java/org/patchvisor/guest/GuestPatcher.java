package org.patchvisor.guest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import org.patchvisor.elf.ElfFormatException;
import org.patchvisor.elf.ElfNotes;
import org.patchvisor.guest.GuestChannel.ExecResult;
import org.patchvisor.guest.GuestChannel.GuestTimeoutException;
import org.patchvisor.kernel.KernelFacts;
import org.patchvisor.kernel.KernelSupport;
import org.patchvisor.kernel.LivePatchSysfs;
import org.patchvisor.kernel.PatchException;
import org.patchvisor.kernel.Preflight;
import org.patchvisor.model.KernelId;
import org.patchvisor.model.LivePatch;
import org.patchvisor.model.ModuleInfo;
import org.patchvisor.model.Outcome;

/**
 * Patches the kernel of one guest through a {@link GuestChannel}: identifies the guest's kernel, refuses a
 * module built for another one before it ever reaches the guest, copies the per-guest agent and the module in,
 * lets the agent load, wait and (on timeout) reverse inside the guest, then checks the result itself by
 * reading the patch's sysfs attributes through the channel. The guest's word alone is never taken.
 */
public final class GuestPatcher {
    static final String AGENT_RESOURCE = "pv-guest-agent.sh";
    static final String LIVEPATCH = KernelFacts.LIVEPATCH;
    private static final List<String> WORK_DIRS = List.of("/run/patchvisor", "/tmp");
    /** What the agent may spend beyond the caller's timeout: reverse transition (30 s), unload, slack. */
    private static final Duration REVERT_ALLOWANCE = Duration.ofSeconds(60);
    private static final long NOTES_MAX_BYTES = 64 * 1024;
    private static final long ATTRIBUTE_MAX_BYTES = 4096;
    /** A module build-id note: a 12-byte header, "GNU", and a SHA-1 or so; anything much larger is not one. */
    private static final long NOTE_MAX_BYTES = 256;
    private static final long TRANSFER_BYTES_PER_SECOND = 64 * 1024;
    private static final Set<String> BIG_ENDIAN_MACHINES = Set.of("s390x", "ppc64", "sparc64", "mips64");

    private final byte[] agentScript;
    private final LongSupplier nanoClock;
    private final Duration step;

    /**
     * @param agentScript the agent shipped to guests
     * @param nanoClock   for elapsed times
     * @param step        the bound for each small agent call (identify, a sysfs read, mkdir)
     */
    public GuestPatcher(byte[] agentScript, LongSupplier nanoClock, Duration step) {
        this.agentScript = agentScript.clone();
        this.nanoClock = nanoClock;
        this.step = step;
    }

    /** The real agent script from the class path, the system clock, 30 s per small call. */
    public static GuestPatcher standard() {
        return new GuestPatcher(agentScript(), System::nanoTime, Duration.ofSeconds(30));
    }

    public static byte[] agentScript() {
        try (InputStream in = GuestPatcher.class.getResourceAsStream(AGENT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(AGENT_RESOURCE + " is missing from the build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The guest's kernel: guest-get-osinfo (or uname) plus the build-id from the guest's /sys/kernel/notes. */
    public KernelId identify(GuestChannel channel) throws IOException, GuestTimeoutException {
        GuestOs os = channel.os(step);
        Optional<String> buildId = Optional.empty();
        try {
            byte[] notes = channel.readFile("/sys/kernel/notes", NOTES_MAX_BYTES, step);
            ByteOrder order = BIG_ENDIAN_MACHINES.contains(os.machine()) ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            buildId = ElfNotes.gnuBuildId(notes, order);
        } catch (GuestAgentException | ElfFormatException e) {
            // No readable notes (unusual kernels, restricted agents): match by release alone.
        }
        return new KernelId(os.kernelRelease(), os.kernelVersion(), os.machine(), buildId);
    }

    /** The guest kernel's live-patch facts (support, sig_enforce, lockdown, taint), read through the channel. */
    public KernelSupport support(GuestChannel channel) throws IOException, GuestTimeoutException {
        return GuestFacts.read(channel, step, ATTRIBUTE_MAX_BYTES);
    }

    /**
     * Applies {@code module} (described by {@code info}) to the guest, giving its transition {@code timeout}.
     * Never throws for what happens in or to the guest: every end is one {@link GuestOutcome}.
     */
    public GuestOutcome apply(GuestChannel channel, Path module, ModuleInfo info, Duration timeout) throws IOException {
        long start = nanoClock.getAsLong();
        String name = info.name();
        if (!info.livepatch()) {
            return outcome(Outcome.REFUSED, module.getFileName() + " is not a live patch (no livepatch: Y in .modinfo)",
                    name, Optional.empty(), start);
        }
        if (!validName(name)) {
            return outcome(Outcome.REFUSED, "unusable module name '" + name + "'", name, Optional.empty(), start);
        }
        byte[] bytes = Files.readAllBytes(module);
        KernelId kernel;
        KernelSupport support;
        Optional<LivePatch> before;
        try {
            kernel = identify(channel);
            support = support(channel);
            before = patch(channel, name);
        } catch (IOException | GuestTimeoutException e) {
            return outcome(Outcome.UNREACHABLE, "guest agent does not answer: " + e.getMessage(), name, Optional.empty(),
                    start);
        } catch (KernelFacts.KernelFactsException e) {
            return outcome(Outcome.REFUSED, "the guest's kernel facts make no sense: " + e.getMessage(), name,
                    Optional.empty(), start);
        }
        Optional<KernelId> known = Optional.of(kernel);
        try {
            // The host's own preflight rules, judged on the guest kernel's facts: nothing the guest's kernel would
            // refuse (another release, unsigned under sig_enforce or lockdown, no live-patch support) is sent in.
            Preflight.checkSupport(support, "the guest's kernel");
            Preflight.checkModule(module.getFileName().toString(), info, kernel, support, "the guest's kernel");
        } catch (PatchException e) {
            return outcome(Outcome.REFUSED, e.getMessage(), name, known, start);
        }
        if (before.isPresent() && before.get().enabled() && !before.get().inTransition()) {
            return outcome(Outcome.ALREADY_PATCHED, name + " is already applied", name, known, start);
        }

        String dir;
        String agent;
        String target;
        try {
            dir = workDir(channel);
            agent = dir + "/" + AGENT_RESOURCE;
            target = dir + "/" + name + ".ko";
        } catch (IOException | GuestTimeoutException e) {
            return outcome(Outcome.UNREACHABLE, "guest agent stopped answering: " + e.getMessage(), name, known, start);
        }
        try {
            channel.writeFile(agent, agentScript, step);
            channel.writeFile(target, bytes, transferTimeout(bytes.length));
        } catch (IOException | GuestTimeoutException e) {
            removeQuietly(channel, List.of(agent, target));
            return outcome(Outcome.FAILED_REVERTED, "copying " + name + " into the guest failed (" + e.getMessage()
                    + "); nothing was loaded", name, known, start);
        }

        AgentReport report;
        try {
            ExecResult run = channel.exec(List.of("/bin/sh", agent, target, name, seconds(timeout)),
                    timeout.multipliedBy(2).plus(REVERT_ALLOWANCE));
            report = AgentReport.parse(run.stdout() + "\n" + run.stderr());
        } catch (IOException | GuestTimeoutException e) {
            // The agent keeps going in the guest and finishes or reverses by itself; see where it stands now.
            return afterLostContact(channel, name, known, start, e);
        } finally {
            removeQuietly(channel, List.of(agent, target));
        }
        return verified(channel, name, known, start, report);
    }

    /** Checks the agent's report against the patch's sysfs attributes, read through the channel. */
    private GuestOutcome verified(GuestChannel channel, String name, Optional<KernelId> kernel, long start,
            AgentReport report) {
        Optional<LivePatch> now;
        try {
            now = patch(channel, name);
        } catch (IOException | GuestTimeoutException e) {
            return outcome(Outcome.UNREACHABLE, "the guest agent reported '" + report.reason()
                    + "' but the result could not be verified: " + e.getMessage(), name, kernel, start);
        }
        boolean live = now.isPresent() && now.get().enabled() && !now.get().inTransition();
        return switch (report.result()) {
            case APPLIED, ALREADY -> live
                    ? outcome(report.result() == AgentReport.Result.APPLIED ? Outcome.APPLIED : Outcome.ALREADY_PATCHED,
                            report.reason() + " (verified: enabled, transition finished; " + report.millis()
                                    + " ms in the guest)", name, kernel, start)
                    : outcome(Outcome.FAILED_REVERTED, "the guest agent reported '" + report.reason() + "' but "
                            + describe(name, now), name, kernel, start);
            case REVERTED, FAILED -> outcome(Outcome.FAILED_REVERTED, report.reason() + leftover(name, now), name,
                    kernel, start);
            case REMOVED, ABSENT -> outcome(Outcome.FAILED_REVERTED, "unexpected agent result " + report.result(), name,
                    kernel, start);
        };
    }

    private GuestOutcome afterLostContact(GuestChannel channel, String name, Optional<KernelId> kernel, long start,
            Exception cause) {
        try {
            Optional<LivePatch> now = patch(channel, name);
            if (now.isPresent() && now.get().enabled() && !now.get().inTransition()) {
                return outcome(Outcome.APPLIED, "applied (verified after the agent run was lost: " + cause.getMessage()
                        + ")", name, kernel, start);
            }
            return outcome(Outcome.FAILED_REVERTED, "the agent run was lost (" + cause.getMessage() + "); "
                    + describe(name, now), name, kernel, start);
        } catch (IOException | GuestTimeoutException e) {
            return outcome(Outcome.UNREACHABLE, "lost contact with the guest (" + cause.getMessage()
                    + "); the agent in the guest finishes or reverses on its own", name, kernel, start);
        }
    }

    /**
     * Removes {@code patch} from the guest: the agent disables it, waits for the reverse transition and unloads.
     *
     * @throws PatchException NOT_FOUND when the patch is not loaded there, KERNEL_REFUSED when the agent failed
     */
    public void remove(GuestChannel channel, String patch, Duration timeout)
            throws IOException, GuestTimeoutException, PatchException {
        if (!validName(patch)) {
            throw new PatchException(Outcome.NOT_FOUND, "no live patch can be named '" + patch + "'");
        }
        String agent = workDir(channel) + "/" + AGENT_RESOURCE;
        channel.writeFile(agent, agentScript, step);
        AgentReport report;
        try {
            ExecResult run = channel.exec(List.of("/bin/sh", agent, "--remove", patch, seconds(timeout)),
                    timeout.multipliedBy(2).plus(REVERT_ALLOWANCE));
            report = AgentReport.parse(run.stdout() + "\n" + run.stderr());
        } finally {
            removeQuietly(channel, List.of(agent));
        }
        Optional<LivePatch> now = patch(channel, patch);
        switch (report.result()) {
            case REMOVED -> {
                if (now.isPresent()) {
                    throw new PatchException(Outcome.KERNEL_REFUSED, "the guest agent reported "
                            + patch + " removed but " + describe(patch, now));
                }
            }
            case ABSENT -> throw new PatchException(Outcome.NOT_FOUND, patch
                    + " is not loaded in the guest");
            default -> throw new PatchException(Outcome.KERNEL_REFUSED, report.reason()
                    + leftover(patch, now));
        }
    }

    /** The live patches the guest's kernel carries, with the functions each patches. */
    public List<LivePatch> patches(GuestChannel channel) throws IOException, GuestTimeoutException {
        ExecResult found = channel.exec(List.of("find", LIVEPATCH, "-mindepth", "1", "-maxdepth", "3", "-type", "d"),
                step);
        if (!found.ok()) {
            if (!channel.exec(List.of("test", "-d", LIVEPATCH), step).ok()) {
                return List.of();
            }
            throw new IOException("listing " + LIVEPATCH + " in the guest failed: " + found.stderr().strip());
        }
        List<String> dirs = found.stdout().lines().filter(line -> line.startsWith(LIVEPATCH + "/"))
                .map(line -> line.substring(LIVEPATCH.length() + 1)).toList();
        Map<String, Map<String, List<String>>> tree = LivePatchSysfs.tree(dirs);
        List<LivePatch> patches = new ArrayList<>();
        for (Map.Entry<String, Map<String, List<String>>> entry : tree.entrySet()) {
            Optional<String> enabled = attribute(channel, entry.getKey(), "enabled");
            Optional<String> transition = attribute(channel, entry.getKey(), "transition");
            if (enabled.isPresent() && transition.isPresent()) {
                patches.add(LivePatchSysfs.patch(entry.getKey(), enabled.get(), transition.get(), entry.getValue()));
            }
        }
        return List.copyOf(patches);
    }

    /**
     * The GNU build-id the guest's kernel shows for loaded module {@code name}; empty when it shows none (or the
     * file cannot be read). Guest bytes: parsed as a note of at most {@value #NOTE_MAX_BYTES} bytes, nothing more.
     */
    public Optional<String> moduleBuildId(GuestChannel channel, String name) throws IOException, GuestTimeoutException {
        if (!validName(name)) {
            return Optional.empty();
        }
        byte[] note;
        try {
            note = channel.readFile("/sys/module/" + name + "/notes/.note.gnu.build-id", NOTE_MAX_BYTES, step);
        } catch (GuestAgentException | java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            return ElfNotes.gnuBuildId(note, ByteOrder.LITTLE_ENDIAN);
        } catch (ElfFormatException e) {
            return Optional.empty();
        }
    }

    /** One patch's state from its sysfs attributes (functions not listed); empty when it is not loaded. */
    public Optional<LivePatch> patch(GuestChannel channel, String name) throws IOException, GuestTimeoutException {
        Optional<String> enabled = attribute(channel, name, "enabled");
        if (enabled.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> transition = attribute(channel, name, "transition");
        return Optional.of(LivePatchSysfs.patch(name, enabled.get(), transition.orElse("0"), Map.of()));
    }

    /** A sysfs attribute of a patch; empty when the agent says the file cannot be opened (patch gone). */
    private Optional<String> attribute(GuestChannel channel, String patch, String attribute)
            throws IOException, GuestTimeoutException {
        try {
            byte[] value = channel.readFile(LIVEPATCH + "/" + patch + "/" + attribute, ATTRIBUTE_MAX_BYTES, step);
            return Optional.of(new String(value, StandardCharsets.US_ASCII).strip());
        } catch (GuestAgentException | java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** /run/patchvisor (a tmpfs on most systems), else /tmp. */
    private String workDir(GuestChannel channel) throws IOException, GuestTimeoutException {
        for (String dir : WORK_DIRS) {
            try {
                if (channel.exec(List.of("mkdir", "-p", dir), step).ok()) {
                    return dir;
                }
            } catch (GuestAgentException e) {
                // mkdir itself is missing or refused: try the next place.
            }
        }
        throw new IOException("no writable directory in the guest (tried " + String.join(", ", WORK_DIRS) + ")");
    }

    private void removeQuietly(GuestChannel channel, List<String> paths) {
        List<String> argv = new ArrayList<>(List.of("rm", "-f"));
        argv.addAll(paths);
        try {
            channel.exec(argv, step);
        } catch (IOException | GuestTimeoutException e) {
            // Leftovers in a tmpfs are harmless; the outcome already says what went wrong.
        }
    }

    private Duration transferTimeout(int bytes) {
        return step.plusSeconds(bytes / TRANSFER_BYTES_PER_SECOND);
    }

    private static String describe(String name, Optional<LivePatch> now) {
        if (now.isEmpty()) {
            return name + " is not loaded";
        }
        LivePatch p = now.get();
        return name + " is loaded, " + (p.enabled() ? "enabled" : "disabled")
                + (p.inTransition() ? ", in transition" : "");
    }

    /** Appended to a failure: the guest still carries the patch, which no failure state may hide. */
    private static String leftover(String name, Optional<LivePatch> now) {
        return now.isEmpty() ? "" : "; NOT reverted: " + describe(name, now) + " and needs attention";
    }

    static String seconds(Duration timeout) {
        long seconds = Math.max(1, (timeout.toMillis() + 999) / 1000);
        return Long.toString(seconds);
    }

    static boolean validName(String name) {
        return !name.isEmpty() && name.length() <= 56 && name.chars()
                .allMatch(c -> c == '_' || c == '-' || (c < 128 && Character.isLetterOrDigit(c)));
    }

    private GuestOutcome outcome(Outcome state, String reason, String patch, Optional<KernelId> kernel, long start) {
        return GuestOutcome.of(state, reason, patch, kernel, Duration.ofNanos(nanoClock.getAsLong() - start));
    }
}
