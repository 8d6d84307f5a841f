#!/bin/sh
# The fix-to-live-patch benchmark (docs/BENCHMARKS.md): the banner fix turned into a signed, published live patch
# by `patchvisor build --fix` (no hand-written code), cold (the source cache empty: unpack Debian's linux-source,
# make olddefconfig prepare, then compile twice, compare, extract, link) and warm (the prepared tree reused), and,
# warm, the hand-written route for the same fix (`build --source` with its replacement function, `--check-fix`).
# All three publish into a throwaway feed repository. One run, alternating; prints each run, the step split that
# `--json` reports, and the medians.
# Needs the jar (./mvnw -DskipTests package) and linux-source; a small symbol map stands in for kallsyms (the
# banner fix uses only exported symbols besides the replaced function). Usage: integration/bench/fix-build.sh [rounds]
set -eu
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
top=$(dirname "$(dirname "$here")")
rounds=${1:-3}
release=$(ls /boot/vmlinuz-* | sed 's#.*/vmlinuz-##' | grep -- '-amd64$' | grep -v -- '-cloud-' | sort -V | tail -n 1)
work=$(mktemp -d /tmp/pv-fix-build-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
printf 'ffffffff81400000 t version_proc_show\n' > "$work/map"
example=$top/examples/build/proc_version_banner
pv=$top/bin/patchvisor
"$pv" repo keygen --out "$work/key" >/dev/null

# run ROUTE: the time in ms; the --fix route leaves its --json report in $work/json
run() {
    start=$(date +%s%N)
    if [ "$1" = fix ]; then
        "$pv" build --fix "$example/fix.patch" --kernel "$release" --name pv_bench --symbol-map "$work/map" \
            --source-cache "$work/cache" --out "$work/pv.ko" --repo "$work/repo" --key "$work/key" --json \
            >"$work/json" 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
    else
        "$pv" build --source "$example" --kernel "$release" --symbol-map "$work/map" --check-fix "$example/fix.patch" \
            --source-cache "$work/cache" --out "$work/pv.ko" --repo "$work/repo" --key "$work/key" \
            >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
    fi
    echo $(( ($(date +%s%N) - start) / 1000000 ))
}
steps() {
    python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["timings_seconds"]; print("compile %.1f s, compare %.2f s, extract %.2f s, link %.1f s" % (t["compile"], t["compare"], t["extract"], t["link"]))' "$work/json"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

: > "$work/cold"; : > "$work/warm"; : > "$work/hand"
i=0
while [ $i -lt "$rounds" ]; do
    rm -rf "$work/cache"
    c=$(run fix); cs=$(steps); w=$(run fix); ws=$(steps); h=$(run hand)
    echo "round $((i + 1)): --fix cold $c ms ($cs), --fix warm $w ms ($ws), hand-written warm $h ms"
    echo "$c" >> "$work/cold"; echo "$w" >> "$work/warm"; echo "$h" >> "$work/hand"
    i=$((i + 1))
done
echo "median of $rounds: --fix cold $(median < "$work/cold") ms, --fix warm $(median < "$work/warm") ms," \
    "hand-written warm $(median < "$work/hand") ms ($release)"
