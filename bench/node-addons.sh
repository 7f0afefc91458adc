#!/usr/bin/env bash
# A sandbox node without addons, from two node images (e.g. before and after an addon was added to
# the kit): time from docker run to the ready line, and memory once idle (docker stats, IDLE_SECONDS
# after ready, only CoreDNS running), alternating the images RUNS times each so that the host's load
# weighs on both alike. Started like K3sContainer (privileged, tmpfs /run /var/run, host cgroups) and
# as the provisioner starts a node of a lab without addons (--disable-network-policy).
#   bench/node-addons.sh servicelab/kube-node:v1.36.3-sl1 servicelab/kube-node:v1.36.3-sl3
#   RUNS=3 IDLE_SECONDS=60 bench/node-addons.sh A B
set -euo pipefail
RUNS=${RUNS:-2}
IDLE=${IDLE_SECONDS:-60}
images=("$@")
[ ${#images[@]} -ge 1 ] || { echo "usage: $0 IMAGE [IMAGE...]" >&2; exit 2; }
mkdir -p "$(dirname "$0")/out"
out="$(dirname "$0")/out/node-addons.txt"
: >"$out"
for ((r = 1; r <= RUNS; r++)); do
	for image in "${images[@]}"; do
		name="bench-node-$$-$r-$(echo "$image" | tr -c 'a-z0-9' '-' | tail -c 12)"
		t0=$(date +%s.%N)
		docker run -d --name "$name" --privileged --tmpfs /run --tmpfs /var/run \
			-v /sys/fs/cgroup:/sys/fs/cgroup:rw --cgroupns=host "$image" server --disable=traefik --disable-network-policy >/dev/null
		ready=""
		for ((i = 0; i < 480; i++)); do
			if docker logs "$name" 2>&1 | grep -q 'Node controller sync successful'; then
				ready=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
				break
			fi
			sleep 0.25
		done
		sleep "$IDLE"
		mem=$(docker stats --no-stream --format '{{.MemUsage}}' "$name" | cut -d/ -f1 | tr -d ' ')
		docker rm -f -v "$name" >/dev/null
		echo "$image run $r: ready ${ready:-timeout}s, idle memory $mem (${IDLE}s after ready)" | tee -a "$out"
	done
done
