package org.patchvisor.state;

import java.util.List;
import java.util.Objects;

/**
 * Where an installed live patch came from when the feed delivered it: the bundle, the feed and the index serial it
 * was listed in, its cumulative level and the CVEs it fixes. Kept with the record so that which CVEs a host has
 * fixed can be answered without the feed being reachable.
 */
public record BundleOrigin(String bundle, String feed, long serial, int cumulativeLevel, List<String> cves) {

    public BundleOrigin {
        Objects.requireNonNull(bundle, "bundle");
        feed = feed == null ? "" : feed;
        cves = cves == null ? List.of() : List.copyOf(cves);
    }
}
