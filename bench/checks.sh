#!/usr/bin/env bash
# How long one step's checks take on a ready sandbox: API-only steps and steps with probes.
#   bench/checks.sh            the clusterip lab
#   LAB=nodeport bench/checks.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash sandbox-provisioner/kit/ensure-kit.sh >/dev/null
export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_REUSE_ENABLE=true TESTCONTAINERS_CHECKS_DISABLE=true
./mvnw -q -B install -DskipTests -pl backend -am
./mvnw -q -B verify -pl backend -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=CheckBenchmark -Dbench.lab="${LAB:-clusterip}" -Dbench.out="$PWD/bench/out/checks.txt"
cat bench/out/checks.txt
