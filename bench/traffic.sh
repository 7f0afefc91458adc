#!/usr/bin/env bash
# Traffic view figures on a real sandbox: requests per second observed end to end (node conntrack ->
# flow stream -> server -> WebSocket client) with nothing lost, and the lag from a request to the
# message that counts it. Prints the figures (target: >= 1,000 req/s without loss, lag < 500 ms).
set -euo pipefail
cd "$(dirname "$0")/.."
bash sandbox-provisioner/kit/ensure-kit.sh >/dev/null
export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_REUSE_ENABLE=true TESTCONTAINERS_CHECKS_DISABLE=true
mkdir -p bench/out
./mvnw -q -B verify -pl backend -am -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfailsafe.failIfNoSpecifiedTests=false -Dit.test=TrafficBenchmark -Dbench.out="$PWD/bench/out/traffic.txt"
cat bench/out/traffic.txt
