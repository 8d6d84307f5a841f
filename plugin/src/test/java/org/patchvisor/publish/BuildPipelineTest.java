package org.patchvisor.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.elf.ElfFile;
import org.patchvisor.elf.ElfSymbol;
import org.patchvisor.elf.ModuleFiles;
import org.patchvisor.feed.BundleEntry;
import org.patchvisor.io.ProcessRunner;
import org.patchvisor.time.Ticker;

/**
 * The publisher's sequence for the patchvisor backend over a fake kbuild: the module is built, then published, and
 * nothing reaches the repository that was refused or failed to compile. With a fix to check, the comparison of the
 * kernel built without and with it is handed in (compiling the kernel's units for real is FixComparisonTest's and
 * the integration lane's): a live patch that does not replace every function the fix changed is refused as
 * NOT_COVERED before anything is built or published.
 */
class BuildPipelineTest {
    private static final Path SAMPLE = Path.of("src/test/resources/elf/livepatch_sample.ko").toAbsolutePath();
    private static final String KERNEL = "6.1.0-56-amd64";

    @TempDir
    Path tmp;
    Path root;
    Path source;
    Path map;
    Path repo;
    Path key;
    final FakeMake make = new FakeMake();
    final List<String> heard = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        root = tmp.resolve("root");
        Path headers = Files.createDirectories(root.resolve("usr/src/linux-headers-" + KERNEL));
        Files.writeString(headers.resolve("Makefile"), "# the kernel's headers\n");
        // Every symbol the built module needs is exported: no klp relocations to make.
        Files.writeString(headers.resolve("Module.symvers"), ElfFile.read(SAMPLE).symbols().stream()
                .filter(s -> s.sectionIndex() == ElfSymbol.SHN_UNDEF && !s.name().isEmpty())
                .map(s -> "0x00000000\t" + s.name() + "\tvmlinux\tEXPORT_SYMBOL\t\n").distinct()
                .collect(Collectors.joining()));
        map = Files.writeString(tmp.resolve("System.map"), "ffffffff81000000 T cmdline_proc_show\n");
        source = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(source.resolve("livepatch.json"), "{\"name\": \"fix_cmdline\", \"description\": \"cmdline "
                + "fix\", \"replacements\": [{\"function\": \"cmdline_proc_show\", \"replacement\": "
                + "\"fixed_cmdline_proc_show\"}]}");
        Files.writeString(source.resolve("fix.c"), "int fixed_cmdline_proc_show(void) { return 0; }\n");
        repo = tmp.resolve("repo");
        key = tmp.resolve("publisher.key");
        SigningKey.generate().write(key);
    }

    private BuildPipeline pipeline() {
        Publication publication = new Publication(repo, key, "30d", (description, functions) -> new BundleSpec(
                List.of(), List.of("CVE-2024-1086"), description, Optional.empty(), List.of(), 1, functions),
                Clock.systemUTC());
        return new BuildPipeline(KERNEL, List.of(), Optional.of(publication), new BuildPipeline.Listener() {
            @Override
            public void compared(FixCheck check, FixComparison.Result compared) {
                heard.add("compared");
            }

            @Override
            public void warning(String warning) {
                heard.add("warning " + warning);
            }

            @Override
            public void covered() {
                heard.add("covered");
            }

            @Override
            public void built(LivePatchBuilder.Built built) {
                heard.add("built " + built.name() + " at " + built.module().getFileName());
            }

            @Override
            public void builtFromFix(Path module, String name, String program, int functions) {
                heard.add("built from the fix");
            }

            @Override
            public void published(Publication.Published published) {
                heard.add("published serial " + published.index().serial() + ", "
                        + published.index().bundles().size() + " bundle(s)");
            }
        });
    }

    private Path build() throws IOException {
        return build(Optional.empty());
    }

    private Path build(Optional<FixCheck> check) throws IOException {
        return pipeline().withPatchvisor(new LivePatchBuilder(root, make), source, check, Optional.empty(),
                Optional.of(tmp.resolve("out/fix_cmdline.ko")), Optional.of(map));
    }

    /** A fix check whose comparison found these functions changed, and compiles nothing. */
    private FixCheck fixChanging(String... functions) {
        List<FunctionDelta> changed = new ArrayList<>();
        for (String function : functions) {
            changed.add(new FunctionDelta("fs/proc/cmdline.o", function, function, function, true));
        }
        DiffReport report = new DiffReport(changed, List.of(), List.of(), List.of(), List.of(), List.of());
        return new FixCheck(new FixPatch(tmp.resolve("fix.patch"), List.of()),
                new KernelSource(KERNEL, "6.1.158", tmp.resolve("linux.tar.xz"), tmp.resolve("config"), "gcc-12"),
                tmp.resolve("cache"), make, Ticker.SYSTEM, extraUnits -> new FixComparison.Result(report, List.of(),
                        List.of(), tmp.resolve("cache/objects"), FixComparison.Steps.UNTIMED));
    }

    @Test
    void aLivePatchThatMissesAFunctionTheFixChangedIsRefusedAndNothingIsBuiltOrPublished() throws Exception {
        BuildException e = assertThrows(BuildException.class,
                () -> build(Optional.of(fixChanging("cmdline_proc_show", "proc_cmdline_init"))));

        assertEquals(BuildException.Reason.NOT_COVERED, e.reason());
        assertEquals("the live patch does not replace function(s) the fix changed: proc_cmdline_init", e.getMessage());
        assertEquals(0, make.runs, "nothing compiled");
        assertFalse(Files.exists(repo), "nothing published");
        assertEquals(List.of("compared"), heard);
    }

    @Test
    void aLivePatchThatReplacesEveryFunctionTheFixChangedIsBuiltAndPublished() throws Exception {
        build(Optional.of(fixChanging("cmdline_proc_show")));

        assertEquals(List.of("compared", "covered", "built fix_cmdline at fix_cmdline.ko",
                "published serial 1, 1 bundle(s)"), heard);
        assertEquals(1, make.runs);
    }

    @Test
    void theModuleIsBuiltThenPublishedAsASignedBundleNamingItsFunctions() throws Exception {
        Path module = build();

        assertEquals(tmp.resolve("out/fix_cmdline.ko"), module);
        assertTrue(Files.isRegularFile(module));
        assertEquals(List.of("built fix_cmdline at fix_cmdline.ko", "published serial 1, 1 bundle(s)"), heard);
        assertEquals(1, make.runs, "one compile");
        BundleEntry bundle = new PublisherRepository(repo, ModuleFiles::read, Clock.systemUTC())
                .bundles().get(0);
        assertEquals(List.of("cmdline_proc_show"), bundle.functions());
        assertEquals(List.of("CVE-2024-1086"), bundle.cves());
        assertEquals("cmdline fix", bundle.description());
    }

    @Test
    void aReplacementTheKernelLacksIsRefusedBeforeAnythingIsCompiledOrPublished() throws Exception {
        Files.writeString(map, "ffffffff81000000 T some_other_function\n");

        BuildException e = assertThrows(BuildException.class, this::build);

        assertEquals(BuildException.Reason.REFUSED, e.reason());
        assertEquals(0, make.runs);
        assertFalse(Files.exists(repo), "no repository was made");
        assertEquals(List.of(), heard);
    }

    @Test
    void aModuleThatDoesNotCompileIsNotPublished() throws Exception {
        make.fail = true;

        BuildException e = assertThrows(BuildException.class, this::build);

        assertEquals(BuildException.Reason.COMPILE, e.reason());
        assertTrue(e.getMessage().contains("fix.c:1:5: error: expected"), e.getMessage());
        assertFalse(Files.exists(repo));
        assertEquals(List.of(), heard);
    }

    /** kbuild's "make M=DIR modules", faked: the sample module appears as DIR/NAME.ko, or the compile fails. */
    static final class FakeMake implements ProcessRunner {
        int runs;
        boolean fail;

        @Override
        public Result run(List<String> argv, Duration timeout) throws IOException {
            runs++;
            assertEquals("make", argv.get(0), argv.toString());
            if (fail) {
                return new Result(2, "", "fix.c:1:5: error: expected ';' before '}' token\n");
            }
            Path dir = Path.of(argv.stream().filter(a -> a.startsWith("M=")).findFirst().orElseThrow().substring(2));
            Files.copy(SAMPLE, dir.resolve("fix_cmdline.ko"));
            return new Result(0, "", "");
        }

        @Override
        public boolean available(String name) {
            return name.equals("make");
        }
    }
}
