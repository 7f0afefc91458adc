#!/bin/bash
# smoke.sh: start the sandbox node image the way Testcontainers' K3sContainer
# does and check what the labs rely on. Usage:
#   smoke.sh [single|two|all]      (default: all)
# Needs Docker (ensure-kit.sh is run first) and a kubectl on the host
# ($KUBECTL, else /usr/bin/kubectl, else the one in PATH). Removes what it
# starts. Ends with "N passed, M failed"; exit status 1 on any failure.
set -uo pipefail
KIT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WHAT=${1:-all}
CACHE=${SERVICELAB_CACHE:-/var/cache/servicelab}

"$KIT/ensure-kit.sh" || exit 1
# shellcheck disable=SC1091
. "$CACHE/kit/images.env"
NODE=$SERVICELAB_NODE_IMAGE
ECHO=$SERVICELAB_ECHO_IMAGE
TOOLBOX=$SERVICELAB_TOOLBOX_IMAGE
KUBECTL=${KUBECTL:-}
[ -z "$KUBECTL" ] && [ -x /usr/bin/kubectl ] && KUBECTL=/usr/bin/kubectl
[ -z "$KUBECTL" ] && KUBECTL=$(command -v kubectl || true)
[ -n "$KUBECTL" ] || { echo "smoke: no kubectl on this machine"; exit 1; }

TMP=$(mktemp -d)
RUN=sl-smoke-$$
PASS=0
FAIL=0
CONTAINERS=()
NETWORKS=()
cleanup() {
	for c in "${CONTAINERS[@]}"; do docker rm -f -v "$c" >/dev/null 2>&1; done
	for n in "${NETWORKS[@]}"; do docker network rm "$n" >/dev/null 2>&1; done
	rm -rf "$TMP"
}
trap cleanup EXIT

ok() { PASS=$((PASS + 1)); echo "  PASS: $*"; }
bad() { FAIL=$((FAIL + 1)); echo "  FAIL: $*"; }
check() { # check DESCRIPTION command...
	local d=$1
	shift
	if out=$("$@" 2>&1); then ok "$d"; else bad "$d"; echo "$out" | tail -n 15 | sed 's/^/    /'; fi
}
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", b-a}'; }

# start_node NAME ARGS... : docker run like K3sContainer (privileged, tmpfs /run
# and /var/run). k3s_node also bind-mounts the host's /sys/fs/cgroup with
# --cgroupns=host, as Testcontainers 2.x's K3sContainer does; the provisioner's
# agent container (a GenericContainer) does not.
start_node() {
	local name=$1
	shift
	CONTAINERS+=("$name")
	docker run -d --name "$name" --hostname "$name" --privileged --tmpfs /run --tmpfs /var/run "$@" >/dev/null
}
k3s_node() {
	local name=$1
	shift
	start_node "$name" -v /sys/fs/cgroup:/sys/fs/cgroup:rw --cgroupns=host "$@"
}

wait_line() { # wait_line NAME TIMEOUT
	local i
	for ((i = 0; i < $2 * 2; i++)); do
		docker logs "$1" 2>&1 | grep -q 'Node controller sync successful' && return 0
		if [ "$(docker inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" != true ]; then
			echo "  container $1 stopped:"; docker logs "$1" 2>&1 | tail -n 20 | sed 's/^/    /'
			return 1
		fi
		sleep 0.5
	done
	echo "  no ready line from $1 after $2s; last log lines:"
	docker logs "$1" 2>&1 | tail -n 20 | sed 's/^/    /'
	return 1
}

kubeconfig_for() { # kubeconfig_for NAME FILE
	local port
	port=$(docker port "$1" 6443/tcp | head -1 | sed 's/.*://')
	docker cp "$1:/etc/rancher/k3s/k3s.yaml" "$2" >/dev/null
	sed -i "s#https://127.0.0.1:6443#https://127.0.0.1:$port#" "$2"
}

echo_manifest() { # echo_manifest REPLICAS [spread]
	cat <<YAML
apiVersion: apps/v1
kind: Deployment
metadata:
  name: echo
spec:
  replicas: $1
  selector:
    matchLabels: {app: echo}
  template:
    metadata:
      labels: {app: echo}
    spec:
$([ "${2:-}" = spread ] && cat <<'SPREAD'
      topologySpreadConstraints:
      - maxSkew: 1
        topologyKey: kubernetes.io/hostname
        whenUnsatisfiable: DoNotSchedule
        labelSelector:
          matchLabels: {app: echo}
SPREAD
)
      containers:
      - name: echo
        image: $ECHO
        ports: [{containerPort: 8080}]
        env:
        - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
        - {name: POD_NAMESPACE, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
        - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
        - {name: NODE_NAME, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
        readinessProbe:
          httpGet: {path: /readyz, port: 8080}
          periodSeconds: 2
        securityContext:
          allowPrivilegeEscalation: false
          runAsNonRoot: true
          capabilities: {drop: [ALL]}
          seccompProfile: {type: RuntimeDefault}
---
apiVersion: v1
kind: Service
metadata:
  name: echo
spec:
  selector: {app: echo}
  ports:
  - {port: 80, targetPort: 8080}
YAML
}

toolbox_pod() { # toolbox_pod NAME [NODE]
	cat <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: $1
spec:
$([ -n "${2:-}" ] && echo "  nodeName: $2")
  terminationGracePeriodSeconds: 1
  containers:
  - name: toolbox
    image: $TOOLBOX
    command: [sleep, infinity]
YAML
}

single() {
	echo "== single node: $NODE"
	local t0 name=$RUN-server kc=$TMP/single.yaml
	t0=$(now)
	k3s_node "$name" -p 127.0.0.1::6443 "$NODE" server --disable=traefik --tls-san=127.0.0.1
	if ! wait_line "$name" 180; then bad "node logged 'Node controller sync successful'"; return; fi
	local ready
	ready=$(secs "$t0" "$(now)")
	ok "node logged 'Node controller sync successful' after ${ready}s (docker run to log line)"
	kubeconfig_for "$name" "$kc"
	k() { "$KUBECTL" --kubeconfig "$kc" "$@"; }
	check "kubeconfig context is 'default'" bash -c "[ \"\$('$KUBECTL' --kubeconfig '$kc' config current-context)\" = default ]"
	check "node is Ready" k wait node --all --for=condition=Ready --timeout=60s
	k get nodes -o wide
	check "CoreDNS is ready" k -n kube-system rollout status deploy/coredns --timeout=90s
	echo_manifest 2 | k apply -f - >/dev/null
	toolbox_pod toolbox | k apply -f - >/dev/null
	check "2 echo replicas ready" k rollout status deploy/echo --timeout=90s
	check "toolbox pod ready" k wait pod/toolbox --for=condition=Ready --timeout=90s
	check "curl echo by DNS name from the toolbox" k exec toolbox -- curl -sf --max-time 5 http://echo.default.svc.cluster.local/
	k exec toolbox -- curl -s --max-time 5 http://echo/ | sed 's/^/    /'
	local pods
	pods=$(for i in 1 2 3 4 5 6 7 8 9 10 11 12; do k exec toolbox -- curl -s --max-time 3 -H 'Accept: application/json' http://echo/ | jq -r .pod; done | sort -u | wc -l)
	if [ "$pods" = 2 ]; then ok "the Service balances over both echo pods"; else bad "the Service answered from $pods pod(s), expected 2"; fi
	check "nslookup kubernetes.default via CoreDNS (10.43.0.10)" k exec toolbox -- nslookup kubernetes.default.svc.cluster.local 10.43.0.10
	echo "  Endpoints:"
	k get endpointslices -l kubernetes.io/service-name=echo -o wide | sed 's/^/    /'
	k get pods -o wide | sed 's/^/    /'
	# Pod Security Admission: baseline enforced in learner namespaces.
	local out
	out=$(k run priv --image="$TOOLBOX" --privileged --restart=Never --command -- sleep 1 2>&1 || true)
	if echo "$out" | grep -q 'violates PodSecurity'; then ok "privileged pod refused in 'default' (PodSecurity baseline)"; else bad "privileged pod was not refused: $out"; fi
	out=$(k run hostnet --image="$TOOLBOX" --restart=Never --overrides='{"spec":{"hostNetwork":true}}' --command -- sleep 1 2>&1 || true)
	if echo "$out" | grep -q 'violates PodSecurity'; then ok "hostNetwork pod refused in 'default'"; else bad "hostNetwork pod was not refused: $out"; fi
	check "privileged pod allowed in servicelab-system (exempt)" k -n servicelab-system run priv --image="$TOOLBOX" --privileged --restart=Never --command -- sleep 1
	# Pods must be accounted under this container's cgroup, not in a
	# /kubepods shared with the host and other sandboxes.
	local cg
	cg=$(docker inspect -f '{{.Id}}' "$name")
	if [ -d "/sys/fs/cgroup/memory/docker/$cg/kubepods" ] || [ -d "/sys/fs/cgroup/system.slice/docker-$cg.scope/kubepods" ] ||
		! [ -d /sys/fs/cgroup/memory ]; then
		ok "pod cgroups live under the node container's own cgroup"
	else
		bad "no kubepods cgroup under the node container's cgroup"
	fi
	check "kube-proxy iptables rules present (KUBE-SERVICES)" docker exec "$name" iptables -t nat -S KUBE-SERVICES
	# Manifests dropped into server/manifests are applied (k3s deploy controller).
	docker exec "$name" sh -c 'printf "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-manifests-dir\n  namespace: default\ndata: {a: b}\n" > /var/lib/rancher/k3s/server/manifests/smoke.yaml'
	check "manifest dropped in server/manifests gets applied" bash -c "for i in \$(seq 20); do '$KUBECTL' --kubeconfig '$kc' get cm from-manifests-dir >/dev/null 2>&1 && exit 0; sleep 1; done; exit 1"
	sleep 5
	echo "  time to ready: ${ready}s; memory with echo x2 + toolbox running:"
	docker stats --no-stream "$name" | sed 's/^/    /'
	echo "SMOKE_SINGLE ready_seconds=$ready mem=$(docker stats --no-stream --format '{{.MemUsage}}' "$name" | cut -d/ -f1 | tr -d ' ')"
	docker rm -f -v "$name" >/dev/null
}

two() {
	echo "== two nodes (server + agent on one docker network): $NODE"
	local net=$RUN-net server=$RUN-server2 agent=$RUN-agent kc=$TMP/two.yaml token t0
	token=smoke-$$-$RANDOM
	docker network create "$net" >/dev/null
	NETWORKS+=("$net")
	t0=$(now)
	k3s_node "$server" --network "$net" --network-alias server -e K3S_TOKEN="$token" -p 127.0.0.1::6443 "$NODE" server --disable=traefik --tls-san=127.0.0.1
	start_node "$agent" --network "$net" -e K3S_URL="https://server:6443" -e K3S_TOKEN="$token" "$NODE" agent
	if ! wait_line "$server" 180; then bad "server ready"; return; fi
	if ! wait_line "$agent" 180; then bad "agent ready"; return; fi
	ok "server and agent logged the ready line after $(secs "$t0" "$(now)")s"
	kubeconfig_for "$server" "$kc"
	k() { "$KUBECTL" --kubeconfig "$kc" "$@"; }
	check "both nodes Ready" k wait node --all --for=condition=Ready --timeout=60s
	k get nodes -o wide | sed 's/^/    /'
	echo_manifest 2 spread | k apply -f - >/dev/null
	toolbox_pod tb-server "$server" | k apply -f - >/dev/null
	toolbox_pod tb-agent "$agent" | k apply -f - >/dev/null
	check "echo pods ready, one per node" k rollout status deploy/echo --timeout=120s
	check "toolbox pods ready" k wait pod/tb-server pod/tb-agent --for=condition=Ready --timeout=120s
	k get pods -o wide | sed 's/^/    /'
	local ip nodes n
	nodes=$(k get pods -l app=echo -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}' | sort -u | wc -l)
	[ "$nodes" = 2 ] && ok "echo pods run on 2 nodes" || bad "echo pods on $nodes node(s)"
	for ip in $(k get pods -l app=echo -o jsonpath='{.items[*].status.podIP}'); do
		for n in tb-server tb-agent; do
			check "$n -> echo pod $ip (pod to pod)" k exec "$n" -- curl -sf --max-time 5 "http://$ip:8080/"
		done
	done
	local src
	src=$(k exec tb-agent -- curl -s --max-time 5 -H 'Accept: application/json' "http://$(k get pod -l app=echo -o jsonpath='{.items[0].status.podIP}'):8080/" | jq -r .clientIP)
	local tbip
	tbip=$(k get pod tb-agent -o jsonpath='{.status.podIP}')
	[ "$src" = "$tbip" ] && ok "pod source IP preserved across nodes ($src)" || bad "echo saw client $src, toolbox is $tbip"
	check "tb-agent -> Service echo by DNS" k exec tb-agent -- curl -sf --max-time 5 http://echo.default.svc.cluster.local/
	# externalTrafficPolicy: Local (the traffic-policy lab): one echo pod, on
	# the agent; a client outside each node (a hostNetwork pod on the other
	# node) reaches the NodePort only on the node that has the endpoint.
	cat <<YAML | k apply -f - >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: echo-local, labels: {app: echo-local}}
spec:
  nodeName: $agent
  containers:
  - name: echo
    image: $ECHO
    securityContext: {runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}}
---
apiVersion: v1
kind: Service
metadata: {name: echo-local}
spec:
  type: NodePort
  externalTrafficPolicy: Local
  selector: {app: echo-local}
  ports: [{port: 80, targetPort: 8080, nodePort: 30080}]
YAML
	for n in "$server" "$agent"; do
		cat <<YAML | k apply -f - >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: hostnet-$n, namespace: servicelab-system}
spec:
  nodeName: $n
  hostNetwork: true
  terminationGracePeriodSeconds: 1
  containers: [{name: t, image: $TOOLBOX, command: [sleep, infinity]}]
YAML
	done
	k wait pod/echo-local --for=condition=Ready --timeout=60s >/dev/null
	k -n servicelab-system wait pod --all --for=condition=Ready --timeout=60s >/dev/null
	local sip aip
	sip=$(k get node "$server" -o jsonpath='{.status.addresses[?(@.type=="InternalIP")].address}')
	aip=$(k get node "$agent" -o jsonpath='{.status.addresses[?(@.type=="InternalIP")].address}')
	src=$(k -n servicelab-system exec "hostnet-$server" -- curl -s --max-time 5 -H 'Accept: application/json' "http://$aip:30080/" | jq -r .clientIP)
	[ "$src" = "$sip" ] && ok "ETP Local: NodePort on the endpoint's node answers, client IP preserved ($src)" ||
		bad "ETP Local: NodePort on $aip answered with client '$src', expected $sip"
	if k -n servicelab-system exec "hostnet-$agent" -- curl -s --max-time 3 "http://$sip:30080/" >/dev/null 2>&1; then
		bad "ETP Local: NodePort on the node without an endpoint answered"
	else
		ok "ETP Local: NodePort on the node without an endpoint drops the request"
	fi
	docker stats --no-stream "$server" "$agent" | sed 's/^/    /'
}

case "$WHAT" in
single) single ;;
two) two ;;
all) single; two ;;
*) echo "usage: smoke.sh [single|two|all]"; exit 2 ;;
esac
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
