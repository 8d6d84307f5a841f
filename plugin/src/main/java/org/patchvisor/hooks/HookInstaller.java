package org.patchvisor.hooks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.patchvisor.io.AtomicFiles;

/**
 * Puts patchvisor's libvirt hook into the per-daemon hook directories ({@code qemu.d/} always, {@code lxc.d/} and
 * {@code libxl.d/} where that daemon is configured) and takes it out again. Other hooks in those directories, and
 * the classic single-file hooks, are never touched: a foreign file where ours goes is a conflict, not a target.
 */
public final class HookInstaller {
    /** The file name of our hook in each {@code <daemon>.d/} directory. */
    public static final String FILE_NAME = "patchvisor";
    /** The line that marks a hook file as ours; uninstall removes only files carrying it. */
    static final String MARKER = "# patchvisor-hook v1";
    public static final Path DEFAULT_HOOKS_DIR = Path.of("/etc/libvirt/hooks");
    public static final Path DEFAULT_SPOOL = Path.of("/var/spool/patchvisor/events");
    private static final String RESOURCE = "patchvisor-hook.sh";

    /** What happened to one hook file. */
    public enum Action { INSTALLED, UPDATED, UNCHANGED, REMOVED, ABSENT, CONFLICT }

    /** One hook file and what was done to it. */
    public record Change(Path file, Action action) {
    }

    private final Path hooksDir;

    public HookInstaller(Path hooksDir) {
        this.hooksDir = hooksDir;
    }

    /** The hook script with the spool directory filled in. */
    public static String script(Path spool) {
        String path = spool.toAbsolutePath().normalize().toString();
        if (path.contains("'") || path.contains("\n")) {
            throw new IllegalArgumentException("the spool path may not contain quotes or newlines: " + path);
        }
        try (InputStream in = HookInstaller.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the hook script is missing from this build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("@SPOOL@", path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code <daemon>.d/} directories the hook belongs in: qemu always, lxc and libxl when configured here. */
    public List<Path> targetDirs() {
        List<Path> dirs = new ArrayList<>();
        dirs.add(hooksDir.resolve("qemu.d"));
        for (String daemon : List.of("lxc", "libxl")) {
            Path dir = hooksDir.resolve(daemon + ".d");
            Path conf = hooksDir.toAbsolutePath().getParent() == null ? null
                    : hooksDir.toAbsolutePath().getParent().resolve(daemon + ".conf");
            if (Files.isDirectory(dir) || (conf != null && Files.isRegularFile(conf))) {
                dirs.add(dir);
            }
        }
        return dirs;
    }

    /**
     * Installs or refreshes our hook in every target directory. Idempotent: an identical hook is left as it is.
     * A file of the same name that is not ours is reported as {@link Action#CONFLICT} and left untouched.
     */
    public List<Change> install(Path spool) throws IOException {
        byte[] content = script(spool).getBytes(StandardCharsets.UTF_8);
        List<Change> changes = new ArrayList<>();
        for (Path dir : targetDirs()) {
            Path file = dir.resolve(FILE_NAME);
            Action action;
            if (Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                if (!isOurs(file)) {
                    changes.add(new Change(file, Action.CONFLICT));
                    continue;
                }
                action = java.util.Arrays.equals(Files.readAllBytes(file), content) && Files.isExecutable(file)
                        ? Action.UNCHANGED : Action.UPDATED;
            } else {
                action = Action.INSTALLED;
            }
            if (action != Action.UNCHANGED) {
                Files.createDirectories(dir);
                AtomicFiles.write(file, content);
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            changes.add(new Change(file, action));
        }
        return changes;
    }

    /** Removes our hook wherever it is; a foreign file of the same name is a conflict and stays. */
    public List<Change> uninstall() throws IOException {
        List<Change> changes = new ArrayList<>();
        for (String daemon : List.of("qemu", "lxc", "libxl")) {
            Path file = hooksDir.resolve(daemon + ".d").resolve(FILE_NAME);
            if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                if (daemon.equals("qemu")) {
                    changes.add(new Change(file, Action.ABSENT));
                }
                continue;
            }
            if (isOurs(file)) {
                Files.delete(file);
                changes.add(new Change(file, Action.REMOVED));
            } else {
                changes.add(new Change(file, Action.CONFLICT));
            }
        }
        return changes;
    }

    private static boolean isOurs(Path file) throws IOException {
        if (!Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (var lines = Files.lines(file, StandardCharsets.ISO_8859_1)) {
            return lines.limit(3).anyMatch(line -> line.startsWith(MARKER));
        }
    }
}
