package org.patchvisor.state;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Optional;
import org.patchvisor.model.KernelId;

/** {@link KernelId} as stored in state files: the build-id is a plain nullable field, not an Optional. */
@JsonInclude(JsonInclude.Include.NON_NULL)
record KernelRecord(String release, String version, String machine, String buildId) {

    static KernelRecord of(KernelId kernel) {
        return new KernelRecord(kernel.release(), kernel.version(), kernel.machine(), kernel.buildId().orElse(null));
    }

    KernelId toKernelId() {
        return new KernelId(release, version == null ? "" : version, machine == null ? "" : machine,
                Optional.ofNullable(buildId).filter(id -> !id.isBlank()));
    }
}
