package org.patchvisor.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.patchvisor.feed.BundleEntry;
import org.patchvisor.feed.Feed;
import org.patchvisor.host.UpgradePlan;
import org.patchvisor.model.KernelId;

/**
 * Prints what {@code upgrade --dry-run} found for this host, in words or as one JSON object, and gives the exit
 * code the real run would end with if nothing failed: 0 (an update would be applied, a revoked patch removed, or
 * none is needed) or {@link ExitCodes#NO_PATCHES}.
 */
final class HostPlanText {
    private HostPlanText() {
    }

    static int print(UpgradePlan plan, Feed feed, Optional<String> refusal, boolean root, boolean json,
            PrintWriter out) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("dry run: nothing is downloaded, loaded or recorded");
        KernelId kernel = plan.kernel();
        String described = kernel.release() + kernel.buildId().map(id -> " (build-id " + id + ")").orElse("");
        lines.add("kernel " + described + ", loaded: "
                + (plan.loaded().isEmpty() ? "none" : String.join(", ", plan.loaded())));
        String result;
        int code = ExitPolicy.code(plan.status());
        plan.revoked().forEach(r -> lines.add("would remove revoked live patch " + r.patch() + " ("
                + r.revocation().bundle() + "): " + r.revocation().reason()));
        switch (plan.status()) {
            case NO_PATCHES -> {
                result = "no-patches";
                lines.add("the feed has no live patches for kernel " + described);
            }
            case UP_TO_DATE -> {
                result = "up-to-date";
                lines.add("kernel " + described + " is up to date: nothing would be applied");
            }
            case REVOKED_REMOVED -> {
                result = "would-remove-revoked";
                lines.add("nothing would be applied in its place: the feed has no other live patch this host takes now");
            }
            default -> {
                result = "would-apply";
                BundleEntry bundle = plan.update().orElseThrow();
                String from = feed.repositoryOf(bundle).orElse("the feed");
                lines.add(plan.cached()
                        ? "would use " + bundle.id() + " from the download cache (sha256 " + bundle.sha256() + ")"
                        : "would download " + bundle.id() + " from " + from + " (" + bundle.size() + " bytes, sha256 "
                                + bundle.sha256() + ")");
                lines.add("would apply " + bundle.id() + ": module " + bundle.module() + ", level "
                        + bundle.cumulativeLevel()
                        + (bundle.functions().isEmpty() ? "" : ", functions " + String.join(", ", bundle.functions()))
                        + (bundle.cves().isEmpty() ? "" : "; fixes " + String.join(", ", bundle.cves()))
                        + (bundle.effectiveVersion() == null ? "" : "; effective kernel version " + bundle.effectiveVersion()));
                if (!plan.superseded().isEmpty()) {
                    lines.add("would supersede and unload: " + String.join(", ", plan.superseded()));
                }
            }
        }
        for (UpgradePlan.HeldBack held : plan.heldBack()) {
            lines.add("held back: " + held.id() + " (level " + held.cumulativeLevel() + "): " + held.reason());
        }
        List<String> notes = notes(plan, refusal, root);
        notes.forEach(note -> lines.add("note: " + note));
        if (json) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("result", result);
            view.put("dryRun", true);
            view.put("exitCode", code);
            view.put("kernel", Map.of("release", kernel.release(), "buildId", kernel.buildId().orElse("")));
            view.put("loadedBefore", plan.loaded());
            plan.update().ifPresent(b -> view.put("bundle", b));
            view.put("download", plan.update().isPresent() && !plan.cached());
            view.put("superseded", plan.superseded());
            view.put("revoked", RevokedView.of(plan.revoked()));
            view.put("heldBack", plan.heldBack());
            view.put("notes", notes);
            Json.print(out, view);
        } else {
            lines.forEach(out::println);
            out.flush();
        }
        return code;
    }

    /** What the real run would need or meet that this one did not do, said now rather than discovered then. */
    private static List<String> notes(UpgradePlan plan, Optional<String> refusal, boolean root) {
        List<String> notes = new ArrayList<>();
        if (plan.update().isEmpty()) {
            return notes;
        }
        if (!root) {
            notes.add("applying needs root; this run is not root");
        }
        refusal.ifPresent(reason -> notes.add("the real run would refuse it: " + reason));
        if (!plan.cached()) {
            notes.add("the module's release and signature are checked against this kernel once it is downloaded");
        }
        return notes;
    }
}
