package org.patchvisor.cli;

import java.io.PrintWriter;
import org.patchvisor.rollout.Report;

/** The text report of {@code upgrade --guests}: one line per guest, then the summary. */
final class GuestRolloutText {
    private GuestRolloutText() {
    }

    static void print(PrintWriter out, Report report) {
        for (Report.Row row : report.guests()) {
            out.println(line(row));
        }
        out.println(report.summary());
        out.flush();
    }

    /**
     * One guest's line of the text report. A guest never asked for its kernel (unreachable, skipped) shows "-"
     * there, and a row with nothing to add no reason, rather than "null".
     */
    static String line(Report.Row row) {
        return String.format("%-24s %-22s %-16s %s", row.name(), row.kernel() == null ? "-" : row.kernel(),
                row.state().label(), row.reason() == null ? "" : row.reason()).stripTrailing();
    }
}
