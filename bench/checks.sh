#!/usr/bin/env bash
# Time to a verdict per lab, for wrong answers (the labs' wrong solutions) and right ones (the
# reference solutions), on a real sandbox per lab: median and p95.
#   bench/checks.sh                   every lab (one sandbox after the other; long)
#   LAB=clusterip,nodeport bench/checks.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash sandbox-provisioner/kit/ensure-kit.sh >/dev/null
export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_REUSE_ENABLE=true TESTCONTAINERS_CHECKS_DISABLE=true
./mvnw -q -B install -DskipTests -pl backend -am
./mvnw -q -B verify -pl backend -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=CheckBenchmark -Dbench.lab="${LAB:-all}" -Dbench.out="$PWD/bench/out/checks.txt"
cat bench/out/checks.txt
