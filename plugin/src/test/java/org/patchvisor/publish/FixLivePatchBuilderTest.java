package org.patchvisor.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.elf.ElfFile;
import org.patchvisor.elf.ElfSection;

/**
 * The extraction step of {@code build --fix} on objects as the comparison leaves them (a malformed object is one
 * refusal line naming the file, never an index error), and the check of what the linked module leaves undefined.
 */
class FixLivePatchBuilderTest {
    private static final String PRE = "int target(int x) { return x; }\n";
    private static final String POST = "int target(int x) { return x + 1; }\n";
    private static final String MAP = "ffffffff81000030 T target\n";
    private static final String SYMVERS = "0x00000000\t__fentry__\tvmlinux\tEXPORT_SYMBOL\t\n";

    @TempDir
    Path tmp;

    private List<String> extract(Path objects) throws Exception {
        List<String> refusals = new ArrayList<>();
        extract(objects, MAP, refusals);
        return refusals;
    }

    private List<FixLivePatchBuilder.UnitPatch> extract(Path objects, String map, List<String> refusals)
            throws Exception {
        return extract(objects, map, List.of(), refusals);
    }

    private List<FixLivePatchBuilder.UnitPatch> extract(Path objects, String map, List<FunctionDelta> removed,
                                                        List<String> refusals) throws Exception {
        DiffReport report = new DiffReport(List.of(new FunctionDelta("fs/unit.o", "target", "target", "target",
                false)), List.of(), removed, List.of(), List.of(), List.of());
        return FixLivePatchBuilder.extract(new FixComparison.Result(report, List.of(), List.of(), objects,
                FixComparison.Steps.UNTIMED), KernelSymbols.parse(map, SYMVERS), "pv_test",
                Files.createDirectories(tmp.resolve("work")), refusals);
    }

    private Path objects(String pre, String post) throws Exception {
        Path objects = tmp.resolve("objects");
        Gcc.kernel(objects.resolve("pre/fs"), "unit", pre);
        Gcc.kernel(objects.resolve("post/fs"), "unit", post);
        return objects;
    }

    @Test
    void aMalformedObjectIsOneRefusalNamingIt() throws Exception {
        Path objects = objects(PRE, POST);
        Path post = objects.resolve("post/fs/unit.o");
        byte[] bytes = Files.readAllBytes(post);
        Files.write(post, Arrays.copyOf(bytes, 100));
        List<String> refusals = extract(objects);
        assertEquals(1, refusals.size(), refusals.toString());
        assertTrue(refusals.get(0).startsWith("fs/unit.o: cannot extract from the object: " + post + ": "),
                refusals.get(0));
    }

    @Test
    void aRelocationPastItsSectionIsARefusalNotAnIndexError() throws Exception {
        Path objects = objects(PRE, POST);
        Path post = objects.resolve("post/fs/unit.o");
        ElfSection rela = ElfFile.read(post).section(".rela__mcount_loc").orElseThrow();
        byte[] bytes = Files.readAllBytes(post);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong((int) rela.offset(), 0x1000);
        Files.write(post, bytes);
        List<String> refusals = extract(objects);
        assertEquals(List.of("fs/unit.o: cannot extract from the object: relocation type 1 at 0x1000 does not fit "
                + "section __mcount_loc (0x8 bytes)"), refusals);
    }

    @Test
    void whatTheAuthorShouldKnowOfAUnitIsThatUnitsWarning() throws Exception {
        String once = "extern int printk(const char *, ...);\n"
                + "int target(int x) { static _Bool __attribute__((section(\".data.once\"))) __already_done;\n"
                + " if (x < 0 && !__already_done) { __already_done = 1; printk(\"negative\\n\"); } return x; }\n";
        List<String> refusals = new ArrayList<>();
        List<FixLivePatchBuilder.UnitPatch> units = extract(objects(once, once.replace("return x;", "return -x;")),
                MAP + "ffffffff81000000 T printk\n", List.of(new FunctionDelta("fs/unit.o", "gone", "gone", "", true),
                        new FunctionDelta("fs/other.o", "elsewhere", "elsewhere", "", true)), refusals);
        assertEquals(List.of(), refusals);
        assertEquals(List.of("gone: removed by the fix; the kernel keeps its copy, only callers are replaced",
                "target: its once-only warning __already_done.0 may be printed once more after the patch loads"),
                units.get(0).warnings(), "a function removed from another unit is not this unit's");
    }

    @Test
    void aSymbolTheLinkedModuleLeavesUndefinedIsFoundUnlessExportedOrKlp() throws Exception {
        Path module = Gcc.kernel(tmp.resolve("linked"), "module", "extern int exported_fn(void);\n"
                + "extern int hidden_fn(void);\n"
                + "extern int counter __asm__(\"\\\".klp.sym.vmlinux.counter,0\\\"\");\n"
                + "int f(void) { return exported_fn() + hidden_fn() + counter; }\n");
        KernelSymbols kernel = KernelSymbols.parse(MAP, SYMVERS
                + "0x00000000\texported_fn\tvmlinux\tEXPORT_SYMBOL\t\n");
        assertEquals(List.of("hidden_fn"), FixLivePatchBuilder.unresolved(Files.readAllBytes(module), kernel));
    }
}
