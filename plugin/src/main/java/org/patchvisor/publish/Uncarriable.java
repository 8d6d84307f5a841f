package org.patchvisor.publish;

/**
 * A difference a live patch cannot carry by replacing functions: the kernel keeps running on its existing data
 * and has already run its init code, so new function bodies alone would not apply such a change.
 */
public record Uncarriable(String file, String symbol, Kind kind, String detail) {

    public enum Kind {
        /** An existing data object changed size: every user of its layout would disagree. */
        DATA_LAYOUT,
        /** An existing data object changed its initial bytes: the running kernel keeps the old values. */
        STATIC_DATA,
        /** Init code or data changed: it ran at boot or load time and is gone. */
        INIT_CODE,
        /**
         * A function changed that ftrace cannot hook (no {@code call __fentry__} at its start, or in
         * {@code .noinstr.text} / {@code .entry.text}), so the livepatch core cannot redirect it.
         */
        NOTRACE,
        /** A changed function stopped using one of its function-scope statics: its running value would be lost. */
        STATIC_LOCAL,
        /** A module parameter or an export added: the kernel reads those only at boot or when it loads a module. */
        INTERFACE
    }
}
