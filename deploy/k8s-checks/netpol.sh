# shellcheck shell=bash
# Issue 12 on the real install: the overlay's NetworkPolicies hold. The host cluster (a kit node)
# enforces NetworkPolicies (the kit's policy controller is on unless --disable-network-policy), so
# a sandbox's node pod, where learners' workloads run, reaches neither PostgreSQL, nor the
# platform's HTTP port, nor the host cluster's API, nor the metadata address; the platform still
# reaches the node pod (what every sandbox needs). Sourced by deploy/test-k8s.sh (check, say, http,
# field, kubectl, $A, $LEARNER, $LEARNER_PASSWORD, $LOG).
# Dropped traffic times out: each probe is bash's /dev/tcp under `timeout 5`, so 124 means
# "no answer" (dropped) and 1 "refused"; the checks want 124, not just any failure.

NP_LAB=clusterip

# np_connect POD CONTAINER NAMESPACE IP PORT: the exit code of a TCP connect from inside the pod.
np_connect() {
  kubectl -n "$3" exec "$1" -c "$2" -- timeout 5 bash -c "exec 3<>/dev/tcp/$4/$5" >/dev/null 2>&1
  echo $?
}

netpol_checks() {
  say "network policies: a sandbox's node pod reaches nothing of the platform or the host cluster"
  http POST "$A/api/v1/labs/$NP_LAB/sandbox" "$LEARNER:$LEARNER_PASSWORD" >/dev/null
  local view state="" deadline=$((SECONDS + 600)) id node platform pg api_svc host_ip code
  while [ $SECONDS -lt $deadline ]; do
    view=$(http GET "$A/api/v1/labs/$NP_LAB/sandbox" "$LEARNER:$LEARNER_PASSWORD")
    state=$(field state <<<"$view")
    [ "$state" = READY ] || [ "$state" = FAILED ] || [ "$state" = DEAD ] && break
    sleep 5
  done
  check "network policies: the learner's sandbox becomes READY with the policies enforced" [ "$state" = READY ]
  [ "$state" = READY ] || return 0
  id=$(field sandboxId <<<"$view")
  node=$id-server
  platform=$(kubectl -n servicelab get pods -l app.kubernetes.io/name=servicelab -o jsonpath='{.items[0].metadata.name}')
  pg=$(kubectl -n servicelab get pods -l app.kubernetes.io/name=postgres -o jsonpath='{.items[0].status.podIP}')
  api_svc=$(kubectl -n default get service kubernetes -o jsonpath='{.spec.clusterIP}')
  host_ip=$(kubectl get nodes -o jsonpath='{.items[0].status.addresses[?(@.type=="InternalIP")].address}')
  local platform_ip node_ip
  platform_ip=$(kubectl -n servicelab get pod "$platform" -o jsonpath='{.status.podIP}')
  node_ip=$(kubectl -n servicelab-sandboxes get pod "$node" -o jsonpath='{.status.podIP}')
  {
    echo "node pod $node $node_ip; platform $platform $platform_ip; postgres $pg (its Service is headless); API Service $api_svc; host $host_ip"
    kubectl get networkpolicies -A
    docker exec "$HOST" iptables -S SERVICELAB-NETPOL
  } >"$LOG/netpol.txt" 2>&1 || true

  code=$(np_connect "$platform" servicelab servicelab "$node_ip" 6443)
  check "network policies: the platform reaches the sandbox's node pod (API port; connect exit $code)" [ "$code" = 0 ]
  local target
  for target in "PostgreSQL pod:$pg:5432" "the platform's HTTP port:$platform_ip:8080" \
      "the host cluster's API Service:$api_svc:443" "the host node's API port:$host_ip:6443" \
      "the metadata address:169.254.169.254:80"; do
    IFS=: read -r name ip port <<<"$target"
    code=$(np_connect "$node" node servicelab-sandboxes "$ip" "$port")
    echo "node pod -> $name $ip:$port: exit $code" >>"$LOG/netpol.txt"
    check "network policies: from the node pod, $name ($ip:$port) times out (dropped; exit $code, want 124)" [ "$code" = 124 ]
  done
  http DELETE "$A/api/v1/labs/$NP_LAB/sandbox" "$LEARNER:$LEARNER_PASSWORD" >/dev/null
}
