package org.patchvisor.cli;

import java.io.PrintWriter;
import java.util.List;
import org.patchvisor.cve.CveTarget;
import org.patchvisor.guest.GuestText;

/** The words {@code cves} prints: per target, its kernel, what is in force, fixed and still open; or the answers. */
final class CveText {
    private CveText() {
    }

    static void print(PrintWriter out, List<CveTarget> targets, List<String> asked, String feedProblem) {
        if (!feedProblem.isEmpty()) {
            out.println("note: " + feedProblem);
        }
        if (targets.isEmpty()) {
            out.println("no guests with their own kernel");
        }
        for (CveTarget t : targets) {
            String name = GuestText.printable(t.target());
            if (!asked.isEmpty()) {
                for (String cve : asked) {
                    out.println(name + " " + cve + " " + t.statusOf(cve).label()
                            + (t.known() ? "" : " (" + GuestText.printable(t.note()) + ")"));
                }
                continue;
            }
            out.println(name + ": kernel " + (t.kernel().isEmpty() ? "unknown" : t.kernel())
                    + (t.buildId().isEmpty() ? "" : " (build-id " + t.buildId() + ")")
                    + (t.effectiveVersion().isEmpty() || t.effectiveVersion().equals(t.kernel()) ? ""
                    : ", effective " + t.effectiveVersion())
                    + (t.known() ? "" : " — not known now: " + GuestText.printable(t.note())));
            String was = t.known() ? "" : "when last seen, ";
            for (CveTarget.PatchInForce p : t.patches()) {
                out.println("  " + was + "in force: " + GuestText.printable(p.patch())
                        + (p.revoked() ? " (revoked by the feed: it fixes nothing)"
                        : p.bundle().isEmpty() ? " (not applied from the feed: its CVEs are not known)"
                        : " (" + GuestText.printable(p.bundle()) + ", level " + p.cumulativeLevel() + ")")
                        + (p.cves().isEmpty() ? "" : ": " + String.join(", ", p.cves())));
            }
            out.println("  " + was + "fixed: " + (t.fixed().isEmpty() ? "none" : String.join(", ", t.fixed())));
            for (CveTarget.Pending p : t.pending()) {
                out.println("  available: " + p.cve() + " in " + p.bundle()
                        + (p.heldBack().isEmpty() ? "" : " (held back: " + p.heldBack() + ")"));
            }
            if (t.lastPatched() != null) {
                out.println("  last patched: " + t.lastPatched());
            }
        }
        out.flush();
    }
}
