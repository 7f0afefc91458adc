# shellcheck shell=bash
# Hibernation with the Kubernetes provisioner, sourced by deploy/test-k8s.sh (which sets the
# platform's hibernate-after to 90 s for the whole test, and defines http, check,
# field, kubectl, $A, $B, $LEARNER, $LEARNER_PASSWORD and $LOG). A learner of the nodeport lab makes
# their own objects through the terminal (a namespace, a Deployment, a NodePort Service on a fixed
# port, a ConfigMap, a StatefulSet) and passes step 1 (storefront on nodePort 30080); left alone, the
# sandbox is saved and its pods removed; asking for it again restores it from the snapshot, and
# the learner finds everything: pods Ready again, the same ClusterIPs and nodePorts, the check passing.
#   hibernate_checks     prints the snapshot size and the restore time

HIB_LAB=nodeport

# hib_wait STATE... : polls the learner's sandbox view through both replicas until it is in one of
# the STATEs (or FAILED/DEAD); sets hib_view and hib_state. Asking does not count as activity.
hib_wait() {
  local deadline=$((SECONDS + 600)) i=0 url
  hib_state=""
  while [ $SECONDS -lt $deadline ]; do
    url=$A; [ $((i % 2)) = 1 ] && url=$B; i=$((i + 1))
    hib_view=$(http GET "$url/api/v1/labs/$HIB_LAB/sandbox" "$LEARNER:$LEARNER_PASSWORD")
    hib_state=$(field state <<<"$hib_view")
    for wanted in "$@" FAILED DEAD; do [ "$hib_state" = "$wanted" ] && return 0; done
    sleep 3
  done
  return 1
}

# hib_term "TYPED LINE" EXPECT [TIMEOUT_S]: the learner types a line in their terminal.
hib_term() {
  echo "\$ $1" >>"$LOG/hibernate-terminal.txt"
  python3 deploy/terminal_probe.py "$A" "$LEARNER" "$LEARNER_PASSWORD" "$HIB_LAB" "$1" "$2" "${3:-60}" \
    >>"$LOG/hibernate-terminal.txt" 2>&1
}

# hib_node SANDBOX COMMAND...: runs kubectl in the sandbox's server pod, as the platform can (not the learner).
hib_node() {
  local sandbox=$1; shift
  kubectl -n servicelab-sandboxes exec "$sandbox-server" -c node -- kubectl "$@" 2>>"$LOG/hibernate-node.txt"
}

# The learner's own objects, as one line of JSON (the echo workload the labs use).
hib_objects() {
  python3 - <<'PY'
import json
def echo_pods(app):
    return {"metadata": {"labels": {"app": app}}, "spec": {"containers": [{
        "name": "echo", "image": "servicelab/echo:1", "imagePullPolicy": "IfNotPresent",
        "ports": [{"containerPort": 8080}],
        "readinessProbe": {"httpGet": {"path": "/", "port": 8080}, "periodSeconds": 2}}]}}
ns = {"name": "hib-app"}
items = [
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "hib-app"}},
    {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": dict(ns, name="web"), "spec": {
        "replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "template": echo_pods("web")}},
    {"apiVersion": "v1", "kind": "Service", "metadata": dict(ns, name="web"), "spec": {
        "type": "NodePort", "selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080, "nodePort": 30090}]}},
    {"apiVersion": "v1", "kind": "ConfigMap", "metadata": dict(ns, name="settings"), "data": {"colour": "blue"}},
    {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": dict(ns, name="db"), "spec": {
        "serviceName": "db", "replicas": 1, "selector": {"matchLabels": {"app": "db"}}, "template": echo_pods("db")}},
]
for item in items:
    if item["kind"] != "Namespace":
        item["metadata"]["namespace"] = "hib-app"
print(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}, separators=(",", ":")))
PY
}

# hib_pods_fresh SANDBOX SINCE: every pod of the learner's namespace is Ready with containers started
# since SINCE (ISO time): a restored cluster's pods say Ready from before until the new node reports.
hib_pods_fresh() {
  local deadline=$((SECONDS + 240))
  while [ $SECONDS -lt $deadline ]; do
    hib_node "$1" -n hib-app get pods -o json >"$LOG/hibernate-pods.json" 2>/dev/null &&
      python3 - "$2" "$LOG/hibernate-pods.json" <<'PY' && return 0
import json, sys
since = sys.argv[1]
pods = [p for p in json.load(open(sys.argv[2]))["items"] if not p["metadata"].get("deletionTimestamp")]
def fresh(pod):
    ready = any(c["type"] == "Ready" and c["status"] == "True" for c in pod["status"].get("conditions", []))
    started = [s.get("state", {}).get("running", {}).get("startedAt", "") for s in pod["status"].get("containerStatuses", [])]
    return ready and started and all(s >= since for s in started)
sys.exit(0 if len(pods) == 3 and all(fresh(p) for p in pods) else 1)
PY
    sleep 5
  done
  return 1
}

# The sandbox view's message after waking: a restore, not the fallback (a fresh cluster, lab replayed).
hib_restored() {
  [[ "$(field message <<<"$hib_view")" == "Restored from your cluster"* ]]
}

hibernate_checks() {
  local before_web before_storefront sandbox restored t0 since step_check
  say "hibernation: a nodeport learner's own objects survive the sandbox being saved, removed and restored"
  http POST "$A/api/v1/labs/$HIB_LAB/enrolment" "$LEARNER:$LEARNER_PASSWORD" >/dev/null
  t0=$SECONDS
  http POST "$B/api/v1/labs/$HIB_LAB/sandbox" "$LEARNER:$LEARNER_PASSWORD" >/dev/null
  hib_wait READY || true
  check "hibernation: the learner's fresh nodeport sandbox becomes READY in $((SECONDS - t0)) s" [ "$hib_state" = READY ]
  [ "$hib_state" = READY ] || return 0
  sandbox=$(field sandboxId <<<"$hib_view")

  # Through the terminal, as a learner would; the expected words are computed, so the echo of the
  # typed line does not match them.
  check "hibernation: the learner creates a namespace, a Deployment, a NodePort Service on 30090, a ConfigMap, a StatefulSet" \
    hib_term "echo '$(hib_objects)' | kubectl apply -f - >/dev/null && echo created-\$((40+2))" created-42 90
  check "hibernation: the learner turns storefront into a NodePort on 30080 (step 1)" \
    hib_term "kubectl patch service storefront -n default -p '{\"spec\":{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":30080}]}}' >/dev/null && echo patched-\$((4*4))" patched-16 60
  check "hibernation: the learner's pods become Ready" \
    hib_term "timeout 200 kubectl -n hib-app rollout status deployment/web --timeout=190s >/dev/null && timeout 100 kubectl -n hib-app rollout status statefulset/db --timeout=90s >/dev/null && echo rolled-\$((5+5))" rolled-10 300
  before_web=$(hib_node "$sandbox" -n hib-app get service web -o 'jsonpath={.spec.clusterIP}_{.spec.ports[0].nodePort}' || true)
  before_storefront=$(hib_node "$sandbox" -n default get service storefront -o 'jsonpath={.spec.clusterIP}_{.spec.ports[0].nodePort}' || true)
  say "hibernation: before: web $before_web, storefront $before_storefront"
  check "hibernation: the Services have their ClusterIPs and fixed nodePorts" \
    bash -c "[[ '$before_web' == *_30090 && '$before_storefront' == *_30080 ]]"
  step_check=$(http POST "$A/api/v1/labs/$HIB_LAB/steps/switch-to-nodeport/checks" "$LEARNER:$LEARNER_PASSWORD")
  say "hibernation: step 1 check before: $(field passed <<<"$step_check") $(field results <<<"$step_check" | cut -c1-300)"
  check "hibernation: step 1's check passes before the sandbox hibernates" [ "$(field passed <<<"$step_check")" = True ]

  # Left alone: the Kubernetes provisioner has no freeze stage, so the sandbox runs until
  # hibernate-after, then is saved and its pods removed.
  t0=$SECONDS
  hib_wait HIBERNATED EXPIRED || true
  say "hibernation: after $((SECONDS - t0)) s without activity: $hib_view"
  check "hibernation: the idle sandbox is saved and stopped (HIBERNATED), not frozen first" [ "$hib_state" = HIBERNATED ]
  [ "$hib_state" = HIBERNATED ] || return 0
  check "hibernation: its node pods are gone" \
    bash -c "[ -z \"\$(kubectl -n servicelab-sandboxes get pods -l servicelab.dev/sandbox=$sandbox -o name 2>/dev/null)\" ]"
  kubectl -n servicelab logs -l app.kubernetes.io/name=servicelab --tail=-1 2>/dev/null | grep "Sandbox $sandbox saved:" \
    | sort >"$LOG/hibernate-saves.txt" || true
  say "hibernation: snapshot $(tail -1 "$LOG/hibernate-saves.txt" | sed 's/.*saved: //') ($(wc -l <"$LOG/hibernate-saves.txt") saves of this sandbox logged)"

  # The learner comes back: the lab page asks for the sandbox again.
  since=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  t0=$SECONDS
  http POST "$A/api/v1/labs/$HIB_LAB/sandbox" "$LEARNER:$LEARNER_PASSWORD" >"$LOG/hibernate-wake.json"
  check "hibernation: asking again wakes it (the lab page shows WAKING)" \
    bash -c "grep -q '\"waking\":true' '$LOG/hibernate-wake.json' || grep -q '\"phase\":\"WAKING\"' '$LOG/hibernate-wake.json'"
  hib_wait READY || true
  say "hibernation: restored in $((SECONDS - t0)) s: $hib_view"
  check "hibernation: the restored sandbox becomes READY in $((SECONDS - t0)) s" [ "$hib_state" = READY ]
  [ "$hib_state" = READY ] || return 0
  check "hibernation: it says it was restored from the saved cluster (not a fresh one with the lab replayed)" \
    hib_restored
  restored=$(field sandboxId <<<"$hib_view")
  check "hibernation: the learner finds the Deployment, StatefulSet, Service and ConfigMap (with its data) in their namespace" \
    hib_term "echo found-\$(kubectl -n hib-app get deployment/web statefulset/db service/web configmap/settings -o name | wc -l)-\$(kubectl -n hib-app get configmap settings -o jsonpath='{.data.colour}')" found-4-blue 60
  check "hibernation: web keeps its ClusterIP and nodePort ($before_web)" \
    hib_term "echo svc-\$(kubectl -n hib-app get service web -o jsonpath='{.spec.clusterIP}_{.spec.ports[0].nodePort}')" "svc-$before_web" 60
  check "hibernation: storefront keeps its ClusterIP and nodePort ($before_storefront)" \
    hib_term "echo svc-\$(kubectl -n default get service storefront -o jsonpath='{.spec.clusterIP}_{.spec.ports[0].nodePort}')" "svc-$before_storefront" 60
  check "hibernation: every pod of the learner's namespace is Ready again, started by the restored node" \
    hib_pods_fresh "$restored" "$since"
  check "hibernation: web answers on its unchanged ClusterIP" \
    hib_term "curl -s -o /dev/null -w 'http-%{http_code}-' --max-time 5 http://${before_web%_*}/" http-200- 60
  step_check=$(http POST "$B/api/v1/labs/$HIB_LAB/steps/switch-to-nodeport/checks" "$LEARNER:$LEARNER_PASSWORD")
  say "hibernation: step 1 check after: $(field passed <<<"$step_check") $(field results <<<"$step_check" | cut -c1-300)"
  check "hibernation: step 1's check still passes" [ "$(field passed <<<"$step_check")" = True ]
  http DELETE "$A/api/v1/labs/$HIB_LAB/sandbox" "$LEARNER:$LEARNER_PASSWORD" >/dev/null
}
