package org.patchvisor.elf;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Parses a stream of ELF notes as found in an SHT_NOTE section or in {@code /sys/kernel/notes} (which is
 * the kernel's own note section, in the machine's byte order). The kernel build-id is read from there.
 */
public final class ElfNotes {
    private static final int HEADER = 12;

    private ElfNotes() {
    }

    /** Notes with the usual 4-byte alignment of names and descriptors. */
    public static List<ElfNote> parse(byte[] notes, ByteOrder order) throws ElfFormatException {
        return parse(notes, order, 4);
    }

    /**
     * Notes whose descriptor and next note start on an {@code alignment} boundary (4, or 8 for some ELF64 note
     * sections such as .note.gnu.property).
     * Zero bytes after the last note are accepted as section padding.
     */
    public static List<ElfNote> parse(byte[] notes, ByteOrder order, int alignment) throws ElfFormatException {
        if (alignment != 4 && alignment != 8) {
            throw new IllegalArgumentException("note alignment must be 4 or 8, not " + alignment);
        }
        ElfReader in = new ElfReader(notes, order);
        List<ElfNote> result = new ArrayList<>();
        long offset = 0;
        while (offset < notes.length) {
            if (notes.length - offset < HEADER) {
                if (allZero(notes, (int) offset)) {
                    break;
                }
                throw new ElfFormatException(String.format(
                        "truncated ELF note at 0x%x: %d bytes left, a note header needs %d",
                        offset, notes.length - offset, HEADER));
            }
            long nameSize = in.u32(offset, "note name size");
            long descSize = in.u32(offset + 4, "note descriptor size");
            long type = in.u32(offset + 8, "note type");
            long nameOffset = offset + HEADER;
            // Padding is measured from the note's start, which matters for 8-byte alignment (12 % 8 != 0).
            long descOffset = offset + align(HEADER + nameSize, alignment);
            long next = descOffset + align(descSize, alignment);
            in.require(nameOffset, nameSize, String.format("note at 0x%x: name", offset));
            in.require(descOffset, descSize, String.format("note at 0x%x: descriptor", offset));
            String name = name(notes, (int) nameOffset, (int) nameSize);
            result.add(new ElfNote(name, type, in.copy(descOffset, descSize, "note descriptor")));
            // The last descriptor's padding may be cut off; nothing follows it then.
            offset = Math.min(next, notes.length);
        }
        return List.copyOf(result);
    }

    /** Lower-case hex of the NT_GNU_BUILD_ID note with owner "GNU", if the stream has a non-empty one. */
    public static Optional<String> gnuBuildId(byte[] notes, ByteOrder order) throws ElfFormatException {
        return gnuBuildId(parse(notes, order));
    }

    static Optional<String> gnuBuildId(List<ElfNote> notes) {
        return notes.stream()
                .filter(ElfNote::isGnuBuildId)
                .filter(note -> note.descriptor().length > 0)
                .map(ElfNote::descriptorHex)
                .findFirst();
    }

    private static long align(long size, int alignment) {
        return (size + alignment - 1) & -alignment;
    }

    private static String name(byte[] notes, int offset, int size) {
        int end = offset;
        while (end < offset + size && notes[end] != 0) {
            end++;
        }
        return new String(notes, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static boolean allZero(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
