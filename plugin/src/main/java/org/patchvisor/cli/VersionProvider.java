package org.patchvisor.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version stamped into the jar by the build (resource filtering), so --version never lies. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
        Properties p = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("/org/patchvisor/version.properties")) {
            if (in != null) {
                p.load(in);
            }
        }
        return new String[] {"patchvisor " + p.getProperty("version", "unknown")};
    }
}
