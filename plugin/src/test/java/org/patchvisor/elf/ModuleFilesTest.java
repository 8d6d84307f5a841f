package org.patchvisor.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.patchvisor.model.ModuleInfo;

/** Expected values come from {@code modinfo} and {@code readelf} on the fixtures. */
class ModuleFilesTest {
    private static final String VERMAGIC = "6.1.0-56-amd64 SMP preempt mod_unload modversions ";

    private final byte[] livepatch = Fixtures.bytes(Fixtures.LIVEPATCH);
    private final byte[] signed = Fixtures.bytes(Fixtures.SIGNED);

    @Test
    void readsARealLivePatch() throws ElfFormatException {
        ModuleInfo info = ModuleFiles.parse(livepatch);
        assertEquals(new ModuleInfo("livepatch_sample", VERMAGIC, true, Optional.of("GPL"), Optional.empty(),
                List.of(), false), info);
        assertEquals("6.1.0-56-amd64", info.targetRelease());
        ModuleImage image = ModuleFiles.inspect(livepatch);
        assertTrue(image.hasThisModuleSection());
        assertEquals(Optional.of("patchvisor test fixture: replaces cmdline_proc_show"), image.first("description"));
        assertEquals(Optional.of("Y"), image.first("retpoline"));
        assertTrue(image.signature().isEmpty());
    }

    @Test
    void readsASignedDebianModule() throws ElfFormatException {
        ModuleImage image = ModuleFiles.inspect(signed);
        assertEquals(new ModuleInfo("xt_pkttype", VERMAGIC, false, Optional.of("GPL"), Optional.empty(),
                List.of("x_tables"), true), image.info());
        assertEquals(List.of("ip6t_pkttype", "ipt_pkttype"), image.modinfo().get("alias"));
        ModuleSignature signature = image.signature().orElseThrow();
        // modinfo: sig_id PKCS#7; trailer struct: sig_len 0x2a9; 9097 - 28 - 12 - 681 = 8376 = e_shoff + 34 * 64
        assertTrue(signature.isPkcs7());
        assertEquals(681, signature.signatureLength());
        assertEquals(8376, signature.moduleLength());
        assertEquals(8376, image.elf().length());
        assertEquals("73a7bfda157f8da3fca13bf8c093417c5a0b3756", image.elf().gnuBuildId().orElseThrow());
    }

    @Test
    void readsFromAPathAndNamesTheFileInErrors(@TempDir Path dir) throws Exception {
        Path ko = dir.resolve("livepatch_sample.ko");
        Files.write(ko, livepatch);
        assertEquals("livepatch_sample", ModuleFiles.read(ko).name());
        Path bad = dir.resolve("bad.ko");
        Files.write(bad, "#!/bin/sh\n".getBytes(StandardCharsets.US_ASCII));
        ElfFormatException e = assertThrows(ElfFormatException.class, () -> ModuleFiles.read(bad));
        assertEquals(bad + ": not an ELF file (bad magic)", e.getMessage());
    }

    @Test
    void rejectsASignatureLengthBeyondTheFile() {
        byte[] bytes = signed.clone();
        ByteBuffer.wrap(bytes).putInt(bytes.length - 28 - 4, bytes.length);
        assertEquals("bad module signature: sig_len 9097 exceeds the 9057 bytes before the signature header"
                + " (file is 9097 bytes)", message(bytes));
    }

    @Test
    void aSignatureLengthThatCutsIntoTheImageIsAFormatError() {
        byte[] bytes = signed.clone();
        ByteBuffer.wrap(bytes).putInt(bytes.length - 28 - 4, 681 + 100);
        assertTrue(message(bytes).startsWith("truncated ELF: section header table"), message(bytes));
    }

    @Test
    void rejectsATrailerWithoutRoomForItsHeader() {
        byte[] bytes = Arrays.copyOfRange(signed, signed.length - 30, signed.length);
        assertEquals("truncated module signature: 30 bytes cannot hold the signature trailer and its 12-byte header",
                message(bytes));
    }

    @Test
    void rejectsModinfoWithoutVermagic() {
        byte[] bytes = replace(livepatch, "vermagic=", "vermagix=");
        assertEquals("not a kernel module: .modinfo has no vermagic= entry", message(bytes));
    }

    @Test
    void rejectsModinfoWithoutName() {
        byte[] bytes = replace(livepatch, "name=livepatch_sample", "nam_=livepatch_sample");
        assertEquals("not a kernel module: .modinfo has no name= entry", message(bytes));
    }

    @Test
    void rejectsAnObjectWithoutModinfo() {
        byte[] bytes = replace(livepatch, ".modinfo\0", ".modinfx\0");
        assertEquals("not a kernel module: no .modinfo section", message(bytes));
    }

    @Test
    void rejectsAnElfThatIsNotRelocatable() {
        byte[] bytes = livepatch.clone();
        bytes[16] = (byte) ElfFile.ET_DYN;
        assertEquals("not a kernel module: ELF type 3 is not ET_REL (a relocatable object)", message(bytes));
    }

    @Test
    void saysCompressedModulesAreOutOfScope() {
        byte[] xz = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0, 0, 4};
        assertEquals("compressed kernel module (xz) is not supported: decompress it first (xz -d)", message(xz));
        byte[] zstd = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0};
        assertEquals("compressed kernel module (zstd) is not supported: decompress it first (zstd -d)", message(zstd));
    }

    @Test
    void noticesAMissingThisModuleSection() throws ElfFormatException {
        byte[] bytes = replace(livepatch, ".gnu.linkonce.this_module\0", ".gnu.linkonce.that_module\0");
        assertFalse(ModuleFiles.inspect(bytes).hasThisModuleSection());
    }

    @Test
    void splitsModinfoStrings() {
        byte[] section = "\0\0license=GPL\0alias=a\0junk\0alias=b\0depends=\0=x\0".getBytes(StandardCharsets.UTF_8);
        var entries = ModuleFiles.modinfo(section);
        assertEquals(List.of("a", "b"), entries.get("alias"));
        assertEquals(List.of(""), entries.get("depends"));
        assertEquals(List.of("license", "alias", "depends"), List.copyOf(entries.keySet()));
    }

    private static String message(byte[] bytes) {
        return assertThrows(ElfFormatException.class, () -> ModuleFiles.parse(bytes)).getMessage();
    }

    /** Replaces the only occurrence of {@code from} with a same-length {@code to}. */
    private static byte[] replace(byte[] bytes, String from, String to) {
        byte[] needle = from.getBytes(StandardCharsets.US_ASCII);
        byte[] replacement = to.getBytes(StandardCharsets.US_ASCII);
        int found = -1;
        for (int i = 0; i + needle.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + needle.length, needle, 0, needle.length)) {
                if (found >= 0) {
                    throw new AssertionError("'" + from + "' occurs more than once");
                }
                found = i;
            }
        }
        if (found < 0) {
            throw new AssertionError("'" + from + "' not found");
        }
        byte[] copy = bytes.clone();
        System.arraycopy(replacement, 0, copy, found, replacement.length);
        return copy;
    }
}
