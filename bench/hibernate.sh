#!/usr/bin/env bash
# Hibernation figures on this machine: resume from frozen and from a snapshot (median, p95),
# snapshot size and time, the CPU and memory a running, a frozen and a snapshotted sandbox hold, and
# how many enrolled learners this host serves with 8 of them working (computed from those figures).
#   bench/hibernate.sh                    defaults (5 thaws and snapshots, 3 restores)
#   RUNS=10 RESTORES=5 bench/hibernate.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash sandbox-provisioner/kit/ensure-kit.sh >/dev/null
export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_REUSE_ENABLE=true TESTCONTAINERS_CHECKS_DISABLE=true
./mvnw -q -B verify -pl sandbox-provisioner -am -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=HibernationBenchmark -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dbench.runs="${RUNS:-5}" -Dbench.restores="${RESTORES:-3}" -Dbench.out="$PWD/bench/out/hibernate.txt"
cat bench/out/hibernate.txt
