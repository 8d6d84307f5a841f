package org.patchvisor.fleet;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.patchvisor.cve.CveTarget;
import org.patchvisor.cve.HostCves;
import org.patchvisor.feed.Feed;
import org.patchvisor.guest.GuestChannel;
import org.patchvisor.guest.GuestChannel.GuestTimeoutException;
import org.patchvisor.guest.GuestPatcher;
import org.patchvisor.model.KernelId;
import org.patchvisor.model.LivePatch;
import org.patchvisor.state.GuestRecord;
import org.patchvisor.state.GuestRecordStore;

/**
 * The CVE answer for each guest with its own kernel: asked now through its agent when it runs and answers (its
 * kernel and the live patches in force, each matched to the bundle the host recorded applying there), else what the
 * host recorded when it last saw the guest, marked as not known now, with when. Guests the host only has a record of
 * (deleted since, or on an adapter not configured now) are reported from the record too.
 */
public final class GuestCves {
    private final GuestTargets targets;
    private final GuestPatcher patcher;
    private final GuestRecordStore records;
    private final Optional<Feed> feed;

    public GuestCves(GuestTargets targets, GuestPatcher patcher, GuestRecordStore records, Optional<Feed> feed) {
        this.targets = targets;
        this.patcher = patcher;
        this.records = records;
        this.feed = feed;
    }

    public List<CveTarget> read() throws IOException {
        Map<String, GuestRecord> recorded = records.all();
        Set<String> reported = new HashSet<>();
        List<CveTarget> answers = new ArrayList<>();
        for (GuestTargets.Target target : targets.all()) {
            if (target.adapter().sharesHostKernel()) {
                continue;
            }
            String key = target.guest().adapter() + "/" + target.guest().id();
            reported.add(key);
            Optional<GuestRecord> record = Optional.ofNullable(recorded.get(key));
            if (!target.guest().running()) {
                answers.add(fromRecord(target.guest().name(), record, "not running ("
                        + target.guest().state().label() + ")"));
                continue;
            }
            try (GuestChannel channel = target.adapter().channel(target.guest())) {
                answers.add(live(target.guest().name(), channel, record));
            } catch (GuestTimeoutException | IOException e) {
                answers.add(fromRecord(target.guest().name(), record, "its agent did not answer: " + e.getMessage()));
            }
        }
        for (GuestRecord record : recorded.values()) {
            if (!reported.contains(record.key())) {
                answers.add(fromRecord(record.name(), Optional.of(record), "not listed by any adapter now"));
            }
        }
        return answers;
    }

    /**
     * Every recorded guest as the host last saw it, with what the feed offers for its kernel on top: the figures the
     * metrics report after a run, without asking every guest again.
     */
    public static List<CveTarget> recorded(GuestRecordStore records, Optional<Feed> feed) throws IOException {
        List<CveTarget> answers = new ArrayList<>();
        for (GuestRecord record : records.all().values()) {
            CveTarget seen = fromRecord(record.name(), Optional.of(record), "as recorded");
            List<CveTarget.Pending> pending = List.of();
            if (feed.isPresent() && !record.kernel().isEmpty()) {
                KernelId kernel = new KernelId(record.kernel(), "", "",
                        record.buildId().isEmpty() ? Optional.empty() : Optional.of(record.buildId()));
                pending = HostCves.pendingOn(feed.get(), kernel, seen.patches());
            }
            answers.add(new CveTarget(seen.target(), true, false, seen.kernel(), "", seen.buildId(),
                    seen.effectiveVersion(), seen.patches(), pending, seen.lastSeen(), seen.lastPatched(), seen.note()));
        }
        return answers;
    }

    private CveTarget live(String name, GuestChannel channel, Optional<GuestRecord> record)
            throws IOException, GuestTimeoutException {
        KernelId kernel = patcher.identify(channel);
        Optional<GuestRecord> sameKernel = record.filter(r -> r.kernel().equals(kernel.release()));
        List<CveTarget.PatchInForce> inForce = new ArrayList<>();
        String effective = kernel.release();
        for (LivePatch patch : patcher.patches(channel)) {
            if (!patch.enabled()) {
                continue;
            }
            Optional<GuestRecord.Patch> known = sameKernel.flatMap(r -> r.patches().stream()
                    .filter(p -> p.patch().equals(patch.name())).findFirst());
            inForce.add(inForce(patch.name(), known));
            if (known.isPresent() && !known.get().effectiveVersion().isBlank()) {
                effective = known.get().effectiveVersion();
            }
        }
        List<CveTarget.Pending> pending = feed.isPresent() ? pendingFor(kernel, inForce) : List.of();
        return new CveTarget(name, true, true, kernel.release(), kernel.version(), kernel.buildId().orElse(""),
                effective, inForce, pending, null, record.map(GuestRecord::lastPatched).orElse(null), "");
    }

    private List<CveTarget.Pending> pendingFor(KernelId kernel, List<CveTarget.PatchInForce> inForce)
            throws IOException {
        return HostCves.pendingOn(feed.get(), kernel, inForce);
    }

    private static CveTarget fromRecord(String name, Optional<GuestRecord> record, String why) {
        if (record.isEmpty()) {
            return new CveTarget(name, true, false, "", "", "", "", List.of(), List.of(), null, null,
                    why + "; never seen by patchvisor");
        }
        GuestRecord r = record.get();
        List<CveTarget.PatchInForce> inForce = new ArrayList<>();
        String effective = r.kernel();
        for (GuestRecord.Patch patch : r.patches()) {
            inForce.add(inForce(patch.patch(), Optional.of(patch)));
            if (!patch.effectiveVersion().isBlank()) {
                effective = patch.effectiveVersion();
            }
        }
        return new CveTarget(name, true, false, r.kernel(), "", r.buildId(), effective, inForce, List.of(), r.lastSeen(),
                r.lastPatched(), why + "; as last seen " + r.lastSeen());
    }

    private static CveTarget.PatchInForce inForce(String name, Optional<GuestRecord.Patch> known) {
        return new CveTarget.PatchInForce(name,
                known.map(p -> p.origin() == null ? "" : p.origin().bundle()).orElse(""),
                known.map(p -> p.origin() == null ? 0 : p.origin().cumulativeLevel()).orElse(0),
                known.map(GuestRecord.Patch::cves).orElse(List.of()),
                known.map(GuestRecord.Patch::appliedAt).orElse(null));
    }
}
