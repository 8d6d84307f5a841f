package org.patchvisor.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.patchvisor.cve.CveStatus;
import org.patchvisor.cve.CveTarget;
import org.patchvisor.feed.BundleEntry;
import org.patchvisor.guest.GuestText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code patchvisor cves}: which CVEs are fixed where. For the host (or each guest with {@code --guests}): the kernel,
 * the effective version, the live patches in force and the CVEs they fix (from what was recorded when they were
 * applied, so the feed need not be reachable), and the CVEs the feed offers for that kernel that are not applied
 * yet, with why when held back. {@code --cve ID} answers one question per target: fixed, available, not covered,
 * or unknown (a guest that cannot be asked now, or a CVE not fixed while the feed cannot be read). Exit codes for
 * scripts: {@value #ALL_FIXED} every asked CVE fixed everywhere (without {@code --cve}: every target asked now, the
 * feed read, nothing pending), {@value #NOT_ALL_FIXED} otherwise, {@value #ERROR} an error.
 */
@Command(name = "cves", mixinStandardHelpOptions = true,
        description = "Which CVEs the live patches in force fix, here or in each guest, and which are still open.")
final class CvesCommand implements Callable<Integer> {
    static final int ALL_FIXED = 0;
    static final int NOT_ALL_FIXED = 1;
    static final int ERROR = 3;

    @ParentCommand
    PatchvisorCli parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Option(names = "--guests", description = "Answer for every guest with its own kernel instead of this host.")
    boolean guests;

    @Mixin
    GuestOptions guestOptions;

    @Option(names = "--cve", paramLabel = "ID", description = "Ask about this CVE only (repeatable).")
    List<String> cves = new ArrayList<>();

    @Mixin
    FeedFileOptions files = new FeedFileOptions();

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try {
            for (String cve : cves) {
                if (!BundleEntry.CVE_ID.matcher(cve).matches()) {
                    err.println("patchvisor cves: '" + GuestText.oneLine(cve) + "' is not a CVE id like CVE-2024-12345");
                    return ExitCodes.USAGE;
                }
            }
            CveSources.Read read = CveSources.read(parent, files.config(), files.stateDirOption(), !guests,
                    guests ? Optional.of(guestOptions.uris()) : Optional.empty(), err);
            List<CveTarget> targets = read.targets();
            String feedProblem = read.feedProblem();
            int code = code(targets);
            if (json) {
                Json.print(spec.commandLine().getOut(), view(targets, feedProblem, code));
            } else {
                CveText.print(spec.commandLine().getOut(), targets, cves, feedProblem);
            }
            return code;
        } catch (IOException | IllegalArgumentException e) {
            err.println("patchvisor cves: " + ShortErrorHandler.message(e));
            return ERROR;
        }
    }

    private int code(List<CveTarget> targets) {
        if (!cves.isEmpty()) {
            boolean all = targets.stream().allMatch(t -> cves.stream().allMatch(c -> t.statusOf(c) == CveStatus.FIXED));
            return all && !targets.isEmpty() ? ALL_FIXED : NOT_ALL_FIXED;
        }
        return targets.stream().allMatch(CveTarget::clean) ? ALL_FIXED : NOT_ALL_FIXED;
    }

    private Map<String, Object> view(List<CveTarget> targets, String feedProblem, int code) {
        Map<String, Object> view = new LinkedHashMap<>();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (CveTarget t : targets) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("target", t);
            // What a guest not asked now carried is kept apart: it says nothing of its kernel now.
            row.put(t.known() ? "fixed" : "lastSeenFixed", t.fixed());
            if (!cves.isEmpty()) {
                Map<String, String> answers = new LinkedHashMap<>();
                cves.forEach(c -> answers.put(c, t.statusOf(c).label()));
                row.put("answers", answers);
            }
            rows.add(row);
        }
        view.put("targets", rows);
        if (!feedProblem.isEmpty()) {
            view.put("feed", feedProblem);
        }
        view.put("exitCode", code);
        return view;
    }
}
