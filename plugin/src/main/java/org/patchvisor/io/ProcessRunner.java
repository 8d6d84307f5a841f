package org.patchvisor.io;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/** Runs a host program by argv (never through a shell), bounded in time. A seam: tests hand in recorded output. */
public interface ProcessRunner {

    Result run(List<String> argv, Duration timeout) throws IOException;

    /** Whether a program of this name can be found on PATH (or under the adapter's root). */
    boolean available(String program);

    record Result(int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }
    }
}
