# shellcheck shell=bash
# Hibernation with the Kubernetes provisioner, sourced by deploy/test-k8s.sh (which sets the
# platform's hibernate-after to 90 s for the whole test, and defines http, check,
# field, kubectl, $A, $B, $LEARNER, $LEARNER_PASSWORD and $LOG). A learner of the nodeport lab makes
# their own objects through the terminal (a namespace, a Deployment, a NodePort Service on a fixed
# port, a ConfigMap, a StatefulSet) and passes step 1 (storefront on nodePort 30080); left alone, the
# sandbox is saved and its pods removed; asking for it again restores it from the snapshot, and
# the learner finds everything: pods Ready again, the same ClusterIPs and nodePorts, the check passing.
# Then the learner makes more objects, the running sandbox is saved periodically, and its server
# node pod is killed: the platform marks it DEAD, and asking again restores the periodic snapshot
# (the lab replayed on top, as it may be older than the learner's last steps).
#   hibernate_checks     prints the snapshot size and the restore time
#   nodekill_checks      (called by hibernate_checks) prints kill -> noticed and ask -> READY times

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

# hib_pods_fresh SANDBOX SINCE [COUNT]: every pod of the learner's namespace (COUNT, 3 by default) is
# Ready with containers started since SINCE (ISO time): a restored cluster's pods say Ready from
# before until the new node reports.
hib_pods_fresh() {
  local deadline=$((SECONDS + 240)) count=${3:-3}
  while [ $SECONDS -lt $deadline ]; do
    hib_node "$1" -n hib-app get pods -o json >"$LOG/hibernate-pods.json" 2>/dev/null &&
      python3 - "$2" "$LOG/hibernate-pods.json" "$count" <<'PY' && return 0
import json, sys
since = sys.argv[1]
pods = [p for p in json.load(open(sys.argv[2]))["items"] if not p["metadata"].get("deletionTimestamp")]
def fresh(pod):
    ready = any(c["type"] == "Ready" and c["status"] == "True" for c in pod["status"].get("conditions", []))
    started = [s.get("state", {}).get("running", {}).get("startedAt", "") for s in pod["status"].get("containerStatuses", [])]
    return ready and started and all(s >= since for s in started)
sys.exit(0 if len(pods) == int(sys.argv[3]) and all(fresh(p) for p in pods) else 1)
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
  nodekill_checks "$restored" "$before_web" "$before_storefront"
  http DELETE "$A/api/v1/labs/$HIB_LAB/sandbox" "$LEARNER:$LEARNER_PASSWORD" >/dev/null
}

# hib_save_lines SANDBOX: the saves of the sandbox the replicas logged (periodic or at hibernation),
# pod by pod: with a selector, kubectl logs may keep only each pod's last 10 lines.
hib_save_lines() {
  local pod
  for pod in $(kubectl -n servicelab get pods -l app.kubernetes.io/name=servicelab -o name 2>/dev/null); do
    kubectl -n servicelab logs "$pod" 2>/dev/null | grep "Sandbox $1 saved:" || true
  done
}
hib_saves() { hib_save_lines "$1" | grep -c . || true; }

# nodekill_checks SANDBOX BEFORE_WEB BEFORE_STOREFRONT: the restored sandbox's node is killed after a
# periodic save (test-k8s.sh sets snapshot-interval to 30 s); the learner gets it back from that save.
nodekill_checks() {
  local sandbox=$1 before_web=$2 before_storefront=$3 saves deadline t0 since restored
  say "node kill: the learner's newer objects survive the sandbox's node pod being killed, from the periodic snapshot"
  check "node kill: the learner creates a ConfigMap after-kill and a Deployment late, whose pod becomes Ready" \
    hib_term "kubectl -n hib-app create configmap after-kill --from-literal=made=after-wake >/dev/null && kubectl -n hib-app create deployment late --image=servicelab/echo:1 --port=8080 >/dev/null && timeout 100 kubectl -n hib-app rollout status deployment/late --timeout=90s >/dev/null && echo late-\$((3*3))" late-9 120
  # The periodic save after this activity (not one already under way) holds the new objects.
  saves=$(hib_saves "$sandbox")
  t0=$SECONDS deadline=$((SECONDS + 120))
  until [ "$(hib_saves "$sandbox")" -gt "$saves" ] || [ $SECONDS -ge $deadline ]; do sleep 3; done
  hib_save_lines "$sandbox" | sort >"$LOG/nodekill-saves.txt"
  say "node kill: periodic save $((SECONDS - t0)) s after the objects: $(tail -1 "$LOG/nodekill-saves.txt" | sed 's/.*saved: //')"
  check "node kill: the running sandbox is saved periodically after the learner's change" \
    [ "$(hib_saves "$sandbox")" -gt "$saves" ]
  [ "$(hib_saves "$sandbox")" -gt "$saves" ] || return 0

  kubectl -n servicelab-sandboxes delete pod "$sandbox-server" --grace-period=0 --force >"$LOG/nodekill-delete.txt" 2>&1 || true
  t0=$SECONDS
  hib_wait DEAD HIBERNATED EXPIRED || true
  say "node kill: noticed $((SECONDS - t0)) s after the kill: $hib_view"
  check "node kill: the platform marks the sandbox DEAD $((SECONDS - t0)) s after its server pod is killed" [ "$hib_state" = DEAD ]
  [ "$hib_state" = DEAD ] || return 0

  since=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  t0=$SECONDS
  http POST "$B/api/v1/labs/$HIB_LAB/sandbox" "$LEARNER:$LEARNER_PASSWORD" >"$LOG/nodekill-ask.json"
  hib_wait READY || true
  say "node kill: asked again, READY in $((SECONDS - t0)) s: $hib_view"
  check "node kill: asking again gives a READY sandbox in $((SECONDS - t0)) s" [ "$hib_state" = READY ]
  [ "$hib_state" = READY ] || return 0
  check "node kill: it says it was restored from the saved cluster (not a fresh one)" hib_restored
  restored=$(field sandboxId <<<"$hib_view")
  check "node kill: the learner finds the objects of the periodic snapshot (ConfigMap after-kill with its data, Deployment late)" \
    hib_term "echo kept-\$(kubectl -n hib-app get configmap after-kill -o jsonpath='{.data.made}')-\$(kubectl -n hib-app get deployment/late -o name)" kept-after-wake-deployment.apps/late 60
  check "node kill: and the earlier ones (Deployment, StatefulSet, Service, ConfigMap with its data)" \
    hib_term "echo found-\$(kubectl -n hib-app get deployment/web statefulset/db service/web configmap/settings -o name | wc -l)-\$(kubectl -n hib-app get configmap settings -o jsonpath='{.data.colour}')" found-4-blue 60
  check "node kill: web keeps its ClusterIP and nodePort ($before_web)" \
    hib_term "echo svc-\$(kubectl -n hib-app get service web -o jsonpath='{.spec.clusterIP}_{.spec.ports[0].nodePort}')" "svc-$before_web" 60
  check "node kill: storefront keeps its ClusterIP and nodePort ($before_storefront)" \
    hib_term "echo svc-\$(kubectl -n default get service storefront -o jsonpath='{.spec.clusterIP}_{.spec.ports[0].nodePort}')" "svc-$before_storefront" 60
  check "node kill: every pod of the learner's namespace (late's too) is Ready again, started by the new node" \
    hib_pods_fresh "$restored" "$since" 4
  check "node kill: web answers on its unchanged ClusterIP" \
    hib_term "curl -s -o /dev/null -w 'http-%{http_code}-' --max-time 5 http://${before_web%_*}/" http-200- 60
}
