package org.patchvisor.adapter.xen;

import java.nio.file.Path;
import java.util.Map;

/**
 * The credentials patchvisor uses for guests it reaches over SSH: its private key and the known_hosts file that
 * must already hold each guest's host key. Set with PATCHVISOR_SSH_KEY and PATCHVISOR_SSH_KNOWN_HOSTS.
 */
public record SshKeys(Path privateKey, Path knownHosts) {
    static final String DEFAULT_KEY = "/etc/patchvisor/ssh/id_ed25519";
    static final String DEFAULT_KNOWN_HOSTS = "/etc/patchvisor/ssh/known_hosts";

    static SshKeys from(Map<String, String> env) {
        return new SshKeys(Path.of(env.getOrDefault("PATCHVISOR_SSH_KEY", DEFAULT_KEY)),
                Path.of(env.getOrDefault("PATCHVISOR_SSH_KNOWN_HOSTS", DEFAULT_KNOWN_HOSTS)));
    }
}
