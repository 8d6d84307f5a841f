package org.patchvisor.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The text a signed index carries that hosts print (CVE ids, the effective version {@code uname -r} shows, a
 * revocation's reason) is checked when the index is read: no escape sequence, line break or bidi override gets
 * through, even from a feed whose key was stolen.
 */
class FeedTextTest {
    private static final String SHA = "a".repeat(64);

    private static BundleEntry bundle(List<String> cves, String effectiveVersion) {
        return new BundleEntry("lp-1", "lp", SHA, 1000, 1, List.of(), cves, null, effectiveVersion, List.of(),
                List.of(new KernelTarget("6.1.0-28-amd64", null)), null, null);
    }

    private static Revocation revocation(String reason) {
        return new Revocation("lp-1", "lp", SHA, reason, "2026-12-01T00:00:00Z", null);
    }

    @Test
    void ordinaryTextIsAccepted() {
        assertEquals(List.of("CVE-2024-1086"), bundle(List.of("CVE-2024-1086"), "6.1.0-29-amd64").cves());
        assertEquals("crashes under heavy ptrace use — use lp-2", revocation("crashes under heavy ptrace use — use lp-2")
                .reason());
    }

    @Test
    void aCveListHoldingAnythingButCveIdsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> bundle(List.of("CVE-2024-1086\u001b[2J"), null));
        assertThrows(IllegalArgumentException.class, () -> bundle(List.of("all of them"), null));
    }

    @Test
    void anEffectiveVersionThatIsNotOnePrintableLineIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> bundle(List.of(), "6.1.0-29-amd64\u009b2J"));
        assertThrows(IllegalArgumentException.class, () -> bundle(List.of(), "6.1.0\u202e-29"));
        assertThrows(IllegalArgumentException.class, () -> bundle(List.of(), "6.1.0-29\nguest prod: applied"));
        assertThrows(IllegalArgumentException.class, () -> bundle(List.of(), "6".repeat(129)));
    }

    @Test
    void aRevocationReasonWithC1ControlsOrBidiOverridesIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> revocation("broken \u009b31m"));
        assertThrows(IllegalArgumentException.class, () -> revocation("broken \u202enoitcnuf"));
        assertThrows(IllegalArgumentException.class, () -> revocation("broken\u2028second line"));
    }
}
