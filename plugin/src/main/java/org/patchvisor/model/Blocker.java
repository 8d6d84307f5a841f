package org.patchvisor.model;

/** A task that has not yet switched to the patched universe during a live-patch transition. */
public record Blocker(int pid, String comm) {
    @Override
    public String toString() {
        return comm + "[" + pid + "]";
    }
}
