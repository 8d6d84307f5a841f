package org.patchvisor.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiles small C files twice with gcc and checks what the comparison reports. */
class ObjectDiffTest {
    @TempDir
    Path tmp;

    private DiffReport diff(String before, String after) throws Exception {
        Path pre = Gcc.kernel(tmp.resolve("pre"), "unit", before);
        Path post = Gcc.kernel(tmp.resolve("post"), "unit", after);
        return BuildComparison.compare(pre, post);
    }

    private static Set<String> names(List<FunctionDelta> deltas) {
        return deltas.stream().map(FunctionDelta::function).collect(java.util.stream.Collectors.toSet());
    }

    @Test
    void identicalBuildsHaveNoChanges() throws Exception {
        String src = "int f(int x) { return x + 1; }\nint g(int x) { return f(x) * 2; }\n";
        DiffReport report = diff(src, src);
        assertTrue(!report.hasChanges(), report.toString());
    }

    @Test
    void bodyChangeIsReported() throws Exception {
        DiffReport report = diff(
                "int f(int x) { return x + 1; }\nint g(int x) { return x * 7; }\n",
                "int f(int x) { return x + 2; }\nint g(int x) { return x * 7; }\n");
        assertEquals(Set.of("f"), names(report.changed()));
        assertTrue(report.added().isEmpty() && report.removed().isEmpty());
    }

    @Test
    void moveOnlyBecauseAnotherFunctionGrewIsNoChange() throws Exception {
        // Without -ffunction-sections the callee moves inside .text when 'big' grows; the call in 'user' then
        // differs only in its relocation's resolved address, which must not count.
        String before = "int big(int x) { return x + 1; }\n"
                + "__attribute__((noinline)) int callee(int x) { return x * 5; }\n"
                + "int user(int x) { return callee(x) + 3; }\n"
                + "static int counter;\nint bump(void) { return ++counter; }\n";
        String after = "int big(int x) { int s = 0; for (int i = 0; i < x; i++) s += i * x ^ (s >> 3); return s; }\n"
                + "__attribute__((noinline)) int callee(int x) { return x * 5; }\n"
                + "int user(int x) { return callee(x) + 3; }\n"
                + "static int counter;\nint bump(void) { return ++counter; }\n";
        DiffReport sectioned = diff(before, after);
        assertEquals(Set.of("big"), names(sectioned.changed()));

        Path pre = compileOneSection(tmp.resolve("pre1"), before);
        Path post = compileOneSection(tmp.resolve("post1"), after);
        DiffReport oneSection = BuildComparison.compare(pre, post);
        assertEquals(Set.of("big"), names(oneSection.changed()), oneSection.toString());
    }

    private static Path compileOneSection(Path dir, String source) throws Exception {
        Files.createDirectories(dir);
        Path c = dir.resolve("unit.c");
        Path o = dir.resolve("unit.o");
        Files.writeString(c, source);
        Process p = new ProcessBuilder("gcc", "-O2", "-fno-asynchronous-unwind-tables", "-pg", "-mfentry",
                "-mrecord-mcount", "-fno-pic", "-mcmodel=kernel", "-c", c.toString(), "-o", o.toString())
                .inheritIO().start();
        assertEquals(0, p.waitFor());
        return o;
    }

    @Test
    void addedAndRemovedFunctions() throws Exception {
        DiffReport report = diff(
                "int keep(int x) { return x; }\nint old_one(int x) { return x * 3; }\n",
                "int keep(int x) { return x; }\nint new_one(int x) { return x * 4; }\n");
        assertEquals(Set.of("new_one"), names(report.added()));
        assertEquals(Set.of("old_one"), names(report.removed()));
        assertTrue(report.changed().isEmpty(), report.toString());
    }

    @Test
    void changedStaticDataAndLayoutAreUncarriable() throws Exception {
        DiffReport report = diff(
                "static int table[4] = {1, 2, 3, 4};\nint limits[2] = {10, 20};\n"
                        + "int get(int i) { return table[i & 3] + limits[i & 1]; }\n",
                "static int table[4] = {1, 2, 3, 5};\nint limits[3] = {10, 20, 30};\n"
                        + "int get(int i) { return table[i & 3] + limits[i & 1]; }\n");
        assertEquals(Set.of(), names(report.changed()), "only data changed: " + report);
        assertTrue(report.uncarriable().stream().anyMatch(u -> u.symbol().equals("table")
                && u.kind() == Uncarriable.Kind.STATIC_DATA), report.toString());
        assertTrue(report.uncarriable().stream().anyMatch(u -> u.symbol().equals("limits")
                && u.kind() == Uncarriable.Kind.DATA_LAYOUT), report.toString());
    }

    @Test
    void changedStringLiteralChangesTheFunction() throws Exception {
        DiffReport report = diff("const char *msg(void) { return \"hello\"; }\n",
                "const char *msg(void) { return \"hullo\"; }\n");
        assertEquals(Set.of("msg"), names(report.changed()));
    }

    @Test
    void initCodeChangeIsUncarriable() throws Exception {
        DiffReport report = diff(
                "__attribute__((section(\".init.text\"))) int setup(void) { return 1; }\n",
                "__attribute__((section(\".init.text\"))) int setup(void) { return 2; }\n");
        assertTrue(report.changed().isEmpty());
        assertEquals(Uncarriable.Kind.INIT_CODE, report.uncarriable().get(0).kind());
    }

    @Test
    void renamedStaticsAreMatchedByNormalisedName() throws Exception {
        // gcc specialises 'scale' for the constant argument: scale.constprop.0; a second static makes the
        // numbering of the local 'hits.N' counters differ between the builds.
        String before = "static __attribute__((noinline)) int scale(int a, int b) { return a * b + 1; }\n"
                + "int use(int x) { static int hits; hits++; return scale(x, 7) + scale(x + 1, 7) + hits; }\n";
        String after = "static __attribute__((noinline)) int other(void) { static int hits; return ++hits; }\n"
                + "int side(void) { return other(); }\n"
                + "static __attribute__((noinline)) int scale(int a, int b) { return a * b + 1; }\n"
                + "int use(int x) { static int hits; hits++; return scale(x, 7) + scale(x + 1, 7) + hits; }\n";
        ObjectImage pre = ObjectImage.read(Gcc.kernel(tmp.resolve("pre"), "unit", before));
        assertTrue(pre.functions().values().stream().anyMatch(f -> f.name().startsWith("scale.")),
                "gcc should have cloned scale: " + pre.functions().keySet());
        DiffReport report = diff(before, after);
        assertEquals(Set.of(), names(report.changed()), report.toString());
        assertEquals(Set.of("side", "other"), names(report.added()));
    }

    @Test
    void changedCloneIsReportedUnderItsCloneKind() throws Exception {
        DiffReport report = diff(
                "static __attribute__((noinline)) int scale(int a, int b) { return a * b + 1; }\n"
                        + "int use(int x) { return scale(x, 7) + scale(x + 1, 7); }\n",
                "static __attribute__((noinline)) int scale(int a, int b) { return a * b + 2; }\n"
                        + "int use(int x) { return scale(x, 7) + scale(x + 1, 7); }\n");
        assertEquals(Set.of("scale.constprop"), names(report.changed()), report.toString());
        assertTrue(report.changed().get(0).preName().startsWith("scale.constprop."));
    }

    @Test
    void aFunctionGccSplitsIsChangedAndItsPartialCloneIsNew() throws Exception {
        // The fix grows the unlikely tail until gcc splits it off: foo.part.0 holds only the tail, without the
        // NULL check, so it must never stand in for the kernel's foo.
        String head = "extern void slow1(int *), slow2(int *), slow3(int *);\n"
                + "int foo(int *p)\n{\n if (__builtin_expect(!p, 1))\n  return 0;\n slow1(p);\n";
        String tail = " return *p;\n}\nint bar(int *p) { return foo(p) + 1; }\n";
        String grown = " slow2(p); slow3(p); slow1(p + 1); slow2(p + 1); slow3(p + 1);\n"
                + " slow1(p + 2); slow2(p + 2); slow3(p + 2);\n";
        ObjectImage post = ObjectImage.read(Gcc.kernel(tmp.resolve("split"), "unit", head + grown + tail));
        assertTrue(post.functions().values().stream().anyMatch(f -> f.name().startsWith("foo.part.")),
                "gcc should have split foo: " + post.functions().keySet());
        DiffReport report = diff(head + tail, head + grown + tail);
        FunctionDelta foo = report.changed().stream().filter(d -> d.function().equals("foo")).findFirst()
                .orElseThrow(() -> new AssertionError(report.toString()));
        assertEquals("foo", foo.postName(), "foo is replaced by the new foo, not by its tail: " + report);
        assertTrue(names(report.added()).contains("foo.part"), report.toString());
    }

    @Test
    void callerThatInlinedAChangedCalleeIsChanged() throws Exception {
        DiffReport report = diff(
                "static inline int helper(int x) { return x * 3; }\n"
                        + "int caller(int x) { return helper(x) + 1; }\nint bystander(int x) { return x - 1; }\n",
                "static inline int helper(int x) { return x * 5; }\n"
                        + "int caller(int x) { return helper(x) + 1; }\nint bystander(int x) { return x - 1; }\n");
        assertEquals(Set.of("caller"), names(report.changed()), report.toString());
    }

    @Test
    void directoriesAreMatchedByRelativePath() throws Exception {
        Gcc.kernel(tmp.resolve("a/fs/proc"), "one", "int one(int x) { return x; }\n");
        Gcc.kernel(tmp.resolve("b/fs/proc"), "one", "int one(int x) { return x + 1; }\n");
        Gcc.kernel(tmp.resolve("a/kernel"), "gone", "int gone(void) { return 1; }\n");
        Gcc.kernel(tmp.resolve("b/kernel"), "fresh", "int fresh(void) { return 2; }\n");
        DiffReport report = BuildComparison.compare(tmp.resolve("a"), tmp.resolve("b"));
        assertEquals(List.of(new FunctionDelta("fs/proc/one.o", "one", "one", "one", false)), report.changed());
        assertEquals(Set.of("fresh"), names(report.added()));
        assertEquals(Set.of("gone"), names(report.removed()));
    }

    @Test
    void changedFunctionThatStopsUsingItsStaticIsRefused() throws Exception {
        DiffReport report = diff(
                "int tick(int x) { static int calls; calls += x; return calls; }\n",
                "int tick(int x) { static int total; total += 2 * x; return total; }\n");
        assertEquals(List.of(Uncarriable.Kind.STATIC_LOCAL), report.uncarriable().stream().map(Uncarriable::kind)
                .toList(), report.toString());
        assertTrue(report.uncarriable().get(0).detail().contains("calls"), report.toString());
        assertTrue(report.changed().isEmpty());
    }

    @Test
    void aStaticKeepsItsOwnerWhenGccStopsCloningTheFunction() throws Exception {
        // Called with a constant second argument, helper becomes helper.constprop.N; the fix adds a call with a
        // variable one, and the plain helper is back. Its static is the same object in both builds.
        String helper = "static __attribute__((noinline)) int helper(int a, int b)"
                + " { static int hits; hits += a * b; return hits; }\n";
        DiffReport report = diff(helper + "int use(int x) { return helper(x, 7) + helper(x + 1, 7); }\n",
                helper + "int use(int x) { return helper(x, 7) + helper(x, x); }\n");
        assertTrue(report.addedData().isEmpty() && report.removedData().isEmpty(), report.toString());
        assertTrue(report.uncarriable().isEmpty(), report.toString());
        assertTrue(names(report.added()).contains("helper"), report.toString());
    }

    @Test
    void changedFunctionKeepingItsStaticIsAChange() throws Exception {
        DiffReport report = diff(
                "int tick(int x) { static int calls; calls += x; return calls; }\n",
                "int tick(int x) { static int calls; calls += 2 * x; return calls; }\n");
        assertEquals(Set.of("tick"), names(report.changed()));
        assertTrue(report.uncarriable().isEmpty(), report.toString());
    }

    @Test
    void aStaticWhoseUseMovesIntoTheColdPartIsStillUsed() throws Exception {
        // drop_caches_sysctl_handler's shape: once the report is unconditional, gcc moves every use of the
        // static into handler.cold, and handler itself no longer refers to it.
        String head = "__attribute__((cold)) void report(const char *fmt, ...);\n"
                + "int handler(int write, int value) {\n if (write) {\n  static int quiet;\n"
                + "  if (value & 1) value += 3;\n";
        String tail = "  quiet |= value & 4;\n }\n return 0;\n}\n";
        DiffReport report = diff(head + "  if (!quiet) report(\"value %d\\n\", value);\n" + tail,
                head + "  report(\"value %d (quiet %d)\\n\", value, quiet);\n" + tail);
        assertTrue(report.uncarriable().isEmpty(), report.toString());
        assertTrue(names(report.changed()).contains("handler"), report.toString());
    }

    /** A function with one alternative, as the kernel's ALTERNATIVE() lays it out (struct alt_instr, 6.1). */
    private static String alternative(String name, String cpuid, String replacement) {
        return "int " + name + "(int x) {\n asm volatile(\"661: nop; nop; nop\\n662:\\n"
                + ".pushsection .altinstructions,\\\"a\\\"\\n.long 661b - .\\n.long 6631f - .\\n"
                + ".word " + cpuid + "\\n.byte 662b-661b\\n.byte 6641f-6631f\\n.popsection\\n"
                + ".pushsection .altinstr_replacement,\\\"ax\\\"\\n6631: " + replacement + "\\n6641:\\n"
                + ".popsection\");\n return x + 1;\n}\n";
    }

    @Test
    void aFunctionWhoseAlternativeChangesIsChangedThoughItsBytesAreNot() throws Exception {
        String other = "int other(int x) { return x * 3; }\n";
        DiffReport feature = diff(alternative("target", "0x20", "lfence") + other,
                alternative("target", "0x10", "lfence") + other);
        assertEquals(Set.of("target"), names(feature.changed()), "another CPU feature: " + feature);
        DiffReport instruction = diff(alternative("target", "0x20", "lfence") + other,
                alternative("target", "0x20", "mfence") + other);
        assertEquals(Set.of("target"), names(instruction.changed()), "another replacement: " + instruction);
    }

    @Test
    void anAlternativeMovedInTheSharedReplacementSectionIsNoChange() throws Exception {
        // The first function's replacement grows, so the second one's replacement sits further into
        // .altinstr_replacement: its entry's offset changes, its instructions do not.
        String second = alternative("second", "0x20", "lfence");
        DiffReport report = diff(alternative("first", "0x20", "lfence") + second,
                alternative("first", "0x20", "lfence; lfence") + second);
        assertEquals(Set.of("first"), names(report.changed()), report.toString());
    }

    @Test
    void dataPointingAtAStringThatMovedIsNoChange() throws Exception {
        // Both literals share one merged string section (gcc lays them out last definition first): the first
        // growing moves the second, and only the object whose text changed differs.
        String before = "const char *second = \"kept text\";\nconst char *first = \"short\";\n";
        DiffReport report = diff(before, before.replace("short", "a much longer text than before"));
        assertEquals(List.of("unit.o:first"), report.uncarriable().stream().map(u -> u.file() + ":" + u.symbol())
                .toList(), report.toString());
    }

    /**
     * pr_debug as 6.1 writes it with CONFIG_DYNAMIC_DEBUG and jump labels: a descriptor in __dyndbg per call site,
     * whose static key turns the site on. {@code pr_debug_quiet} passes the descriptor alone, so that the code does
     * not change with the text.
     */
    static final String PR_DEBUG = """
            struct static_key { int enabled; void *entries; };
            struct _ddebug { const char *modname, *function, *filename, *format;
             unsigned int lineno:18; unsigned int class_id:6; unsigned int flags:8; struct static_key key; };
            extern void __dynamic_pr_debug(struct _ddebug *descriptor, const char *fmt, ...);
            static inline __attribute__((always_inline)) _Bool dd_branch(struct static_key *key) {
             asm goto("1: .byte 0x0f,0x1f,0x44,0x00,0x00\\n.pushsection __jump_table,\\"aw\\"\\n.balign 8\\n"
              ".long 1b - .\\n.long %l[on] - .\\n.quad %c0 + %c1 - .\\n.popsection" : : "i"(key), "i"(0) : : on);
             return 0;
            on:
             return 1;
            }
            #define __dd_paste(a, b) a##b
            #define __dd_id(a, b) __dd_paste(a, b)
            #define __dd_site(id, fmt, ...) do { \\
             static struct _ddebug __attribute__((section("__dyndbg"), aligned(8))) id = \\
              { "unit", __func__, "unit.c", fmt, __LINE__, 63, 0, { 0, (void *)1 } }; \\
             if (dd_branch(&id.key)) __dynamic_pr_debug(&id, __VA_ARGS__); } while (0)
            #define pr_debug(fmt, ...) __dd_site(__dd_id(__UNIQUE_ID_ddebug, __COUNTER__), fmt, fmt, ##__VA_ARGS__)
            #define pr_debug_quiet(fmt) __dd_site(__dd_id(__UNIQUE_ID_ddebug, __COUNTER__), fmt, 0)
            """;

    @Test
    void aChangedPrDebugTextChangesItsFunctionNotExistingData() throws Exception {
        String source = PR_DEBUG + "int f(int x) { if (x < 0) { pr_debug_quiet(\"negative\\n\"); return 0; }"
                + " pr_debug_quiet(\"fine\\n\"); return x; }\nint g(int x) { pr_debug_quiet(\"g\\n\"); return x; }\n";
        DiffReport report = diff(source, source.replace("negative\\n", "negative value\\n"));
        assertEquals(List.of(), report.uncarriable(), report.toString());
        assertEquals(Set.of("f"), names(report.changed()), "the code is the same, its pr_debug is not: " + report);
    }

    @Test
    void aPrDebugTheFixRemovesIsNoStaticTheFunctionDropped() throws Exception {
        String source = PR_DEBUG + "int f(int x) { if (x < 0) { pr_debug(\"negative\\n\"); return 0; } return x; }\n";
        DiffReport report = diff(source, source.replace("pr_debug(\"negative\\n\"); ", ""));
        assertEquals(List.of(), report.uncarriable(), report.toString());
        assertEquals(Set.of("f"), names(report.changed()));
    }

    @Test
    void aChangedDescriptorNoOneFunctionOwnsIsStillChangedData() throws Exception {
        String descriptor = "struct _ddebug { const char *modname, *function, *filename, *format;\n"
                + " unsigned int lineno:18; unsigned int class_id:6; unsigned int flags:8; };\n"
                + "extern void __dynamic_pr_debug(struct _ddebug *descriptor, ...);\n"
                + "static struct _ddebug __attribute__((section(\"__dyndbg\"), used, aligned(8))) __UNIQUE_ID_ddebug7 ="
                + " { \"m\", \"f\", \"u.c\", \"hi\", 1, 63, 0 };\n"
                + "void f(void) { __dynamic_pr_debug(&__UNIQUE_ID_ddebug7); }\n"
                + "void g(void) { __dynamic_pr_debug(&__UNIQUE_ID_ddebug7); }\n";
        DiffReport report = diff(descriptor, descriptor.replace("\"hi\"", "\"hello\""));
        assertEquals(List.of(Uncarriable.Kind.STATIC_DATA), report.uncarriable().stream().map(Uncarriable::kind)
                .toList(), report.toString());
        assertEquals(Set.of(), names(report.changed()));
    }

    @Test
    void aLineShiftAboveAPrDebugDescriptorIsNoChange() throws Exception {
        String descriptor = "struct _ddebug { const char *modname, *function, *filename, *format;\n"
                + " unsigned int lineno:18; unsigned int class_id:6; unsigned int flags:8; };\n"
                + "int f(int x) { return x; }\n";
        String use = "static struct _ddebug __attribute__((section(\"__dyndbg\"), used, aligned(8))) d = "
                + "{ \"m\", \"f\", \"u.c\", \"hi\", __LINE__, 63, 0 };\n";
        DiffReport shifted = diff(descriptor + use, descriptor + "\n\n\n" + use);
        assertTrue(shifted.uncarriable().isEmpty(), shifted.toString());
        DiffReport flagged = diff(descriptor + use, descriptor + use.replace("63, 0", "63, 1"));
        assertEquals(List.of(Uncarriable.Kind.STATIC_DATA), flagged.uncarriable().stream().map(Uncarriable::kind)
                .toList(), "other fields still count: " + flagged);
    }

    @Test
    void aModuleParameterTheFixAddsIsRefused() throws Exception {
        // What module_param(verbose, int, 0644) defines: a struct kernel_param __param_verbose in __param.
        String param = "struct kernel_param { const char *name; void *mod; const void *ops; unsigned short perm;"
                + " signed char level; unsigned char flags; void *arg; };\n"
                + "static const char __param_str_verbose[] = \"unit.verbose\";\n"
                + "static struct kernel_param __param_verbose __attribute__((used, section(\"__param\"),"
                + " aligned(sizeof(void *)))) = { __param_str_verbose, 0, 0, 0644, -1, 0, &verbose };\n";
        String pre = "int verbose;\nint target(int x) { return x; }\n";
        DiffReport report = diff(pre, pre.replace("return x;", "return x + verbose;") + param);
        assertEquals(List.of(new Uncarriable("unit.o", "verbose", Uncarriable.Kind.INTERFACE, "the fix adds module "
                + "parameter verbose, which a live patch cannot add (the kernel reads parameters only when it boots "
                + "or loads the module)")), report.uncarriable());
    }

    @Test
    void anExportTheFixAddsIsRefusedEvenInAUnitWhoseFunctionsDidNotChange() throws Exception {
        // What EXPORT_SYMBOL(target) defines on x86-64: a ___ksymtab+target section with __ksymtab_target.
        String export = "asm(\".pushsection \\\"___ksymtab+target\\\",\\\"a\\\"\\n__ksymtab_target:\\n"
                + ".long target - .\\n.popsection\");\n";
        String pre = "int target(int x) { return x; }\n";
        DiffReport report = diff(pre, export + pre);
        assertEquals(List.of(new Uncarriable("unit.o", "target", Uncarriable.Kind.INTERFACE, "the fix exports target, "
                + "which a live patch cannot do (modules that need it would not find it)")), report.uncarriable());
        assertEquals(Set.of(), names(report.changed()));
    }
}
