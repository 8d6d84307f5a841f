#!/bin/sh
# Builds every sample live patch for kernel RELEASE into OUTDIR (OUTDIR/*.ko). The sources are copied to
# OUTDIR/build first, so the source tree stays clean and builds for different releases do not collide.
# Usage: build.sh RELEASE OUTDIR
set -eu
if [ $# -ne 2 ]; then
    echo "usage: $0 RELEASE OUTDIR" >&2
    exit 2
fi
RELEASE=$1
OUT=$2
HERE=$(cd "$(dirname "$0")" && pwd)
KDIR=/usr/src/linux-headers-$RELEASE
[ -d "$KDIR" ] || { echo "build.sh: no kernel headers in $KDIR (install linux-headers-$RELEASE)" >&2; exit 1; }

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
BUILD=$OUT/build
rm -rf "$BUILD"
mkdir -p "$BUILD"
cp "$HERE"/*.c "$HERE/Makefile" "$BUILD/"
make -s -C "$KDIR" M="$BUILD" -j"$(nproc)" modules >"$BUILD/build.log" 2>&1 || {
    cat "$BUILD/build.log" >&2
    exit 1
}
for ko in "$BUILD"/*.ko; do
    cp "$ko" "$OUT/"
    echo "built $OUT/$(basename "$ko") ($(modinfo -F vermagic "$ko" | cut -d' ' -f1))"
done
