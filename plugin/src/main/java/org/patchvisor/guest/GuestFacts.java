package org.patchvisor.guest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.patchvisor.guest.GuestChannel.ExecResult;
import org.patchvisor.guest.GuestChannel.GuestTimeoutException;
import org.patchvisor.kernel.KernelFacts;
import org.patchvisor.kernel.KernelSupport;

/**
 * A guest kernel's live-patch facts, read through its channel by the same reader as this host's
 * ({@link KernelFacts}), so the host's preflight rules can judge a guest before anything is sent into it. What the
 * guest answers is parsed there, shortened and made printable in any refusal.
 */
final class GuestFacts {
    private GuestFacts() {
    }

    static KernelSupport read(GuestChannel channel, Duration step, long maxBytes)
            throws IOException, GuestTimeoutException {
        try {
            return KernelFacts.read(new KernelFacts.Source() {
                @Override
                public boolean isDirectory(String path) throws IOException {
                    return exec(channel, List.of("test", "-d", path), step).ok();
                }

                @Override
                public Optional<String> firstLine(String path) throws IOException {
                    try {
                        byte[] text = readFile(channel, path, maxBytes, step);
                        return Optional.of(new String(text, StandardCharsets.US_ASCII).lines().findFirst().orElse("")
                                .strip());
                    } catch (java.nio.file.NoSuchFileException e) {
                        return Optional.empty(); // not built in
                    } catch (IOException e) {
                        // Unreadable through the file transfer (an SFTP server fails some sysfs and securityfs reads
                        // outright; the QEMU agent answers an error): ask the guest's own cat, as the agent script
                        // once did, so an enforced signature rule is never taken for an absent one.
                        return catFirstLine(channel, path, step);
                    }
                }
            });
        } catch (UncheckedGuestTimeout e) {
            throw e.getCause();
        }
    }

    /** The file's first line as the guest's cat prints it; empty when cat cannot read it either (not known). */
    private static Optional<String> catFirstLine(GuestChannel channel, String path, Duration step) throws IOException {
        ExecResult result;
        try {
            result = exec(channel, List.of("cat", path), step);
        } catch (GuestAgentException e) {
            return Optional.empty(); // no cat there
        }
        if (!result.ok()) {
            return Optional.empty();
        }
        return Optional.of(result.stdout().lines().findFirst().orElse("").strip());
    }

    private static ExecResult exec(GuestChannel channel, List<String> argv, Duration step) throws IOException {
        try {
            return channel.exec(argv, step);
        } catch (GuestTimeoutException e) {
            throw new UncheckedGuestTimeout(e);
        }
    }

    private static byte[] readFile(GuestChannel channel, String path, long max, Duration step) throws IOException {
        try {
            return channel.readFile(path, max, step);
        } catch (GuestTimeoutException e) {
            throw new UncheckedGuestTimeout(e);
        }
    }

    /** Carries a channel timeout through {@link KernelFacts.Source}, whose methods only throw I/O errors. */
    private static final class UncheckedGuestTimeout extends RuntimeException {
        UncheckedGuestTimeout(GuestTimeoutException cause) {
            super(cause);
        }

        @Override
        public synchronized GuestTimeoutException getCause() {
            return (GuestTimeoutException) super.getCause();
        }
    }
}
