package org.patchvisor.guest;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * A way into one guest: run a program, move a file, see whether anyone answers. Implementations speak the
 * QEMU guest agent protocol (through libvirt or a plain UNIX socket) or SSH. Every call is bounded by a
 * timeout, and a command is always an argv list: never a shell string built from guest or user data.
 */
public interface GuestChannel extends AutoCloseable {

    /** True if the guest's agent answered within the timeout. Never throws for a silent guest. */
    boolean ping(Duration timeout);

    /** The guest's kernel as uname shows it there. Channels with a cheaper way (guest-get-osinfo) override this. */
    default GuestOs os(Duration timeout) throws IOException, GuestTimeoutException {
        ExecResult uname = exec(List.of("uname", "-r", "-m"), timeout);
        ExecResult version = exec(List.of("uname", "-v"), timeout);
        String[] words = uname.stdout().trim().split("\\s+");
        if (!uname.ok() || !version.ok() || words.length != 2) {
            throw new IOException("uname in the guest failed: " + uname.stderr().trim() + version.stderr().trim());
        }
        return new GuestOs(words[0], version.stdout().trim(), words[1]);
    }

    /** Runs {@code argv} in the guest and waits for it to exit, at most {@code timeout}. */
    ExecResult exec(List<String> argv, Duration timeout) throws IOException, GuestTimeoutException;

    /** Writes {@code content} to {@code path} in the guest, replacing it. */
    void writeFile(String path, byte[] content, Duration timeout) throws IOException, GuestTimeoutException;

    /**
     * Reads the whole of {@code path} from the guest, at most {@code maxBytes}. A path that does not exist throws
     * {@link java.nio.file.NoSuchFileException} (SSH) or a {@code GuestAgentException} (the agent's own error).
     */
    byte[] readFile(String path, long maxBytes, Duration timeout) throws IOException, GuestTimeoutException;

    @Override
    void close() throws IOException;

    /** The outcome of one program run in the guest. */
    record ExecResult(int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** The guest did not answer within the bound the caller set. */
    final class GuestTimeoutException extends Exception {
        public GuestTimeoutException(String message) {
            super(message);
        }
    }
}
