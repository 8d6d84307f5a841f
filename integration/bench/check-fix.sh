#!/bin/sh
# The fix-check benchmark (docs/BENCHMARKS.md): `patchvisor build --check-fix` with the banner example, cold (the
# source cache empty: unpack Debian's linux-source, make olddefconfig prepare, compile twice, compare, build the
# module) and warm (the prepared tree reused), in one run, alternating. Prints each run and the medians.
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

run() {
    start=$(date +%s%N)
    "$top/bin/patchvisor" build --source "$example" --kernel "$release" --symbol-map "$work/map" \
        --check-fix "$example/fix.patch" --source-cache "$work/cache" --out "$work/pv.ko" >/dev/null
    echo $(( ($(date +%s%N) - start) / 1000000 ))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

: > "$work/cold"; : > "$work/warm"
i=0
while [ $i -lt "$rounds" ]; do
    rm -rf "$work/cache"
    c=$(run); w=$(run)
    echo "round $((i + 1)): cold $c ms, warm $w ms"
    echo "$c" >> "$work/cold"; echo "$w" >> "$work/warm"
    i=$((i + 1))
done
echo "median of $rounds: cold $(median < "$work/cold") ms, warm $(median < "$work/warm") ms ($release)"
