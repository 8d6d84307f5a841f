package org.patchvisor.publish;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.patchvisor.io.ProcessRunner;
import org.patchvisor.io.SystemProcessRunner;

/**
 * A machine root for the fix-check tests: kernel headers for one release (Debian's include wrapper and a config
 * naming the compiler) and a source tarball shaped like Debian's linux-source (one top directory, a kernel-style
 * Makefile whose olddefconfig and prepare are cheap, a few compilation units and a header in fs/, and a FAKE of
 * kbuild's Makefile.build that tells which of them the configuration builds), and fixes made with diff -u.
 */
final class SmallKernelSource {
    static final String MAKEFILE = """
            VERSION = 6
            PATCHLEVEL = 1
            SUBLEVEL = 192
            olddefconfig:
            \t@test -f .config
            prepare:
            \t@echo prepared >> prepare.count
            kernelrelease:
            \t@echo $(if $(KERNELRELEASE),$(KERNELRELEASE),6.1.192)
            %.o: %.c
            \t$(CC) -O2 -fno-pic -mcmodel=kernel -pg -mrecord-mcount -mfentry $(KCFLAGS) -c -o $@ $<
            """;
    static final String UNIT = """
            static int helper(int x) { return x * 3; }
            int visible(int x) { return helper(x) + 1; }
            int untouched(int x) { return x - 7; }
            int __attribute__((section(".init.text"))) setup(void) { return 0; }
            """;
    /** A header with an inline function, and the units that include it: one built, one the configuration omits. */
    static final String HEADER = "static inline int scale(int x) { return x * 5; }\n";
    static final String USER = "#include \"inl.h\"\nint user(int x) { return scale(x) + 2; }\n";
    static final String NOMMU = "#include \"inl.h\"\n#error compiled though the configuration leaves it out\n";
    /** A .c file kbuild does not compile alone: whole.c includes it (as kernel/sched/build_policy.c does fair.c). */
    static final String PART = "static int part(int x) { return x + 11; }\n";
    static final String WHOLE = "#include \"part.c\"\nint whole(int x) { return part(x) * 2; }\n";
    /**
     * fs/'s Makefile as kbuild reads it: nommu.o only with a configuration this one is not; sub/ always, gated/
     * only with CONFIG_GATED (its own Makefile lists its object unconditionally, as mm/kasan/'s does).
     */
    static final String FS_MAKEFILE = "obj-y += unit.o user.o whole.o sub/\nobj-$(CONFIG_NOMMU) += nommu.o\n"
            + "obj-$(CONFIG_GATED) += gated/\n";
    static final String DEEP = "int deep(int x) { return x * 9; }\n";
    static final String GATED = "int gated(int x) { return x + 5; }\n";
    /** Another architecture's unit, with a Makefile that would build it there. */
    static final String OTHER_ARCH = "int arm64_setup(int x) { return x - 1; }\n";
    /**
     * A FAKE of kbuild's scripts/Makefile.build, as far as {@link KbuildObjects} uses it: it reads the
     * configuration and the directory's Makefile and computes real-obj-y.
     */
    static final String MAKEFILE_BUILD = "-include include/config/auto.conf\ninclude $(obj)/Makefile\n"
            + "real-obj-y := $(addprefix $(obj)/,$(filter-out %/,$(obj-y)))\n"
            + "subdir-ym := $(addprefix $(obj)/,$(patsubst %/,%,$(filter %/,$(obj-y) $(obj-m))))\n";
    static final String CONFIG = "CONFIG_CC_VERSION_TEXT=\"gcc (Debian 12.2.0-14) 12.2.0\"\n";

    private final Path root;

    private SmallKernelSource(Path root) {
        this.root = root;
    }

    /** Headers for {@code release} and /usr/src/linux-source-6.1.tar.xz under {@code root}. */
    static SmallKernelSource install(Path root, String release) throws IOException {
        Path headers = Files.createDirectories(root.resolve("usr/src/linux-headers-" + release));
        // Debian's wrapper includes the common headers by absolute path; read under the root like everything else.
        Files.writeString(headers.resolve("Makefile"), "include /usr/src/linux-headers-6.1-common/Makefile\n");
        Path common = Files.createDirectories(root.resolve("usr/src/linux-headers-6.1-common"));
        Files.writeString(common.resolve("Makefile"), "VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 192\n");
        Files.writeString(headers.resolve(".config"), CONFIG);
        SmallKernelSource source = new SmallKernelSource(root);
        source.tarball(MAKEFILE);
        return source;
    }

    /** Replaces the tarball with one whose Makefile is {@code makefile}. */
    void tarball(String makefile) throws IOException {
        tarball(makefile, Map.of());
    }

    /** The same, with {@code file} also in the tree at {@code path} (a tool that ships in the kernel source). */
    void tarball(String makefile, String path, Path file) throws IOException {
        tarball(makefile, Map.of(path, file));
    }

    private void tarball(String makefile, Map<String, Path> extra) throws IOException {
        Path target = root.resolve("usr/src/linux-source-6.1.tar.xz");
        Path src = Files.createTempDirectory(root, "src");
        Path top = Files.createDirectories(src.resolve("linux-source-6.1/fs"));
        Files.writeString(top.getParent().resolve("Makefile"), makefile);
        Files.writeString(top.resolve("unit.c"), UNIT);
        Files.writeString(top.resolve("inl.h"), HEADER);
        Files.writeString(top.resolve("user.c"), USER);
        Files.writeString(top.resolve("nommu.c"), NOMMU);
        Files.writeString(top.resolve("part.c"), PART);
        Files.writeString(top.resolve("whole.c"), WHOLE);
        Files.writeString(top.resolve("Makefile"), FS_MAKEFILE);
        Path sub = Files.createDirectories(top.resolve("sub"));
        Files.writeString(sub.resolve("deep.c"), DEEP);
        Files.writeString(sub.resolve("Makefile"), "obj-y := deep.o\n");
        Path gated = Files.createDirectories(top.resolve("gated"));
        Files.writeString(gated.resolve("gated.c"), GATED);
        Files.writeString(gated.resolve("Makefile"), "obj-y := gated.o\n");
        // make prepare generates x86's headers: the tree is prepared for x86, arm64 is another architecture.
        Files.createDirectories(top.resolveSibling("arch/x86/include/generated"));
        Path arm64 = Files.createDirectories(top.resolveSibling("arch/arm64/kernel"));
        Files.writeString(arm64.resolve("setup.c"), OTHER_ARCH);
        Files.writeString(arm64.resolve("Makefile"), "obj-y := setup.o\n");
        Files.writeString(Files.createDirectories(top.resolveSibling("scripts")).resolve("Makefile.build"),
                MAKEFILE_BUILD);
        for (Map.Entry<String, Path> e : extra.entrySet()) {
            Path to = top.resolveSibling(e.getKey());
            Files.createDirectories(to.getParent());
            Files.copy(e.getValue(), to, StandardCopyOption.COPY_ATTRIBUTES);
        }
        Files.createDirectories(target.getParent());
        ProcessRunner.Result tar = new SystemProcessRunner(System.getenv("PATH")).run(List.of("tar", "-cJf",
                target.toString(), "-C", src.toString(), "linux-source-6.1"), Duration.ofSeconds(60));
        assertTrue(tar.ok(), tar.stderr());
    }

    /** A unified diff (diff -u, a/ b/) that changes {@code from} to {@code to} in UNIT. */
    Path fix(String from, String to) throws IOException {
        return fix(UNIT, from, to);
    }

    /** The same against {@code base}, which need not be what the tree holds. */
    Path fix(String base, String from, String to) throws IOException {
        return fix("fs/unit.c", base, from, to);
    }

    /** A diff -u that changes {@code from} to {@code to} in {@code path}, which holds {@code base}. */
    Path fix(String path, String base, String from, String to) throws IOException {
        return fix(Map.of(path, new String[] {base, from, to}));
    }

    /** One diff -u over several files: path → {base, from, to}. */
    Path fix(Map<String, String[]> changes) throws IOException {
        Path dir = Files.createTempDirectory(root, "fix");
        for (Map.Entry<String, String[]> change : new TreeMap<>(changes).entrySet()) {
            String[] c = change.getValue();
            Files.writeString(Files.createDirectories(dir.resolve("a").resolve(change.getKey()).getParent())
                    .resolve(Path.of(change.getKey()).getFileName()), c[0]);
            Files.writeString(Files.createDirectories(dir.resolve("b").resolve(change.getKey()).getParent())
                    .resolve(Path.of(change.getKey()).getFileName()), c[0].replace(c[1], c[2]));
        }
        Path file = dir.resolve("fix.patch");
        ProcessBuilder diff = new ProcessBuilder("diff", "-ruN", "a", "b").directory(dir.toFile())
                .redirectOutput(file.toFile());
        try {
            diff.start().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return file;
    }
}
