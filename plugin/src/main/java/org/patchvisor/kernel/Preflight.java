package org.patchvisor.kernel;

import org.patchvisor.model.KernelId;
import org.patchvisor.model.ModuleInfo;
import org.patchvisor.model.Outcome;

/**
 * The checks made before a module goes anywhere near the kernel. Each refusal is one line an administrator can
 * act on. The kernel would refuse some of these itself, but later and less clearly — and with modversions it
 * does not compare the release at all, so a module for another build could load.
 */
public final class Preflight {
    private Preflight() {
    }

    /** Checks that hold for any live-patch operation: root, support, no lockdown against us. */
    public static void checkKernel(boolean root, KernelSupport support) throws PatchException {
        if (!root) {
            throw new PatchException(Outcome.NOT_ROOT, "must run as root to change the kernel's live patches");
        }
        checkSupport(support);
    }

    /** The kernel can take live patches at all; what a read-only plan checks too, without needing root. */
    public static void checkSupport(KernelSupport support) throws PatchException {
        checkSupport(support, "this kernel");
    }

    /** As {@link #checkSupport(KernelSupport)} for the kernel named {@code whose} in the message. */
    public static void checkSupport(KernelSupport support, String whose) throws PatchException {
        if (!support.livepatch()) {
            throw new PatchException(Outcome.UNSUPPORTED, whose + " has no live-patch support ("
                    + KernelFacts.LIVEPATCH + " is missing: CONFIG_LIVEPATCH is off)");
        }
    }

    /** Checks that {@code module} is a live patch built for {@code kernel} and that the kernel will accept it. */
    public static void checkModule(String file, ModuleInfo module, KernelId kernel, KernelSupport support)
            throws PatchException {
        checkModule(file, module, kernel, support, "this kernel");
    }

    /**
     * As {@link #checkModule(String, ModuleInfo, KernelId, KernelSupport)} for a kernel named {@code whose} in the
     * messages ("this kernel" on the host, "the guest's kernel" for a guest): the same rules, wherever the facts
     * were read.
     */
    public static void checkModule(String file, ModuleInfo module, KernelId kernel, KernelSupport support, String whose)
            throws PatchException {
        if (!module.livepatch()) {
            throw new PatchException(Outcome.REFUSED,
                    file + " is not a live-patch module (no livepatch=Y in its .modinfo)");
        }
        if (!module.targetRelease().equals(kernel.release())) {
            throw new PatchException(Outcome.REFUSED, file + " was built for kernel " + module.targetRelease()
                    + ", but " + whose + " is " + kernel.release());
        }
        if (!module.signed() && support.sigEnforce()) {
            throw new PatchException(Outcome.REFUSED,
                    file + " is unsigned and " + whose + " enforces module signatures (sig_enforce=Y)");
        }
        if (!module.signed() && support.lockedDown()) {
            throw new PatchException(Outcome.REFUSED, file + " is unsigned and " + whose + " is in lockdown ("
                    + support.lockdown().orElse("") + " mode), which refuses unsigned modules");
        }
    }
}
