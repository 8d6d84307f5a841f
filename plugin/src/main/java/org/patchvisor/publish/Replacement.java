package org.patchvisor.publish;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.regex.Pattern;

/**
 * One entry of a live-patch manifest: the kernel function {@code function} in {@code object} ("vmlinux" or a
 * module name) is replaced by the author's function {@code replacement}. {@code sympos} picks one of several local
 * symbols of the same name, counted from 1 in the kernel's symbol order; 0 means the name must be unique.
 */
public record Replacement(String function, String object, String replacement, int sympos) {
    public static final String VMLINUX = "vmlinux";
    private static final Pattern SYMBOL = Pattern.compile("[A-Za-z_][A-Za-z0-9_.$]*");
    private static final Pattern C_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern MODULE = Pattern.compile("[A-Za-z0-9_-]+");

    @JsonCreator
    public Replacement(@JsonProperty(value = "function", required = true) String function,
                       @JsonProperty("object") String object,
                       @JsonProperty(value = "replacement", required = true) String replacement,
                       @JsonProperty("sympos") Integer sympos) {
        this(function, object == null ? VMLINUX : object, replacement, sympos == null ? 0 : sympos.intValue());
    }

    public Replacement {
        if (function == null || !SYMBOL.matcher(function).matches()) {
            throw new IllegalArgumentException("replacement: bad kernel function name '" + function + "'");
        }
        if (replacement == null || !C_NAME.matcher(replacement).matches()) {
            throw new IllegalArgumentException("replacement for " + function + ": '" + replacement
                    + "' is not a C function name");
        }
        if (!MODULE.matcher(object).matches()) {
            throw new IllegalArgumentException("replacement for " + function + ": bad object name '" + object + "'");
        }
        if (sympos < 0) {
            throw new IllegalArgumentException("replacement for " + function + ": sympos must be >= 0, was " + sympos);
        }
    }

    public boolean inVmlinux() {
        return VMLINUX.equals(object);
    }
}
