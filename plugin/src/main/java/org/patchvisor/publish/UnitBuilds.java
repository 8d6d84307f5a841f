package org.patchvisor.publish;

import java.io.IOException;
import java.nio.file.Path;
import org.patchvisor.elf.ElfFile;
import org.patchvisor.elf.ElfFormatException;

/**
 * One compilation unit built without and with the fix: each object as ELF and as the comparison reads it
 * ({@link ObjectImage}).
 */
record UnitBuilds(ElfFile preElf, ObjectImage pre, ElfFile postElf, ObjectImage post) {

    /** Reads both objects; a format error names the file. */
    static UnitBuilds read(Path pre, Path post) throws IOException {
        ElfFile before = ElfFile.read(pre);
        ElfFile after = ElfFile.read(post);
        return new UnitBuilds(before, image(pre, before), after, image(post, after));
    }

    private static ObjectImage image(Path file, ElfFile elf) throws ElfFormatException {
        try {
            return ObjectImage.of(elf);
        } catch (ElfFormatException e) {
            throw new ElfFormatException(file + ": " + e.getMessage());
        }
    }
}
