#!/usr/bin/env bash
# The Kubernetes installation on a real cluster: a sandbox node from the kit serves as the host
# cluster. Loads the platform, PostgreSQL and node images into it, applies k8s/ (evaluation overlay,
# patched for a cluster without a storage provisioner), runs two platform replicas, provisions a
# learner's sandbox as pods through the Kubernetes provisioner, and uses the learner's terminal
# through one replica and then the other.
#   deploy/test-k8s.sh          (needs the backend jar: ./mvnw -B install -DskipTests)
#   KEEP=1 deploy/test-k8s.sh   leaves the host cluster running for a look (kubeconfig in the log dir)
#   K8S_TEST_KUBECTL=toolbox    uses the kit toolbox's kubectl even where the machine has one
# Exit 0: passed; 1: failed; 77: skipped because no Docker engine answers.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
HOST=${K8S_TEST_HOST:-servicelab-k8stest-host} # another name lets two runs share a Docker engine
LOG=${K8S_TEST_LOG:-$ROOT/backend/target/k8s-test}
mkdir -p "$LOG"
# The evaluation overlay's credentials are generated at install time, as an operator would.
"$ROOT/k8s/overlays/evaluation/generate-secrets.sh" >/dev/null
ADMIN_PASSWORD=$(sed -n 's/^password=//p' "$ROOT/k8s/overlays/evaluation/secrets/admin.env")
LEARNER=ada-$RANDOM
LEARNER_PASSWORD=learner-pw-$RANDOM$RANDOM
passed=0 failed=0
say() { echo "[k8s-test $(date +%H:%M:%S)] $*"; }
check() {
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); say "ok   $name"; else failed=$((failed + 1)); say "FAIL $name"; fi
}
docker info >/dev/null 2>&1 || bash sandbox-provisioner/kit/ensure-kit.sh >"$LOG/ensure-kit.log" 2>&1 || true
docker info >/dev/null 2>&1 || { say "SKIPPED: no Docker engine answers"; exit 77; }
bash sandbox-provisioner/kit/ensure-kit.sh >"$LOG/ensure-kit.log" 2>&1
# Each sandbox node holds about 17 inotify instances; Debian gives root 128 in all, so a host with
# a few sandboxes (other tests') refuses new nodes ("too many open files"). Raise it, as the
# README tells operators to, where we may.
inotify=$(sysctl -n fs.inotify.max_user_instances 2>/dev/null || echo 0)
if [ "$inotify" -lt 8192 ] && [ "$(id -u)" = 0 ]; then
  sysctl -qw fs.inotify.max_user_instances=8192 && echo "raised fs.inotify.max_user_instances from $inotify to 8192"
fi
# shellcheck disable=SC1091
. "${SERVICELAB_CACHE:-/var/cache/servicelab}/kit/images.env"
if ! command -v kubectl >/dev/null || [ "${K8S_TEST_KUBECTL:-}" = toolbox ]; then
  # Debian's kubernetes-client is too old for these manifests: use the kit toolbox's kubectl (our
  # build of the cluster's version), on the host network so port-forwards listen on the host.
  say "no kubectl on this machine: using the one in $SERVICELAB_TOOLBOX_IMAGE"
  kubectl() {
    local name=()
    [ "${1:-}" = port-forward ] || [ "${3:-}" = port-forward ] && name=(--name "servicelab-k8stest-pf-$RANDOM$RANDOM" --label servicelab.k8stest=pf)
    docker run --rm -i "${name[@]}" --network host -e KUBECONFIG -v "$ROOT:$ROOT:ro" -v "$LOG:$LOG" \
      --entrypoint kubectl "$SERVICELAB_TOOLBOX_IMAGE" "$@"
  }
fi
eval "$(bash deploy/build-image.sh --save "$LOG/images" | grep '^SERVICELAB_')"

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -n "${KUBECONFIG:-}" ]; then
    kubectl get pods -A -o wide >"$LOG/pods.txt" 2>&1 || true
    for pod in $(kubectl -n servicelab get pods -o name 2>/dev/null); do
      kubectl -n servicelab logs "$pod" >"$LOG/$(basename "$pod").log" 2>&1 || true
    done
    for pod in $(kubectl -n servicelab-sandboxes get pods -o name 2>/dev/null); do
      kubectl -n servicelab-sandboxes logs "$pod" >"$LOG/sandbox-$(basename "$pod").log" 2>&1 || true
    done
  fi
  docker ps -aq --filter label=servicelab.k8stest=pf | xargs -r docker rm -f >/dev/null 2>&1 || true
  rm -rf "$LOG/images" # about 1.2 GB of image tarballs, already imported
  [ "${KEEP:-}" = 1 ] || docker rm -f -v "$HOST" >/dev/null 2>&1 || true
}
trap cleanup EXIT
docker rm -f -v "$HOST" >/dev/null 2>&1 || true

say "starting the host cluster (a kit node, like a sandbox)"
# Without --disable-network-policy the node enforces NetworkPolicies (k3s's default), so the
# overlay's policies are in force for everything below; k8s-checks/netpol.sh probes them.
docker run -d --name "$HOST" --hostname "$HOST" --privileged --tmpfs /run --tmpfs /var/run -p 127.0.0.1::6443 \
  "$SERVICELAB_NODE_IMAGE" server --disable=traefik --tls-san=127.0.0.1 >/dev/null
api_port=$(docker port "$HOST" 6443/tcp | head -1 | sed 's/.*://')
export KUBECONFIG=$LOG/host-kubeconfig
deadline=$((SECONDS + 300))
until docker exec "$HOST" cat /etc/rancher/k3s/k3s.yaml >"$KUBECONFIG" 2>/dev/null && [ -s "$KUBECONFIG" ]; do
  [ $SECONDS -lt $deadline ] || { say "host cluster wrote no kubeconfig"; exit 1; }; sleep 2
done
sed -i "s#server: .*#server: https://127.0.0.1:$api_port#" "$KUBECONFIG"
until kubectl wait --for=condition=Ready node --all --timeout=5s >/dev/null 2>&1; do
  [ $SECONDS -lt $deadline ] || { say "host node not Ready"; docker logs --tail 30 "$HOST" 2>&1; kubectl get nodes 2>&1 | tail -3; exit 1; }
  sleep 2
done

say "loading the images into the host cluster's containerd"
for tar in "$LOG/images/platform.tar" "$LOG/images/postgres.tar" "$SERVICELAB_IMAGE_TARBALLS/kube-node.tar"; do
  docker exec -i "$HOST" ctr -n k8s.io images import - <"$tar" >/dev/null
done
docker exec "$HOST" ctr -n k8s.io images ls -q | grep -E 'platform|postgres|kube-node' >"$LOG/images.txt"
check "the platform, PostgreSQL and node images are in the host cluster" [ "$(wc -l <"$LOG/images.txt")" -ge 3 ]

# The evaluation overlay, with PostgreSQL on an emptyDir (this cluster has no storage provisioner)
# and settings for a small host: no warm pool, one sandbox of each kind at a time.
overlay=$LOG/overlay
rm -rf "$overlay" && mkdir -p "$overlay"
rel=$(python3 -c "import os,sys; print(os.path.relpath(sys.argv[1], sys.argv[2]))" "$ROOT/k8s/overlays/evaluation" "$overlay")
tag=${SERVICELAB_PLATFORM_IMAGE##*:}
cat >"$overlay/kustomization.yaml" <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - $rel
images:
  - name: servicelab/platform
    newTag: "$tag"
patches:
  - target: {kind: StatefulSet, name: postgres}
    patch: |-
      - op: remove
        path: /spec/volumeClaimTemplates
      - op: add
        path: /spec/template/spec/volumes
        value: [{name: data, emptyDir: {}}]
  - target: {kind: ConfigMap, name: servicelab}
    patch: |-
      - op: replace
        path: /data/SERVICELAB_SANDBOX_WARM_POOL
        value: "0"
      - op: replace
        path: /data/SERVICELAB_SANDBOX_KUBERNETES_CPU_REQUEST
        value: 100m
      # Short hibernation delays for k8s-checks/hibernate.sh: longer than any pause between the
      # other steps' terminal use, which counts as activity.
      - op: add
        path: /data/SERVICELAB_SANDBOX_FREEZE_AFTER
        value: 60s
      - op: add
        path: /data/SERVICELAB_SANDBOX_HIBERNATE_AFTER
        value: 90s
      # A periodic save soon after the learner's change, for the node kill in hibernate.sh.
      - op: add
        path: /data/SERVICELAB_SANDBOX_SNAPSHOT_INTERVAL
        value: 30s
  - target: {kind: Deployment, name: servicelab}
    patch: |-
      - op: replace
        path: /spec/template/spec/containers/0/resources/requests/cpu
        value: 100m
YAML
kubectl apply -k "$overlay" >"$LOG/apply.txt" 2>&1 || { cat "$LOG/apply.txt"; exit 1; }
check "k8s/ applies to the cluster" true
kubectl -n servicelab rollout status statefulset/postgres --timeout=300s >/dev/null 2>&1
check "PostgreSQL becomes ready" kubectl -n servicelab rollout status statefulset/postgres --timeout=5s
check "two platform replicas become ready (probes on /actuator/health)" \
  kubectl -n servicelab rollout status deployment/servicelab --timeout=480s
mapfile -t replicas < <(kubectl -n servicelab get pods -l app.kubernetes.io/name=servicelab -o name)
check "there are two replicas" [ "${#replicas[@]}" = 2 ]
[ "${#replicas[@]}" = 2 ] || exit 1

ports=()
for r in "${replicas[@]}"; do
  p=$(python3 -c 'import socket; s=socket.socket(); s.bind(("",0)); print(s.getsockname()[1])')
  kubectl -n servicelab port-forward "$r" "$p:8080" >"$LOG/port-forward-$p.log" 2>&1 &
  pids+=($!)
  ports+=("$p")
done
sleep 3
A=http://127.0.0.1:${ports[0]}
B=http://127.0.0.1:${ports[1]}
http() { # http METHOD URL USER:PASSWORD [JSON]
  local args=(-sS -o "$LOG/body" -w '%{http_code}' -X "$1" -u "$3" "$2")
  [ -n "${4:-}" ] && args+=(-H 'Content-Type: application/json' -d "$4")
  curl "${args[@]}" >"$LOG/status" 2>>"$LOG/curl.log" || echo 000 >"$LOG/status"
  cat "$LOG/body" 2>/dev/null || true
}
status() { cat "$LOG/status"; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin).get(sys.argv[1]))" "$1" 2>/dev/null || true; }

http POST "$A/api/v1/accounts" "admin:$ADMIN_PASSWORD" \
  "{\"username\":\"$LEARNER\",\"displayName\":\"Ada\",\"password\":\"$LEARNER_PASSWORD\",\"role\":\"LEARNER\"}" >/dev/null
check "replica 1 creates a learner account" [ "$(status)" = 201 ]
http GET "$B/api/v1/me" "$LEARNER:$LEARNER_PASSWORD" >/dev/null
check "replica 2 knows the account (shared PostgreSQL)" [ "$(status)" = 200 ]
http POST "$B/api/v1/labs/clusterip/enrolment" "$LEARNER:$LEARNER_PASSWORD" >/dev/null
check "the learner enrols through replica 2" [ "$(status)" -lt 300 ]
http POST "$A/api/v1/labs/clusterip/sandbox" "$LEARNER:$LEARNER_PASSWORD" >/dev/null
check "the learner asks replica 1 for a sandbox" [ "$(status)" -lt 300 ]
t0=$SECONDS
state="" deadline=$((SECONDS + 600)) i=0
while [ $SECONDS -lt $deadline ]; do
  url=$A; [ $((i % 2)) = 1 ] && url=$B; i=$((i + 1))
  view=$(http GET "$url/api/v1/labs/clusterip/sandbox" "$LEARNER:$LEARNER_PASSWORD")
  state=$(field state <<<"$view")
  [ "$state" = READY ] || [ "$state" = FAILED ] || [ "$state" = DEAD ] && break
  sleep 5
done
say "sandbox: $view"
kubectl -n servicelab-sandboxes get pods,services -o wide >"$LOG/sandbox-objects.txt" 2>&1 || true
check "the Kubernetes provisioner made the sandbox's server pod and Service" \
  bash -c "grep -q 'pod/sb-.*-server .*Running' '$LOG/sandbox-objects.txt' && grep -q 'service/sb-.*6443/TCP' '$LOG/sandbox-objects.txt'"
check "the nested sandbox becomes READY (both replicas report it) in $((SECONDS - t0)) s" [ "$state" = READY ]
if [ "$state" = READY ]; then
  marker=k8s-$RANDOM$RANDOM
  check "the learner's terminal works through replica 1" \
    python3 deploy/terminal_probe.py "$A" "$LEARNER" "$LEARNER_PASSWORD" clusterip "export MARK=$marker; echo \$MARK-one" "$marker-one" 120
  check "the same shell answers through replica 2 (tmux in the terminal pod)" \
    python3 deploy/terminal_probe.py "$B" "$LEARNER" "$LEARNER_PASSWORD" clusterip 'echo $MARK-two' "$marker-two" 120
  check "and again through replica 1" \
    python3 deploy/terminal_probe.py "$A" "$LEARNER" "$LEARNER_PASSWORD" clusterip 'echo $MARK-three' "$marker-three" 60
  # The host cluster here is a kit node (10.42/16 pods, 10.43/16 Services); the sandbox nested in
  # it must use its own ranges (servicelab.sandbox.kubernetes.cluster-cidr/service-cidr), or its
  # pods' CNI bridge would claim the host pod subnet its node pod lives in and nothing in it could
  # reach its API.
  # No --request-timeout: given a connection flag, kubectl skips its in-cluster configuration.
  nested_api() {
    python3 deploy/terminal_probe.py "$A" "$LEARNER" "$LEARNER_PASSWORD" clusterip \
      'timeout 20 kubectl get pods -n default && echo API-$((6*7))' "API-42" 60 >"$LOG/nested-api.txt" 2>&1
  }
  check "a pod of the nested sandbox reaches its own API (kubectl in the terminal pod)" nested_api
  http DELETE "$B/api/v1/labs/clusterip/sandbox" "$LEARNER:$LEARNER_PASSWORD" >/dev/null
  sandbox_pods_gone() {
    for _ in $(seq 30); do
      [ -z "$(kubectl -n servicelab-sandboxes get pods -o name 2>/dev/null)" ] && return 0
      sleep 2
    done
    return 1
  }
  check "ending the sandbox through replica 2 removes its pods" sandbox_pods_gone

  # A two-node lab: the agent pod joins the server pod, with the sandbox's ranges from its environment.
  http POST "$A/api/v1/labs/traffic-policies/enrolment" "$LEARNER:$LEARNER_PASSWORD" >/dev/null
  http POST "$A/api/v1/labs/traffic-policies/sandbox" "$LEARNER:$LEARNER_PASSWORD" >/dev/null
  state="" deadline=$((SECONDS + 600)) t0=$SECONDS
  while [ $SECONDS -lt $deadline ]; do
    view=$(http GET "$B/api/v1/labs/traffic-policies/sandbox" "$LEARNER:$LEARNER_PASSWORD")
    state=$(field state <<<"$view")
    [ "$state" = READY ] || [ "$state" = FAILED ] || [ "$state" = DEAD ] && break
    sleep 5
  done
  say "two-node sandbox: $view"
  check "a two-node nested sandbox becomes READY in $((SECONDS - t0)) s" [ "$state" = READY ]
  two_nodes() {
    python3 deploy/terminal_probe.py "$A" "$LEARNER" "$LEARNER_PASSWORD" traffic-policies \
      'echo nodes-ready-$(timeout 20 kubectl get nodes --no-headers | grep -c " Ready ")' "nodes-ready-2" 60 >"$LOG/two-nodes.txt" 2>&1
  }
  check "its terminal sees both nodes Ready" two_nodes
  http DELETE "$A/api/v1/labs/traffic-policies/sandbox" "$LEARNER:$LEARNER_PASSWORD" >/dev/null
  check "ending it removes both node pods" sandbox_pods_gone
fi
. deploy/k8s-checks/replicas.sh && replica_checks # issue 16: sessions, dashboard events, tunnels, terminals across replicas
. "$ROOT/deploy/k8s-checks/hibernate.sh" && hibernate_checks
. "$ROOT/deploy/k8s-checks/netpol.sh" && netpol_checks # issue 12: the overlay's NetworkPolicies hold
echo "k8s: $passed passed, $failed failed"
[ "$failed" = 0 ]
