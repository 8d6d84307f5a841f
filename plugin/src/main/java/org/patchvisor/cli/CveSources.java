package org.patchvisor.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.patchvisor.cve.CveTarget;
import org.patchvisor.cve.HostCves;
import org.patchvisor.feed.Feed;
import org.patchvisor.feed.FeedConfig;
import org.patchvisor.feed.FetchLimits;
import org.patchvisor.fleet.GuestCves;
import org.patchvisor.fleet.GuestTargets;
import org.patchvisor.guest.GuestPatcher;
import org.patchvisor.kernel.KernelFiles;
import org.patchvisor.state.GuestRecordStore;
import org.patchvisor.state.StateStore;

/**
 * Reads the CVE answers {@code cves} and {@code vex} report: the host's, and each guest's when asked, with the feed
 * when it can be read (what it offers is then known) and without it otherwise (what is fixed is known anyway).
 */
final class CveSources {
    /** The answers, and why the feed's offers are not known when they are not (else empty). */
    record Read(List<CveTarget> targets, String feedProblem) {
    }

    private CveSources() {
    }

    /** The machine's name, as the kernel has it (what a scanner's inventory knows the host by). */
    private static String hostName(PatchvisorCli parent) {
        try {
            return KernelFiles.read(parent.context().root().resolve("proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return "host";
        }
    }

    static Read read(PatchvisorCli parent, Path config, Optional<Path> stateDirOption, boolean host,
            Optional<List<String>> guestUris, PrintWriter err) throws IOException {
        Map<String, String> env = parent.context().env();
        Path state = StateDirectory.resolve(stateDirOption, env,
                () -> StateDirectory.fromOptionalConfig(config, line -> { }));
        String problem = "";
        Optional<Feed> feed;
        try {
            FeedConfig settings = FeedSettings.read(config, Optional.of(state), env, err);
            // Only asking: nothing this run learns is recorded (a dry run's way of reading the feed).
            Feed opened = Feed.openReadOnly(settings, env, parent.context().clock(), FetchLimits.defaults(),
                    FeedSettings.warnings(err));
            opened.index();
            feed = Optional.of(opened);
        } catch (IOException | IllegalArgumentException e) {
            problem = "the feed could not be read (" + ShortErrorHandler.message(e) + "): the CVEs it offers are not "
                    + "known";
            feed = Optional.empty();
        }
        List<CveTarget> targets = new ArrayList<>();
        if (host) {
            targets.add(HostCves.read(parent.context().kernel(), new StateStore(state), hostName(parent), feed,
                    problem));
        }
        if (guestUris.isPresent()) {
            try (GuestTargets open = parent.guestTargets(guestUris.get())) {
                targets.addAll(new GuestCves(open, GuestPatcher.standard(), new GuestRecordStore(state), feed).read());
            }
        }
        return new Read(targets, problem);
    }
}
