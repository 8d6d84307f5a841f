#!/bin/sh
# Turns what the build generated into the files the Debian package ships, in the form Debian's policy (and
# lintian) asks for: man pages and the changelog compressed with gzip -9n (best compression, no name or time
# stamped in, so the same input gives the same bytes), and the bash completion without a #! line (it is sourced,
# never run). The changelog's one entry carries the package's own version: the Maven version with -SNAPSHOT
# turned into ~STAMP, the rule jdeb applies to the same STAMP (DebPackageIT checks that the two agree).
# Usage: package-files.sh TARGET_DIR PROJECT_VERSION STAMP(yyyyMMddHHmmss, UTC) CONTROL_FILE CHANGELOG_TEMPLATE
set -eu
target=$1 project_version=$2 stamp=$3 control=$4 template=$5
out=$target/deb

case $stamp in
    [0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]) ;;
    *) echo "package-files: stamp '$stamp' is not yyyyMMddHHmmss" >&2; exit 1 ;;
esac
case $project_version in
    *-SNAPSHOT) version=${project_version%-SNAPSHOT}~$stamp ;;
    *) version=$project_version ;;
esac

rm -rf "$out"
mkdir -p "$out/man1" "$out/doc" "$out/completions"

for page in "$target"/man/*.1; do
    gzip -9n -c "$page" >"$out/man1/$(basename "$page").gz"
done

sed '1{/^#!/d;}' "$target/patchvisor.bash-completion" >"$out/completions/patchvisor"

# The entry's date is the build's stamp, not the clock, so a rebuild with the same stamp is identical.
iso=$(echo "$stamp" | sed 's/^\(....\)\(..\)\(..\)\(..\)\(..\)\(..\)$/\1-\2-\3 \4:\5:\6/')
date_format='+%a, %d %b %Y %H:%M:%S +0000'
when=$(LC_ALL=C date -u -d "$iso" "$date_format" 2>/dev/null \
    || LC_ALL=C date -u -j -f %Y%m%d%H%M%S "$stamp" "$date_format")
maintainer=$(sed -n 's/^Maintainer: *//p' "$control")
[ -n "$maintainer" ] || { echo "package-files: no Maintainer in $control" >&2; exit 1; }

sed -e "s|@VERSION@|$version|g" -e "s|@PROJECT_VERSION@|$project_version|g" -e "s|@MAINTAINER@|$maintainer|g" \
    -e "s|@DATE@|$when|g" "$template" | gzip -9n >"$out/doc/changelog.gz"
