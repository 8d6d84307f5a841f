package org.patchvisor.state;

/** What a journalled run was doing to a kernel. */
public enum Operation {
    /** Loading a live patch and waiting for its transition. */
    APPLY,
    /** Disabling a live patch, waiting for the reverse transition and unloading its module. */
    REMOVE
}
