#!/bin/sh
# Installs every Debian package the real-kernel test lane needs (QEMU, the two kernel flavours with their
# headers, the initramfs tools, the guest agent, a compiler for live-patch modules, the kernel's own source and
# what its `make prepare` needs for `build --check-fix`, git and gawk that the klp-build backend needs) and the
# daemons later lanes use (libvirtd, tinyproxy, and an sshd the SSH channel test starts on 127.0.0.1), python3,
# whose http.server serves feeds as a plain static web server, and prometheus for its promtool, which checks and
# unit-tests the shipped alert rules. The lane never uses the Prometheus server that package also brings: under
# systemd its postinst enables and starts prometheus.service (listening on :9090); without an init system (a
# container: no runlevel, or a policy-rc.d that denies) it starts nothing. promtool needs neither.
# lintian (Debian's own package checker; it brings man-db) checks the built patchvisor.deb (LintianIT), and
# systemd's systemd-analyze verify checks its units once installed (DebPackageIT); it needs no running systemd.
# SystemdHostIT boots that same systemd as PID 1 in a VM, its overlay's upper layer on an ext4 image (e2fsprogs)
# and this machine's root over QEMU's virtiofsd (in qemu-system-common, which qemu-system-x86 brings); it runs
# the Ansible playbook against itself, whose apt module needs python3-apt (not a dependency of ansible-core).
# Idempotent: when everything is present it only runs dpkg-query and exits.
set -eu

PACKAGES="qemu-system-x86 qemu-utils linux-image-amd64 linux-headers-amd64 linux-image-cloud-amd64
linux-headers-cloud-amd64 busybox-static cpio gzip xz-utils kmod qemu-guest-agent make gcc libelf-dev
libvirt-daemon-system libvirt-clients tinyproxy openssh-server ansible-core linux-source flex bison bc libssl-dev
patch git gawk python3 prometheus lintian systemd e2fsprogs python3-apt"

missing=""
for p in $PACKAGES; do
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
    case "$status" in
        ii*) ;;
        *) missing="$missing $p" ;;
    esac
done

if [ -z "$missing" ]; then
    echo "install-deps: all packages present"
    exit 0
fi

if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing packages:$missing (run as root to install them)" >&2
    exit 1
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# force-confold: a pre-existing /etc/libvirt/qemu.conf would otherwise stop the install at a prompt.
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-confold $missing
