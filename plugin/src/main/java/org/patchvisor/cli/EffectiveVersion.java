package org.patchvisor.cli;

import java.util.List;
import org.patchvisor.model.KernelId;
import org.patchvisor.model.LivePatch;
import org.patchvisor.state.InstalledPatch;

/**
 * The kernel release a patched kernel is equivalent to, as Uptrack's {@code uptrack-uname} reports it: the
 * newest effective version declared by a live, installed patch (the feed carries it), else the running release.
 */
final class EffectiveVersion {
    private EffectiveVersion() {
    }

    static String of(KernelId kernel, List<InstalledPatch> installed, List<LivePatch> live) {
        String effective = kernel.release();
        for (InstalledPatch patch : installed) {
            boolean active = live.stream().anyMatch(p -> p.name().equals(patch.patchName()) && p.enabled());
            if (active && !patch.effectiveVersion().isBlank()) {
                effective = patch.effectiveVersion();
            }
        }
        return effective;
    }
}
