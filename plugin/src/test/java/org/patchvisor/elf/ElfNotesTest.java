package org.patchvisor.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ElfNotesTest {

    /**
     * Hand decode of {@code xxd sys-kernel-notes.bin}: first note namesz 4, descsz 0x14, type 3, name "GNU\0",
     * descriptor bytes 0x10..0x23. Then Linux 0x101, Linux 0x100 (the release string), Xen 0x13, Xen 0x12.
     */
    @Test
    void readsTheKernelBuildIdFromSysKernelNotes() throws ElfFormatException {
        byte[] notes = Fixtures.bytes(Fixtures.NOTES);
        assertEquals(Optional.of("48dc540c8b76393804ca8088dbfa7d42911a9444"),
                ElfNotes.gnuBuildId(notes, ByteOrder.LITTLE_ENDIAN));
        List<ElfNote> all = ElfNotes.parse(notes, ByteOrder.LITTLE_ENDIAN);
        assertEquals(List.of("GNU", "Linux", "Linux", "Xen", "Xen"), all.stream().map(ElfNote::name).toList());
        assertEquals(List.of(3L, 0x101L, 0x100L, 0x13L, 0x12L), all.stream().map(ElfNote::type).toList());
        assertEquals("6.1.102-1.182.amzn2023.x86_64\0",
                new String(all.get(2).descriptor(), StandardCharsets.US_ASCII));
    }

    @Test
    void readsBigEndianNotes() throws ElfFormatException {
        byte[] notes = ByteBuffer.allocate(36).order(ByteOrder.BIG_ENDIAN)
                .putInt(4).putInt(5).putInt(1).put("XYZ\0".getBytes(StandardCharsets.US_ASCII))
                .put(new byte[] {1, 2, 3, 4, 5, 0, 0, 0})
                .putInt(4).putInt(0).putInt(3)
                .array();
        // The second note is cut short: 12 header bytes, but its name is missing.
        assertThrows(ElfFormatException.class, () -> ElfNotes.parse(notes, ByteOrder.BIG_ENDIAN));
        List<ElfNote> first = ElfNotes.parse(Arrays.copyOf(notes, 24), ByteOrder.BIG_ENDIAN);
        assertEquals(1, first.size());
        assertEquals("0102030405", first.get(0).descriptorHex());
        assertEquals(Optional.empty(), ElfNotes.gnuBuildId(Arrays.copyOf(notes, 24), ByteOrder.BIG_ENDIAN));
    }

    @Test
    void theByteOrderMatters() {
        byte[] notes = Fixtures.bytes(Fixtures.NOTES);
        ElfFormatException e = assertThrows(ElfFormatException.class,
                () -> ElfNotes.parse(notes, ByteOrder.BIG_ENDIAN));
        assertTrue(e.getMessage().startsWith("truncated ELF: note at 0x0: name"), e.getMessage());
    }

    @Test
    void acceptsZeroPaddingAfterTheLastNote() throws ElfFormatException {
        byte[] padded = Arrays.copyOf(Fixtures.bytes(Fixtures.NOTES), 164 + 8);
        assertEquals(5, ElfNotes.parse(padded, ByteOrder.LITTLE_ENDIAN).size());
        padded[170] = 1;
        ElfFormatException e = assertThrows(ElfFormatException.class,
                () -> ElfNotes.parse(padded, ByteOrder.LITTLE_ENDIAN));
        assertEquals("truncated ELF note at 0xa4: 8 bytes left, a note header needs 12", e.getMessage());
    }

    @Test
    void rejectsLyingSizes() {
        byte[] notes = Fixtures.bytes(Fixtures.NOTES);
        ByteBuffer.wrap(notes).order(ByteOrder.LITTLE_ENDIAN).putInt(4, -1);
        ElfFormatException e = assertThrows(ElfFormatException.class,
                () -> ElfNotes.gnuBuildId(notes, ByteOrder.LITTLE_ENDIAN));
        assertEquals("truncated ELF: note at 0x0: descriptor at 0x10 (0xffffffff bytes) runs past end of file"
                + " (164 bytes)", e.getMessage());
    }

    @Test
    void everyTruncationIsAFormatErrorOrEndsAtANoteBoundary() throws ElfFormatException {
        byte[] notes = Fixtures.bytes(Fixtures.NOTES);
        for (int length = 0; length < notes.length; length++) {
            byte[] prefix = Arrays.copyOf(notes, length);
            try {
                List<ElfNote> parsed = ElfNotes.parse(prefix, ByteOrder.LITTLE_ENDIAN);
                assertTrue(parsed.size() < 5, "prefix of " + length + " cannot hold every note");
            } catch (ElfFormatException expected) {
                assertTrue(expected.getMessage().contains("note"), expected.getMessage());
            }
        }
    }

    @Test
    void readsEightByteAlignedNotes() throws ElfFormatException {
        // Layout of an x86_64 .note.gnu.property: header 12 + "GNU\0" = 16, already 8-aligned; the 12-byte
        // descriptor is padded to 16, so the second note starts at 32.
        byte[] notes = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(4).putInt(12).putInt(5).put("GNU\0".getBytes(StandardCharsets.US_ASCII))
                .putInt(0xc0000002).putInt(4).putInt(3).putInt(0)
                .putInt(4).putInt(0).putInt(7).put("ABC\0".getBytes(StandardCharsets.US_ASCII))
                .array();
        List<ElfNote> parsed = ElfNotes.parse(notes, ByteOrder.LITTLE_ENDIAN, 8);
        assertEquals(2, parsed.size());
        assertEquals("020000c00400000003000000", parsed.get(0).descriptorHex());
        assertEquals("ABC", parsed.get(1).name());
        assertEquals(7, parsed.get(1).type());
    }
}
