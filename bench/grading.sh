#!/usr/bin/env bash
# The grading API on a cohort of 1,000 generated learners: how long each kind of page takes (in the
# service, i.e. SQL plus one page's results, and through HTTP with Basic auth), next to loading the
# whole cohort. Needs no Docker: the test uses the platform's embedded PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B install -DskipTests -pl backend -am
./mvnw -q -B test -pl backend -Dtest=LargeCohortGradingTest -Dsurefire.failIfNoSpecifiedTests=false
mkdir -p bench/out
grep -h '^Grading\|^Generated' backend/target/surefire-reports/dev.servicelab.grading.LargeCohortGradingTest-output.txt \
  | tee bench/out/grading.txt
