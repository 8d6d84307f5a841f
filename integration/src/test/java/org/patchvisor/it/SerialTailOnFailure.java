package org.patchvisor.it;

import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/** Prints the tail of the guest's serial console when a test fails: that is where kernel oopses show up. */
public final class SerialTailOnFailure implements TestWatcher {
    private final Supplier<KernelVm> vm;

    public SerialTailOnFailure(Supplier<KernelVm> vm) {
        this.vm = vm;
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        KernelVm current = vm.get();
        if (current != null) {
            System.err.println(context.getDisplayName() + " failed; " + current.serialTail());
        }
    }
}
