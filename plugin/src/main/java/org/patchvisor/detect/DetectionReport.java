package org.patchvisor.detect;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.patchvisor.kernel.KernelSupport;

/** Renders a {@link Detection} for people (text) and for scripts (JSON, a stable shape documented in README). */
public final class DetectionReport {

    private DetectionReport() {
    }

    public static String text(Detection detection) {
        StringBuilder out = new StringBuilder();
        for (Role role : detection.roles()) {
            out.append(role.displayName());
            if (role == Role.VM_GUEST) {
                out.append(" (").append(detection.vmGuestOf().orElseThrow()).append(')');
            } else if (role == Role.CONTAINER) {
                out.append(" (").append(detection.containerKind().orElseThrow()).append(')');
            }
            detection.members(role).ifPresent(n -> out.append(", ").append(n)
                    .append(role.sharesKernel() ? " container(s)" : " running VM(s)"));
            out.append('\n');
            for (Evidence evidence : detection.evidence().get(role)) {
                out.append("  ").append(evidence).append('\n');
            }
        }
        out.append("live patching: ").append(supportLine(detection.support())).append('\n');
        out.append("plan: ").append(detection.plan()).append('\n');
        return out.toString();
    }

    static String supportLine(KernelSupport support) {
        return (support.livepatch() ? "supported (" + LivePatchFacts.LIVEPATCH + " present)"
                : "unsupported (" + LivePatchFacts.LIVEPATCH + " missing)")
                + ", sig_enforce=" + (support.sigEnforce() ? "Y" : "N")
                + ", lockdown=" + support.lockdown().orElse("n/a")
                + ", taint=" + support.taint();
    }

    public static ObjectNode json(Detection detection) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ArrayNode roles = root.putArray("roles");
        detection.roles().forEach(role -> roles.add(role.displayName()));
        detection.vmGuestOf().ifPresent(h -> root.put("vmGuestOf", h));
        detection.containerKind().ifPresent(k -> root.put("container", k));
        ObjectNode evidence = root.putObject("evidence");
        detection.evidence().forEach((role, list) -> evidence.set(role.displayName(), evidenceArray(list)));
        ObjectNode members = root.putObject("members");
        detection.members().forEach((role, n) -> members.put(role.displayName(), n));
        ArrayNode attempts = root.putArray("attempts");
        for (Attempt attempt : detection.attempts()) {
            ObjectNode node = attempts.addObject();
            node.put("strategy", attempt.strategy());
            node.put("description", attempt.description());
            node.put("priority", attempt.priority());
            node.put("outcome", attempt.outcome().displayName());
            node.put("reason", attempt.reason());
            node.set("evidence", evidenceArray(attempt.evidence()));
        }
        KernelSupport support = detection.support();
        ObjectNode livepatch = root.putObject("livepatch");
        livepatch.put("supported", support.livepatch());
        livepatch.put("sigEnforce", support.sigEnforce());
        if (support.lockdown().isPresent()) {
            livepatch.put("lockdown", support.lockdown().get());
        } else {
            livepatch.putNull("lockdown");
        }
        livepatch.put("taint", support.taint());
        root.put("insideContainer", detection.insideContainer());
        root.put("sharedKernelHost", detection.sharedKernelHost());
        root.put("plan", detection.plan());
        return root;
    }

    private static ArrayNode evidenceArray(List<Evidence> list) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        for (Evidence e : list) {
            array.addObject().put("path", e.path()).put("seen", e.seen());
        }
        return array;
    }
}
