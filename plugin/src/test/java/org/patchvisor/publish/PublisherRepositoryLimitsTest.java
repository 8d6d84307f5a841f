package org.patchvisor.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.io.HeapShare;
import org.patchvisor.io.UnsafeFileException;

/** {@code repo add} refuses by size before reading a byte: sparse files stand in for huge modules. */
class PublisherRepositoryLimitsTest {
    private static final BundleSpec SPEC = new BundleSpec(List.of(), List.of(), Optional.empty(), Optional.empty(),
            List.of(), 1, List.of());

    @TempDir
    Path tmp;
    PublisherRepository repository;

    @BeforeEach
    void init() throws IOException {
        repository = new PublisherRepository(tmp.resolve("repo"), module -> fail("inspected " + module),
                Clock.systemUTC());
        repository.init();
    }

    private Path sparse(long length) throws IOException {
        Path file = tmp.resolve("livepatch_big.ko");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(length);
        }
        return file;
    }

    @Test
    void aModuleLargerThanHostsDownloadIsRefused() throws IOException {
        Path module = sparse(400_000_000L);
        PublishException e = assertThrows(PublishException.class,
                () -> repository.add(module, SPEC, new HeapShare(64L << 30)));
        assertEquals(module + " has 400000000 bytes, more than the 256 MiB a host downloads; no host could fetch it",
                e.getMessage());
    }

    @Test
    void aModuleThatDoesNotFitTheHeapIsRefusedWithTheWayToRaiseIt() throws IOException {
        Path module = sparse(100_000_000L);
        UnsafeFileException e = assertThrows(UnsafeFileException.class,
                () -> repository.add(module, SPEC, new HeapShare(256L << 20)));
        assertEquals(module + " has 100000000 bytes, more than the 64 MiB patchvisor reads into memory with a"
                + " 256 MiB heap; raise the heap with PATCHVISOR_JAVA_OPTS=-Xmx382m", e.getMessage());
    }
}
