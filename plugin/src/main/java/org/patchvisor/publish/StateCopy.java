package org.patchvisor.publish;

/**
 * Kernel state that a carried function uses through a copy of the patch's own instead of the kernel's (the
 * kernel's cannot be named, or no longer fits the new code), and what that changes for the author, said here once.
 *
 * @param function the carried function that uses it (a {@code .cold} part counts for its parent)
 * @param symbol   the object as the build with the fix names it
 */
record StateCopy(String function, String symbol, Kind kind) {
    enum Kind {
        /**
         * The flag of a once-only warning ({@code WARN_ONCE}, {@code pr_*_once}): no symbol map tells the unit's
         * apart among the many of its name, and the copy starts unset.
         */
        ONCE_FLAG,
        /**
         * The descriptor of a pr_debug whose text the fix changes or that the fix adds: it lives in the patch's own
         * {@code __dyndbg}, which dynamic debug lists under the patch module's name.
         */
        DEBUG_DESCRIPTOR
    }

    /** The line the build prints for it; {@code patch} is the live patch's module name. */
    String warning(String patch) {
        return switch (kind) {
            case ONCE_FLAG -> function + ": its once-only warning " + symbol
                    + " may be printed once more after the patch loads";
            case DEBUG_DESCRIPTOR -> function + ": its pr_debug is controlled as module " + patch
                    + " in dynamic debug while the patch is loaded";
        };
    }
}
