#!/bin/sh
# Runs inside the demo VM (see demo.sh), as root, on a real Debian kernel.
top=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
ko=$top/integration/target/livepatch/$(uname -r)
state=/var/lib/patchvisor

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '\033[36m# %s\033[0m\n' "$*"; "$@"; rc=$?; [ $rc -eq 0 ] || printf '(exit code %d)\n' $rc; }
pv() { run "$top/bin/patchvisor" "$@"; }

step "What machine is this?"
pv detect
step "The kernel before: /proc/cmdline is served by cmdline_proc_show()"
run cat /proc/cmdline
pv status

step "Live-patch it: pv_cmdline replaces cmdline_proc_show() in the running kernel"
pv apply "$ko/pv_cmdline.ko"
run cat /proc/cmdline
pv status

step "A second patch stacks on the first"
pv apply "$ko/pv_version.ko"
run cat /proc/version
pv uname -a

step "A cumulative patch replaces pv_cmdline atomically (and unloads it)"
pv apply "$ko/pv_cmdline_v2.ko"
run cat /proc/cmdline

step "A patch whose transition can never finish: reversed within its timeout, kernel unchanged"
pv apply "$ko/pv_stuck.ko" --timeout 5s
run ls /sys/kernel/livepatch

step "A module built for another kernel is refused before it is loaded"
other=$(ls -d "$top"/integration/target/livepatch/*-cloud-amd64 2>/dev/null | head -n 1)
[ -n "$other" ] && pv apply "$other/pv_cmdline.ko"

step "Remove everything: the original behaviour is back"
pv remove --all
run cat /proc/cmdline
run cat /proc/version
pv status
