package org.patchvisor.detect;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * CPUID through the Linux cpuid driver (Documentation: arch/x86/kernel/cpuid.c): a pread of 16 bytes at
 * offset = leaf returns EAX, EBX, ECX, EDX little-endian. patchvisor never loads the driver; if
 * {@code /dev/cpu/0/cpuid} is absent, CPUID evidence is simply skipped.
 */
public final class DevCpuid implements Cpuid {

    private final Path device;
    private final String machinePath;

    public DevCpuid(HostFiles files) {
        this.machinePath = "/dev/cpu/0/cpuid";
        this.device = files.resolve(machinePath);
    }

    @Override
    public String source() {
        return machinePath;
    }

    @Override
    public Optional<String> unavailableReason() {
        if (!Files.exists(device)) {
            return Optional.of(machinePath + " is absent (cpuid driver not loaded)");
        }
        if (Files.isRegularFile(device)) {
            return Optional.of(machinePath + " is a plain file, not the cpuid character device");
        }
        return Optional.empty();
    }

    @Override
    public CpuidRegisters leaf(long leaf) throws IOException {
        try (FileChannel channel = FileChannel.open(device, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            int read = channel.read(buffer, leaf);
            if (read != 16) {
                throw new IOException("short read of CPUID leaf 0x" + Long.toHexString(leaf) + " from "
                        + machinePath + ": " + read + " bytes");
            }
            buffer.flip();
            return new CpuidRegisters(buffer.getInt(), buffer.getInt(), buffer.getInt(), buffer.getInt());
        }
    }
}
