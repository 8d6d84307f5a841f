#!/bin/sh
# From a fix to a live patch in a running kernel, with no hand-written code: boot a throwaway VM on a real Debian
# kernel (QEMU/TCG) to read its symbol map, turn a plain kernel fix into a live patch with `patchvisor build --fix`
# (Debian's own kernel source compiled without and with the fix, the changed functions extracted), show a fix a
# live patch cannot carry being refused, then boot the VM again and apply the built patch in its running kernel.
# The kernel of this machine is never touched. Needs root (it installs the Debian packages it uses).
# PATCHVISOR_DEMO_BUILT=1 skips the Maven build; PATCHVISOR_SOURCE_CACHE names the prepared-source cache to use.
set -eu
top=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$top"

echo "== installing what the demo needs (qemu, a Debian kernel, its headers and its source, a compiler)"
integration/vm/install-deps.sh
if [ "${PATCHVISOR_DEMO_BUILT:-}" != 1 ]; then
    echo "== building patchvisor"
    ./mvnw -q -B -ntp -DskipTests package
fi

release=$(ls /boot/vmlinuz-* | sed 's#.*/vmlinuz-##' | grep -- '-amd64$' | grep -v -- '-cloud-' | sort -V | tail -n 1)
[ -n "$release" ] || { echo "demo-fix: no Debian amd64 kernel in /boot" >&2; exit 1; }
work=$top/integration/target/demo-fix
rm -rf "$work"
mkdir -p "$work"
initramfs=integration/target/initramfs/$release.cpio.gz
integration/vm/build-initramfs.sh "$release" "$initramfs" >/dev/null
cache=${PATCHVISOR_SOURCE_CACHE:+--source-cache $PATCHVISOR_SOURCE_CACHE}
fix=examples/build/fix_sethostname_dash/fix.patch

# One boot of the VM; demo-fix-inside.sh runs PHASE in it and sees $work as /mnt/pvdemo, writable.
boot() {
    qemu-system-x86_64 -accel tcg,thread=multi -cpu max -m 2048 -smp 2 \
        -nographic -nodefaults -no-reboot -monitor none -serial stdio \
        -kernel "/boot/vmlinuz-$release" -initrd "$initramfs" \
        -append "console=ttyS0 panic=-1 quiet loglevel=1 pv.run=$top/examples/demo-fix-inside.sh pv.phase=$1" \
        -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
        -virtfs "local,path=$work,mount_tag=pvdemo,security_model=none"
}

echo "== 1. booting $release under QEMU (TCG) to read the running kernel's symbol map"
boot symbols
[ -s "$work/kallsyms" ] || { echo "demo-fix: the VM wrote no symbol map" >&2; exit 1; }

echo
echo "== 2. the fix: sethostname(2) refuses a host name that starts with a dash"
cat "$fix"

echo
echo "== 3. patchvisor build --fix: kernel/sys.c compiled without and with the fix in Debian's source, the changed"
echo "      function extracted with its exception-table entry and alternatives, linked as a live-patch module"
# shellcheck disable=SC2086
bin/patchvisor build --fix "$fix" --kernel "$release" --name pv_fix_hostname --symbol-map "$work/kallsyms" \
    $cache --out "$work/pv_fix_hostname.ko"

echo
echo "== 4. a fix that changes the initial value of kernel data cannot be carried: refused, nothing built"
# shellcheck disable=SC2086
if bin/patchvisor build --fix examples/build/refused_changed_data/fix.patch --kernel "$release" \
        --name pv_refused --symbol-map "$work/kallsyms" $cache --out "$work/pv_refused.ko"; then
    echo "demo-fix: the changed-data fix was not refused" >&2
    exit 1
else
    echo "(exit code $?)"
fi

echo
echo "== 5. booting again: the built patch applied in the running kernel"
boot apply
[ -f "$work/applied" ] || { echo "demo-fix: the patch did not work as shown in the VM" >&2; exit 1; }
