package org.patchvisor.publish;

import java.util.regex.Pattern;

/**
 * Normalises the names gcc gives to clones and local statics so the same function or object lines up across two
 * builds: {@code foo.constprop.0}, {@code foo.isra.1}, {@code foo.part.0}, {@code foo.lto_priv.0} and the local
 * numbering of function-scope statics ({@code count.3}, {@code __already_done.12}, {@code __func__.2}) all become
 * their base name. Names the kernel's macros number with {@code __COUNTER__} lose the number as well: the
 * counter counts every use before it in the unit, so a fix that adds one renumbers all later ones. They are
 * {@code __UNIQUE_ID_<prefix><n>} (include/linux/compiler-gcc.h, e.g. {@code __UNIQUE_ID_ddebug123}),
 * {@code __BTF_ID__<type>__<name>__<counter><line>} (include/linux/btf_ids.h) and
 * {@code __initcall__<modname>__<counter>_<line>_<fn><id>} (include/linux/init.h). A cold split
 * ({@code foo.cold}) keeps its {@code .cold} tag: it is a separate piece of code that must not be confused with
 * {@code foo} itself.
 */
public final class SymbolNames {
    private static final Pattern CLONE_SUFFIX =
            Pattern.compile("\\.(constprop|isra|part|lto_priv|localalias|clone|specialized)(\\.\\d+)?$");
    private static final Pattern NUMBER_SUFFIX = Pattern.compile("\\.\\d+$");
    private static final Pattern UNIQUE_ID = Pattern.compile("^(__UNIQUE_ID_.*?)\\d+$");
    private static final Pattern BTF_ID = Pattern.compile("^(__BTF_ID__.+__)\\d+$");
    private static final Pattern INITCALL = Pattern.compile("^(__initcall__.+?__)\\d+_\\d+_(.+)$");
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
            if (stripped.equals(rest)) {
                stripped = withoutCounter(rest);
            }
            if (!stripped.isEmpty()) {
                rest = stripped;
            }
        } while (!rest.equals(previous));
        return cold ? rest + COLD : rest;
    }

    private static String withoutDuplicateTag(String key) {
        int hash = key.indexOf('#');
        return hash < 0 ? key : key.substring(0, hash);
    }

    private static String withoutCounter(String name) {
        var unique = UNIQUE_ID.matcher(name);
        if (unique.matches() && unique.group(1).length() > "__UNIQUE_ID_".length()) {
            return unique.group(1);
        }
        var btf = BTF_ID.matcher(name);
        if (btf.matches()) {
            return btf.group(1);
        }
        var initcall = INITCALL.matcher(name);
        return initcall.matches() ? initcall.group(1) + initcall.group(2) : name;
    }

    /** True for the name or key of a {@code .cold} part ({@code foo.cold}, {@code foo.cold#2}). */
    public static boolean isCold(String name) {
        String base = withoutDuplicateTag(name);
        return base.endsWith(COLD) && base.length() > COLD.length();
    }

    /** The function a {@code .cold} part belongs to ({@code foo} for {@code foo.cold}); other names unchanged. */
    public static String parentOf(String name) {
        String base = withoutDuplicateTag(name);
        return isCold(base) ? base.substring(0, base.length() - COLD.length()) : name;
    }

    /**
     * True when the symbol was renamed or numbered (clone, local numbering, {@code __COUNTER__}), i.e. its name
     * alone does not say which object of the other build it is.
     */
    public static boolean isRenamed(String name) {
        return !normalise(name).equals(name);
    }
}
