package org.patchvisor.fleet;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.patchvisor.cve.CveTarget;
import org.patchvisor.cve.KernelCves;
import org.patchvisor.feed.Feed;
import org.patchvisor.guest.GuestChannel;
import org.patchvisor.guest.GuestChannel.GuestTimeoutException;
import org.patchvisor.guest.GuestPatcher;
import org.patchvisor.model.KernelId;
import org.patchvisor.model.LivePatch;
import org.patchvisor.spi.Guest;
import org.patchvisor.state.GuestRecord;
import org.patchvisor.state.GuestRecordStore;

/**
 * The CVE answer for each guest with its own kernel ({@link KernelCves} is the rule): asked now through its agent
 * when it runs and answers (its kernel and the live patches in force, each matched to the bundle the host recorded
 * applying there), else what the host recorded when it last saw the guest, marked as not known now, with when.
 * Guests the host only has a record of (deleted since, or on an adapter not configured now) are reported from the
 * record too.
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

    /** The stable key of a guest: its adapter and its id, as the records keep it. */
    static String key(Guest guest) {
        return guest.adapter() + "/" + guest.id();
    }

    public List<CveTarget> read() throws IOException {
        Map<String, GuestRecord> recorded = records.all();
        Set<String> reported = new HashSet<>();
        List<CveTarget> answers = new ArrayList<>();
        for (GuestTargets.Target target : targets.all()) {
            if (target.adapter().sharesHostKernel()) {
                continue;
            }
            String key = key(target.guest());
            reported.add(key);
            Optional<GuestRecord> record = Optional.ofNullable(recorded.get(key));
            if (!target.guest().running()) {
                answers.add(fromRecord(target.guest().name(), key, record, "not running ("
                        + target.guest().state().label() + ")"));
                continue;
            }
            try (GuestChannel channel = target.adapter().channel(target.guest())) {
                answers.add(live(target.guest().name(), key, channel, record));
            } catch (GuestTimeoutException | IOException e) {
                answers.add(fromRecord(target.guest().name(), key, record, "its agent did not answer: "
                        + e.getMessage()));
            }
        }
        for (GuestRecord record : recorded.values()) {
            if (!reported.contains(record.key())) {
                answers.add(fromRecord(record.name(), record.key(), Optional.of(record), "not listed by any adapter "
                        + "configured now"));
            }
        }
        return answers;
    }

    /**
     * The recorded guests {@code which} selects, as the host last saw them, with what the feed offers for their kernels:
     * the figures the metrics report after a run, without asking the guests again.
     */
    public static List<CveTarget> recorded(GuestRecordStore records, Predicate<GuestRecord> which,
            Optional<Feed> feed) throws IOException {
        List<CveTarget> answers = new ArrayList<>();
        for (GuestRecord record : records.all().values()) {
            if (!which.test(record) || record.kernel().isEmpty()) {
                continue;
            }
            KernelId kernel = new KernelId(record.kernel(), "", "",
                    record.buildId().isEmpty() ? Optional.empty() : Optional.of(record.buildId()));
            List<LivePatch> live = record.patches().stream()
                    .map(p -> new LivePatch(p.patch(), true, false, Map.of())).toList();
            KernelCves.Answer answer = KernelCves.of(kernel, live, known(Optional.of(record)), Map.of(), feed);
            answers.add(new CveTarget(record.name(), record.key(), true, true, answer.offersKnown(), record.kernel(), "",
                    "", record.buildId(), effective(record), answer.inForce(), answer.pending(), record.lastSeen(),
                    record.lastPatched(), "as recorded after the run"));
        }
        return answers;
    }

    private CveTarget live(String name, String key, GuestChannel channel, Optional<GuestRecord> record)
            throws IOException, GuestTimeoutException {
        KernelId kernel = patcher.identify(channel);
        Optional<GuestRecord> sameKernel = record.filter(r -> r.kernel().equals(kernel.release()));
        List<LivePatch> live = patcher.patches(channel);
        Map<String, String> buildIds = new HashMap<>();
        for (LivePatch patch : live) {
            patcher.moduleBuildId(channel, patch.name()).ifPresent(b -> buildIds.put(patch.name(), b));
        }
        KernelCves.Answer answer = KernelCves.of(kernel, live, known(sameKernel), buildIds, feed);
        String effective = kernel.release();
        for (CveTarget.PatchInForce patch : answer.inForce()) {
            Optional<GuestRecord.Patch> recordedPatch = sameKernel.flatMap(r -> r.patches().stream()
                    .filter(p -> p.patch().equals(patch.patch())).findFirst());
            if (recordedPatch.isPresent() && !recordedPatch.get().effectiveVersion().isBlank()) {
                effective = recordedPatch.get().effectiveVersion();
            }
        }
        return new CveTarget(name, key, true, true, answer.offersKnown(), kernel.release(), kernel.version(),
                kernel.machine(), kernel.buildId().orElse(""), effective, answer.inForce(), answer.pending(), null,
                record.map(GuestRecord::lastPatched).orElse(null), "");
    }

    private static Map<String, KernelCves.Known> known(Optional<GuestRecord> record) {
        Map<String, KernelCves.Known> known = new HashMap<>();
        record.ifPresent(r -> r.patches().forEach(p -> known.put(p.patch(), new KernelCves.Known(
                p.origin() == null ? "" : p.origin().bundle(), p.origin() == null ? 0 : p.origin().cumulativeLevel(),
                p.cves(), p.appliedAt(), ""))));
        return known;
    }

    private static String effective(GuestRecord record) {
        String effective = record.kernel();
        for (GuestRecord.Patch patch : record.patches()) {
            if (!patch.effectiveVersion().isBlank()) {
                effective = patch.effectiveVersion();
            }
        }
        return effective;
    }

    private static CveTarget fromRecord(String name, String key, Optional<GuestRecord> record, String why) {
        if (record.isEmpty()) {
            return new CveTarget(name, key, true, false, false, "", "", "", "", "", List.of(), List.of(), null, null,
                    why + "; never seen by patchvisor");
        }
        GuestRecord r = record.get();
        List<CveTarget.PatchInForce> seen = new ArrayList<>();
        known(record).forEach((patch, k) -> seen.add(new CveTarget.PatchInForce(patch, k.bundle(),
                k.cumulativeLevel(), k.cves(), k.since(), false)));
        return new CveTarget(name, key, true, false, false, r.kernel(), "", "", r.buildId(), effective(r), seen,
                List.of(), r.lastSeen(), r.lastPatched(), why + (r.lastSeen() == null ? "" : "; as last seen "
                + r.lastSeen()));
    }
}
