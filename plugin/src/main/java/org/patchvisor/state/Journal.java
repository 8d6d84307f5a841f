package org.patchvisor.state;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.patchvisor.io.AtomicFiles;
import org.patchvisor.io.RegularFiles;
import org.patchvisor.io.Utf8Text;
import org.patchvisor.model.KernelId;

/**
 * The append-only operation journal ({@code journal.jsonl}): one JSON line per step, each forced to disk
 * before the step is taken, so a run killed at any point leaves a record of how far it got. The next run
 * asks {@link #pending()} and settles each leftover with {@link Reconciler}.
 *
 * <p>A line cut short by a kill mid-append is ignored when reading and dropped before the next append: that
 * step was never confirmed, so the operation simply reads as one phase earlier. Damage anywhere else is
 * reported, never skipped. The journal is read and appended to as a regular file only, bounded, never through
 * a link ({@link RegularFiles}).
 */
public final class Journal {

    static final String FILE_NAME = "journal.jsonl";
    static final int DEFAULT_KEEP_FINISHED = 1000;
    /**
     * An operation takes four to six lines of about 250 bytes, so 64 MiB holds tens of thousands of them, far more
     * than a host makes; a larger journal (or a link to {@code /dev/zero}, refused before that) is not read.
     */
    static final long MAX_BYTES = 64L << 20;

    private final Path file;
    private final Clock clock;
    private final long pid;
    private final int keepFinished;

    public Journal(Path stateDir) {
        this(stateDir, Clock.systemUTC());
    }

    /** This process's journal, each line stamped on {@code clock}. */
    public Journal(Path stateDir, Clock clock) {
        this(stateDir, clock, ProcessHandle.current().pid(), DEFAULT_KEEP_FINISHED);
    }

    /**
     * @param keepFinished how many finished operations {@link #compact()} keeps; pending ones are always kept
     */
    public Journal(Path stateDir, Clock clock, long pid, int keepFinished) {
        this.file = stateDir.resolve(FILE_NAME);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.pid = pid;
        if (keepFinished < 0) {
            throw new IllegalArgumentException("keepFinished must not be negative: " + keepFinished);
        }
        this.keepFinished = keepFinished;
    }

    public Path file() {
        return file;
    }

    /** Records the start of an operation and returns its id, which later {@link #phase} calls refer to. */
    public synchronized long begin(Operation op, String patchName, KernelId kernel) throws IOException {
        return begin(op, patchName, kernel, null);
    }

    /** As {@link #begin(Operation, String, KernelId)}, naming the sha256 of the module an APPLY loads. */
    public synchronized long begin(Operation op, String patchName, KernelId kernel, String module) throws IOException {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(kernel, "kernel");
        if (patchName == null || patchName.isBlank()) {
            throw new IllegalArgumentException("journal entry needs a patch name");
        }
        long id = read().lines().stream().mapToLong(Line::id).max().orElse(0) + 1;
        append(new Line(id, op, patchName, KernelRecord.of(kernel), Phase.STARTED, pid, clock.instant(), module));
        return id;
    }

    /** Records that operation {@code id} reached {@code phase}. */
    public synchronized void phase(long id, Phase phase) throws IOException {
        Objects.requireNonNull(phase, "phase");
        if (phase == Phase.STARTED) {
            throw new IllegalArgumentException("STARTED is written by begin(), not phase()");
        }
        JournalEntry entry = read().entries().get(id);
        if (entry == null) {
            throw new IllegalArgumentException("no journalled operation with id " + id + " in " + file);
        }
        if (entry.phase().terminal()) {
            throw new IllegalStateException("operation " + id + " (" + entry.operation() + " " + entry.patchName()
                    + ") already ended " + entry.phase() + "; cannot move it to " + phase);
        }
        append(new Line(id, null, null, null, phase, pid, clock.instant(), null));
    }

    /** Operations begun whose last phase is not terminal, oldest first. */
    public synchronized List<JournalEntry> pending() throws IOException {
        return read().entries().values().stream().filter(JournalEntry::pending).collect(Collectors.toList());
    }

    /** Every operation still in the journal, oldest first. */
    public synchronized List<JournalEntry> entries() throws IOException {
        return List.copyOf(read().entries().values());
    }

    /**
     * Rewrites the journal keeping every pending operation and the most recent finished ones, so the file
     * stays bounded. Also drops a torn last line.
     */
    public synchronized void compact() throws IOException {
        Contents contents = read();
        List<Long> finished = contents.entries().values().stream()
                .filter(e -> !e.pending()).map(JournalEntry::id).collect(Collectors.toList());
        Set<Long> dropped = Set.copyOf(finished.subList(0, Math.max(0, finished.size() - keepFinished)));
        StringBuilder kept = new StringBuilder();
        for (Line line : contents.lines()) {
            if (!dropped.contains(line.id())) {
                kept.append(StateJson.MAPPER.writeValueAsString(line)).append('\n');
            }
        }
        AtomicFiles.write(file, kept.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void append(Line line) throws IOException {
        byte[] bytes = (StateJson.MAPPER.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
        Files.createDirectories(file.toAbsolutePath().getParent());
        boolean created = !Files.exists(file, LinkOption.NOFOLLOW_LINKS);
        try (FileChannel channel = RegularFiles.openOwned(file)) {
            long end = completeLength(channel);
            if (end < channel.size()) {
                channel.truncate(end);
            }
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            long position = end;
            while (buffer.hasRemaining()) {
                position += channel.write(buffer, position);
            }
            channel.force(false);
        }
        if (created) {
            AtomicFiles.syncDirectory(file.toAbsolutePath().getParent());
        }
    }

    /** Length of the file up to and including its last newline: everything after it is a torn append. */
    private static long completeLength(FileChannel channel) throws IOException {
        long size = channel.size();
        ByteBuffer chunk = ByteBuffer.allocate(4096);
        long pos = size;
        while (pos > 0) {
            int n = (int) Math.min(chunk.capacity(), pos);
            pos -= n;
            chunk.clear().limit(n);
            while (chunk.hasRemaining()) {
                if (channel.read(chunk, pos + chunk.position()) < 0) {
                    break;
                }
            }
            for (int i = chunk.position() - 1; i >= 0; i--) {
                if (chunk.get(i) == '\n') {
                    return pos + i + 1;
                }
            }
        }
        return 0;
    }

    private Contents read() throws IOException {
        Optional<byte[]> bytes = RegularFiles.readIfPresent(file, MAX_BYTES, RegularFiles.Links.REFUSE);
        if (bytes.isEmpty()) {
            return new Contents(List.of(), Map.of());
        }
        String text;
        try {
            text = Utf8Text.decode(file, bytes.get());
        } catch (Utf8Text.NotUtf8Exception e) {
            throw new StateCorruptException(file, "line " + e.line() + " is not UTF-8");
        }
        int complete = text.lastIndexOf('\n') + 1; // a tail without newline was torn by a kill mid-append
        List<Line> lines = new ArrayList<>();
        Map<Long, JournalEntry> entries = new LinkedHashMap<>();
        int lineNumber = 0;
        for (String raw : text.substring(0, complete).split("\n")) {
            lineNumber++;
            if (raw.isBlank()) {
                continue;
            }
            Line line = parse(raw, lineNumber);
            lines.add(line);
            if (line.phase() == Phase.STARTED) {
                if (line.op() == null || line.patch() == null || line.kernel() == null) {
                    throw new StateCorruptException(file, "line " + lineNumber + " begins an operation without"
                            + " naming its operation, patch and kernel");
                }
                entries.put(line.id(), new JournalEntry(line.id(), line.op(), line.patch(),
                        line.kernel().toKernelId(), Phase.STARTED, line.pid(), line.at(), line.at(), line.module()));
            } else {
                // a phase whose beginning was compacted away has nothing left to reconcile
                entries.computeIfPresent(line.id(), (id, entry) -> entry.withPhase(line.phase(), line.at()));
            }
        }
        return new Contents(lines, entries);
    }

    private Line parse(String raw, int lineNumber) throws StateCorruptException {
        try {
            Line line = StateJson.MAPPER.readValue(raw, Line.class);
            if (line == null || line.phase() == null || line.at() == null) {
                throw new StateCorruptException(file, "line " + lineNumber + " has no phase or time");
            }
            return line;
        } catch (JsonProcessingException e) {
            throw new StateCorruptException(file, "line " + lineNumber + ": " + e.getOriginalMessage());
        }
    }

    private record Contents(List<Line> lines, Map<Long, JournalEntry> entries) {
    }

    /** One journal line. Only the STARTED line names the operation, patch and kernel. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Line(long id, Operation op, String patch, KernelRecord kernel, Phase phase, long pid, Instant at,
            String module) {
    }
}
