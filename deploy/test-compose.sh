#!/usr/bin/env bash
# Brings up docker-compose.yml on this machine with locally built images and checks, over HTTP, what
# a learner does: the catalog, an account made by the admin, enrolment, a sandbox started through
# the API; then `down` and `up` again and checks that accounts, progress and the sandbox survive.
#   deploy/test-compose.sh            (needs the backend jar: ./mvnw -B install -DskipTests)
# Exit 0: passed; 1: failed; 77: skipped because no Docker engine answers.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PROJECT=${COMPOSE_TEST_PROJECT:-servicelab-composetest}
PLATFORM_ID=servicelab-composetest
ADMIN_PASSWORD=compose-admin-$RANDOM$RANDOM
LEARNER=ada-$RANDOM
LEARNER_PASSWORD=learner-pw-$RANDOM$RANDOM
LOG=${COMPOSE_TEST_LOG:-$ROOT/backend/target/compose-test}
mkdir -p "$LOG"
passed=0 failed=0
say() { echo "[compose-test $(date +%H:%M:%S)] $*"; }
check() { # check NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); say "ok   $name"; else failed=$((failed + 1)); say "FAIL $name"; fi
}

if ! docker info >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && [ -x sandbox-provisioner/kit/ensure-kit.sh ]; then
    bash sandbox-provisioner/kit/ensure-kit.sh >"$LOG/ensure-kit.log" 2>&1 || true
  fi
  docker info >/dev/null 2>&1 || { say "SKIPPED: no Docker engine answers (docker info fails)"; exit 77; }
fi
bash sandbox-provisioner/kit/ensure-kit.sh >"$LOG/ensure-kit.log" 2>&1 || { say "the sandbox kit failed, see $LOG/ensure-kit.log"; exit 1; }
# Each sandbox node holds about 17 inotify instances; Debian gives root 128 in all, so a host with
# a few sandboxes (other tests') refuses new nodes ("too many open files"). Raise it, as the
# README tells operators to, where we may.
inotify=$(sysctl -n fs.inotify.max_user_instances 2>/dev/null || echo 0)
if [ "$inotify" -lt 8192 ] && [ "$(id -u)" = 0 ]; then
  sysctl -qw fs.inotify.max_user_instances=8192 && echo "raised fs.inotify.max_user_instances from $inotify to 8192"
fi

# The standard `docker compose` where the CLI has the plugin, else Debian's docker-compose 1.29.
if docker compose version >/dev/null 2>&1; then
  COMPOSE=(docker compose)
else
  if ! command -v docker-compose >/dev/null && [ "$(id -u)" = 0 ]; then
    say "installing Debian's docker-compose"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
  fi
  command -v docker-compose >/dev/null || { say "no compose implementation (docker compose / docker-compose)"; exit 1; }
  COMPOSE=(docker-compose)
fi
say "using ${COMPOSE[*]}"

eval "$(bash deploy/build-image.sh | grep '^SERVICELAB_')"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("",0)); print(s.getsockname()[1])')
export SERVICELAB_PLATFORM_IMAGE SERVICELAB_POSTGRES_IMAGE SERVICELAB_PORT=$PORT SERVICELAB_PLATFORM_ID=$PLATFORM_ID \
  SERVICELAB_ADMIN_PASSWORD=$ADMIN_PASSWORD SERVICELAB_WARM_POOL=0 SERVICELAB_MAX_TOTAL=2
compose() { "${COMPOSE[@]}" -p "$PROJECT" -f "$ROOT/docker-compose.yml" "$@"; }
BASE=http://localhost:$PORT

cleanup() {
  compose logs --no-color >"$LOG/compose.log" 2>&1 || true
  compose down -v >/dev/null 2>&1 || true
  docker ps -aq --filter label=servicelab.dev/platform=$PLATFORM_ID | xargs -r docker rm -f -v >/dev/null 2>&1 || true
  docker network ls -q --filter label=servicelab.dev/platform=$PLATFORM_ID | xargs -r docker network rm >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup

http() { # http METHOD PATH USER:PASSWORD [JSON] -> body on stdout, status in $LOG/status
  local method=$1 path=$2 auth=$3 body=${4:-}
  local args=(-sS -o "$LOG/body" -w '%{http_code}' -X "$method" -u "$auth" "$BASE$path")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' -d "$body")
  curl "${args[@]}" >"$LOG/status" 2>>"$LOG/curl.log" || echo 000 >"$LOG/status"
  cat "$LOG/body" 2>/dev/null || true
}
status() { cat "$LOG/status"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {}, {'d': d}))" "$1"; }
wait_healthy() {
  local deadline=$((SECONDS + 240))
  until curl -sf "$BASE/actuator/health/readiness" 2>/dev/null | grep -q UP; do
    [ $SECONDS -lt $deadline ] || { say "the platform did not become ready"; return 1; }
    sleep 2
  done
}
wait_sandbox_ready() {
  local deadline=$((SECONDS + 300)) state=""
  while [ $SECONDS -lt $deadline ]; do
    state=$(http GET /api/v1/labs/clusterip/sandbox "$LEARNER:$LEARNER_PASSWORD" | json "d.get('state')" 2>/dev/null || true)
    [ "$state" = READY ] && return 0
    [ "$state" = FAILED ] && { say "sandbox FAILED: $(cat "$LOG/body")"; return 1; }
    sleep 3
  done
  say "sandbox not READY in time (last: $state $(cat "$LOG/body"))"
  return 1
}

t0=$SECONDS
say "compose up (port $PORT)"
compose up -d >"$LOG/up1.log" 2>&1 || { cat "$LOG/up1.log"; exit 1; }
wait_healthy || exit 1
say "platform ready in $((SECONDS - t0)) s"

labs=$(http GET /api/v1/labs "admin:$ADMIN_PASSWORD")
check "the catalog is served over HTTP" grep -q '"clusterip"' <<<"$labs"
http POST /api/v1/accounts "admin:$ADMIN_PASSWORD" \
  "{\"username\":\"$LEARNER\",\"displayName\":\"Ada\",\"password\":\"$LEARNER_PASSWORD\",\"role\":\"LEARNER\"}" >/dev/null
check "the admin creates a learner account" [ "$(status)" = 201 ]
http POST /api/v1/labs/clusterip/enrolment "$LEARNER:$LEARNER_PASSWORD" >/dev/null
check "the learner enrols in clusterip" [ "$(status)" -lt 300 ]
http POST /api/v1/labs/clusterip/sandbox "$LEARNER:$LEARNER_PASSWORD" >/dev/null
check "the learner asks for a sandbox" [ "$(status)" -lt 300 ]
t1=$SECONDS
check "the sandbox becomes READY (a sibling container reached on its own network)" wait_sandbox_ready
say "sandbox ready $((SECONDS - t1)) s after the request"
sandbox=$(http GET /api/v1/labs/clusterip/sandbox "$LEARNER:$LEARNER_PASSWORD" | json "d.get('id') or d.get('sandboxId')")
platform=$(compose ps -q platform)
check "the platform container joined the sandbox's network (node IPs reachable)" \
  bash -c "docker inspect -f '{{json .NetworkSettings.Networks}}' $platform | grep -q servicelab-$sandbox"
# What one idle sandbox costs (node, CoreDNS, the learner's terminal pod and a probe pod), for the README.
sleep 20
docker stats --no-stream --format '{{.Name}} {{.MemUsage}} {{.CPUPerc}}' "servicelab-$sandbox-server" | tee "$LOG/sandbox-stats.txt" \
  | sed 's/^/[compose-test] idle sandbox (docker stats): /'
progress_before=$(http GET /api/v1/labs/clusterip/progress "$LEARNER:$LEARNER_PASSWORD")
check "the learner's progress records the enrolment" grep -q clusterip <<<"$progress_before"

say "compose down / up"
compose down >"$LOG/down.log" 2>&1
compose up -d >"$LOG/up2.log" 2>&1 || { cat "$LOG/up2.log"; exit 1; }
wait_healthy || exit 1
http GET /api/v1/me "$LEARNER:$LEARNER_PASSWORD" >/dev/null
check "the learner's account survives down/up" [ "$(status)" = 200 ]
progress_after=$(http GET /api/v1/labs/clusterip/progress "$LEARNER:$LEARNER_PASSWORD")
check "the learner's progress survives down/up" [ "$(status)" = 200 -a "$progress_after" = "$progress_before" ]
after=$(http GET /api/v1/labs/clusterip/sandbox "$LEARNER:$LEARNER_PASSWORD")
check "the running sandbox is re-attached after down/up" \
  bash -c "grep -q '$sandbox' <<<'$after' && grep -q READY <<<'$after'"
platform=$(compose ps -q platform)
check "the new platform container rejoined the sandbox's network" \
  bash -c "docker inspect -f '{{json .NetworkSettings.Networks}}' $platform | grep -q servicelab-$sandbox"
http DELETE /api/v1/labs/clusterip/sandbox "$LEARNER:$LEARNER_PASSWORD" >/dev/null
check "the learner ends the sandbox and its containers go" \
  bash -c "sleep 3; [ -z \"\$(docker ps -aq --filter label=servicelab.dev/sandbox=$sandbox)\" ]"
echo "compose: $passed passed, $failed failed"
[ "$failed" = 0 ]
