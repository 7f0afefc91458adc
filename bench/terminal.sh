#!/usr/bin/env bash
# Terminal figures: keystroke-to-echo latency (median, p99) through the whole path on loopback, and
# the server's memory while 20 terminals stream output at full speed, and the latency of a quiet shell meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."
bash sandbox-provisioner/kit/ensure-kit.sh >/dev/null
export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_REUSE_ENABLE=true TESTCONTAINERS_CHECKS_DISABLE=true
./mvnw -q -B install -DskipTests -pl backend -am
./mvnw -q -B verify -pl backend -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=TerminalBenchmark -Dbench.out="$PWD/bench/out/terminal.txt"
cat bench/out/terminal.txt
