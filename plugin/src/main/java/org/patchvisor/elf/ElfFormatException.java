package org.patchvisor.elf;

import java.io.IOException;

/**
 * An ELF image, note stream or kernel module is malformed or not what the caller needs. The message is one
 * readable line, fit to print as is; parsers raise this instead of letting index errors escape.
 */
public final class ElfFormatException extends IOException {

    public ElfFormatException(String message) {
        super(message);
    }

    static ElfFormatException truncated(String what, long offset, long size, long fileLength) {
        return new ElfFormatException(String.format(
                "truncated ELF: %s at 0x%x (0x%x bytes) runs past end of file (%d bytes)",
                what, offset, size, fileLength));
    }
}
