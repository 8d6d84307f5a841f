package org.patchvisor.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.Optional;
import org.patchvisor.io.RegularFiles;
import org.patchvisor.io.UnsafeFileException;
import org.patchvisor.time.Deadline;
import org.patchvisor.time.Ticker;

/**
 * Guarantees that two patchvisor runs never interleave on one machine: an exclusive lock on
 * {@code <stateDir>/lock}. The lock is the kernel's (fcntl), so it disappears with its holder even after a
 * kill -9, and no stale-lock heuristics are needed. While held, the file names the holder (pid, operation,
 * start time) so that a run which gives up can say who is in the way.
 *
 * <p>The file itself is never deleted: unlinking a lock file lets a waiter lock a stale inode. Nor is it ever
 * opened through a symbolic link, or when it is not a regular file: the directory (a spool, a source cache) may be
 * writable by others, and a link planted there would have the holder record written over, and truncated, whatever
 * file the link names ({@link LockFileException}).
 */
public final class RunLock implements AutoCloseable {

    static final String FILE_NAME = "lock";
    /** A holder record is one short JSON line; anything longer was not written by patchvisor. */
    private static final long HOLDER_MAX_BYTES = 4096;
    private static final Duration POLL = Duration.ofMillis(100);
    private static final DateTimeFormatter SINCE_TODAY = DateTimeFormatter.ofPattern("HH:mm:ssX").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter SINCE_EARLIER =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ssX").withZone(ZoneOffset.UTC);

    /** What the lock file says about its holder. */
    record Holder(long pid, String operation, Instant since) {
    }

    private final FileChannel channel;
    private final FileLock lock;
    private final Holder holder;

    private RunLock(FileChannel channel, FileLock lock, Holder holder) {
        this.channel = channel;
        this.lock = lock;
        this.holder = holder;
    }

    /** Takes the lock for {@code operation}, waiting up to {@code maxWait} (zero: fail at once). */
    public static RunLock acquire(Path stateDir, String operation, Duration maxWait) throws IOException {
        return acquire(stateDir, operation, maxWait, Clock.systemUTC(), Ticker.SYSTEM);
    }

    static RunLock acquire(Path stateDir, String operation, Duration maxWait, Clock clock) throws IOException {
        return acquire(stateDir, operation, maxWait, clock, Ticker.SYSTEM);
    }

    /**
     * As {@link #acquire(Path, String, Duration)}, the holder's start time read on {@code clock} and the wait
     * measured and slept on {@code ticker}.
     */
    public static RunLock acquire(Path stateDir, String operation, Duration maxWait, Clock clock, Ticker ticker)
            throws IOException {
        Objects.requireNonNull(operation, "operation");
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("lock wait must not be negative: " + maxWait);
        }
        Files.createDirectories(stateDir);
        Path file = stateDir.resolve(FILE_NAME);
        try {
            return Deadline.after(ticker, maxWait).poll(POLL, () -> tryAcquire(file, operation, clock))
                    .orElseThrow(() -> new StateLockedException(describe(file, readHolder(file), clock)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for the patchvisor lock");
        }
    }

    /** One attempt: the lock, with this run recorded as its holder, or empty while another run holds it. */
    private static Optional<RunLock> tryAcquire(Path file, String operation, Clock clock) throws IOException {
        FileChannel channel = open(file);
        FileLock lock = null;
        try {
            lock = tryLock(channel);
            if (lock == null) {
                return Optional.empty();
            }
            Holder holder = new Holder(ProcessHandle.current().pid(), operation, clock.instant());
            record(channel, holder);
            return Optional.of(new RunLock(channel, lock, holder));
        } finally {
            if (lock == null) {
                channel.close();
            }
        }
    }

    public long pid() {
        return holder.pid();
    }

    public String operation() {
        return holder.operation();
    }

    public Instant since() {
        return holder.since();
    }

    /** Clears the holder record and releases the lock. */
    @Override
    public void close() throws IOException {
        try {
            if (channel.isOpen()) {
                channel.truncate(0);
                lock.release();
            }
        } finally {
            channel.close();
        }
    }

    private static FileChannel open(Path file) throws IOException {
        try {
            return RegularFiles.openOwned(file);
        } catch (UnsafeFileException e) {
            throw new LockFileException(e.getMessage() + "; refusing to lock through it (remove it if it is not yours)");
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null; // held by this JVM through another channel: busy all the same
        }
    }

    private static void record(FileChannel channel, Holder holder) throws IOException {
        byte[] text = StateJson.MAPPER.writeValueAsBytes(holder);
        channel.truncate(0);
        ByteBuffer buffer = ByteBuffer.wrap(text);
        long position = 0;
        while (buffer.hasRemaining()) {
            position += channel.write(buffer, position);
        }
        channel.force(false);
    }

    static Optional<Holder> readHolder(Path file) {
        try {
            String text = new String(RegularFiles.read(file, HOLDER_MAX_BYTES, RegularFiles.Links.REFUSE),
                    StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? Optional.empty() : Optional.of(StateJson.MAPPER.readValue(text, Holder.class));
        } catch (JsonProcessingException e) {
            return Optional.empty(); // the holder may be writing it right now
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static String describe(Path file, Optional<Holder> holder, Clock clock) {
        String who = holder.map(h -> "pid " + h.pid() + ", " + h.operation() + ", since " + since(h.since(), clock))
                .orElse("holder unknown");
        return "another patchvisor run holds " + file + " (" + who + ")";
    }

    private static String since(Instant since, Clock clock) {
        boolean recent = Duration.between(since, clock.instant()).abs().compareTo(Duration.ofHours(20)) < 0;
        return (recent ? SINCE_TODAY : SINCE_EARLIER).format(since);
    }
}
