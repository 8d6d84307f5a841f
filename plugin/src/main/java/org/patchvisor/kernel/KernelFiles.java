package org.patchvisor.kernel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads small procfs and sysfs files the way the kernel expects: in large reads from offset 0.
 * {@code Files.readAllBytes} sees size 0 and probes with a one-byte read; an integer sysctl such as
 * /proc/sys/kernel/tainted answers a read at a non-zero offset with end-of-file, so "45056" came back as "4".
 */
public final class KernelFiles {
    private static final int CHUNK = 64 * 1024;
    private static final int MAX = 16 * 1024 * 1024;

    private KernelFiles() {
    }

    public static byte[] readBytes(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file)) {
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
            while (channel.read(buffer) >= 0) {
                if (!buffer.hasRemaining()) {
                    if (buffer.capacity() >= MAX) {
                        throw new IOException(file + " is larger than " + MAX + " bytes");
                    }
                    buffer = ByteBuffer.allocate(buffer.capacity() * 2).put(buffer.flip());
                }
            }
            return Arrays.copyOf(buffer.array(), buffer.position());
        }
    }

    /** The file's text, trimmed. */
    public static String read(Path file) throws IOException {
        return new String(readBytes(file), StandardCharsets.UTF_8).trim();
    }
}
