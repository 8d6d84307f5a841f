package org.patchvisor.elf;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Bounds-checked reads of unsigned integers and C strings from an in-memory image. Every read checks its
 * range first and fails with {@link ElfFormatException}, so no index error can escape a parser.
 */
final class ElfReader {

    private final byte[] data;
    private final boolean bigEndian;

    ElfReader(byte[] data, ByteOrder order) {
        this.data = data;
        this.bigEndian = order == ByteOrder.BIG_ENDIAN;
    }

    int length() {
        return data.length;
    }

    /** Fails unless {@code [offset, offset + size)} lies inside the image; offsets read as u64 may be negative. */
    void require(long offset, long size, String what) throws ElfFormatException {
        if (offset < 0 || size < 0 || offset > data.length || size > data.length - offset) {
            throw ElfFormatException.truncated(what, offset, size, data.length);
        }
    }

    int u8(long offset, String what) throws ElfFormatException {
        require(offset, 1, what);
        return data[(int) offset] & 0xff;
    }

    int u16(long offset, String what) throws ElfFormatException {
        return (int) unsigned(offset, 2, what);
    }

    long u32(long offset, String what) throws ElfFormatException {
        return unsigned(offset, 4, what);
    }

    /** A 64-bit field as raw bits: values of 2^63 and above come back negative and fail any later range check. */
    long u64(long offset, String what) throws ElfFormatException {
        return unsigned(offset, 8, what);
    }

    /** An address-sized field: 4 bytes in ELF32, 8 in ELF64. */
    long word(long offset, boolean is64, String what) throws ElfFormatException {
        return is64 ? u64(offset, what) : u32(offset, what);
    }

    private long unsigned(long offset, int size, String what) throws ElfFormatException {
        require(offset, size, what);
        int start = (int) offset;
        long value = 0;
        for (int i = 0; i < size; i++) {
            int b = data[start + (bigEndian ? i : size - 1 - i)] & 0xff;
            value = (value << 8) | b;
        }
        return value;
    }

    /** The NUL-terminated string starting at {@code offset}, which must end before {@code limit}. */
    String cString(long offset, long limit, String what) throws ElfFormatException {
        long end = Math.min(limit, data.length);
        if (offset < 0 || offset >= end) {
            throw new ElfFormatException(String.format("%s: string offset 0x%x outside its table", what, offset));
        }
        for (int i = (int) offset; i < end; i++) {
            if (data[i] == 0) {
                return new String(data, (int) offset, i - (int) offset, StandardCharsets.UTF_8);
            }
        }
        throw new ElfFormatException(String.format("%s: string at 0x%x is not NUL-terminated", what, offset));
    }

    byte[] copy(long offset, long size, String what) throws ElfFormatException {
        require(offset, size, what);
        byte[] out = new byte[(int) size];
        System.arraycopy(data, (int) offset, out, 0, (int) size);
        return out;
    }
}
