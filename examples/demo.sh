#!/bin/sh
# The main job end to end, in one command: build patchvisor, boot a throwaway VM on a real Debian kernel
# (QEMU/TCG, this machine's root shared in read-only), and live-patch that kernel with patchvisor while you
# watch: before, apply, after, stacking, a cumulative replace, a transition that cannot finish, removal.
# The kernel of this machine is never touched. Needs root (it installs the Debian packages it uses).
set -eu
top=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$top"

echo "== installing what the demo needs (qemu, a Debian kernel and its headers, busybox)"
integration/vm/install-deps.sh
echo "== building patchvisor"
./mvnw -q -B -ntp -DskipTests package

release=$(ls /boot/vmlinuz-* | sed 's#.*/vmlinuz-##' | grep -- '-amd64$' | grep -v -- '-cloud-' | sort -V | tail -n 1)
[ -n "$release" ] || { echo "demo: no Debian amd64 kernel in /boot" >&2; exit 1; }
echo "== building the sample live patches for $release"
examples/livepatch/build.sh "$release" "integration/target/livepatch/$release" >/dev/null
# The same patches for the other kernel flavour, to show a wrong-kernel module being refused.
other=$(ls /boot/vmlinuz-* | sed 's#.*/vmlinuz-##' | grep -- '-cloud-amd64$' | sort -V | tail -n 1)
[ -z "$other" ] || examples/livepatch/build.sh "$other" "integration/target/livepatch/$other" >/dev/null
initramfs=integration/target/initramfs/$release.cpio.gz
integration/vm/build-initramfs.sh "$release" "$initramfs" >/dev/null

echo "== booting $release under QEMU (TCG); everything below runs inside that VM"
exec qemu-system-x86_64 -accel tcg,thread=multi -cpu max -m 2048 -smp 2 \
    -nographic -nodefaults -no-reboot -monitor none -serial stdio \
    -kernel "/boot/vmlinuz-$release" -initrd "$initramfs" \
    -append "console=ttyS0 panic=-1 quiet loglevel=1 pv.run=$top/examples/demo-inside.sh" \
    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap
