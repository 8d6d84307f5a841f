package org.patchvisor.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Crash-safe file replacement for the state directory. A reader, or the next run after a kill -9 or a power
 * cut, sees either the old file or the new one, never a mix: the content goes to a temp file in the same
 * directory, is forced to disk, renamed over the target atomically, and the directory entry is forced too.
 *
 * <p>Temp files carry the writer's pid ({@code .<name>.<pid>.<random>.tmp}), so a later write can remove
 * those left by a dead process without touching one that a live writer is still filling.
 */
public final class AtomicFiles {

    private static final String TMP_SUFFIX = ".tmp";
    private static final int COPY_BUFFER = 64 * 1024;
    /** What follows {@code .<name>.} in a temp file's name: the writer's pid and a random tag. */
    private static final Pattern TEMP_TAIL = Pattern.compile("([0-9]{1,18})\\.[0-9a-f]+\\.tmp");

    private AtomicFiles() {
    }

    /** Replaces {@code target} with {@code content} atomically and durably. */
    public static void write(Path target, byte[] content) throws IOException {
        Path tmp = prepare(target);
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            }
            commit(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Replaces {@code target} with a copy of {@code src} atomically and durably. */
    public static void copy(Path src, Path target) throws IOException {
        Path tmp = prepare(target);
        try {
            try (InputStream in = Files.newInputStream(src);
                 FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                byte[] chunk = new byte[COPY_BUFFER];
                int n;
                while ((n = in.read(chunk)) > 0) {
                    ByteBuffer buffer = ByteBuffer.wrap(chunk, 0, n);
                    while (buffer.hasRemaining()) {
                        out.write(buffer);
                    }
                }
                out.force(true);
            }
            commit(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Forces a directory's entries (a rename, a new file) to disk. */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static Path prepare(Path target) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Files.createDirectories(dir);
        String name = absolute.getFileName().toString();
        removeStaleTemps(dir, name);
        long pid = ProcessHandle.current().pid();
        String random = Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        Path tmp = dir.resolve("." + name + "." + pid + "." + random + TMP_SUFFIX);
        return Files.createFile(tmp);
    }

    private static void commit(Path tmp, Path target) throws IOException {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(target.toAbsolutePath().getParent());
    }

    /** Deletes temp files for {@code name} whose writing process no longer exists (killed mid-write). */
    private static void removeStaleTemps(Path dir, String name) throws IOException {
        String prefix = "." + name + ".";
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, entry -> {
            String n = entry.getFileName().toString();
            return n.startsWith(prefix) && n.endsWith(TMP_SUFFIX);
        })) {
            for (Path temp : temps) {
                String rest = temp.getFileName().toString().substring(prefix.length());
                Optional<Long> pid = writerPid(rest);
                if (pid.isPresent() && !processAlive(pid.get())) {
                    Files.deleteIfExists(temp);
                }
            }
        }
    }

    private static Optional<Long> writerPid(String rest) {
        Matcher m = TEMP_TAIL.matcher(rest);
        return m.matches() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }

    private static boolean processAlive(long pid) {
        // Our own pid counts as alive: another thread of this process may be filling that temp file.
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
