package org.patchvisor.io;

import java.nio.file.Path;

/**
 * How large a file patchvisor reads whole into memory may be: a quarter of the heap, since {@code diff} holds two
 * builds at once and parsing needs room beside the bytes. Refusing by size up front turns what would be an
 * out-of-memory error half-way through into one line that says the limit and how to raise it (the launcher's
 * heap is small, {@code -Xmx256m}, for a fast start).
 */
public record HeapShare(long maxHeapBytes) {
    private static final long MIB = 1L << 20;

    /** The share of this JVM's heap. */
    public static HeapShare ofThisJvm() {
        return new HeapShare(Runtime.getRuntime().maxMemory());
    }

    /** The largest file read whole. */
    public long perFile() {
        return maxHeapBytes / 4;
    }

    /** The refusal of a file of {@code size} bytes that does not fit this share. */
    public UnsafeFileException tooLarge(Path file, long size) {
        long neededMib = (size * 4 + MIB - 1) / MIB;
        return new UnsafeFileException(file, "has " + size + " bytes, more than the " + RegularFiles.describeSize(
                perFile() / MIB * MIB) + " patchvisor reads into memory with a " + maxHeapBytes / MIB
                + " MiB heap; raise the heap with PATCHVISOR_JAVA_OPTS=-Xmx" + Math.max(neededMib, 1) + "m");
    }
}
