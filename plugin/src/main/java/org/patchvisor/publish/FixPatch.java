package org.patchvisor.publish;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An upstream fix as a unified diff against the kernel source (plain {@code diff -u} or {@code git diff}, paths
 * with one leading component, applied with {@code patch -p1}): which files it touches, and of those which are
 * compilation units. Paths are checked here, before anything runs, so a fix can never reach outside the tree.
 */
public record FixPatch(Path file, List<Touched> touched) {

    /** One file the fix changes; {@code before}/{@code after} say whether it exists on that side. */
    public record Touched(String path, boolean before, boolean after) {
        public boolean compilationUnit() {
            return path.endsWith(".c");
        }

        /** The object kbuild makes from this unit: {@code fs/proc/version.c} → {@code fs/proc/version.o}. */
        public String object() {
            return path.substring(0, path.length() - 2) + ".o";
        }
    }

    public FixPatch {
        touched = List.copyOf(touched);
    }

    public static FixPatch read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new BuildException(BuildException.Reason.REFUSED, "no fix at " + file);
        }
        return parse(file, Files.readString(file, StandardCharsets.ISO_8859_1));
    }

    static FixPatch parse(Path file, String text) throws BuildException {
        Map<String, Touched> touched = new LinkedHashMap<>();
        String minus = null;
        for (String line : text.split("\n", -1)) {
            if (line.startsWith("--- ")) {
                minus = pathOf(line.substring(4));
            } else if (line.startsWith("+++ ") && minus != null) {
                String plus = pathOf(line.substring(4));
                boolean before = !"/dev/null".equals(minus);
                boolean after = !"/dev/null".equals(plus);
                String path = stripped(file, after ? plus : minus);
                touched.put(path, new Touched(path, before, after));
                minus = null;
            } else {
                minus = null;
            }
        }
        if (touched.isEmpty()) {
            throw new BuildException(BuildException.Reason.REFUSED, file + " is not a unified diff (no ---/+++ lines)");
        }
        return new FixPatch(file, new ArrayList<>(touched.values()));
    }

    /** The compilation units the fix touches, in the order it names them. */
    public List<Touched> units() {
        return touched.stream().filter(Touched::compilationUnit).toList();
    }

    /** Touched files that are not compilation units (headers, Makefiles, Kconfig). */
    public List<Touched> others() {
        return touched.stream().filter(t -> !t.compilationUnit()).toList();
    }

    private static String pathOf(String header) {
        int tab = header.indexOf('\t');
        String path = tab >= 0 ? header.substring(0, tab) : header;
        // diff -u puts a timestamp after the name separated by whitespace; git quotes nothing for plain names.
        int space = path.indexOf(' ');
        return (space >= 0 ? path.substring(0, space) : path).strip();
    }

    private static String stripped(Path file, String path) throws BuildException {
        int slash = path.indexOf('/');
        if (slash <= 0 || slash == path.length() - 1) {
            throw new BuildException(BuildException.Reason.REFUSED, file + ": path '" + path
                    + "' has no leading component to strip (expected a/... b/..., applied with patch -p1)");
        }
        if (!insideTree(path.substring(slash + 1))) {
            throw new BuildException(BuildException.Reason.REFUSED, file + ": path '" + path
                    + "' leaves or does not name a file in the kernel tree");
        }
        return path.substring(slash + 1);
    }

    /** Whether {@code path} names a file inside the kernel tree: relative, no {@code .}, {@code ..} or empty parts. */
    static boolean insideTree(String path) {
        for (String part : path.split("/", -1)) {
            if (part.equals("..") || part.isEmpty() || part.equals(".")) {
                return false;
            }
        }
        return true;
    }
}
