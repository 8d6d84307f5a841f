#!/bin/sh
# Runs every test of patchvisor: the fast unit tests and the real-component lane (real Debian kernels booted
# under QEMU/TCG with live patches built against their headers). Installs the Debian packages it needs first.
# Usage: integration/test.sh [extra maven arguments]
set -eu
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
top=$(dirname "$here")

"$here/vm/install-deps.sh"

cd "$top"
# The real-component lane must never silently skip in CI: a missing component fails the run there.
exec ./mvnw -B -ntp verify "$@"
