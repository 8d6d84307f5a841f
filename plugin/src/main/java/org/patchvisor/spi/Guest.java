package org.patchvisor.spi;

import java.util.Map;
import java.util.Objects;

/**
 * A guest as its adapter sees it.
 *
 * @param adapter the adapter's name
 * @param id      the adapter's stable identifier (libvirt UUID, OpenVZ CTID)
 * @param name    the name an administrator uses
 * @param state   running or not, in the adapter's own words mapped to {@link State}
 * @param policy  patchvisor settings the administrator attached to the guest (libvirt metadata: "opt-out",
 *                "group"); empty when none
 */
public record Guest(String adapter, String id, String name, State state, Map<String, String> policy) {

    public enum State {
        RUNNING,
        PAUSED,
        STOPPED,
        OTHER;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Guest {
        Objects.requireNonNull(adapter, "adapter");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        policy = Map.copyOf(policy);
    }

    public boolean running() {
        return state == State.RUNNING;
    }

    /** The administrator excluded this guest from patching (policy "opt-out" = "true"). */
    public boolean optedOut() {
        return "true".equalsIgnoreCase(policy.getOrDefault("opt-out", "false"));
    }
}
