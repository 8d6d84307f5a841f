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
 * sections, so an added one would silently not exist: it is refused.
 */
final class AddedDeclarations {
    private static final Pattern KSYMTAB_SECTION = Pattern.compile("___ksymtab[^+]*\\+(.+)");
    private static final String PARAMETER = "__param_";
    private static final List<String> EXPORT_ENTRIES = List.of("__ksymtab_", "__export_symbol_");

    private AddedDeclarations() {
    }

    /** One line per parameter or export {@code builds} has with the fix and not without it. */
    static List<String> of(UnitBuilds builds) throws ElfFormatException {
        List<String> added = new ArrayList<>();
        Set<String> parameters = parameters(builds.postElf());
        parameters.removeAll(parameters(builds.preElf()));
        parameters.forEach(p -> added.add("the fix adds module parameter " + p + ", which a live patch cannot add "
                + "(the kernel reads parameters only when it boots or loads the module)"));
        Set<String> exports = exports(builds.postElf());
        exports.removeAll(exports(builds.preElf()));
        exports.forEach(e -> added.add("the fix exports " + e + ", which a live patch cannot do (modules that "
                + "need it would not find it)"));
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
