#!/bin/sh
# The fix-check benchmark (docs/BENCHMARKS.md): `patchvisor build --check-fix` with the banner example, cold (the
# source cache empty: unpack Debian's linux-source, make olddefconfig prepare, compile twice, compare, build the
# module) and warm (the prepared tree reused), in one run, alternating; then, warm, a fix whose units kbuild has to
# sort out (CheckFixIT's: a changed header, a unit compiled inside another, one not built; it ends in exit 19, the
# live patch not covering it). Prints each run and the medians.
# Needs the jar (./mvnw -DskipTests package) and linux-source; a fake symbol map stands in for kallsyms (the
# replaced function need only be listed). Usage: integration/bench/check-fix.sh [rounds]   (default 3)
set -eu
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
top=$(dirname "$(dirname "$here")")
rounds=${1:-3}
release=$(ls /boot/vmlinuz-* | sed 's#.*/vmlinuz-##' | grep -- '-amd64$' | grep -v -- '-cloud-' | sort -V | tail -n 1)
work=$(mktemp -d /tmp/pv-check-fix-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
printf 'ffffffff81400000 t version_proc_show\n' > "$work/map"
example=$top/examples/build/proc_version_banner

units=$top/integration/src/test/resources/fixes/units-kbuild-decides.patch

# run FIX EXPECTED-EXIT: the time in ms
run() {
    start=$(date +%s%N)
    rc=0
    "$top/bin/patchvisor" build --source "$example" --kernel "$release" --symbol-map "$work/map" \
        --check-fix "$1" --source-cache "$work/cache" --out "$work/pv.ko" >/dev/null 2>"$work/err" || rc=$?
    if [ "$rc" -ne "$2" ]; then
        echo "check-fix of $1 exited $rc, not $2:" >&2; cat "$work/err" >&2; exit 1
    fi
    echo $(( ($(date +%s%N) - start) / 1000000 ))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

: > "$work/cold"; : > "$work/warm"; : > "$work/units"
i=0
while [ $i -lt "$rounds" ]; do
    rm -rf "$work/cache"
    c=$(run "$example/fix.patch" 0); w=$(run "$example/fix.patch" 0); u=$(run "$units" 19)
    echo "round $((i + 1)): cold $c ms, warm $w ms, warm with units kbuild sorts out $u ms"
    echo "$c" >> "$work/cold"; echo "$w" >> "$work/warm"; echo "$u" >> "$work/units"
    i=$((i + 1))
done
echo "median of $rounds: cold $(median < "$work/cold") ms, warm $(median < "$work/warm") ms, warm with units" \
    "kbuild sorts out $(median < "$work/units") ms ($release)"
