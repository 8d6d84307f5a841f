package org.patchvisor.publish;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.patchvisor.elf.ElfFile;
import org.patchvisor.elf.ElfFormatException;
import org.patchvisor.elf.ElfSection;
import org.patchvisor.elf.ElfSymbol;

/**
 * What a fix may add to a unit's interface that a live patch cannot: a module parameter ({@code module_param}:
 * a {@code struct kernel_param} named {@code __param_NAME} in {@code __param}, which the kernel reads only when
 * it boots or loads the module) and an exported symbol ({@code EXPORT_SYMBOL}: a {@code ___ksymtab+NAME} section
 * with its {@code __ksymtab_NAME} entry, or {@code __export_symbol_NAME} in {@code .export_symbol} since 6.5,
 * which only the module loader's view of the object being loaded sees). The patch module never carries those
 * sections, so an added one would silently not exist: the comparison refuses it, for every unit the fix touches,
 * whether or not any of its functions changed.
 */
final class AddedDeclarations {
    private static final Pattern KSYMTAB_SECTION = Pattern.compile("___ksymtab[^+]*\\+(.+)");
    private static final String PARAMETER = "__param_";
    private static final List<String> EXPORT_ENTRIES = List.of("__ksymtab_", "__export_symbol_");

    private AddedDeclarations() {
    }

    /** The parameters and exports one object file declares, by name. */
    record Declared(Set<String> parameters, Set<String> exports) {
        static final Declared NONE = new Declared(Set.of(), Set.of());
    }

    static Declared declared(ElfFile elf) throws ElfFormatException {
        return new Declared(Set.copyOf(parameters(elf)), Set.copyOf(exports(elf)));
    }

    /** One refusal per parameter or export {@code post} declares and {@code pre} does not, in name order. */
    static List<Uncarriable> added(String file, ObjectImage pre, ObjectImage post) {
        List<Uncarriable> added = new ArrayList<>();
        Set<String> parameters = new TreeSet<>(post.declared().parameters());
        parameters.removeAll(pre.declared().parameters());
        parameters.forEach(p -> added.add(new Uncarriable(file, p, Uncarriable.Kind.INTERFACE, "the fix adds module "
                + "parameter " + p + ", which a live patch cannot add (the kernel reads parameters only when it "
                + "boots or loads the module)")));
        Set<String> exports = new TreeSet<>(post.declared().exports());
        exports.removeAll(pre.declared().exports());
        exports.forEach(e -> added.add(new Uncarriable(file, e, Uncarriable.Kind.INTERFACE, "the fix exports " + e
                + ", which a live patch cannot do (modules that need it would not find it)")));
        return added;
    }

    private static Set<String> parameters(ElfFile elf) throws ElfFormatException {
        Set<String> names = new TreeSet<>();
        for (ElfSymbol s : elf.symbols()) {
            if (s.name().startsWith(PARAMETER) && in(elf, s, "__param")) {
                names.add(s.name().substring(PARAMETER.length()));
            }
        }
        return names;
    }

    private static Set<String> exports(ElfFile elf) throws ElfFormatException {
        Set<String> names = new TreeSet<>();
        for (ElfSection section : elf.sections()) {
            Matcher m = KSYMTAB_SECTION.matcher(section.name());
            if (m.matches()) {
                names.add(m.group(1));
            }
        }
        for (ElfSymbol s : elf.symbols()) {
            for (String prefix : EXPORT_ENTRIES) {
                if (s.name().startsWith(prefix) && s.name().length() > prefix.length()
                        && (in(elf, s, "___ksymtab") || in(elf, s, "__ksymtab") || in(elf, s, ".export_symbol"))) {
                    names.add(s.name().substring(prefix.length()));
                }
            }
        }
        return names;
    }

    /** {@code s} is defined in a section whose name starts with {@code prefix}. */
    private static boolean in(ElfFile elf, ElfSymbol s, String prefix) throws ElfFormatException {
        return s.sectionIndex() != ElfSymbol.SHN_UNDEF && s.sectionIndex() < elf.sections().size()
                && elf.section(s.sectionIndex()).name().startsWith(prefix);
    }
}
