#!/usr/bin/env bash
# Two platform replicas on one PostgreSQL: the lag from an attempt or a passed step recorded through
# one replica to the event on an instructor's dashboard stream open on the other (LISTEN/NOTIFY).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B install -DskipTests -pl backend -am
./mvnw -q -B test -pl backend -Dtest=ReplicasTest -Dsurefire.failIfNoSpecifiedTests=false
mkdir -p bench/out
grep -h '^Replica lag' backend/target/surefire-reports/dev.servicelab.ReplicasTest-output.txt | tee bench/out/replicas.txt
