package org.patchvisor.cli;

/**
 * The exit codes of every command, documented in README.md. Each failure class has its own code so
 * scripts and Ansible can tell "nothing to do" from "refused" from "kernel said no".
 */
public final class ExitCodes {
    public static final int OK = 0;
    /** Unexpected error: I/O, a bug. One line on stderr; --debug shows the stack trace. */
    public static final int ERROR = 1;
    /** Wrong command-line usage (picocli's own code). */
    public static final int USAGE = 2;
    /** Needs root and is not root. */
    public static final int NOT_ROOT = 3;
    /** The kernel cannot take live patches: no CONFIG_LIVEPATCH, or lockdown. */
    public static final int UNSUPPORTED = 4;
    /** The module was refused before touching the kernel: not a live patch, wrong kernel, unsigned, corrupt. */
    public static final int REFUSED = 5;
    /** The transition did not finish in time; the patch was reversed and unloaded. */
    public static final int TRANSITION_TIMEOUT = 6;
    /** Another patchvisor run holds the state lock. */
    public static final int LOCKED = 7;
    /** The kernel refused the load or unload (finit_module / delete_module errno). */
    public static final int KERNEL_REFUSED = 8;
    /** The named patch is not loaded. */
    public static final int NOT_FOUND = 9;
    /** Running inside a container: the host (hardware node) must be patched instead. */
    public static final int IN_CONTAINER = 10;
    /** The timeout expired and the patch could not be reversed either; the kernel needs attention. */
    public static final int REVERT_FAILED = 11;
    /** A guest operation failed and the guest was left as it was (e.g. its transition timed out and was reversed). */
    public static final int GUEST_FAILED = 12;
    /** The guest cannot be entered: not running, no guest agent channel, or the agent does not answer. */
    public static final int GUEST_UNREACHABLE = 13;
    /**
     * upgrade: the feed could not be used (unreachable, bad signature, unknown key, expired or replayed index,
     * blob that does not match the index, download too large or too slow, bad config). Nothing was applied.
     */
    public static final int FEED_FAILED = 14;
    /** upgrade: the feed has no live patch at all for the running kernel. Nothing to do; the timer treats it as success. */
    public static final int NO_PATCHES = 15;
    /**
     * A file that is not patchvisor's sits where patchvisor keeps its own, and was left untouched: for hook
     * install/uninstall, where the hook goes; for any command, a symbolic link, directory or FIFO at a lock file.
     */
    public static final int FOREIGN_FILE = 16;

    /**
     * build: refused before compiling: bad manifest, a replaced function missing from the target kernel's symbol
     * map, an ambiguous name without sympos, sympos out of range, no headers for the kernel.
     */
    public static final int BUILD_REFUSED = 17;
    /** build: the compiler failed (the live patch's own sources, or a compilation unit for --check-fix). */
    public static final int BUILD_FAILED = 18;
    /** build --check-fix: the fix changes functions the live patch does not replace. */
    public static final int NOT_COVERED = 19;

    private ExitCodes() {
    }
}
