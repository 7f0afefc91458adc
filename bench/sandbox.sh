#!/usr/bin/env bash
# Sandbox figures on this machine: cold start (median of 3), warm-pool hand-out, idle memory,
# and how many idle sandboxes the host holds before the configured limit refuses more.
#   bench/sandbox.sh                      defaults (3 cold starts, limit 8)
#   COLD_STARTS=5 MAX_TOTAL=12 bench/sandbox.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash sandbox-provisioner/kit/ensure-kit.sh >/dev/null
export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_REUSE_ENABLE=true TESTCONTAINERS_CHECKS_DISABLE=true
./mvnw -q -B install -DskipTests -pl sandbox-provisioner -am
./mvnw -q -B verify -pl sandbox-provisioner -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=SandboxBenchmark -Dbench.coldStarts="${COLD_STARTS:-3}" -Dbench.maxTotal="${MAX_TOTAL:-8}" \
  -Dbench.out="$PWD/bench/out/sandbox.txt"
cat bench/out/sandbox.txt
