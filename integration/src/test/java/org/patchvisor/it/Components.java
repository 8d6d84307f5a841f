package org.patchvisor.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Decides whether the real-kernel lane can run here: QEMU, a bootable kernel image, its modules and headers,
 * busybox and the guest agent. On a developer machine that lacks them the tests are skipped; under
 * {@code CI=true} a missing component fails the build, so CI can never go green by skipping.
 */
public final class Components {
    private final Path root;
    private final Map<String, String> env;

    Components(Path root, Map<String, String> env) {
        this.root = root;
        this.env = env;
    }

    public static Components onThisMachine() {
        return new Components(Path.of("/"), System.getenv());
    }

    /** The generic-flavour release to test: {@code -Dpatchvisor.kernel}, else the newest non-cloud image. */
    public String defaultRelease() {
        String chosen = System.getProperty("patchvisor.kernel", "");
        if (!chosen.isEmpty()) {
            return chosen;
        }
        return releases().stream().filter(r -> !r.contains("-cloud-")).reduce((a, b) -> b)
                .orElseGet(() -> missing(List.of("a kernel image /boot/vmlinuz-*")));
    }

    /** The cloud-flavour release, a second distinct kernel build, when installed. */
    public Optional<String> cloudRelease() {
        return releases().stream().filter(r -> r.contains("-cloud-")).reduce((a, b) -> b);
    }

    /** Skips (or under CI fails) unless everything needed to boot {@code release} is present. */
    public void requireVmLane(String release) {
        List<String> absent = new ArrayList<>();
        requireFile(absent, "usr/bin/qemu-system-x86_64", "qemu-system-x86_64 (package qemu-system-x86)");
        requireFile(absent, "boot/vmlinuz-" + release, "kernel image /boot/vmlinuz-" + release);
        requireFile(absent, "lib/modules/" + release + "/modules.dep", "modules of " + release);
        requireFile(absent, "usr/src/linux-headers-" + release + "/Makefile", "headers of " + release);
        requireFile(absent, "bin/busybox", "busybox (package busybox-static)");
        requireFile(absent, "usr/sbin/qemu-ga", "qemu-ga (package qemu-guest-agent)");
        if (!absent.isEmpty()) {
            missing(absent);
        }
    }

    /** Skips (or under CI fails) unless libvirt's daemons and client are installed. */
    public void requireLibvirt() {
        List<String> absent = new ArrayList<>();
        requireFile(absent, "usr/sbin/libvirtd", "libvirtd (package libvirt-daemon-system)");
        requireFile(absent, "usr/sbin/virtlogd", "virtlogd (package libvirt-daemon-system)");
        requireFile(absent, "usr/bin/virsh", "virsh (package libvirt-clients)");
        if (!absent.isEmpty()) {
            missing(absent);
        }
    }

    /** Skips (or under CI fails) unless OpenSSH's server and ssh-keygen are installed. */
    public void requireSshd() {
        List<String> absent = new ArrayList<>();
        requireFile(absent, "usr/sbin/sshd", "sshd (package openssh-server)");
        requireFile(absent, "usr/bin/ssh-keygen", "ssh-keygen (package openssh-client)");
        if (!absent.isEmpty()) {
            missing(absent);
        }
    }

    /** Skips (or under CI fails) unless this runs as root on a Debian system with dpkg (package install tests). */
    public void requireDpkgAsRoot() {
        List<String> absent = new ArrayList<>();
        requireFile(absent, "usr/bin/dpkg", "dpkg");
        if (!"root".equals(System.getProperty("user.name"))) {
            absent.add("root (dpkg -i)");
        }
        if (!absent.isEmpty()) {
            missing(absent);
        }
    }

    /** Skips (or under CI fails) unless Debian's package checker lintian is installed. */
    public void requireLintian() {
        List<String> absent = new ArrayList<>();
        requireFile(absent, "usr/bin/lintian", "lintian (package lintian)");
        if (!absent.isEmpty()) {
            missing(absent);
        }
    }

    /**
     * Skips (or under CI fails) unless systemd-analyze and man are installed: {@code systemd-analyze verify} asks man
     * for each unit's Documentation= page. No running systemd is needed.
     */
    public void requireSystemdAnalyze() {
        List<String> absent = new ArrayList<>();
        requireFile(absent, "usr/bin/systemd-analyze", "systemd-analyze (package systemd)");
        requireFile(absent, "usr/bin/man", "man (package man-db)");
        if (!absent.isEmpty()) {
            missing(absent);
        }
    }

    /** Skips (or under CI fails) unless a VM can boot this machine's systemd from a persistent disk (SystemdVm). */
    public void requireSystemdVm() {
        List<String> absent = new ArrayList<>();
        requireFile(absent, "lib/systemd/systemd", "systemd (package systemd)");
        requireFile(absent, "usr/lib/qemu/virtiofsd", "virtiofsd (package qemu-system-common)");
        requireFile(absent, "sbin/mkfs.ext4", "mkfs.ext4 (package e2fsprogs)");
        requireFile(absent, "usr/bin/python3", "python3 (serves the feed inside the VM)");
        if (!absent.isEmpty()) {
            missing(absent);
        }
    }

    /** Skips (or under CI fails) unless ansible-playbook is installed (package ansible-core). */
    public void requireAnsible() {
        List<String> absent = new ArrayList<>();
        requireFile(absent, "usr/bin/ansible-playbook", "ansible-playbook (package ansible-core)");
        if (!absent.isEmpty()) {
            missing(absent);
        }
    }

    /** Skips (or under CI fails) unless Debian's kernel source tarball and what `make prepare` needs are here. */
    public void requireKernelSource() {
        List<String> absent = new ArrayList<>();
        try (Stream<Path> files = Files.isDirectory(root.resolve("usr/src")) ? Files.list(root.resolve("usr/src"))
                : Stream.empty()) {
            if (files.noneMatch(p -> p.getFileName().toString().matches("linux-source-.*\\.tar\\..*"))) {
                absent.add("the kernel source /usr/src/linux-source-X.Y.tar.xz (package linux-source)");
            }
        } catch (IOException e) {
            absent.add("a readable /usr/src (" + e.getMessage() + ")");
        }
        requireFile(absent, "usr/bin/patch", "patch");
        requireFile(absent, "usr/bin/flex", "flex");
        requireFile(absent, "usr/bin/bison", "bison");
        requireFile(absent, "usr/bin/bc", "bc");
        requireFile(absent, "usr/include/openssl/evp.h", "OpenSSL headers (package libssl-dev)");
        if (!absent.isEmpty()) {
            missing(absent);
        }
    }

    /** Skips (or under CI fails) unless {@code relative} exists under the root; {@code what} names it. */
    public void requireFile(String relative, String what) {
        List<String> absent = new ArrayList<>();
        requireFile(absent, relative, what);
        if (!absent.isEmpty()) {
            missing(absent);
        }
    }

    /** The cloud-flavour release, or skip (under CI: fail) when it is not installed. */
    public String requireCloudRelease() {
        return cloudRelease().orElseGet(() -> missing(List.of("the cloud kernel (linux-image-cloud-amd64)")));
    }

    boolean underCi() {
        return "true".equalsIgnoreCase(env.getOrDefault("CI", ""));
    }

    private <T> T missing(List<String> absent) {
        String message = "real-kernel test lane needs " + String.join(", ", absent)
                + " (run integration/vm/install-deps.sh)";
        if (underCi()) {
            return Assertions.fail(message);
        }
        Assumptions.abort(message);
        throw new AssertionError("unreachable");
    }

    private void requireFile(List<String> absent, String relative, String what) {
        if (!Files.exists(root.resolve(relative))) {
            absent.add(what);
        }
    }

    private List<String> releases() {
        Path boot = root.resolve("boot");
        if (!Files.isDirectory(boot)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(boot)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("vmlinuz-"))
                    .map(n -> n.substring("vmlinuz-".length())).sorted(Comparator.naturalOrder()).toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
