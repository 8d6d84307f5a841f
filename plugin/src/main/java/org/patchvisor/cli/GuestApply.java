package org.patchvisor.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.patchvisor.elf.ModuleFiles;
import org.patchvisor.fleet.GuestTargets;
import org.patchvisor.guest.GuestChannel;
import org.patchvisor.guest.GuestOutcome;
import org.patchvisor.guest.GuestPatcher;
import org.patchvisor.kernel.PatchException;
import org.patchvisor.model.ModuleInfo;
import org.patchvisor.model.Outcome;
import org.patchvisor.spi.GuestUnreachableException;

/** {@code apply FILE.ko --guest NAME}: one module to one guest, its outcome printed and turned into an exit code. */
final class GuestApply {
    private GuestApply() {
    }

    static int run(PatchvisorCli parent, GuestOptions options, String guestName, Path module, Duration timeout,
            boolean json, PrintWriter out, PrintWriter err) throws IOException, PatchException {
        ModuleInfo info = ModuleFiles.read(module);
        GuestOutcome outcome;
        try (GuestTargets targets = parent.guestTargets(options.uris())) {
            GuestTargets.Target target = targets.find(guestName);
            if (target.guest().optedOut()) {
                outcome = GuestOutcome.of(Outcome.REFUSED, guestName + " has opted out of patching (patchvisor policy "
                        + "in its metadata)", info.name(), Optional.empty(), Duration.ZERO);
            } else {
                try (GuestChannel channel = target.adapter().channel(target.guest())) {
                    outcome = GuestPatcher.standard().apply(channel, module.toAbsolutePath(), info, timeout);
                } catch (GuestUnreachableException e) {
                    outcome = GuestOutcome.of(Outcome.UNREACHABLE, e.getMessage(), info.name(), Optional.empty(),
                            Duration.ZERO);
                }
            }
        }
        if (json) {
            Json.print(out, view(guestName, outcome));
        } else if (outcome.patched()) {
            out.println("guest " + guestName + ": " + outcome.state().label() + ": " + outcome.reason());
        } else {
            err.println("patchvisor: guest " + guestName + ": " + outcome.state().label() + ": " + outcome.reason());
        }
        out.flush();
        err.flush();
        return ExitPolicy.code(outcome.state());
    }

    static Map<String, Object> view(String guest, GuestOutcome outcome) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("guest", guest);
        view.put("result", outcome.state().label());
        view.put("reason", outcome.reason());
        view.put("patch", outcome.patch());
        view.put("kernel", outcome.kernel().map(k -> k.release()).orElse(null));
        view.put("buildId", outcome.kernel().flatMap(k -> k.buildId()).orElse(null));
        view.put("ms", outcome.elapsed().toMillis());
        return view;
    }
}
