#!/bin/sh
# Builds a busybox initramfs that boots a Debian kernel RELEASE under QEMU into this machine's own root
# (shared read-only over 9p, made writable with a tmpfs overlay) and runs the real /usr/sbin/qemu-ga on the
# virtio-serial port org.qemu.guest_agent.0. A kernel without 9p (the cloud flavour) gets a self-contained
# image instead: qemu-ga and its libraries are copied in and the initramfs itself is the root.
#
# Usage: build-initramfs.sh RELEASE OUT.cpio.gz
# The result is cached by release and by the hash of this script (PV_INITRAMFS_CACHE, default
# integration/target/initramfs), so a rebuild only happens when either changes.
set -eu

if [ $# -ne 2 ]; then
    echo "usage: $0 RELEASE OUT.cpio.gz" >&2
    exit 2
fi
RELEASE=$1
OUT=$2
MODDIR=/lib/modules/$RELEASE
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${PV_INITRAMFS_CACHE:-$HERE/../target/initramfs}

[ -d "$MODDIR" ] || { echo "build-initramfs: no modules for $RELEASE in $MODDIR" >&2; exit 1; }
BUSYBOX=$(command -v busybox || true)
[ -n "$BUSYBOX" ] || { echo "build-initramfs: busybox not found (install busybox-static)" >&2; exit 1; }
if ! file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' && ldd "$BUSYBOX" >/dev/null 2>&1; then
    echo "build-initramfs: $BUSYBOX is dynamically linked (install busybox-static)" >&2
    exit 1
fi

HASH=$(cat "$0" | sha256sum | cut -c1-12)
CACHED=$CACHE/$RELEASE-$HASH.cpio.gz
mkdir -p "$CACHE" "$(dirname "$OUT")"
if [ -s "$CACHED" ]; then
    [ "$(readlink -f "$CACHED")" = "$(readlink -f "$OUT")" ] || cp "$CACHED" "$OUT"
    echo "build-initramfs: cached $CACHED"
    exit 0
fi

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/bin" "$STAGE/modules" "$STAGE/proc" "$STAGE/sys" "$STAGE/dev" "$STAGE/ro" "$STAGE/rw" \
    "$STAGE/newroot" "$STAGE/tmp" "$STAGE/run" "$STAGE/var/lib/patchvisor" "$STAGE/root"
cp "$BUSYBOX" "$STAGE/bin/busybox"

is_builtin() {
    grep -q "/$1\.ko\$" "$MODDIR/modules.builtin" 2>/dev/null
}

# Depth-first over `modinfo -F depends`, so every module follows the ones it needs.
ORDER=""
visit() {
    case " $ORDER " in *" $1 "*) return 0 ;; esac
    if is_builtin "$1"; then return 0; fi
    modinfo -k "$RELEASE" -F filename "$1" >/dev/null 2>&1 || return 1
    for dep in $(modinfo -k "$RELEASE" -F depends "$1" | tr ',' ' '); do
        visit "$dep" || return 1
    done
    # POSIX sh has no locals: look the file up only after the recursion.
    file=$(modinfo -k "$RELEASE" -F filename "$1")
    case "$file" in
        *.ko.xz) xz -dc "$file" >"$STAGE/modules/$1.ko" ;;
        *.ko.zst) zstd -qdc "$file" >"$STAGE/modules/$1.ko" ;;
        *.ko.gz) gzip -dc "$file" >"$STAGE/modules/$1.ko" ;;
        *) cp "$file" "$STAGE/modules/$1.ko" ;;
    esac
    ORDER="$ORDER $1"
}

BASE="virtio virtio_ring virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_console"
SHARE="netfs fscache 9pnet 9pnet_virtio 9p"
for m in $BASE; do
    visit "$m" || { echo "build-initramfs: module $m missing for $RELEASE" >&2; exit 1; }
done
MODE=hostroot
SAVED=$ORDER
for m in $SHARE; do
    if ! visit "$m"; then
        MODE=standalone
        break
    fi
done
if [ "$MODE" = standalone ]; then
    for m in $SHARE; do
        case " $SAVED " in *" $m "*) ;; *) rm -f "$STAGE/modules/$m.ko" ;; esac
    done
    ORDER=$SAVED
    # No host root to chroot into: bring the agent and its shared libraries along.
    mkdir -p "$STAGE/usr/sbin"
    cp /usr/sbin/qemu-ga "$STAGE/usr/sbin/qemu-ga"
    for lib in $(ldd /usr/sbin/qemu-ga | grep -o '/[^ ]*'); do
        mkdir -p "$STAGE$(dirname "$lib")"
        cp -L "$lib" "$STAGE$lib"
    done
fi
# The writable layer over the shared root, whichever way the root comes.
visit overlay || { echo "build-initramfs: no overlay module for $RELEASE" >&2; [ "$MODE" = standalone ] || exit 1; }
# The systemd boot (pv.systemd, see below): a persistent ext4 disk for the overlay's upper layer, and virtiofs for
# the shared root where a kernel has no 9p. Each is optional: a kernel without them only lacks that boot.
for m in virtio_blk crc32c_generic ext4 fuse virtiofs; do
    visit "$m" || echo "build-initramfs: no $m for $RELEASE, no systemd boot from a disk" >&2
done
# The NIC of KernelVm's optional user-mode network; loaded always, configured only when the NIC exists.
for m in failover net_failover virtio_net; do
    visit "$m" || echo "build-initramfs: no $m for $RELEASE, the VM will have no network" >&2
done
echo "$ORDER" >"$STAGE/modules/order"
echo "$MODE" >"$STAGE/mode"

cat >"$STAGE/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
say() { echo "pv-init: $*"; }

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# securityfs shows the lockdown mode (/sys/kernel/security/lockdown), a fact the preflight reads.
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null || say "no securityfs"
for m in $(cat /modules/order); do
    insmod "/modules/$m.ko" || say "insmod $m failed"
done

# QEMU user-mode networking (KernelVm.Options.withUserNetwork): the host's loopback is 10.0.2.2.
ip link set lo up
if [ -e /sys/class/net/eth0 ]; then
    ip addr add 10.0.2.15/24 dev eth0 && ip link set eth0 up && ip route add default via 10.0.2.2 \
        && say "eth0 10.0.2.15/24 via 10.0.2.2" || say "eth0 configuration failed"
fi

has_arg() {
    case " $(cat /proc/cmdline) " in *" $1 "*) return 0 ;; esac
    return 1
}
# pv.root=virtiofs: the host root comes over virtiofs (KernelVm's systemd boot; the cloud kernel has no 9p).
# pv.disk: the overlay's upper layer is the ext4 disk /dev/vda, so what the VM writes survives a reboot.
mount_root() {
    if has_arg pv.root=virtiofs; then
        mount -t virtiofs -o ro hostroot /ro
    elif [ "$(cat /mode)" = hostroot ]; then
        mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000 hostroot /ro
    else
        return 1
    fi
}
mount_upper() {
    if has_arg pv.disk; then
        mount -t ext4 /dev/vda /rw
    else
        mount -t tmpfs -o mode=0755 tmpfs /rw
    fi
}

# No udev yet: find the agent's port by its name, waiting up to 10 s for it to appear under $ROOT/dev.
agent_port() {
    PORT=""
    i=0
    while [ -z "$PORT" ] && [ $i -lt 100 ]; do
        for p in /sys/class/virtio-ports/*; do
            [ -f "$p/name" ] && [ "$(cat "$p/name")" = org.qemu.guest_agent.0 ] && PORT=/dev/${p##*/}
        done
        [ -n "$PORT" ] && [ -e "$ROOT$PORT" ] && break
        PORT=""
        i=$((i + 1))
        sleep 0.1
    done
    [ -n "$PORT" ] || { say "no org.qemu.guest_agent.0 port"; poweroff -f; }
}

ROOT=/
if has_arg pv.root=virtiofs || [ "$(cat /mode)" = hostroot ]; then
    if mount_root && mount_upper \
        && mkdir -p /rw/upper /rw/work \
        && mount -t overlay overlay -o lowerdir=/ro,upperdir=/rw/upper,workdir=/rw/work /newroot; then
        ROOT=/newroot
        mount -t proc proc /newroot/proc
        mount -t sysfs sysfs /newroot/sys
        mount -t securityfs securityfs /newroot/sys/kernel/security 2>/dev/null || say "no securityfs"
        mount -t devtmpfs devtmpfs /newroot/dev
        mkdir -p /newroot/dev/pts /newroot/dev/shm
        mount -t devpts devpts /newroot/dev/pts
        mount -t tmpfs tmpfs /newroot/dev/shm
    else
        say "host root not mounted, staying in the initramfs"
    fi
fi
# pv.systemd: boot the real systemd of this machine's root as PID 1, as a host runs. The agent becomes a runtime
# unit; the services this machine's root has enabled (databases, libvirtd, apt timers...) are masked for the
# boot, since they are not under test and would take minutes under TCG. Only patchvisor's own units and the
# test's pv-* units stay.
if has_arg pv.systemd && [ "$ROOT" = /newroot ]; then
    agent_port
    mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /newroot/run
    units=/newroot/run/systemd/system
    mkdir -p "$units/sysinit.target.wants"
    for wanted in /newroot/etc/systemd/system/*.wants/*; do
        name=${wanted##*/}
        case "$name" in patchvisor-*|pv-*|'*') ;; *) ln -sf /dev/null "$units/$name" ;; esac
    done
    # This machine may itself be a container image: its marker would make the VM's systemd believe it runs in a
    # container (and read PID 1's command line instead of the kernel's). Hidden in the VM's own layer only.
    rm -f /newroot/.dockerenv
    # The distribution's agent unit would fight pv-agent for the port.
    ln -sf /dev/null "$units/qemu-guest-agent.service"
    # /tmp is this machine's (a CI checkout may live there): keep it instead of emptying it at boot as Debian's
    # tmp.conf says, which would also walk every file under it through virtiofs.
    mkdir -p /newroot/run/tmpfiles.d
    echo 'd /tmp 1777 root root -' >/newroot/run/tmpfiles.d/tmp.conf
    cat >"$units/pv-agent.service" <<UNIT
[Unit]
Description=QEMU guest agent of the test VM
DefaultDependencies=no
StartLimitIntervalSec=0
[Service]
ExecStart=/usr/sbin/qemu-ga -m virtio-serial -p $PORT -t /run
Restart=always
RestartSec=1
UNIT
    ln -s ../pv-agent.service "$units/sysinit.target.wants/pv-agent.service"
    say "switching to systemd, agent on $PORT, kernel $(uname -r)"
    exec switch_root /newroot /lib/systemd/systemd
fi

# /tmp stays the host's, seen through the overlay (writes land in its tmpfs upper layer): a checkout under /tmp
# (a CI clone, say) must be visible inside the guest like any other.
for d in /run /var/lib/patchvisor; do
    mkdir -p "$ROOT$d"
    mount -t tmpfs -o mode=0755 tmpfs "$ROOT$d"
done
[ -d /sys/kernel/livepatch ] || say "no /sys/kernel/livepatch"

# A one-shot job instead of the agent (examples/demo.sh): pv.run=SCRIPT on the kernel command line runs
# SCRIPT as root in the new root, on the console, then powers the VM off.
RUN=$(sed -n 's/.*pv\.run=\([^ ]*\).*/\1/p' /proc/cmdline)
if [ -n "$RUN" ]; then
    chroot "$ROOT" /bin/sh -c 'cd /tmp && exec /bin/sh "$0"' "$RUN" </dev/console >/dev/console 2>&1
    say "$RUN finished with exit code $?"
    poweroff -f
fi

agent_port
say "guest agent on $PORT, root $ROOT, kernel $(uname -r)"

# PID 1 stays in the initramfs and restarts the agent should it die.
while true; do
    chroot "$ROOT" /usr/sbin/qemu-ga -m virtio-serial -p "$PORT" -t /run
    say "qemu-ga exited with $?, restarting"
    sleep 1
done
INIT
chmod 755 "$STAGE/init"

TMP=$CACHED.tmp.$$
(cd "$STAGE" && find . | cpio -o -H newc --quiet | gzip -1) >"$TMP"
mv "$TMP" "$CACHED"
[ "$(readlink -f "$CACHED")" = "$(readlink -f "$OUT")" ] || cp "$CACHED" "$OUT"
echo "build-initramfs: built $CACHED ($MODE:$ORDER)"
