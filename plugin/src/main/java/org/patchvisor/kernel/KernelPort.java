package org.patchvisor.kernel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.patchvisor.model.Blocker;
import org.patchvisor.model.KernelId;
import org.patchvisor.model.LivePatch;

/**
 * What can be done to one kernel. {@link LocalKernel} does it to the kernel this JVM runs on, through sysfs,
 * procfs and the module syscalls; the guest path runs the same steps inside a guest. The engine above
 * ({@link PatchEngine}) holds the policy: checks, retries, waiting, reverting.
 */
public interface KernelPort {

    KernelId identify() throws IOException;

    /** Live-patch support, signature enforcement, lockdown and taint, as the kernel reports them now. */
    KernelSupport support() throws IOException;

    /** Every live patch registered under /sys/kernel/livepatch, in load order where the kernel tells it. */
    List<LivePatch> patches() throws IOException;

    Optional<LivePatch> patch(String name) throws IOException;

    /** Gets ready to load (e.g. binds the native syscalls), so the load itself is timed alone. */
    default void prepareLoad() throws IOException {
    }

    /** Loads a module file (finit_module). Throws {@link KernelCallException} carrying errno on refusal. */
    void load(Path module) throws IOException;

    /** Writes the patch's {@code enabled} attribute; writing false during a transition reverses it. */
    void setEnabled(String patchName, boolean enabled) throws IOException;

    /**
     * Tasks (threads included) that have not reached {@code targetState} yet: patch_state 0 while patching
     * (target 1), 1 while a reversal runs (target 0). Tasks outside a transition read -1 and never block.
     */
    List<Blocker> blockers(int targetState) throws IOException;

    /** Removes a module (delete_module). Throws {@link KernelCallException} carrying errno on refusal. */
    void unload(String moduleName) throws IOException;

    boolean moduleLoaded(String moduleName) throws IOException;

    /**
     * The GNU build-id of a loaded module, as the kernel shows it ({@code /sys/module/NAME/notes/.note.gnu.build-id});
     * empty when the module or its notes are not there.
     */
    default Optional<String> moduleBuildId(String moduleName) throws IOException {
        return Optional.empty();
    }
}
