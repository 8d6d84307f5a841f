package org.patchvisor.publish;

import java.util.regex.Pattern;

/**
 * Normalises the names gcc gives to clones and local statics so the same function or object lines up across two
 * builds: {@code foo.constprop.0}, {@code foo.isra.1}, {@code foo.part.0}, {@code foo.lto_priv.0} and the local
 * numbering of function-scope statics ({@code count.3}) all become their base name. A cold split
 * ({@code foo.cold}) keeps its {@code .cold} tag: it is a separate piece of code that must not be confused with
 * {@code foo} itself.
 */
public final class SymbolNames {
    private static final Pattern CLONE_SUFFIX =
            Pattern.compile("\\.(constprop|isra|part|lto_priv|localalias|clone|specialized)(\\.\\d+)?$");
    private static final Pattern NUMBER_SUFFIX = Pattern.compile("\\.\\d+$");
    private static final String COLD = ".cold";

    private SymbolNames() {
    }

    /** The base name of {@code name}, e.g. {@code foo} for {@code foo.isra.0.constprop.1}. */
    public static String normalise(String name) {
        String rest = name;
        boolean cold = false;
        String previous;
        do {
            previous = rest;
            if (rest.endsWith(COLD) && rest.length() > COLD.length()) {
                rest = rest.substring(0, rest.length() - COLD.length());
                cold = true;
            }
            String stripped = CLONE_SUFFIX.matcher(rest).replaceFirst("");
            if (stripped.equals(rest)) {
                stripped = NUMBER_SUFFIX.matcher(rest).replaceFirst("");
            }
            if (!stripped.isEmpty()) {
                rest = stripped;
            }
        } while (!rest.equals(previous));
        return cold ? rest + COLD : rest;
    }

    /** True when gcc renamed the symbol (clone or local numbering), i.e. it is not a plain C identifier. */
    public static boolean isRenamed(String name) {
        return !normalise(name).equals(name);
    }
}
