package org.patchvisor.cve;

import java.util.Locale;

/** How one CVE stands on one target, as {@code cves --cve} answers it. */
public enum CveStatus {
    /** A live patch in force fixes it. */
    FIXED,
    /** The feed has a bundle that fixes it for this kernel, not applied (yet, or held back). */
    AVAILABLE,
    /** Neither: the feed offers nothing for it on this kernel. */
    NOT_COVERED,
    /** The target could not be asked now (a stopped or silent guest): what it carried when last seen is shown apart. */
    UNKNOWN;

    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
