#!/usr/bin/env bash
# A class at work on one platform with the default limits: time to a ready cluster per learner,
# check latency, the platform's heap and CPU, and for learners over the limit their queue position,
# the estimate they were shown and how long they waited.
#   bench/classroom.sh                 20 learners, 3 minutes of work
#   LEARNERS=30 WORK_SECONDS=300 bench/classroom.sh
#   LEARNERS=4 MAX_TOTAL=2 WORK_SECONDS=30 bench/classroom.sh    a small class that still queues
set -euo pipefail
cd "$(dirname "$0")/.."
bash sandbox-provisioner/kit/ensure-kit.sh >/dev/null
export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_REUSE_ENABLE=true TESTCONTAINERS_CHECKS_DISABLE=true
./mvnw -q -B install -DskipTests -pl backend -am
./mvnw -q -B verify -pl backend -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=ClassroomBenchmark -Dbench.learners="${LEARNERS:-20}" -Dbench.work-seconds="${WORK_SECONDS:-180}" \
  -Dbench.max-total="${MAX_TOTAL:-}" \
  -Dbench.out="$PWD/bench/out/classroom.txt"
cat bench/out/classroom.txt
