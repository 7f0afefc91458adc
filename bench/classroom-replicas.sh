#!/usr/bin/env bash
# A class across two platform replicas behind a round-robin proxy (docker-compose.yml with
# docker-compose.replicas.yml, locally built images), everything through the proxy as browsers
# would; once half the class has a ready cluster, one replica is killed with `docker kill`
# (SIGKILL: a crash, no graceful shutdown, the harder case). Prints time to a ready cluster, check
# latency, dashboard event lag, each replica's heap, and what the kill cost (failed requests and
# for how long, sign-outs, lost attempts, sandboxes no longer their learner's, terminal reconnects).
#   bench/classroom-replicas.sh                                  30 learners, max 8 sandboxes, 2 minutes of work each
#   LEARNERS=30 MAX_TOTAL=10 WORK_SECONDS=120 bench/classroom-replicas.sh
#   KILL=none bench/classroom-replicas.sh                        no kill
# Everything it creates (compose project, sandboxes, their networks) is removed at the end, also on failure.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PROJECT=servicelab-classroom-$$
PLATFORM_ID=servicelab-classroom-$$
LOG=$ROOT/bench/out/classroom-replicas
mkdir -p "$LOG"
say() { echo "[classroom-replicas $(date +%H:%M:%S)] $*"; }
export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_REUSE_ENABLE=true TESTCONTAINERS_CHECKS_DISABLE=true

bash sandbox-provisioner/kit/ensure-kit.sh >/dev/null
inotify=$(sysctl -n fs.inotify.max_user_instances 2>/dev/null || echo 0)
if [ "$inotify" -lt 8192 ] && [ "$(id -u)" = 0 ]; then sysctl -qw fs.inotify.max_user_instances=8192; fi
if docker compose version >/dev/null 2>&1; then COMPOSE=(docker compose); else COMPOSE=(docker-compose); fi

say "building the jar and the images (no registry)"
./mvnw -q -B package -pl backend -am -DskipTests
eval "$(bash deploy/build-image.sh | grep '^SERVICELAB_')"
# The proxy: HAProxy from Debian's packages on the same Debian base build-image.sh made.
SERVICELAB_PROXY_IMAGE=${SERVICELAB_PROXY_IMAGE:-servicelab/proxy:haproxy}
base=${BASE_IMAGE:-servicelab/debian:bookworm}
proxy_key="$base|$(cat deploy/proxy/Dockerfile deploy/proxy/haproxy.cfg | sha256sum | cut -c1-12)"
if [ "$(docker image inspect -f '{{ index .Config.Labels "servicelab.image.key" }}' "$SERVICELAB_PROXY_IMAGE" 2>/dev/null)" != "$proxy_key" ]; then
  docker build -q -f deploy/proxy/Dockerfile --build-arg BASE_IMAGE="$base" --label servicelab.image.key="$proxy_key" \
    -t "$SERVICELAB_PROXY_IMAGE" . >/dev/null
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("",0)); print(s.getsockname()[1])'; }
PROXY_PORT=$(free_port) PORT_A=$(free_port) PORT_B=$(free_port)
ADMIN_PASSWORD=bench-admin-$RANDOM$RANDOM
export SERVICELAB_PLATFORM_IMAGE SERVICELAB_POSTGRES_IMAGE SERVICELAB_PROXY_IMAGE SERVICELAB_PROXY_PORT=$PROXY_PORT \
  SERVICELAB_PORT=$PORT_A SERVICELAB_PORT_B=$PORT_B SERVICELAB_PLATFORM_ID=$PLATFORM_ID \
  SERVICELAB_ADMIN_PASSWORD=$ADMIN_PASSWORD SERVICELAB_WARM_POOL=${WARM_POOL:-1} SERVICELAB_MAX_TOTAL=${MAX_TOTAL:-8}
compose() { "${COMPOSE[@]}" -p "$PROJECT" -f docker-compose.yml -f docker-compose.replicas.yml "$@"; }

cleanup() {
  compose logs --no-color >"$LOG/compose.log" 2>&1 || true
  compose down -v >/dev/null 2>&1 || true
  docker ps -aq --filter label=servicelab.dev/platform="$PLATFORM_ID" | xargs -r docker rm -f -v >/dev/null 2>&1 || true
  docker network ls -q --filter label=servicelab.dev/platform="$PLATFORM_ID" | xargs -r docker network rm >/dev/null 2>&1 || true
}
trap cleanup EXIT

say "compose up: proxy on $PROXY_PORT, replica a on $PORT_A, b on $PORT_B"
compose up -d >"$LOG/up.log" 2>&1 || { cat "$LOG/up.log"; exit 1; }
deadline=$((SECONDS + 300))
for port in "$PORT_A" "$PORT_B"; do
  until curl -sf "http://localhost:$port/actuator/health/readiness" 2>/dev/null | grep -q UP; do
    [ $SECONDS -lt $deadline ] || { say "the replicas did not become ready"; exit 1; }
    sleep 2
  done
done
say "both replicas ready"
killed=$(compose ps -q platform-b)
kill_command="docker kill $killed"
[ "${KILL:-}" = none ] && kill_command=""

./mvnw -q -B -o verify -pl backend -am -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=ClassroomReplicasBenchmark -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dbench.base-url="http://localhost:$PROXY_PORT" -Dbench.replicas="a=http://localhost:$PORT_A,b=http://localhost:$PORT_B" \
  -Dbench.admin-password="$ADMIN_PASSWORD" -Dbench.learners="${LEARNERS:-30}" -Dbench.work-seconds="${WORK_SECONDS:-120}" \
  -Dbench.max-total="${MAX_TOTAL:-8}" -Dbench.kill-command="$kill_command" -Dbench.kill-replica=b \
  -Dbench.out="$ROOT/bench/out/classroom-replicas.txt" || status=$?
if [ -n "$kill_command" ]; then
  say "replica b after the kill: $(docker inspect -f '{{.State.Status}} (restarts: {{.RestartCount}})' "$killed" 2>/dev/null || echo gone)"
fi
cat bench/out/classroom-replicas.txt
exit "${status:-0}"
