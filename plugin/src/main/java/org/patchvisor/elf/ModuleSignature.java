package org.patchvisor.elf;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The signature block a signed kernel module carries after its ELF image: the signature bytes, then
 * {@code struct module_signature} (12 bytes, sig_len big-endian), then the 28-byte trailer
 * "~Module signature appended~\n". Only the layout is checked here; verifying the signature is the kernel's job.
 *
 * @param idType          2 = PKCS#7 (the only kind the kernel accepts)
 * @param signatureLength bytes of signature data before the struct
 * @param moduleLength    bytes of the unsigned module (the ELF image) at the start of the file
 */
public record ModuleSignature(int algorithm, int hash, int idType, int signerLength, int keyIdLength,
                              long signatureLength, int moduleLength) {
    public static final int PKEY_ID_PKCS7 = 2;

    static final byte[] TRAILER = "~Module signature appended~\n".getBytes(StandardCharsets.US_ASCII);
    static final int STRUCT_SIZE = 12;

    public boolean isPkcs7() {
        return idType == PKEY_ID_PKCS7;
    }

    /** The signature block at the end of {@code file}, if the trailer is there; a lying length is an error. */
    public static Optional<ModuleSignature> find(byte[] file) throws ElfFormatException {
        if (!endsWithTrailer(file)) {
            return Optional.empty();
        }
        int structStart = file.length - TRAILER.length - STRUCT_SIZE;
        if (structStart < 0) {
            throw new ElfFormatException("truncated module signature: " + file.length
                    + " bytes cannot hold the signature trailer and its " + STRUCT_SIZE + "-byte header");
        }
        long sigLen = ((file[structStart + 8] & 0xffL) << 24) | ((file[structStart + 9] & 0xffL) << 16)
                | ((file[structStart + 10] & 0xffL) << 8) | (file[structStart + 11] & 0xffL);
        if (sigLen > structStart) {
            throw new ElfFormatException(String.format(
                    "bad module signature: sig_len %d exceeds the %d bytes before the signature header (file is %d bytes)",
                    sigLen, structStart, file.length));
        }
        return Optional.of(new ModuleSignature(file[structStart] & 0xff, file[structStart + 1] & 0xff,
                file[structStart + 2] & 0xff, file[structStart + 3] & 0xff, file[structStart + 4] & 0xff,
                sigLen, (int) (structStart - sigLen)));
    }

    private static boolean endsWithTrailer(byte[] file) {
        if (file.length < TRAILER.length) {
            return false;
        }
        int start = file.length - TRAILER.length;
        for (int i = 0; i < TRAILER.length; i++) {
            if (file[start + i] != TRAILER[i]) {
                return false;
            }
        }
        return true;
    }
}
