package org.patchvisor.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.patchvisor.io.AtomicFiles;
import org.patchvisor.io.RegularFiles;

/**
 * Keeps {@link GuestRecord}s in {@code <state-dir>/guests/records.json}: read as a small regular file only
 * ({@link RegularFiles}), written atomically with the records of one run merged over the others.
 */
public final class GuestRecordStore {
    /** Room for thousands of guests with a few patches each; a larger file is not ours. */
    static final long MAX_BYTES = 16L << 20;

    record File(List<GuestRecord> guests) {
        File {
            guests = guests == null ? List.of() : List.copyOf(guests);
        }
    }

    private final Path file;

    public GuestRecordStore(Path stateDir) {
        this.file = stateDir.resolve("guests").resolve("records.json");
    }

    /** Every guest recorded, by key. */
    public synchronized Map<String, GuestRecord> all() throws IOException {
        Optional<byte[]> bytes = RegularFiles.readIfPresent(file, MAX_BYTES, RegularFiles.Links.REFUSE);
        Map<String, GuestRecord> byKey = new TreeMap<>();
        if (bytes.isEmpty()) {
            return byKey;
        }
        try {
            StateJson.MAPPER.readValue(bytes.get(), File.class).guests().forEach(g -> byKey.put(g.key(), g));
        } catch (JsonProcessingException | IllegalArgumentException | NullPointerException e) {
            throw new StateCorruptException(file, "not a guest record file");
        }
        return byKey;
    }

    /** Replaces the records of {@code updated} guests, keeping every other guest's. */
    public synchronized void update(Collection<GuestRecord> updated) throws IOException {
        if (updated.isEmpty()) {
            return;
        }
        Map<String, GuestRecord> byKey = all();
        updated.forEach(g -> byKey.put(g.key(), g));
        AtomicFiles.write(file, StateJson.MAPPER.writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(new File(new ArrayList<>(byKey.values()))));
    }
}
