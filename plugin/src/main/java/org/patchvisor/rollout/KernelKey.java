package org.patchvisor.rollout;

import org.patchvisor.model.KernelId;

/**
 * What makes two guests run "the same kernel" for a rollout: the GNU build-id when the guest reported one,
 * else the release string. Guests with one key share one bundle choice and one download.
 */
public record KernelKey(String value) {

    public static KernelKey of(KernelId kernel) {
        return new KernelKey(kernel.buildId().map(id -> "build-id:" + id).orElse("release:" + kernel.release()));
    }

    @Override
    public String toString() {
        return value;
    }
}
