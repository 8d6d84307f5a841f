package org.patchvisor.guest;

/** How patching one guest ended, as the guest path reports it to the rollout. */
public record GuestOutcome(State state, String reason) {

    public enum State {
        APPLIED,
        ALREADY_PATCHED,
        NO_PATCH,
        REFUSED,
        FAILED_REVERTED,
        UNREACHABLE
    }
}
