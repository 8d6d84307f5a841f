package org.patchvisor.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.elf.ElfFile;
import org.patchvisor.elf.ElfRelocation;
import org.patchvisor.elf.ElfSection;
import org.patchvisor.elf.ElfSymbol;
import org.patchvisor.elf.HostTools;

/**
 * Extraction on small units compiled twice by gcc with the kernel's code model: what is carried, what stays a
 * reference to the kernel (exported, klp by position), which special-section entries travel with the code, and
 * what is refused. The written object is checked by the project's reader and by binutils.
 */
class FunctionExtractorTest {
    private static final String SYMVERS = "0x00000000\texported_fn\tvmlinux\tEXPORT_SYMBOL\t\n"
            + "0x00000000\t__fentry__\tvmlinux\tEXPORT_SYMBOL\t\n"
            + "0x00000000\t__dynamic_pr_debug\tvmlinux\tEXPORT_SYMBOL\t\n";
    private static final String PRE = """
            extern int exported_fn(const char *s);
            extern int hidden_fn(int x);
            static int counter = 3;
            int other(void) { return counter++; }
            int target(int x) { return exported_fn("old") + x; }
            """;
    private static final String POST = """
            extern int exported_fn(const char *s);
            extern int hidden_fn(int x);
            static int counter = 3;
            static int fresh;
            int other(void) { return counter++; }
            static __attribute__((noinline)) int helper(int x) { return hidden_fn(x) + fresh++; }
            int target(int x) { return exported_fn("new text") + helper(x) + counter; }
            """;

    @TempDir
    Path tmp;

    private record Extracted(FunctionExtractor extractor, Optional<ExtractedObject.Result> result,
                             KernelReferences references) {
    }

    private Extracted extract(String pre, String post, String map) throws Exception {
        return extract(pre, post, map, "vmlinux");
    }

    /** As {@link #extract(String, String, String)} for a unit linked into {@code object} (a module's name). */
    private Extracted extract(String pre, String post, String map, String object) throws Exception {
        HostTools.require("gcc", "readelf");
        Path before = compile("pre", pre);
        Path after = compile("post", post);
        DiffReport report = BuildComparison.compare(before, after);
        UnitBuilds builds = UnitBuilds.read(before, after);
        KernelReferences refs = new KernelReferences(KernelSymbols.parse(map, SYMVERS), object,
                UnitSymbols.read(before));
        List<FunctionDelta> deltas = new ArrayList<>(report.changed());
        deltas.addAll(report.added());
        CarriedFunctions carried = CarriedFunctions.of("unit.o", deltas, builds.pre(), builds.post());
        assertEquals(List.of(), carried.problems());
        FunctionExtractor extractor = new FunctionExtractor("unit.o", builds, carried.carried(), refs);
        extractor.run();
        if (!extractor.problems().isEmpty()) {
            return new Extracted(extractor, Optional.empty(), refs);
        }
        return new Extracted(extractor, Optional.of(ExtractedObject.write(extractor, carried.replaced(), refs, 0,
                "unit.o")), refs);
    }

    private Path compile(String dir, String source) throws Exception {
        return Gcc.kernel(tmp.resolve(dir), "unit", source);
    }

    /** The relocations of {@code section} in the written object, each as {@code symbol+addend}. */
    private static List<String> relocations(ExtractedObject.Result result, String section) throws Exception {
        ElfFile elf = ElfFile.parse(result.bytes());
        ElfSection target = elf.section(section).orElseThrow();
        List<ElfSymbol> symbols = elf.symbols();
        List<String> all = new ArrayList<>();
        for (ElfRelocation r : elf.relocations(elf.relocationSectionFor(target).orElseThrow())) {
            ElfSymbol s = symbols.get(r.symbolIndex());
            all.add((s.type() == ElfSymbol.STT_SECTION ? elf.section(s.sectionIndex()).name() : s.name()) + "+"
                    + r.addend());
        }
        return all;
    }

    private static String map(String... lines) {
        return String.join("\n", lines) + "\n";
    }

    private static final String SIMPLE_MAP = map("ffffffff81000000 T exported_fn", "ffffffff81000010 t hidden_fn",
            "ffffffff81000020 T other", "ffffffff81000030 T target", "ffffffff82000000 d counter");

    @Test
    void changedFunctionCarriesWhatIsNewAndReferencesTheKernelForTheRest() throws Exception {
        Extracted x = extract(PRE, POST, SIMPLE_MAP);
        assertEquals(List.of(), x.extractor().problems());
        ExtractedObject.Result result = x.result().orElseThrow();
        assertEquals(List.of(new ReplacedFunction("target", 0, "pv_fn_0", "unit.o")), result.replaced());
        assertEquals(List.of("helper"), result.added());

        Path object = tmp.resolve("extracted.o");
        Files.write(object, result.bytes());
        ElfFile elf = ElfFile.read(object);
        Map<String, ElfSymbol> symbols = new LinkedHashMap<>();
        elf.symbols().forEach(s -> symbols.put(s.name(), s));
        for (String undefined : List.of("exported_fn", ".klp.sym.vmlinux.hidden_fn,0", ".klp.sym.vmlinux.counter,0")) {
            assertTrue(symbols.containsKey(undefined) && symbols.get(undefined).isUndefined(), undefined + " in "
                    + symbols.keySet());
        }
        for (String carried : List.of("target", "helper", "fresh")) {
            assertFalse(symbols.get(carried).isUndefined(), carried);
        }
        assertEquals(ElfSymbol.STB_GLOBAL, symbols.get("pv_fn_0").bind());
        assertFalse(symbols.containsKey("other"), "an unchanged function is not carried");
        assertFalse(symbols.containsKey("counter"), "the kernel's static is referenced, never copied");
        String all = new String(result.bytes(), StandardCharsets.ISO_8859_1);
        assertTrue(all.contains("new text") && !all.contains("old"), "the new literal travels, the old does not");

        HostTools.run(tmp, "readelf", "-a", "-W", object.toString()).succeeded();
        HostTools.Run linked = HostTools.run(tmp, "ld", "-r", "-o", "relinked.o", object.toString()).succeeded();
        assertEquals("", linked.err());
        HostTools.Run relocations = HostTools.run(tmp, "objdump", "-dr", object.toString()).succeeded();
        assertTrue(relocations.out().contains(".klp.sym.vmlinux.hidden_fn,0"), relocations.out());
    }

    @Test
    void staticThatManyFilesDefineIsTheOneAmongThisUnitsSymbols() throws Exception {
        // Another file's counter comes first in the link order; this unit's .data block is limit, then counter
        // (the order gcc emits them in).
        String limit = "int limit = 5;\n";
        String map = map("ffffffff81000000 T exported_fn", "ffffffff81000010 t hidden_fn",
                "ffffffff81000020 T other", "ffffffff81000030 T target", "ffffffff82000000 d counter",
                "ffffffff82000004 D elsewhere", "ffffffff82000010 D limit", "ffffffff82000014 d counter");
        Extracted x = extract(PRE + limit, POST + limit, map);
        assertEquals(List.of(), x.extractor().problems());
        assertTrue(x.references().klpSymbols().containsKey(".klp.sym.vmlinux.counter,2"),
                x.references().klpSymbols().toString());
    }

    @Test
    void aStaticNoListingTellsApartIsRefused() throws Exception {
        String map = map("ffffffff81000000 T exported_fn", "ffffffff81000010 t hidden_fn",
                "ffffffff81000020 d counter", "ffffffff81000030 d counter");
        Extracted x = extract(PRE, POST, map);
        assertTrue(x.extractor().problems().stream().anyMatch(p -> p.startsWith("counter is ambiguous")),
                x.extractor().problems().toString());
    }

    @Test
    void specialSectionEntriesTravelWithTheirCodeOnly() throws Exception {
        String entry = "asm volatile(\"1: nop\\n.pushsection __ex_table,\\\"a\\\"\\n.balign 4\\n"
                + ".long 1b - .\\n.long 1b - .\\n.long 0\\n.popsection\");";
        String pre = "void other(void) { " + entry + " }\nint target(int x) { " + entry + " return x; }\n";
        String post = "void other(void) { " + entry + " }\nint target(int x) { " + entry + " return x + 1; }\n";
        Extracted x = extract(pre, post, map("ffffffff81000020 T other", "ffffffff81000030 T target"));
        assertEquals(List.of(), x.extractor().problems());
        // One of the two functions travels: one entry each of the two tables that describe them.
        assertEquals(Map.of("__ex_table", 1, "__mcount_loc", 1), x.result().orElseThrow().entriesKept());
    }

    @Test
    void unknownSectionDescribingCarriedCodeIsRefused() throws Exception {
        String entry = "asm volatile(\"1: nop\\n.pushsection .pv_unknown,\\\"a\\\"\\n.quad 1b\\n.popsection\");";
        Extracted x = extract("int target(int x) { " + entry + " return x; }\n",
                "int target(int x) { " + entry + " return x + 1; }\n", map("ffffffff81000030 T target"));
        assertEquals(List.of("unit.o: .pv_unknown describes carried code and is not a section patchvisor knows how "
                + "to cut down"), x.extractor().problems());
    }

    @Test
    void unknownSectionDescribingCarriedCodeIsRefusedAlsoWhenItHoldsCarriedData() throws Exception {
        String entry = "asm volatile(\"1: nop\\n.pushsection .pv_unknown,\\\"aw\\\"\\n.quad 1b\\n.popsection\");";
        // A new object in the same section: that section is carried in part, its other entries still matter.
        String data = "static volatile int limit __attribute__((section(\".pv_unknown\"))) = 3;\n";
        Extracted x = extract("int target(int x) { " + entry + " return x; }\n",
                data + "int target(int x) { " + entry + " return x + limit; }\n", map("ffffffff81000030 T target"));
        assertEquals(List.of("unit.o: .pv_unknown describes carried code and is not a section patchvisor knows how "
                + "to cut down"), x.extractor().problems());
    }

    @Test
    void referenceToInitCodeIsRefused() throws Exception {
        String init = "__attribute__((noinline, section(\".init.text\"))) int setup(int x) { return x * 3; }\n";
        Extracted x = extract(init + "int target(int x) { return x; }\n",
                init + "int target(int x) { return setup(x); }\n", map("ffffffff81000030 T target"));
        assertTrue(x.extractor().problems().stream().anyMatch(p -> p.contains("setup in .init.text")),
                x.extractor().problems().toString());
    }

    @Test
    void symbolTheKernelDoesNotHaveIsRefused() throws Exception {
        Extracted x = extract(PRE, POST, map("ffffffff81000030 T target", "ffffffff82000000 d counter"));
        assertTrue(x.extractor().problems().contains(
                "hidden_fn is neither exported nor in the target kernel's symbol map"), x.extractor().problems()
                .toString());
    }

    @Test
    void aNewFlagBesideAnExistingOneIsCarriedNotTheNeighbourRead() throws Exception {
        // cmpb $0, flag(%rip) has an immediate after its field: the address meant is past the usual bias.
        String old = "static _Bool __attribute__((section(\".data.once\"))) done_b;\n"
                + "int other(void) { if (!done_b) { done_b = 1; return 1; } return 0; }\n";
        String fresh = "static _Bool __attribute__((section(\".data.once\"))) done_a;\n";
        Extracted x = extract(old + "int target(int x) { return x; }\n",
                old + fresh + "int target(int x) { if (!done_a) { done_a = 1; return x + 1; } return x; }\n",
                map("ffffffff81000020 T other", "ffffffff81000030 T target", "ffffffff82000000 b done_b"));
        assertEquals(List.of(), x.extractor().problems());
        assertEquals(Map.of(), x.references().klpSymbols(), "the kernel's done_b is not what target reads");
        Path object = tmp.resolve("flags.o");
        Files.write(object, x.result().orElseThrow().bytes());
        assertTrue(ElfFile.read(object).symbols().stream().anyMatch(s -> s.name().equals("done_a")
                && !s.isUndefined()), "the new flag travels");
    }

    /** DO_ONCE_LITE as 6.1 writes it: pr_warn_once and WARN_ONCE keep their flag in .data.once. */
    private static final String WARN_ONCE = "extern int printk(const char *, ...) __attribute__((cold));\n"
            + "#define pr_warn_once(fmt, ...) ({ static _Bool __attribute__((section(\".data.once\"))) __already_done;"
            + " \\\n _Bool __ret_once = 0; if (!__already_done) { __already_done = 1; __ret_once = 1; } \\\n"
            + " if (__builtin_expect(__ret_once, 0)) printk(fmt, ##__VA_ARGS__); })\n"
            + "int other(int x) { pr_warn_once(\"other %d\\n\", x); return x; }\n";

    @Test
    void anExistingOnceOnlyWarningFlagIsCarriedAsAFreshCopy() throws Exception {
        // Every unit's flags are __already_done.N in .data.once: the map lists many of each, and no anchor there.
        String pre = WARN_ONCE
                + "int target(int x) { if (x < 0) pr_warn_once(\"negative %d\\n\", x); return x * 2; }\n";
        Extracted x = extract(pre, pre.replace("x * 2", "x * 3"), map("ffffffff81000000 T printk",
                "ffffffff81000020 T other", "ffffffff81000030 T target", "ffffffff82000000 d __already_done.0",
                "ffffffff82000001 d __already_done.1", "ffffffff82000002 d __already_done.0",
                "ffffffff82000003 d __already_done.1"));
        assertEquals(List.of(), x.extractor().problems());
        assertEquals(Map.of(".klp.sym.vmlinux.printk,0", "vmlinux"), x.references().klpSymbols(),
                "the kernel's flag is not referred to");
        List<StateCopy> copies = x.extractor().copies();
        assertEquals(1, copies.size(), copies.toString());
        StateCopy flag = copies.get(0);
        assertEquals("target", flag.function(), "the .cold part that sets it counts for its function");
        assertTrue(flag.symbol().matches("__already_done\\.\\d+"), flag.symbol());
        assertEquals("target: its once-only warning " + flag.symbol() + " may be printed once more after the patch "
                + "loads", flag.warning("pv_x"));
        ElfFile written = ElfFile.parse(x.result().orElseThrow().bytes());
        ElfSymbol copy = written.symbols().stream().filter(s -> s.name().equals(flag.symbol())).findFirst()
                .orElseThrow();
        assertFalse(copy.isUndefined());
        ElfSection once = written.section(copy.sectionIndex());
        assertEquals(".data.once", once.name());
        assertEquals(0, once.contents()[(int) copy.value()], "the copy starts unset");
    }

    @Test
    void doOncesFlagStaysTheKernels() throws Exception {
        // DO_ONCE runs an initialisation once (its static key is the kernel's): a fresh flag could run it again.
        String pre = "extern void init_secret(void);\n"
                + "int target(int x) { static _Bool __attribute__((section(\".data.once\"))) ___done;\n"
                + " if (!___done) { ___done = 1; init_secret(); } return x; }\n";
        Extracted x = extract(pre, pre.replace("return x;", "return x + 1;"), map("ffffffff81000000 T init_secret",
                "ffffffff81000030 T target", "ffffffff82000000 d ___done.0", "ffffffff82000001 d ___done.0"));
        assertTrue(x.extractor().problems().stream().anyMatch(p -> p.startsWith("___done.0 is ambiguous")),
                x.extractor().problems().toString());
    }

    @Test
    void aChangedPrDebugTravelsWithItsFunctionAsThePatchsOwn() throws Exception {
        String source = ObjectDiffTest.PR_DEBUG + "int target(int x) { pr_debug(\"target %d\\n\", x); return x; }\n";
        Extracted x = extract(source, source.replace("target %d", "target got %d"), map("ffffffff81000030 T target"));
        assertEquals(List.of(), x.extractor().problems());
        assertEquals(Map.of(), x.references().klpSymbols(), "the kernel's descriptor is not referred to");
        List<StateCopy> copies = x.extractor().copies();
        assertEquals(1, copies.size(), copies.toString());
        assertEquals(StateCopy.Kind.DEBUG_DESCRIPTOR, copies.get(0).kind());
        assertEquals("target: its pr_debug is controlled as module pv_x in dynamic debug while the patch is loaded",
                copies.get(0).warning("pv_x"));
        ExtractedObject.Result result = x.result().orElseThrow();
        assertEquals(56, ElfFile.parse(result.bytes()).section("__dyndbg").orElseThrow().size(),
                "one struct _ddebug in the patch's own __dyndbg");
        assertEquals("__dyndbg+40", relocations(result, "__jump_table").get(2), "the site's key is the copy's");
        assertTrue(new String(result.bytes(), StandardCharsets.ISO_8859_1).contains("target got %d"));
    }

    @Test
    void aChangedPrDebugOfAModuleIsNoStaticKeyOfThatModule() throws Exception {
        String source = ObjectDiffTest.PR_DEBUG + "int target(int x) { pr_debug(\"target %d\\n\", x); return x; }\n";
        String map = map("ffffffffc0000030 t target\t[mymod]");
        Extracted x = extract(source, source.replace("target %d", "target got %d"), map, "mymod");
        assertEquals(List.of(), x.extractor().problems());
        assertEquals(StateCopy.Kind.DEBUG_DESCRIPTOR, x.extractor().copies().get(0).kind());

        // The same function changed elsewhere keeps the module's descriptor, whose key the patch cannot link.
        String descriptor = Gcc.kernel(tmp.resolve("names"), "unit", source).toString();
        String name = ElfFile.read(Path.of(descriptor)).symbols().stream().map(ElfSymbol::name)
                .filter(n -> n.startsWith("__UNIQUE_ID_ddebug")).findFirst().orElseThrow();
        Extracted kept = extract(source, source.replace("return x;", "return x + 1;"),
                map + "ffffffffc0001000 d " + name + "\t[mymod]\n", "mymod");
        assertEquals(List.of("unit.o: a static key of the carried code lives in a module (.klp.sym.mymod." + name
                + ",0)"), kept.extractor().problems());
    }

    @Test
    void anExportedFunctionChangesLikeAnyOther() throws Exception {
        String export = "asm(\".pushsection \\\"___ksymtab+target\\\",\\\"a\\\"\\n.long target - .\\n"
                + ".popsection\");\n";
        Extracted x = extract(export + "int target(int x) { return x; }\n",
                export + "int target(int x) { return x + 1; }\n", map("ffffffff81000030 T target"));
        assertEquals(List.of(), x.extractor().problems(), "callers keep the exported address, which is redirected");
        assertEquals(List.of(new ReplacedFunction("target", 0, "pv_fn_0", "unit.o")), x.result().orElseThrow()
                .replaced());
    }

    @Test
    void aPointerToTheObjectRightAfterACarriedOneIsThatObject() throws Exception {
        // gcc lays the later definition first: the new new_v at +0 of .data.shared, the kernel's old_v at +4.
        String old = "static int old_v __attribute__((section(\".data.shared\"))) = 5;\n"
                + "int other(void) { return old_v++; }\n";
        Extracted x = extract(old + "int target(int i) { return i; }\n",
                old + "static int new_v __attribute__((section(\".data.shared\"))) = 7;\n"
                        + "static int *ptrs[] = { &new_v, &old_v };\n"
                        + "int target(int i) { return *ptrs[i]; }\n",
                map("ffffffff81000020 T other", "ffffffff81000030 T target", "ffffffff82000000 d old_v"));
        assertEquals(List.of(), x.extractor().problems());
        String ptrs = x.extractor().elf().sections().stream().map(ElfSection::name)
                .filter(n -> n.endsWith(".ptrs")).findFirst().orElseThrow();
        assertEquals(List.of(".data.shared+0", ".klp.sym.vmlinux.old_v,0+0"),
                relocations(x.result().orElseThrow(), ptrs), "&old_v is the kernel's old_v, not past new_v");
    }

    @Test
    void aStaticKeyRightAfterACarriedObjectIsTheKernelsKey() throws Exception {
        String key = "static int key_old __attribute__((section(\".data..ro_after_init\"))) = 2;\n"
                + "int other(void) { return key_old; }\n";
        String site = "asm goto(\"1: nop\\n.pushsection __jump_table,\\\"aw\\\"\\n.balign 8\\n.long 1b - .\\n"
                + ".long %l[yes] - .\\n.quad %c0 + %c1 - .\\n.popsection\" : : \"i\"(&key_old), \"i\"(0) : : yes);\n";
        Extracted x = extract(key + "int target(int x) { " + site + " return x; yes: return x + 1; }\n",
                key + "static int fresh __attribute__((section(\".data..ro_after_init\"))) = 1;\n"
                        + "int target(int x) { " + site + " return x + fresh; yes: return x; }\n",
                map("ffffffff81000020 T other", "ffffffff81000030 T target", "ffffffff82000000 d key_old"));
        assertEquals(List.of(), x.extractor().problems());
        List<String> entry = relocations(x.result().orElseThrow(), "__jump_table");
        assertEquals(".klp.sym.vmlinux.key_old,0+0", entry.get(2), entry.toString());
    }

    @Test
    void anUndecodedReferenceIntoASectionOfSeveralObjectsIsRefusedNotGuessed() throws Exception {
        String flags = "static int __attribute__((section(\".data.once\"))) done_b;\n"
                + "static int __attribute__((section(\".data.once\"))) done_a;\n"
                + "int other(void) { return done_b + done_a; }\n";
        // vmovd is VEX-encoded, which the decoder does not know: where target's fields end is unknown.
        Extracted x = extract(flags + "int target(int x) { return x; }\n", flags
                        + "int target(int x) { asm volatile(\"vmovd %0, %%xmm0\" : : \"m\"(done_a)); return x; }\n",
                map("ffffffff81000020 T other", "ffffffff81000030 T target", "ffffffff82000000 b done_b",
                        "ffffffff82000004 b done_a"));
        assertEquals(1, x.extractor().problems().size(), x.extractor().problems().toString());
        assertTrue(x.extractor().problems().get(0).matches("unit\\.o: the instruction at 0x[0-9a-f]+ of "
                + "\\.text\\.target does not decode, so which of the objects of \\.data\\.once it refers to is "
                + "unknown"), x.extractor().problems().toString());
    }

    @Test
    void aChangeOnlyInAColdPartReplacesTheFunctionItBelongsTo() throws Exception {
        // printk is cold, so gcc moves the unlikely branch that calls it into handler.cold.
        String source = "extern int printk(const char *, ...) __attribute__((cold));\n"
                + "int handler(int *p, int n) {\n"
                + "  if (__builtin_expect(n < 0, 0)) { printk(\"bad value %d\\n\", n); return -22; }\n"
                + "  return p[n] + 1;\n}\n";
        Extracted x = extract(source, source.replace("bad value", "bad value (fixed)"),
                map("ffffffff81000000 T printk", "ffffffff81000030 T handler"));
        assertEquals(List.of(), x.extractor().problems());
        ExtractedObject.Result result = x.result().orElseThrow();
        assertEquals(List.of(new ReplacedFunction("handler", 0, "pv_fn_0", "unit.o")), result.replaced());
        assertEquals(List.of(), result.added());
        Set<String> defined = new LinkedHashSet<>();
        ElfFile.parse(result.bytes()).symbols().stream().filter(s -> !s.isUndefined()).forEach(s -> defined.add(
                s.name()));
        assertTrue(defined.containsAll(List.of("handler", "handler.cold")), defined.toString());
        assertTrue(new String(result.bytes(), StandardCharsets.ISO_8859_1).contains("bad value (fixed)"));
    }

    @Test
    void localReadOnlyDataTravelsWithTheCodeInsteadOfBeingLookedUp() throws Exception {
        // __func__.0, a table of strings and gcc's switch table CSWTCH.1: constants kallsyms may not list.
        String source = "extern void report(const char *fn, const char *what);\n"
                + "static const char *const names[] = { \"zero\", \"one\", \"two\", \"three\" };\n"
                + "int target(int x) {\n  report(__func__, names[x & 3]);\n"
                + "  switch (x) { case 0: return 10; case 1: return 7; case 2: return 31; case 3: return 4;\n"
                + "  case 4: return 99; case 5: return 12; default: return 0; }\n}\n";
        Extracted x = extract(source, source.replace("report(__func__", "report(__func__ + 1"),
                map("ffffffff81000000 T report", "ffffffff81000030 T target"));
        assertEquals(List.of(), x.extractor().problems());
        assertEquals(Map.of(".klp.sym.vmlinux.report,0", "vmlinux"), x.references().klpSymbols());
        Set<String> defined = new LinkedHashSet<>();
        ElfFile.parse(x.result().orElseThrow().bytes()).symbols().stream().filter(s -> !s.isUndefined())
                .forEach(s -> defined.add(s.name()));
        assertTrue(defined.containsAll(List.of("__func__.0", "names", "CSWTCH.1")), defined.toString());
        assertEquals(List.of(".rodata.str1.1+0", ".rodata.str1.1+5", ".rodata.str1.1+9", ".rodata.str1.1+13"),
                relocations(x.result().orElseThrow(), ".rodata.names"), "the copied table points at carried strings");
    }

    @Test
    void aReadOnlyTableOfOperationsIsTheKernelsOwn() throws Exception {
        // Its address may be compared (f_op == &x_fops) or registered: a copy would not be the same table.
        String source = "struct ops { int (*get)(int); };\n"
                + "static int get_one(int x) { return x; }\n"
                + "static const struct ops my_ops = { get_one };\n"
                + "extern void register_ops(const struct ops *ops);\n"
                + "int target(int x) { register_ops(&my_ops); return x; }\n";
        Extracted x = extract(source, source.replace("register_ops(&my_ops); return x;",
                        "register_ops(&my_ops); return x + 1;"),
                map("ffffffff81000000 T register_ops", "ffffffff81000010 t get_one", "ffffffff81000030 T target",
                        "ffffffff82000000 d my_ops"));
        assertEquals(List.of(), x.extractor().problems());
        assertTrue(x.references().klpSymbols().containsKey(".klp.sym.vmlinux.my_ops,0"),
                x.references().klpSymbols().toString());
    }
}
