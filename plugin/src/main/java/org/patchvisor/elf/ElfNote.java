package org.patchvisor.elf;

import java.util.Arrays;
import java.util.HexFormat;

/** One ELF note: owner name (without its NUL), type and descriptor bytes. */
public final class ElfNote {
    /** NT_GNU_BUILD_ID, with owner "GNU". */
    public static final int NT_GNU_BUILD_ID = 3;

    private final String name;
    private final long type;
    private final byte[] descriptor;

    public ElfNote(String name, long type, byte[] descriptor) {
        this.name = name;
        this.type = type;
        this.descriptor = descriptor.clone();
    }

    public String name() {
        return name;
    }

    public long type() {
        return type;
    }

    public byte[] descriptor() {
        return descriptor.clone();
    }

    public String descriptorHex() {
        return HexFormat.of().formatHex(descriptor);
    }

    public boolean isGnuBuildId() {
        return name.equals("GNU") && type == NT_GNU_BUILD_ID;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ElfNote other && name.equals(other.name) && type == other.type
                && Arrays.equals(descriptor, other.descriptor);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Long.hashCode(type) * 17 + Arrays.hashCode(descriptor);
    }

    @Override
    public String toString() {
        return name + " type " + type + " (" + descriptor.length + " bytes)";
    }
}
