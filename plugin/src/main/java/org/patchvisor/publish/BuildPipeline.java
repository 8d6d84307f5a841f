package org.patchvisor.publish;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The publisher's sequence for one live patch: check the upstream fix (compile the units it touches twice in the
 * kernel's own source and, for the patchvisor backend, refuse a live patch that does not replace every function
 * the fix changed), build the module, then publish it when a {@link Publication} is given. Nothing is published
 * that was not checked and built first. What the CLI prints reaches it through the {@link Listener}.
 */
public final class BuildPipeline {
    /** kpatch-build and klp-build compile the whole kernel twice: hours on a small machine. */
    public static final Duration FROM_FIX_TIMEOUT = Duration.ofHours(8);

    /** Hears each step as it ends, in order. */
    public interface Listener {
        /** The fix's units were compiled twice and compared. */
        void compared(FixCheck check, FixComparison.Result compared);

        /** Something the publisher should read that does not stop the build. */
        void warning(String warning);

        /** The live patch replaces every function the fix changed. */
        void covered();

        /** The patchvisor backend built the module. */
        void built(LivePatchBuilder.Built built);

        /** kpatch-build or klp-build made the module from the fix; {@code functions} it changed. */
        void builtFromFix(Path module, String name, String program, int functions);

        /** {@code build --fix} made the module from the fix alone. */
        default void builtFromFixAlone(FixLivePatchBuilder.Built built) {
        }

        void published(Publication.Published published);
    }

    private final String kernel;
    private final List<String> extraUnits;
    private final Optional<Publication> publication;
    private final Listener listener;

    /** @param extraUnits units to compare besides those the fix touches (they include a header it changes) */
    public BuildPipeline(String kernel, List<String> extraUnits, Optional<Publication> publication, Listener listener) {
        this.kernel = kernel;
        this.extraUnits = List.copyOf(extraUnits);
        this.publication = publication;
        this.listener = listener;
    }

    /**
     * The patchvisor backend: the author's replacement functions in {@code source}, checked against the fix when one
     * is given, built against the kernel's headers. Returns the module.
     */
    public Path withPatchvisor(LivePatchBuilder builder, Path source, Optional<FixCheck> check, Optional<String> name,
                               Optional<Path> out, Optional<Path> symbolMap) throws IOException {
        LivePatchManifest manifest = LivePatchManifest.read(source);
        if (check.isPresent()) {
            builder.checkSymbols(manifest, kernel, symbolMap);
            CoverageCheck.Result result = CoverageCheck.check(compare(check.get(), check.get().compare(extraUnits))
                    .report(), manifest);
            result.warnings().forEach(listener::warning);
            if (!result.covered()) {
                throw new BuildException(BuildException.Reason.NOT_COVERED,
                        "the live patch does not replace function(s) the fix changed: "
                                + String.join(", ", result.missing()));
            }
            listener.covered();
        }
        Path target = out.orElseGet(() -> Path.of(name.or(manifest::name).orElse("livepatch") + ".ko"));
        LivePatchBuilder.Built built = builder.build(source, kernel, name, target, symbolMap);
        listener.built(built);
        publish(built.module(), built.manifest().replacements().stream()
                .map(r -> r.inVmlinux() ? r.function() : r.object() + ":" + r.function()).toList(),
                built.manifest().description());
        return built.module();
    }

    /**
     * kpatch-build or klp-build makes the module from the fix; the comparison names the functions for the index.
     * The tree is held once for both steps, so no other check can take it in between. Returns the module.
     */
    public Path fromFix(FixCheck check, FixBuilder builder, String name, boolean replace, Optional<Path> out)
            throws IOException {
        builder.preflight(name);
        List<String> functions;
        Path module;
        try (KernelSourceTree tree = check.openTree(builder.program())) {
            builder.checkTree(tree, check.source());
            functions = List.copyOf(compare(check, check.compare(tree, extraUnits)).report().changedFunctionNames());
            module = builder.build(tree, check.fix(), check.source(), name, replace,
                    out.orElseGet(() -> Path.of(name + ".ko")));
        }
        listener.builtFromFix(module, name, builder.program(), functions.size());
        publish(module, functions, "");
        return module;
    }

    /**
     * {@code build --fix}: patchvisor extracts the changed functions from the fix's two builds itself; the module
     * replaces exactly the functions the comparison found changed. Returns the module.
     */
    public Path fromFixAlone(FixCheck check, FixLivePatchBuilder builder, String name, Path symbolMap,
                             Optional<Path> out) throws IOException {
        FixLivePatchBuilder.Built built = builder.build(check, extraUnits, name, symbolMap,
                out.orElseGet(() -> Path.of(name + ".ko")));
        compare(check, built.comparison());
        built.warnings().stream().filter(w -> !built.comparison().warnings().contains(w)).forEach(listener::warning);
        built.units().forEach(u -> u.warnings().forEach(w -> listener.warning(u.unit() + ": " + w)));
        listener.builtFromFixAlone(built);
        publish(built.module(), built.functions(), "");
        return built.module();
    }

    private FixComparison.Result compare(FixCheck check, FixComparison.Result compared) {
        listener.compared(check, compared);
        compared.warnings().forEach(listener::warning);
        return compared;
    }

    private void publish(Path module, List<String> functions, String description) throws IOException {
        if (publication.isPresent()) {
            listener.published(publication.get().publish(module, functions, description));
        }
    }
}
