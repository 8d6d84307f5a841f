package org.patchvisor.kernel;

import java.util.List;
import java.util.Map;

/**
 * What one apply did to the kernel and how long each step took.
 *
 * @param alreadyApplied the same patch was live before: nothing was loaded
 * @param superseded     patches an atomic-replace (cumulative) patch disabled; their modules were unloaded
 * @param loadRetries    how many times the load was retried because another transition was running (EBUSY)
 */
public record ApplyReport(
        String patch,
        boolean alreadyApplied,
        Map<String, List<String>> functions,
        List<String> superseded,
        int loadRetries,
        long loadMillis,
        long transitionMillis,
        long verifyMillis,
        long taint) {

    public ApplyReport {
        functions = Map.copyOf(functions);
        superseded = List.copyOf(superseded);
    }
}
