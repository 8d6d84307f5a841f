package org.patchvisor.publish;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.patchvisor.io.RegularFiles;

/**
 * Compares two builds: two object files, or two directories of {@code .o} files matched by relative path. An
 * object present on one side only counts as all of its functions added or removed.
 */
public final class BuildComparison {

    private BuildComparison() {
    }

    public static DiffReport compare(Path pre, Path post) throws IOException {
        boolean preDir = Files.isDirectory(pre);
        boolean postDir = Files.isDirectory(post);
        if (preDir != postDir) {
            throw new IllegalArgumentException("compare two object files or two directories, not "
                    + (preDir ? "a directory with a file" : "a file with a directory"));
        }
        if (!preDir) {
            requireFile(pre);
            requireFile(post);
            return ObjectDiff.compare(post.getFileName().toString(), ObjectImage.read(pre), ObjectImage.read(post));
        }
        TreeSet<String> names = new TreeSet<>(objects(pre));
        names.addAll(objects(post));
        DiffReport report = DiffReport.empty();
        for (String name : names) {
            Path before = pre.resolve(name);
            Path after = post.resolve(name);
            ObjectImage a = Files.isRegularFile(before) ? ObjectImage.read(before) : ObjectImage.empty();
            ObjectImage b = Files.isRegularFile(after) ? ObjectImage.read(after) : ObjectImage.empty();
            report = report.plus(ObjectDiff.compare(name, a, b));
        }
        return report;
    }

    /** Missing is "no such file"; a device such as /dev/zero, a FIFO or a socket is named for what it is. */
    private static void requireFile(Path file) throws IOException {
        RegularFiles.regularAttributes(file, RegularFiles.Links.FOLLOW);
    }

    private static TreeSet<String> objects(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            TreeSet<String> names = new TreeSet<>();
            walk.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().endsWith(".o"))
                    .forEach(p -> names.add(dir.relativize(p).toString()));
            return names;
        }
    }
}
