package org.patchvisor.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Compiles kernel-like C twice with the kernel's ftrace, IBT and code-model flags and checks what the comparison
 * makes of differences kernel macros cause: {@code __LINE__} passed to reporting calls, {@code __COUNTER__}
 * names, function-scope statics, and functions ftrace cannot hook.
 */
class KernelCodeDiffTest {
    /** The kernel's declarations (include/linux/kernel.h, lockdep.h) and macros, as far as the tests use them. */
    private static final String PRELUDE = """
            void __might_sleep(const char *file, int line);
            void __might_resched(const char *file, int line, unsigned int offsets);
            void __cant_sleep(const char *file, int line, int preempt_offset);
            void __might_fault(const char *file, int line);
            void lockdep_rcu_suspicious(const char *file, const int line, const char *s);
            #define might_sleep() __might_sleep(__FILE__, __LINE__)
            #define cant_sleep() __cant_sleep(__FILE__, __LINE__, 0)
            #define might_fault() __might_fault(__FILE__, __LINE__)
            #define ___PASTE(a, b) a##b
            #define __PASTE(a, b) ___PASTE(a, b)
            #define __UNIQUE_ID(prefix) __PASTE(__PASTE(__UNIQUE_ID_, prefix), __COUNTER__)
            struct desc { const char *fmt; int flags; };
            void report_desc(struct desc *d);
            #define DESCRIBE(id, f) ({ static struct desc id __attribute__((used, section("__dyndbg"))) = \\
                    { .fmt = f, .flags = 1 }; report_desc(&id); })
            #define pr_desc(f) DESCRIBE(__UNIQUE_ID(ddebug), f)
            extern int work(int);
            extern void take(int, int);
            """;

    /** Reporting calls in plain, branchy and register-hungry functions. */
    private static final String REPORTING = """
            int sleeper(int x)
            {
            	might_sleep();
            	return work(x) + 1;
            }
            int resched(int x)
            {
            	if (x > 3)
            		__might_resched(__FILE__, __LINE__, 0);
            	cant_sleep();
            	lockdep_rcu_suspicious(__FILE__, __LINE__, "suspicious");
            	return work(x * 2);
            }
            int faulty(int a, int b, int c)
            {
            	int s = work(a) + work(b) * c;
            	might_fault();
            	return s + work(s);
            }
            int plain(int x) { return x * 7; }
            """;

    @TempDir
    Path tmp;

    private DiffReport diff(String before, String after, String... flags) throws Exception {
        return BuildComparison.compare(Gcc.kernel(tmp.resolve("pre"), "unit", PRELUDE + before, flags),
                Gcc.kernel(tmp.resolve("post"), "unit", PRELUDE + after, flags));
    }

    private static Set<String> names(List<FunctionDelta> deltas) {
        return deltas.stream().map(FunctionDelta::function).collect(Collectors.toSet());
    }

    private static Set<String> kinds(DiffReport report) {
        return report.uncarriable().stream().map(u -> u.symbol() + ":" + u.kind()).collect(Collectors.toSet());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-fcf-protection=branch", "-fcf-protection=none", "-Os"})
    void aLineShiftInReportingCallsIsNoChange(String variant) throws Exception {
        ObjectImage pre = ObjectImage.read(Gcc.kernel(tmp.resolve("pre"), "unit", PRELUDE + REPORTING, variant));
        ObjectImage post = ObjectImage.read(Gcc.kernel(tmp.resolve("post"), "unit",
                PRELUDE + "\n\n\n// three lines more\n" + REPORTING, variant));
        assertFalse(pre.functions().get("sleeper").sameContents(post.functions().get("sleeper")),
                "the line numbers should be in the code");
        DiffReport report = ObjectDiff.compare("unit.o", pre, post);
        assertFalse(report.hasChanges(), report.toString());
    }

    @Test
    void aLineShiftPastAByteBoundaryIsNoChange() throws Exception {
        String padding = "\n".repeat(200);
        DiffReport report = diff(REPORTING, padding + REPORTING);
        assertFalse(report.hasChanges(), report.toString());
    }

    @Test
    void aLineShiftWithARealChangeIsAChange() throws Exception {
        DiffReport report = diff(REPORTING, "\n" + REPORTING.replace("work(x) + 1", "work(x) + 2"));
        assertEquals(Set.of("sleeper"), names(report.changed()), report.toString());
    }

    @Test
    void aChangedConstantArgumentOfAnotherCallIsAChange() throws Exception {
        // take(x, 12) loads 12 with mov $imm32, %esi just as __might_sleep's line is loaded.
        DiffReport report = diff("void t(int x) { take(x, 12); might_sleep(); }\n",
                "void t(int x) { take(x, 13); might_sleep(); }\n");
        assertEquals(Set.of("t"), names(report.changed()), report.toString());
    }

    @Test
    void aLineInAnotherArgumentRegisterIsAChange() throws Exception {
        // The line goes to the reporting call in %esi; the same constant passed in %edx is data, not a line.
        DiffReport report = diff("void t(void) { __cant_sleep(\"f\", 1, __LINE__); }\n",
                "\nvoid t(void) { __cant_sleep(\"f\", 1, __LINE__); }\n");
        assertEquals(Set.of("t"), names(report.changed()), report.toString());
    }

    @Test
    void warnKeepsItsLineInTheBugTableNotInTheCode() throws Exception {
        // arch/x86/include/asm/bug.h with CONFIG_DEBUG_BUGVERBOSE: ud2, and file and line in __bug_table.
        String warn = """
                struct bug_entry { int bug_addr_disp; int file_disp; unsigned short line; unsigned short flags; };
                #define __WARN_FLAGS(flags) asm volatile("1:\\t.byte 0x0f, 0x0b\\n" \\
                        ".pushsection __bug_table,\\"aw\\"\\n" \\
                        "2:\\t.long 1b - .\\n\\t.long %c0 - .\\n\\t.word %c1\\n\\t.word %c2\\n" \\
                        "\\t.org 2b+%c3\\n.popsection\\n" \\
                        : : "i" (__FILE__), "i" (__LINE__), "i" (flags), "i" (sizeof(struct bug_entry)))
                #define WARN_ON(c) ({ int __ret = !!(c); if (__builtin_expect(__ret, 0)) __WARN_FLAGS(1 << 8); \\
                        __builtin_expect(__ret, 0); })
                int checked(int x) { WARN_ON(x > 5); return work(x); }
                """;
        DiffReport report = diff(warn, "\n\n" + warn);
        assertFalse(report.hasChanges(), report.toString());
    }

    @Test
    void uniqueIdsRenumberedByANewUseAreTheSameObjects() throws Exception {
        String rest = """
                int first(int x) { pr_desc("first"); return x; }
                int second(int x) { pr_desc("second"); return x + 1; }
                """;
        DiffReport report = diff(rest, "int fresh(int x) { pr_desc(\"fresh\"); return x - 1; }\n" + rest);
        assertEquals(Set.of(), names(report.changed()), report.toString());
        assertEquals(Set.of("fresh"), names(report.added()));
        assertEquals(List.of("unit.o:fresh/__UNIQUE_ID_ddebug"), report.addedData(), report.toString());
        assertTrue(report.removedData().isEmpty() && report.uncarriable().isEmpty(), report.toString());
    }

    @Test
    void aStaticLocalAddedToOneFunctionDoesNotReKeyAnothersStatics() throws Exception {
        String rest = """
                int counter(void) { static int count = 1; return ++count; }
                long counter2(void) { static long count = 2; return count += 2; }
                """;
        String after = "char fresh(void) { static char count = 3; return count++; }\n" + rest;
        DiffReport report = diff(rest, after);
        assertEquals(Set.of("fresh"), names(report.added()), report.toString());
        assertEquals(List.of("unit.o:fresh/count"), report.addedData(), report.toString());
        assertTrue(report.changed().isEmpty() && report.uncarriable().isEmpty() && report.removedData().isEmpty(),
                report.toString());

        ObjectImage post = ObjectImage.read(tmp.resolve("post/unit.o"));
        assertEquals(Set.of("fresh/count", "counter/count", "counter2/count"), post.data().keySet());
        String name = post.nameOf("counter2/count").orElseThrow();
        assertTrue(name.startsWith("count."), name);
        assertEquals(Optional.of("counter2/count"), post.keyOf(name));
        ObjectImage pre = ObjectImage.read(tmp.resolve("pre/unit.o"));
        assertTrue(pre.nameOf("counter2/count").isPresent());
        assertEquals(Optional.of("counter2"), post.keyOf("counter2"));
        assertEquals(Optional.of("counter2"), post.nameOf("counter2"));
        assertEquals(Optional.empty(), post.keyOf("nothing"));
    }

    @Test
    void aStaticSharedByInliningKeepsItsNameKey() throws Exception {
        // Both callers inline bump(): its static has two owners and keeps the plain key.
        String src = """
                static inline int bump(void) { static int hits; return ++hits; }
                int a(void) { return bump(); }
                int b(void) { return bump() + 1; }
                """;
        ObjectImage image = ObjectImage.read(Gcc.kernel(tmp, "unit", PRELUDE + src));
        assertEquals(Set.of("hits"), image.data().keySet());
    }

    @Test
    void aChangedNotraceFunctionIsRefused() throws Exception {
        String before = "__attribute__((no_instrument_function)) int quiet(int x) { return work(x) + 1; }\n"
                + "int loud(int x) { return work(x) + 1; }\n";
        DiffReport report = diff(before, before.replace("+ 1", "+ 2"));
        assertEquals(Set.of("loud"), names(report.changed()), report.toString());
        assertEquals(Set.of("quiet:NOTRACE"), kinds(report));
    }

    @Test
    void aChangedNoinstrFunctionIsRefused() throws Exception {
        String before = "__attribute__((section(\".noinstr.text\"))) int entry(int x) { return work(x) + 1; }\n";
        DiffReport report = diff(before, before.replace("+ 1", "+ 2"));
        assertTrue(report.changed().isEmpty(), report.toString());
        assertEquals(Set.of("entry:NOTRACE"), kinds(report));
    }

    @Test
    void anAddedOrUnchangedNotraceFunctionIsFine() throws Exception {
        String quiet = "__attribute__((no_instrument_function)) int quiet(int x) { return work(x) + 1; }\n";
        String added = "__attribute__((no_instrument_function)) int added(int x) { return work(x) + 3; }\n";
        DiffReport report = diff(quiet, quiet + added);
        assertEquals(Set.of("added"), names(report.added()));
        assertTrue(report.uncarriable().isEmpty() && report.changed().isEmpty(), report.toString());
    }

    private static final String COLD = """
            extern void __attribute__((cold)) complain(int);
            %s int split(int x)
            {
            	if (x > 100) {
            		complain(x);
            		complain(x * 3);
            		return work(x);
            	}
            	return x + 1;
            }
            """;

    @Test
    void aChangedColdPartTravelsWithItsParent() throws Exception {
        DiffReport report = diff(COLD.formatted(""), COLD.formatted("").replace("x * 3", "x * 5"));
        assertTrue(report.uncarriable().isEmpty(), report.toString());
        FunctionDelta cold = report.changed().stream().filter(FunctionDelta::cold).findFirst().orElseThrow();
        assertEquals("split.cold", cold.function());
        assertEquals("split", cold.parent());
        assertTrue(cold.preName().endsWith(".cold"), cold.preName());
        assertEquals(Set.of("split"), report.changedFunctionNames());
    }

    @Test
    void aChangedColdPartOfANotraceFunctionIsRefused() throws Exception {
        String notrace = COLD.formatted("__attribute__((no_instrument_function))");
        DiffReport report = diff(notrace, notrace.replace("x * 3", "x * 5"));
        assertTrue(report.changed().isEmpty(), report.toString());
        assertTrue(kinds(report).contains("split.cold:NOTRACE"), report.toString());
    }
}
