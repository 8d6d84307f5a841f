package org.patchvisor.detect;

import java.util.List;
import java.util.Objects;

/**
 * What one strategy concluded: the roles it found (maybe none), everything it looked at, and one line
 * saying why — the "why not" matters as much as the "why" when a detection surprises someone.
 */
public record Examination(List<Finding> findings, List<Evidence> observed, String reason) {

    public Examination {
        findings = List.copyOf(findings);
        observed = List.copyOf(observed);
        Objects.requireNonNull(reason, "reason");
    }

    public static Examination found(String reason, Finding... findings) {
        List<Evidence> seen = new java.util.ArrayList<>();
        for (Finding f : findings) {
            seen.addAll(f.evidence());
        }
        return new Examination(List.of(findings), seen, reason);
    }

    public static Examination nothing(String reason, List<Evidence> observed) {
        return new Examination(List.of(), observed, reason);
    }

    public static Examination nothing(String reason) {
        return nothing(reason, List.of());
    }
}
