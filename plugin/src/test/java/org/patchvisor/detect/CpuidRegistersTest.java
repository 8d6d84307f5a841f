package org.patchvisor.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CpuidRegistersTest {

    @Test
    void decodesTheVendorFromEbxEcxEdxLittleEndian() {
        // Values read from /dev/cpu/0/cpuid at offset 0x40000000 in a KVM guest.
        CpuidRegisters kvm = new CpuidRegisters(0x40000001, 0x4b4d564b, 0x564b4d56, 0x4d);

        assertEquals("KVMKVMKVM", kvm.vendorSignature());
    }

    @Test
    void keepsSignificantTrailingSpaces() {
        assertEquals("bhyve bhyve ", CpuidRegisters.ofVendor("bhyve bhyve ").vendorSignature());
        assertEquals("Microsoft Hv", CpuidRegisters.ofVendor("Microsoft Hv").vendorSignature());
    }

    @Test
    void hypervisorBitIsEcxBit31() {
        assertTrue(new CpuidRegisters(0, 0, 0xfffa3203, 0).hypervisorBit());
        assertFalse(new CpuidRegisters(0, 0, 0x7ffefbff, 0).hypervisorBit());
    }
}
