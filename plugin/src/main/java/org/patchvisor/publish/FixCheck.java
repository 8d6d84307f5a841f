package org.patchvisor.publish;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.patchvisor.io.ProcessRunner;
import org.patchvisor.time.Ticker;

/**
 * One {@code build --check-fix}: the upstream fix, the kernel source it is checked against and the cache the
 * prepared tree lives in, worked out once and shared by the comparison and the
 * backends that build from the fix (kpatch-build, klp-build).
 */
public final class FixCheck {
    /**
     * Compiles the fix's units (and extra ones) without and with the fix and compares the objects: kbuild in the
     * prepared tree, or a test's stand-in, so the steps that act on the comparison are tested without a kernel.
     */
    @FunctionalInterface
    interface Comparer {
        FixComparison.Result compare(List<String> extraUnits) throws IOException;
    }

    private final FixPatch fix;
    private final KernelSource source;
    private final Path cacheDir;
    private final ProcessRunner processes;
    private final Ticker ticker;
    private final Comparer comparer;

    FixCheck(FixPatch fix, KernelSource source, Path cacheDir, ProcessRunner processes, Ticker ticker,
             Comparer comparer) {
        this.fix = fix;
        this.source = source;
        this.cacheDir = cacheDir;
        this.processes = processes;
        this.ticker = ticker;
        this.comparer = comparer;
    }

    /**
     * Reads the fix and locates the source of {@code release}; {@code cache} holds one directory per release. The
     * comparison's steps are timed on {@code ticker}.
     */
    public static FixCheck locate(Path root, String release, Path fixFile, Optional<Path> tarball,
                                  Optional<Path> config, Path cache, ProcessRunner processes, Ticker ticker)
            throws IOException {
        FixPatch fix = FixPatch.read(fixFile);
        KernelSource source = KernelSource.locate(root, release, tarball, config, processes);
        // Absolute: the backends run their tools from inside the tree.
        Path cacheDir = cache.toAbsolutePath().resolve(release);
        return new FixCheck(fix, source, cacheDir, processes, ticker,
                extraUnits -> new FixComparison(cacheDir, processes, ticker).compare(fix, source, extraUnits));
    }

    public FixPatch fix() {
        return fix;
    }

    public KernelSource source() {
        return source;
    }

    /** The fix's units (and {@code extraUnits}) compiled twice and compared. */
    public FixComparison.Result compare(List<String> extraUnits) throws IOException {
        return comparer.compare(extraUnits);
    }

    /** Takes this check's tree for {@code operation}, so that a comparison and a build share one hold of it. */
    public KernelSourceTree openTree(String operation) throws IOException {
        return KernelSourceTree.open(cacheDir, processes, operation);
    }

    /** {@link #compare(List)} on a tree already held. */
    public FixComparison.Result compare(KernelSourceTree tree, List<String> extraUnits) throws IOException {
        return new FixComparison(cacheDir, processes, ticker).compare(tree, fix, source, extraUnits);
    }

    /** The kpatch-build backend on this check's tree, reading the kernel's debug {@code vmlinux}. */
    public KpatchBuild kpatchBuild(Duration timeout, Path vmlinux) {
        return new KpatchBuild(cacheDir, processes, timeout, vmlinux, source.release());
    }

    /** The backend that runs the kernel source's own klp-build. */
    public KlpBuild klpBuild(Duration timeout) {
        return new KlpBuild(processes, timeout);
    }
}
