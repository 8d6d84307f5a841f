package org.patchvisor.publish;

import java.util.regex.Pattern;

/**
 * Normalises the names gcc gives to clones and local statics so the same function or object lines up across two
 * builds: the numbers gcc appends are dropped, the kind of clone is kept. {@code foo.constprop.0} and
 * {@code foo.constprop.3} are the same function, but {@code foo.part.0} is not {@code foo}: a partial clone holds
 * only the tail of {@code foo}, an ISRA or constprop clone takes other arguments, so a fix that makes gcc split
 * {@code foo} leaves {@code foo} changed and {@code foo.part} new, never one mistaken for the other. The local
 * numbering of function-scope statics ({@code count.3}, {@code __already_done.12}, {@code __func__.2}) goes too.
 * Names the kernel's macros number with {@code __COUNTER__} lose the number as well: the counter counts every use
 * before it in the unit, so a fix that adds one renumbers all later ones. They are
 * {@code __UNIQUE_ID_<prefix><n>} (include/linux/compiler-gcc.h, e.g. {@code __UNIQUE_ID_ddebug123}),
 * {@code __BTF_ID__<type>__<name>__<counter><line>} (include/linux/btf_ids.h) and
 * {@code __initcall__<modname>__<counter>_<line>_<fn><id>} (include/linux/init.h). A cold split
 * ({@code foo.cold}) keeps its {@code .cold} tag: it is a separate piece of code that must not be confused with
 * {@code foo} itself.
 */
public final class SymbolNames {
    private static final Pattern CLONE_NUMBER =
            Pattern.compile("\\.(constprop|isra|part|lto_priv|clone|specialized)\\.\\d+(?=\\.|$)");
    private static final Pattern ANY_CLONE =
            Pattern.compile("\\.(constprop|isra|part|lto_priv|localalias|clone|specialized)(\\.\\d+)?(?=\\.|$)");
    private static final Pattern NUMBER_SUFFIX = Pattern.compile("\\.\\d+$");
    private static final Pattern UNIQUE_ID = Pattern.compile("^(__UNIQUE_ID_.*?)\\d+$");
    private static final Pattern BTF_ID = Pattern.compile("^(__BTF_ID__.+__)\\d+$");
    private static final Pattern INITCALL = Pattern.compile("^(__initcall__.+?__)\\d+_\\d+_(.+)$");
    private static final String COLD = ".cold";

    private SymbolNames() {
    }

    /** The matching key of {@code name}, e.g. {@code foo.isra.constprop} for {@code foo.isra.0.constprop.1}. */
    public static String normalise(String name) {
        String rest = name;
        boolean cold = rest.endsWith(COLD) && rest.length() > COLD.length();
        if (cold) {
            rest = rest.substring(0, rest.length() - COLD.length());
        }
        rest = CLONE_NUMBER.matcher(rest).replaceAll(".$1");
        String unnumbered = NUMBER_SUFFIX.matcher(rest).replaceFirst("");
        if (!unnumbered.isEmpty()) {
            rest = unnumbered;
        }
        rest = withoutCounter(rest);
        return cold ? rest + COLD : rest;
    }

    /**
     * The name without any clone tag or number: {@code foo} for {@code foo.isra.0}. Only for telling a person which
     * clones of a function exist, never for matching (a clone is not the function).
     */
    public static String baseName(String name) {
        String key = normalise(name);
        String previous;
        do {
            previous = key;
            key = ANY_CLONE.matcher(key).replaceAll("");
        } while (!key.equals(previous));
        return key;
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
