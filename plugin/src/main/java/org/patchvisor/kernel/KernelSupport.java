package org.patchvisor.kernel;

import java.util.Optional;

/**
 * Whether this kernel can take a live patch right now, and what it already carries.
 *
 * @param livepatch    {@code /sys/kernel/livepatch} exists (CONFIG_LIVEPATCH)
 * @param sigEnforce   unsigned modules are refused ({@code sig_enforce} = Y)
 * @param lockdown     the active lockdown mode ("none", "integrity", "confidentiality"), if the kernel has it
 * @param taint        {@code /proc/sys/kernel/tainted}
 */
public record KernelSupport(boolean livepatch, boolean sigEnforce, Optional<String> lockdown, long taint) {

    /** Lockdown in integrity or confidentiality mode forbids loading unsigned modules. */
    public boolean lockedDown() {
        return lockdown.filter(mode -> !mode.equals("none")).isPresent();
    }
}
