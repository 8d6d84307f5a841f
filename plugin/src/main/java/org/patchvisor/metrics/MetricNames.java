package org.patchvisor.metrics;

import java.util.List;

/**
 * Every metric patchvisor writes for Prometheus (node_exporter's textfile collector), with its labels: the one
 * list the code, the shipped alert rules and the shipped dashboard agree on. Every sample carries {@code run}:
 * {@code upgrade} (the host's timer), {@code guests} ({@code upgrade --guests}) or {@code worker}; not {@code job},
 * which Prometheus gives every scrape itself.
 */
public final class MetricNames {
    /** Guests by the state they ended the run in ({@code state}: applied, failed-reverted, gave-up...). */
    public static final String GUESTS = "patchvisor_guests";
    /** Live patches applied by the run, per {@code target} ({@code host:<kernel>} or a guest name). */
    public static final String PATCHES_APPLIED = "patchvisor_patches_applied";
    /** When the job last finished without failure (kept from the previous file by a failed run). */
    public static final String LAST_SUCCESS = "patchvisor_last_success_timestamp_seconds";
    /** Age of the verified feed index at the run. */
    public static final String FEED_AGE = "patchvisor_feed_age_seconds";
    /** When the verified feed index expires: a host that cannot fetch a newer one stops trusting it then. */
    public static final String FEED_EXPIRY = "patchvisor_feed_expiry_timestamp_seconds";
    /** 1 for each CVE a live patch in force fixes, per {@code target} ({@code host} or a guest name) and {@code cve}. */
    public static final String CVE_FIXED = "patchvisor_cve_fixed";
    /** CVEs the feed offers for the target's kernel that are not fixed there yet, per {@code target}. */
    public static final String CVES_PENDING = "patchvisor_cves_pending";
    /** Loaded live patches the feed revoked, per {@code target}, after the run (0 once removed). */
    public static final String REVOKED_IN_USE = "patchvisor_revoked_patches_in_use";
    /** When a guest was last seen patched (applied or already patched), per {@code guest}. */
    public static final String GUEST_LAST_PATCHED = "patchvisor_guest_last_patched_timestamp_seconds";

    /** All of them. */
    public static final List<String> ALL = List.of(GUESTS, PATCHES_APPLIED, LAST_SUCCESS, FEED_AGE, FEED_EXPIRY,
            CVE_FIXED, CVES_PENDING, REVOKED_IN_USE, GUEST_LAST_PATCHED);

    private MetricNames() {
    }
}
