package org.patchvisor.kernel;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.patchvisor.model.LivePatch;

/**
 * How the kernel shows a live patch under {@code /sys/kernel/livepatch}: one directory per patch with {@code enabled}
 * and {@code transition} attributes ("1" or "0"), one directory per patched object (vmlinux or a module) and in it
 * one per function ({@code name,sympos}). Read on this host from the file system and in a guest through its channel;
 * both turn what they read into a {@link LivePatch} here, so the two cannot disagree on what a state means.
 */
public final class LivePatchSysfs {
    private LivePatchSysfs() {
    }

    /** A patch from the text of its two attributes as read (surrounding white space ignored). */
    public static LivePatch patch(String name, String enabled, String transition, Map<String, List<String>> functions) {
        return new LivePatch(name, set(enabled), set(transition), functions);
    }

    /**
     * Patches, objects and functions from the directories below {@code /sys/kernel/livepatch}, given relative to it
     * ("patch", "patch/object", "patch/object/function,1"), in any order; functions come out sorted.
     */
    public static Map<String, Map<String, List<String>>> tree(Collection<String> relativeDirs) {
        Map<String, Map<String, List<String>>> tree = new LinkedHashMap<>();
        for (String dir : relativeDirs.stream().sorted().toList()) {
            String[] parts = dir.split("/");
            if (parts.length == 0 || parts.length > 3 || parts[0].isEmpty()) {
                continue;
            }
            Map<String, List<String>> objects = tree.computeIfAbsent(parts[0], k -> new LinkedHashMap<>());
            if (parts.length >= 2) {
                List<String> functions = objects.computeIfAbsent(parts[1], k -> new ArrayList<>());
                if (parts.length == 3) {
                    functions.add(parts[2]);
                }
            }
        }
        return tree;
    }

    private static boolean set(String attribute) {
        return "1".equals(attribute == null ? null : attribute.strip());
    }
}
