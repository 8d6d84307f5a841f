package org.patchvisor.publish;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/** Counts the open connections of each client address, so that one address cannot hold them all. */
final class ConnectionsPerAddress {
    private final int perAddress;
    private final int total;
    private final Map<InetAddress, Integer> open = new HashMap<>();
    private int all;

    ConnectionsPerAddress(int perAddress, int total) {
        this.perAddress = perAddress;
        this.total = total;
    }

    /** Counts one more connection from {@code address}; false (and nothing counted) when it would be too many. */
    synchronized boolean tryOpen(InetAddress address) {
        int held = open.getOrDefault(address, 0);
        if (held >= perAddress || all >= total) {
            return false;
        }
        open.put(address, held + 1);
        all++;
        return true;
    }

    synchronized void closed(InetAddress address) {
        Integer held = open.get(address);
        if (held == null) {
            return;
        }
        if (held <= 1) {
            open.remove(address);
        } else {
            open.put(address, held - 1);
        }
        all--;
    }

    synchronized int open(InetAddress address) {
        return open.getOrDefault(address, 0);
    }
}
