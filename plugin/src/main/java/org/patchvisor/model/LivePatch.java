package org.patchvisor.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One live patch as the kernel shows it under {@code /sys/kernel/livepatch/<name>}: whether it is enabled,
 * whether a transition is still running, and which objects (vmlinux or a module) and functions it patches.
 */
public record LivePatch(String name, boolean enabled, boolean inTransition, Map<String, List<String>> functionsByObject) {

    public LivePatch {
        Objects.requireNonNull(name, "name");
        functionsByObject = Map.copyOf(functionsByObject);
    }

    public int functionCount() {
        return functionsByObject.values().stream().mapToInt(List::size).sum();
    }
}
