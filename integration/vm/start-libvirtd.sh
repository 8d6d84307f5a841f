#!/bin/sh
# Starts libvirt's daemons by hand for the test lane (these machines have no systemd as PID 1): creates the
# directories they expect, starts virtlogd and libvirtd unless already running, and waits for the socket.
# Idempotent: a second run with the daemons up only checks the socket.
set -eu
SOCK=/run/libvirt/libvirt-sock

if [ "$(id -u)" != 0 ]; then
    echo "start-libvirtd: must run as root" >&2
    exit 1
fi
for tool in libvirtd virtlogd virsh; do
    command -v "$tool" >/dev/null 2>&1 || { echo "start-libvirtd: $tool missing (run install-deps.sh)" >&2; exit 1; }
done
mkdir -p /var/log/libvirt /run/libvirt /var/lib/libvirt/qemu

running() {
    # pidof matches the program name exactly, never a command line that merely mentions it.
    pidof "$1" >/dev/null 2>&1
}

running virtlogd || virtlogd -d
running libvirtd || libvirtd -d

i=0
until [ -S "$SOCK" ] && virsh -c qemu:///system version >/dev/null 2>&1; do
    i=$((i + 1))
    if [ $i -gt 100 ]; then
        echo "start-libvirtd: libvirtd did not answer on $SOCK within 20 s" >&2
        exit 1
    fi
    sleep 0.2
done
echo "start-libvirtd: libvirtd answers on $SOCK"
