#!/bin/sh
# The fleet-scale rollout benchmark (docs/BENCHMARKS.md): N simulated guests patched through the real planner
# and executor with a latency-model guest step; prints wall time against the critical-path bound and the heap
# retained per guest. Runs in its own JVM so the heap figures are the rollout's alone.
# Usage: integration/bench/rollout-scale.sh [parallel [N...]]   (default: 256  1000 5000 10000 20000)
set -eu
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
top=$(dirname "$(dirname "$here")")
cd "$top"
./mvnw -q -B -o -pl plugin package -DskipTests
exec java -Xms2g -Xmx2g -cp plugin/target/patchvisor.jar:plugin/target/test-classes \
    org.patchvisor.rollout.RolloutScaleBenchmark "$@"
