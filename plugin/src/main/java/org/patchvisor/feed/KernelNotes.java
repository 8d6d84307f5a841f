package org.patchvisor.feed;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Finds the GNU build-id in the raw ELF note records of {@code /sys/kernel/notes} (namesz, descsz, type, then
 * name and descriptor each padded to 4 bytes, in the machine's byte order). Kept here until a shared ELF note
 * reader exists.
 */
public final class KernelNotes {
    private static final int NT_GNU_BUILD_ID = 3;

    private KernelNotes() {
    }

    public static Optional<String> gnuBuildId(byte[] notes) {
        ByteBuffer buffer = ByteBuffer.wrap(notes).order(ByteOrder.nativeOrder());
        while (buffer.remaining() >= 12) {
            int nameSize = buffer.getInt();
            int descSize = buffer.getInt();
            int type = buffer.getInt();
            int namePadded = pad(nameSize);
            int descPadded = pad(descSize);
            if (nameSize < 0 || descSize < 0 || namePadded + (long) descPadded > buffer.remaining()) {
                return Optional.empty();
            }
            byte[] name = new byte[nameSize];
            buffer.get(name);
            buffer.position(buffer.position() + namePadded - nameSize);
            byte[] desc = new byte[descSize];
            buffer.get(desc);
            buffer.position(buffer.position() + descPadded - descSize);
            if (type == NT_GNU_BUILD_ID && "GNU\0".equals(new String(name, StandardCharsets.US_ASCII)) && descSize > 0) {
                return Optional.of(HexFormat.of().formatHex(desc));
            }
        }
        return Optional.empty();
    }

    private static int pad(int size) {
        return (size + 3) & ~3;
    }
}
