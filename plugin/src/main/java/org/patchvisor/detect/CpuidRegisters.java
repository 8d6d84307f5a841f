package org.patchvisor.detect;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** The four registers one CPUID leaf returns. */
public record CpuidRegisters(int eax, int ebx, int ecx, int edx) {

    /** Leaf 1 ECX bit 31: "running under a hypervisor" (reserved as 0 on real hardware). */
    public boolean hypervisorBit() {
        return (ecx & 0x80000000) != 0;
    }

    /** The 12-byte vendor signature of leaf 0x40000000 (EBX, ECX, EDX), trailing NULs dropped. */
    public String vendorSignature() {
        byte[] bytes = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(ebx).putInt(ecx).putInt(edx).array();
        int length = bytes.length;
        while (length > 0 && bytes[length - 1] == 0) {
            length--;
        }
        return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
    }

    /** Builds leaf 0x40000000 registers from a vendor signature, for tests and fakes. */
    public static CpuidRegisters ofVendor(String signature) {
        byte[] padded = java.util.Arrays.copyOf(signature.getBytes(StandardCharsets.ISO_8859_1), 12);
        ByteBuffer buffer = ByteBuffer.wrap(padded).order(ByteOrder.LITTLE_ENDIAN);
        return new CpuidRegisters(0x40000001, buffer.getInt(), buffer.getInt(), buffer.getInt());
    }
}
