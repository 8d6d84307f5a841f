package org.patchvisor.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Who we run as, read from procfs so no native call is needed. */
public final class Privileges {
    private Privileges() {
    }

    /** The effective uid: the second field of the "Uid:" line of /proc/self/status. */
    public static int effectiveUid(Path root) throws IOException {
        for (String line : Files.readAllLines(root.resolve("proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                String[] fields = line.substring(4).trim().split("\\s+");
                return Integer.parseInt(fields[1]);
            }
        }
        throw new IOException("no Uid line in " + root.resolve("proc/self/status"));
    }
}
