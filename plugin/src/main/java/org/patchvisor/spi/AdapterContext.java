package org.patchvisor.spi;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.patchvisor.io.ProcessRunner;

/**
 * What an adapter may use, injected so adapters can be tested against fixture trees and fake tools.
 *
 * @param root           the filesystem root to look under (normally "/")
 * @param connectionUris hypervisor connection URIs given with {@code -c} (libvirt); empty means the default
 * @param env            the environment
 * @param processes      runs host tools (vzlist, prlctl) with argv and a timeout
 */
public record AdapterContext(Path root, List<String> connectionUris, Map<String, String> env, ProcessRunner processes) {
    public AdapterContext {
        connectionUris = List.copyOf(connectionUris);
        env = Map.copyOf(env);
    }
}
