# shellcheck shell=bash
# Issue 16 on the real two-replica install: the replicas share everything, so the Service in front
# of them needs no session affinity. Sourced by deploy/test-k8s.sh, which provides check, say, http,
# status, field, kubectl, $A/$B (port-forwards to the two replica pods), replicas, pids, $LOG,
# $LEARNER/$LEARNER_PASSWORD and $ADMIN_PASSWORD. The learner gets a sandbox of the LoadBalancer
# lab; replica 1's pod is deleted once (the Deployment makes a new one), and afterwards $A forwards
# to the new pod.
#   1. a browser session made through the sign-in form of one replica works on the other;
#   2. an instructor's dashboard on one replica hears a learner's check through the other within 1 s;
#   3. a tunnel started through replica 1 is served by replica 2 once replica 1 is gone;
#   4. a terminal socket to replica 1 gets "service restart" and resumes on replica 2.

replicas_probe() { python3 "$ROOT/deploy/replicas_probe.py" "$@"; }

# The holder of the sandbox's tunnel lease, as the replicas see it (JdbcTunnelLeases: pod name-uuid).
tunnel_holder() {
  kubectl -n servicelab exec statefulset/postgres -- sh -c \
    'PGPASSWORD="$POSTGRES_PASSWORD" psql -h 127.0.0.1 -U "$POSTGRES_USER" -d servicelab -tAc "select holder from tunnel_lease"' 2>/dev/null
}

# Forwards a free local port to the pod (stopped with the test's other forwards); sets REPLICA_URL.
replica_forward() {
  local pod=$1 p
  p=$(python3 -c 'import socket; s=socket.socket(); s.bind(("",0)); print(s.getsockname()[1])')
  kubectl -n servicelab port-forward "$pod" "$p:8080" >"$LOG/port-forward-$p.log" 2>&1 &
  pids+=($!)
  REPLICA_URL=http://127.0.0.1:$p
  for _ in $(seq 30); do
    curl -s -o /dev/null "$REPLICA_URL/actuator/health" && return 0
    sleep 1
  done
  say "$pod does not answer through port $p" # the checks that use it say FAIL
}

# test-k8s.sh runs with errexit: whatever may fail here is a check (a FAIL line) or guarded.
replica_checks() {
  local lab=loadbalancer-tunnel
  local pod_a=${replicas[0]#pod/} pod_b=${replicas[1]#pod/}
  say "replicas: 1 is $pod_a ($A), 2 is $pod_b ($B)"

  # 1. Sessions: the form sign-in of a browser, then only its session cookie on the other replica.
  check "a browser session signed in through replica 1's form works on replica 2" \
    replicas_probe session "$A" "$B" "$LEARNER" "$LEARNER_PASSWORD"
  check "and one signed in through replica 2's form works on replica 1" \
    replicas_probe session "$B" "$A" "$LEARNER" "$LEARNER_PASSWORD"

  # An instructor with a cohort of the LoadBalancer lab, which the learner joins; the learner's sandbox.
  local instructor=grace-$RANDOM instructor_pw=instructor-pw-$RANDOM$RANDOM cohort cohort_id code
  http POST "$A/api/v1/accounts" "admin:$ADMIN_PASSWORD" \
    "{\"username\":\"$instructor\",\"displayName\":\"Grace\",\"password\":\"$instructor_pw\",\"role\":\"INSTRUCTOR\"}" >/dev/null
  cohort=$(http POST "$A/api/v1/cohorts" "$instructor:$instructor_pw" "{\"name\":\"Replicas\",\"labs\":[{\"labId\":\"$lab\"}]}")
  cohort_id=$(field id <<<"$cohort") code=$(field joinCode <<<"$cohort")
  http POST "$B/api/v1/cohorts/join" "$LEARNER:$LEARNER_PASSWORD" "{\"code\":\"$code\"}" >/dev/null
  check "an instructor's cohort of the $lab lab, joined by the learner through replica 2" [ "$(status)" = 200 ]
  http POST "$A/api/v1/labs/$lab/enrolment" "$LEARNER:$LEARNER_PASSWORD" >/dev/null
  local state="" view deadline=$((SECONDS + 600)) t0=$SECONDS
  # The previous lab's sandbox may still be ending: the per-learner limit refuses until it has.
  until http POST "$A/api/v1/labs/$lab/sandbox" "$LEARNER:$LEARNER_PASSWORD" >/dev/null && [ "$(status)" -lt 300 ]; do
    [ $SECONDS -lt $((t0 + 120)) ] || break
    sleep 3
  done
  while [ $SECONDS -lt $deadline ]; do
    view=$(http GET "$B/api/v1/labs/$lab/sandbox" "$LEARNER:$LEARNER_PASSWORD")
    state=$(field state <<<"$view")
    [ "$state" = READY ] || [ "$state" = FAILED ] || [ "$state" = DEAD ] && break
    sleep 5
  done
  check "the learner's $lab sandbox becomes READY in $((SECONDS - t0)) s" [ "$state" = READY ]
  [ "$state" = READY ] || { say "$lab sandbox: $view"; return 0; }

  # The learner does step 1 of the lab in the terminal through replica 1: the Service becomes a LoadBalancer.
  in_terminal() { # URL TAB "LINE" REGEX: the first match of REGEX in what the line prints
    replicas_probe run "$1" "$LEARNER" "$LEARNER_PASSWORD" "$lab" "$2" "$3" "$4" 90
  }
  in_terminal "$A" 1 "kubectl patch service gallery -n default -p '{\"spec\":{\"type\":\"LoadBalancer\"}}' && echo PATCHED-\$((6*7))" \
    "PATCHED-42" >"$LOG/tunnel.txt" 2>&1 || true

  # 2. Dashboard lag: the dashboard's event stream on replica 1, the learner's check through replica 2.
  dashboard_lag() {
    replicas_probe dashboard "$A" "$B" "$instructor" "$instructor_pw" "$cohort_id" "$LEARNER" "$LEARNER_PASSWORD" \
      "$lab" switch-to-loadbalancer >"$LOG/dashboard-lag.txt" 2>&1
    local rc=$?
    sed 's/^/    /' "$LOG/dashboard-lag.txt"
    return $rc
  }
  # Checked after the work: steps are checked in order, as learners do (a pass sets the next step up).
  check "an instructor's dashboard on replica 1 gets the attempt made through replica 2 within 1 s" dashboard_lag

  # 3. Tunnel: started through replica 1, which then holds its lease.
  local running
  running=$(http POST "$A/api/v1/labs/$lab/sandbox/tunnel" "$LEARNER:$LEARNER_PASSWORD" | field running)
  check "the learner starts the tunnel through replica 1" [ "$running" = True ]
  local holder
  holder=$(tunnel_holder) || true
  say "tunnel lease holder: $holder"
  check "replica 1 holds the tunnel's lease" [ "${holder%-*}" = "$pod_a" ]
  step_passes() { # URL STEP
    local report
    report=$(http POST "$1/api/v1/labs/$lab/steps/$2/checks" "$LEARNER:$LEARNER_PASSWORD")
    echo "    $report" | cut -c1-400 >>"$LOG/tunnel.txt"
    [ "$(field passed <<<"$report")" = True ]
  }
  check "the LoadBalancer Service gets its external IP, which answers (step start-the-tunnel passes through replica 1)" \
    step_passes "$A" start-the-tunnel

  # 4. Terminal: numbered lines flow through a socket to replica 1 (tab 2) while replica 1 goes away.
  rm -f "$LOG/follow.state"
  replicas_probe follow "$A" "$B" "$LEARNER" "$LEARNER_PASSWORD" "$lab" 2 "$LOG/follow.state" 3 >"$LOG/follow.txt" 2>&1 &
  local follower=$!
  for _ in $(seq 60); do [ -s "$LOG/follow.state" ] && break; sleep 1; done
  check "numbered lines flow through a terminal socket to replica 1" [ -s "$LOG/follow.state" ]

  # Replica 1 goes: the Deployment makes a new pod; graceful shutdown hands the tunnel over.
  say "deleting replica 1 ($pod_a)"
  local start=$EPOCHREALTIME deleted_at sandbox
  deleted_at=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
  sandbox=$(field sandboxId <<<"$view")
  kubectl -n servicelab delete pod "$pod_a" --wait=true >"$LOG/delete-replica-1.txt" 2>&1 &
  local deleting=$!
  # A LoadBalancer Service made now gets its external IP from whoever serves the tunnel: replica 2.
  local late
  late=$(in_terminal "$B" 1 "s=\$(date +%s%N); kubectl expose deployment gallery -n default --name=late --type=LoadBalancer --port=81 --target-port=8080 >/dev/null && kubectl wait service/late -n default --for=jsonpath='{.status.loadBalancer.ingress}' --timeout=60s >/dev/null && echo LATE-IP-\$(( (\$(date +%s%N)-s)/1000000 ))-ms" \
    'LATE-IP-[0-9]+-ms') || late=""
  say "a LoadBalancer Service created through replica 2's terminal while replica 1 stops: ${late:-no external IP}"
  wait "$deleting" || true
  local gone taken moved=""
  gone=$(python3 -c "print(f'{$EPOCHREALTIME - $start:.1f}')")
  holder=$(tunnel_holder) || true
  # When replica 2 took the lease, from its own log (the same host clock as the delete's start).
  taken=$(kubectl -n servicelab logs "$pod_b" 2>/dev/null | grep "Took over the tunnel of sandbox $sandbox" | tail -1 | cut -d' ' -f1) || true
  [ -n "$taken" ] && moved=$(python3 -c "from datetime import datetime as d; import sys
t = lambda s: d.fromisoformat(s.replace('Z', '+00:00'))
print(f'{(t(sys.argv[2]) - t(sys.argv[1])).total_seconds():.2f}')" "$deleted_at" "$taken")
  say "replica 1's pod was gone ${gone} s after the delete; replica 2 took the tunnel over ${moved:-never} s after it (lease holder now: $holder)"
  check "replica 2 takes the tunnel over within a lease (10 s) of the delete: ${moved:-never} s" \
    python3 -c "import sys; sys.exit(0 if '$moved' and float('$moved') <= 10 and '${holder%-*}' == '$pod_b' else 1)"
  check "a LoadBalancer Service created meanwhile gets its external IP (in ${late//[!0-9]/} ms)" [ -n "$late" ]
  check "the external IP still answers: step start-the-tunnel passes through replica 2" step_passes "$B" start-the-tunnel

  local followed=0
  wait "$follower" || followed=$?
  sed 's/^/    /' "$LOG/follow.txt"
  check "the terminal got \"reconnect\" from replica 1 and resumed on replica 2 with no numbered line missing" [ "$followed" = 0 ]

  # The new replica 1 for whatever runs next.
  check "the Deployment replaces replica 1" kubectl -n servicelab rollout status deployment/servicelab --timeout=480s
  local pod
  for pod in $(kubectl -n servicelab get pods -l app.kubernetes.io/name=servicelab -o name); do
    [ "${pod#pod/}" = "$pod_b" ] || { replicas[0]=$pod; replica_forward "$pod"; A=$REPLICA_URL; }
  done
  say "replica 1 is now ${replicas[0]#pod/} ($A)"
  http DELETE "$B/api/v1/labs/$lab/sandbox" "$LEARNER:$LEARNER_PASSWORD" >/dev/null
  for _ in $(seq 30); do
    [ -z "$(kubectl -n servicelab-sandboxes get pods -o name 2>/dev/null)" ] && break
    sleep 2
  done
  return 0
}
