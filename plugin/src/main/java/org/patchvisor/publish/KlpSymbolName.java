package org.patchvisor.publish;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.patchvisor.elf.ElfFormatException;

/**
 * The name by which the livepatch core resolves an SHN_LIVEPATCH symbol: {@code .klp.sym.OBJNAME.SYMNAME,SYMPOS}
 * (Documentation/livepatch/module-elf-format.rst), OBJNAME being {@code vmlinux} or the module that defines the
 * symbol and SYMPOS its position among the object's symbols of that name (0 when unique). The kernel reads the
 * three parts back with {@code sscanf(".klp.sym.%55[^.].%511[^,],%lu")}; a name that does not survive that read
 * is refused here, while the patch is built, instead of failing the patch's load.
 */
final class KlpSymbolName {
    static final String PREFIX = ".klp.sym.";
    static final String VMLINUX = "vmlinux";
    /** MODULE_NAME_LEN - 1: the kernel reads at most this much of OBJNAME. */
    private static final int MAX_OBJECT_NAME = 55;
    /** KSYM_NAME_LEN - 1 (KSYM_NAME_LEN is 512 since Linux 5.19). */
    private static final int MAX_SYMBOL_NAME = 511;
    /** Module names are C identifiers (kbuild turns '-' into '_'), so they hold no '.' the kernel stops at. */
    private static final Pattern OBJECT = Pattern.compile("[A-Za-z0-9_]+");
    /** A kallsyms name: printable, no blank, no ',' (the kernel stops at the first). */
    private static final Pattern SYMBOL = Pattern.compile("[\\x21-\\x2b\\x2d-\\x7e]+");
    private static final Pattern POSITION = Pattern.compile("0|[1-9][0-9]{0,8}");
    private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "([^.]*)\\.([^,]*),(.*)",
            Pattern.DOTALL);

    private final String object;
    private final String symbol;
    private final int position;

    private KlpSymbolName(String object, String symbol, int position) {
        this.object = object;
        this.symbol = symbol;
        this.position = position;
    }

    /** The klp name of {@code symbol} in {@code object} at {@code position}, if the kernel can read it back. */
    static KlpSymbolName of(String object, String symbol, Integer position) throws ElfFormatException {
        String shown = PREFIX + object + "." + symbol + "," + position;
        check(object, symbol, shown);
        if (position == null || position < 0) {
            throw malformed(shown, "the position must be a decimal of 0 or more");
        }
        return new KlpSymbolName(object, symbol, position);
    }

    /** Reads a name that is meant to be a klp symbol name (it starts with {@link #PREFIX}). */
    static KlpSymbolName parse(String name) throws ElfFormatException {
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
            throw malformed(name, "expected .klp.sym.OBJNAME.SYMNAME,POS");
        }
        check(m.group(1), m.group(2), name);
        if (!POSITION.matcher(m.group(3)).matches()) {
            throw malformed(name, "the position \"" + m.group(3) + "\" is not a decimal of 0 or more without leading"
                    + " zeros (at most 9 digits)");
        }
        return new KlpSymbolName(m.group(1), m.group(2), Integer.parseInt(m.group(3)));
    }

    /**
     * True for the klp symbol of a module's symbol: the livepatch core resolves it only when that module loads,
     * after the patch module's own alternatives and jump labels were set up.
     */
    static boolean ofModule(String name) {
        Matcher m = NAME.matcher(name);
        return m.matches() && !VMLINUX.equals(m.group(1));
    }

    /** {@code vmlinux} or the module name: the object whose .klp.rela sections carry relocations against it. */
    String object() {
        return object;
    }

    String name() {
        return PREFIX + object + "." + symbol + "," + position;
    }

    private static void check(String object, String symbol, String shown) throws ElfFormatException {
        if (object == null || !OBJECT.matcher(object).matches() || object.length() > MAX_OBJECT_NAME) {
            throw malformed(shown, "the object name must be vmlinux or a module name of letters, digits and '_' (at"
                    + " most " + MAX_OBJECT_NAME + ")");
        }
        if (symbol == null || !SYMBOL.matcher(symbol).matches() || symbol.length() > MAX_SYMBOL_NAME) {
            throw malformed(shown, "the symbol name must be 1 to " + MAX_SYMBOL_NAME + " printable characters"
                    + " without blanks or ','");
        }
    }

    private static ElfFormatException malformed(String name, String why) {
        StringBuilder shown = new StringBuilder();
        name.chars().forEach(c -> shown.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c)
                : String.format("\\u%04x", c)));
        return new ElfFormatException("malformed livepatch symbol name \"" + shown + "\": " + why);
    }

    @Override
    public String toString() {
        return name();
    }
}
