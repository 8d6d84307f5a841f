#!/bin/sh
# Runs inside the fix demo's VM (see demo-fix.sh), as root, on a real Debian kernel. pv.phase on the kernel
# command line says which half: "symbols" writes /proc/kallsyms to the demo's share; "apply" live-patches the
# kernel with the module demo-fix.sh built from the fix, shows the fixed behaviour, and removes it.
top=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
share=/mnt/pvdemo
phase=$(sed -n 's/.*pv\.phase=\([^ ]*\).*/\1/p' /proc/cmdline)

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '\033[36m# %s\033[0m\n' "$*"; "$@"; rc=$?; [ $rc -eq 0 ] || printf '(exit code %d)\n' $rc; }
pv() { run "$top/bin/patchvisor" "$@"; }
# sethostname(2) itself (the hostname tools refuse such names on their own); prints the errno it failed with.
sethost() {
    printf '\033[36m# sethostname("%s")\033[0m\n' "$1"
    python3 -c 'import errno, os, socket, sys
try:
    socket.sethostname(sys.argv[1]); print("ok: host name is now", socket.gethostname())
except OSError as e:
    print("refused:", errno.errorcode[e.errno]); sys.exit(e.errno)' "$1"
}

mkdir -p "$share"
mount -t 9p -o trans=virtio,version=9p2000.L pvdemo "$share" || { echo "demo-fix: no share"; exit 1; }
case "$phase" in
symbols)
    cat /proc/kallsyms >"$share/kallsyms"
    echo "demo-fix: $(wc -l <"$share/kallsyms") symbols of $(uname -r) written"
    ;;
apply)
    step "Before: the running kernel takes a host name that starts with a dash"
    sethost -before || exit 1
    step "Live-patch it with the module built from the fix"
    pv apply "$share/pv_fix_hostname.ko"
    [ $rc -eq 0 ] || exit 1
    pv status
    step "After: the same system call is refused with EINVAL; a good name still works"
    sethost -after && exit 1
    sethost pv-fixed || exit 1
    step "Remove it: the kernel's own sethostname is back"
    pv remove pv_fix_hostname
    [ $rc -eq 0 ] || exit 1
    sethost -again || exit 1
    echo "demo-fix: the fix was live and is gone again"
    echo ok >"$share/applied"
    ;;
*)
    echo "demo-fix: unknown phase '$phase'"
    exit 1
    ;;
esac
