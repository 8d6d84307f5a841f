package org.patchvisor.spi;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.patchvisor.io.ProcessRunner;
import org.patchvisor.time.Ticker;

/**
 * What an adapter may use, injected so adapters can be tested against fixture trees, fake tools and fake time.
 *
 * @param root           the filesystem root to look under (normally "/")
 * @param connectionUris hypervisor connection URIs given with {@code -c} (libvirt); empty means the default
 * @param env            the environment
 * @param processes      runs host tools (vzlist, prlctl) with argv and a timeout
 * @param ticker         measures every wait on a guest channel (agent replies, SSH commands)
 */
public record AdapterContext(Path root, List<String> connectionUris, Map<String, String> env, ProcessRunner processes,
        Ticker ticker) {
    public AdapterContext {
        connectionUris = List.copyOf(connectionUris);
        env = Map.copyOf(env);
        Objects.requireNonNull(ticker, "ticker");
    }

    /** The same on the system's monotonic time, for callers with no ticker of their own. */
    public AdapterContext(Path root, List<String> connectionUris, Map<String, String> env, ProcessRunner processes) {
        this(root, connectionUris, env, processes, Ticker.SYSTEM);
    }
}
