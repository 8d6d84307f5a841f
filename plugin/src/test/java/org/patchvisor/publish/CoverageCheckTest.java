package org.patchvisor.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The coverage check on a fix compiled twice with gcc: an inlined helper's change reaches its caller. */
class CoverageCheckTest {
    @TempDir
    Path tmp;

    private static final String BEFORE = "static inline int clamp(int x) { return x > 100 ? 100 : x; }\n"
            + "int set_level(int x) { return clamp(x) * 2; }\nstatic int limits[2] = {1, 2};\n"
            + "int other(int i) { return limits[i & 1]; }\n";
    private static final String AFTER = "static inline int clamp(int x) { return x > 99 ? 99 : x; }\n"
            + "int set_level(int x) { return clamp(x) * 2; }\nstatic int limits[2] = {1, 3};\n"
            + "int other(int i) { return limits[i & 1]; }\n";

    private DiffReport fix() throws Exception {
        return BuildComparison.compare(Gcc.kernel(tmp.resolve("pre"), "u", BEFORE),
                Gcc.kernel(tmp.resolve("post"), "u", AFTER));
    }

    @Test
    void patchThatMissesTheInliningCallerIsNotCovered() throws Exception {
        LivePatchManifest manifest = LivePatchManifest.parse(
                "{\"replacements\": [{\"function\": \"clamp\", \"replacement\": \"new_clamp\"}]}");
        CoverageCheck.Result result = CoverageCheck.check(fix(), manifest);
        assertFalse(result.covered());
        assertEquals(Set.of("set_level"), result.missing());
        assertTrue(result.warnings().stream().anyMatch(w -> w.contains("limits: static data")), result.warnings().toString());
        assertTrue(result.warnings().stream().anyMatch(w -> w.startsWith("clamp: replaced by the live patch but not")),
                result.warnings().toString());
    }

    @Test
    void missingFunctionsAreListedInNameOrder() {
        CoverageCheck.Result result = new CoverageCheck.Result(Set.of("zeta", "alpha", "mid", "beta"), List.of());
        assertEquals(List.of("alpha", "beta", "mid", "zeta"), List.copyOf(result.missing()));
    }

    @Test
    void patchReplacingTheCallerIsCovered() throws Exception {
        LivePatchManifest manifest = LivePatchManifest.parse(
                "{\"replacements\": [{\"function\": \"set_level\", \"replacement\": \"new_set_level\"}]}");
        assertTrue(CoverageCheck.check(fix(), manifest).covered());
    }
}
