package org.patchvisor.publish;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.patchvisor.io.ProcessRunner;

/**
 * The compilation units a changed header reaches directly. A fix to a static inline function or a macro in a
 * header changes the code of every unit that includes it, and a live patch that replaces only the functions of the
 * .c files the fix names would leave stale copies behind. The units are found as the compiler would: every .c
 * file of the tree whose {@code #include} resolves to the header (a quoted name beside the file, or the name under
 * {@code include/} or the kernel architecture's {@code arch/ARCH/include/}), narrowed to those kbuild builds under
 * the kernel's configuration. Units that reach the header only through another header are not found.
 */
final class HeaderDependents {
    private static final Pattern INCLUDE = Pattern.compile("^\\s*#\\s*include\\s*([<\"])([^>\"]+)[>\"]");
    private static final Duration GREP_TIMEOUT = Duration.ofMinutes(5);

    /**
     * The units of this kernel that include {@code header}, the directories kbuild could not be asked about, and how
     * many .c files include it at all; {@code narrowed} is false when there were too many to ask kbuild about.
     */
    record Found(String header, List<String> units, List<String> unreadable, int includers, boolean narrowed) {
        Found {
            units = List.copyOf(units);
            unreadable = List.copyOf(unreadable);
        }
    }

    private final Path tree;
    private final ProcessRunner processes;
    private final KbuildObjects kbuild;

    HeaderDependents(Path tree, ProcessRunner processes, KbuildObjects kbuild) {
        this.tree = tree;
        this.processes = processes;
        this.kbuild = kbuild;
    }

    /** Finds the units; with more than {@code askAtMost} includers kbuild is not asked and nothing is narrowed. */
    Found find(String header, int askAtMost) throws IOException {
        List<String> names = includeNames(header, kbuild.arch());
        Map<String, List<String>> byDirectory = new LinkedHashMap<>();
        for (String unit : candidates(header)) {
            // tools/ carries copies of kernel headers, and another architecture's units are never built: neither
            // counts towards the includers, nor costs a make run.
            if (!kbuild.outsideTheKernel(unit) && includes(unit, header, names)) {
                int slash = unit.lastIndexOf('/');
                byDirectory.computeIfAbsent(slash < 0 ? "." : unit.substring(0, slash), d -> new ArrayList<>())
                        .add(unit);
            }
        }
        int includers = byDirectory.values().stream().mapToInt(List::size).sum();
        if (includers > askAtMost) {
            return new Found(header, List.of(), List.of(), includers, false);
        }
        Set<String> units = new TreeSet<>();
        List<String> unreadable = new ArrayList<>();
        for (Map.Entry<String, List<String>> dir : byDirectory.entrySet()) {
            if (kbuild.in(dir.getKey()).isEmpty()) {
                unreadable.add(dir.getKey());
                continue;
            }
            for (String unit : dir.getValue()) {
                if (kbuild.builds(unit).orElse(false)) {
                    units.add(unit);
                }
            }
        }
        return new Found(header, new ArrayList<>(units), unreadable, includers, true);
    }

    /**
     * The names {@code <...>} resolves to {@code header} under: {@code include/linux/fs.h} is {@code linux/fs.h},
     * as are {@code include/uapi/linux/fs.h} and {@code arch/x86/include/asm/x.h} is {@code asm/x.h} for x86.
     */
    static List<String> includeNames(String header, Optional<String> arch) {
        for (String base : List.of("include/uapi/", "include/")) {
            if (header.startsWith(base)) {
                return List.of(header.substring(base.length()));
            }
        }
        if (arch.isPresent()) {
            for (String base : List.of("arch/" + arch.get() + "/include/uapi/", "arch/" + arch.get() + "/include/")) {
                if (header.startsWith(base)) {
                    return List.of(header.substring(base.length()));
                }
            }
        }
        return List.of();
    }

    /** Whether one of {@code unit}'s includes is the header: quoted beside the unit, or by one of its names. */
    static boolean includes(String unit, String header, List<String> names, List<String> lines) {
        Path beside = Path.of(unit).getParent();
        for (String line : lines) {
            Matcher m = INCLUDE.matcher(line);
            if (!m.find()) {
                continue;
            }
            String name = m.group(2).strip();
            boolean quoted = m.group(1).equals("\"");
            if (names.contains(name)) {
                return true;
            }
            if (quoted) {
                Path resolved = (beside == null ? Path.of(name) : beside.resolve(name)).normalize();
                if (resolved.toString().equals(header)) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean includes(String unit, String header, List<String> names) throws IOException {
        List<String> lines;
        try (Stream<String> all = Files.lines(tree.resolve(unit), StandardCharsets.ISO_8859_1)) {
            lines = all.filter(l -> l.contains("include")).toList();
        }
        return includes(unit, header, names, lines);
    }

    /** .c files with an include line naming the header's file name: grep reads the ~35,000 units fastest. */
    private List<String> candidates(String header) throws IOException {
        StringBuilder file = new StringBuilder();
        for (char c : header.substring(header.lastIndexOf('/') + 1).toCharArray()) {
            // A bracket makes any character literal in an extended regular expression (. + - in file names).
            file.append(Character.isLetterOrDigit(c) ? String.valueOf(c) : "[" + c + "]");
        }
        String pattern = "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]([^<>\"]*/)?" + file + "[>\"]";
        String prefix = tree + "/";
        ProcessRunner.Result grep = processes.run(List.of("grep", "-rlE", "--include=*.c", "-e", pattern,
                tree.toString()), GREP_TIMEOUT);
        if (grep.exitCode() > 1) {
            throw new IOException("searching " + tree + " for units that include " + header + " failed: "
                    + grep.stderr().strip());
        }
        return grep.stdout().lines().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()))
                .sorted().toList();
    }
}
