#!/bin/bash
# ensure-kit.sh: the one entry point that makes a machine ready to run
# ServiceLab sandboxes. Idempotent; a few seconds when everything is cached.
#
#  1. Docker engine: use the running one; else (as root) install Debian's
#     docker.io if missing and start dockerd. If privileged containers fail
#     (hosts that refuse some capabilities to root), register the
#     servicelab-runc wrapper as Docker's default runtime.
#  2. Sandbox images (node, pause, coredns, echo, toolbox): present in Docker
#     with the current kit key -> done; else `docker load` from the cache;
#     else build them (long: upstream Kubernetes from source) and save them.
#
# Environment:
#   SERVICELAB_CACHE   cache root (default /var/cache/servicelab); images
#                      under $SERVICELAB_CACHE/kit/<key>/images, Go caches under go/
#   SERVICELAB_KIT     "build" (default): the offline kit;
#                      "public": use the public rancher/k3s image (needs a
#                      registry) and build only servicelab/echo and toolbox
#   SERVICELAB_KIT_SKIP_DOCKER=1  do not touch the Docker engine (check only)
# Prints, last, the image tags; also written to $SERVICELAB_CACHE/kit/images.env.
set -euo pipefail
KIT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
. "$KIT/versions.env"
CACHE=${SERVICELAB_CACHE:-/var/cache/servicelab}
MODE=${SERVICELAB_KIT:-build}
LOGDIR=${SERVICELAB_LOG_DIR:-/var/log/servicelab}
T_START=$SECONDS

say() { echo "[ensure-kit] $*"; }
die() { echo "[ensure-kit] ERROR: $*" >&2; exit 1; }
phase_end() { say "$1 ($(($SECONDS - $2))s)"; }

NODE_IMAGE=servicelab/kube-node:$KUBERNETES_VERSION-$NODE_REVISION
PAUSE_IMAGE=servicelab/pause:$PAUSE_TAG
COREDNS_IMAGE=servicelab/coredns:${COREDNS_VERSION#v}
ECHO_IMAGE=servicelab/echo:$ECHO_TAG
TOOLBOX_IMAGE=servicelab/toolbox:$TOOLBOX_TAG

is_root() { [ "$(id -u)" = 0 ]; }

# --- 1. Docker engine -------------------------------------------------------
start_dockerd() {
	mkdir -p "$LOGDIR" /run/servicelab
	say "starting dockerd (log: $LOGDIR/dockerd.log)"
	nohup setsid dockerd >>"$LOGDIR/dockerd.log" 2>&1 </dev/null &
	echo $! >/run/servicelab/dockerd.pid
	local i
	for i in $(seq 1 120); do
		docker info >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	tail -20 "$LOGDIR/dockerd.log" >&2 || true
	die "dockerd did not come up in 60s"
}

stop_our_dockerd() {
	local pid
	pid=$(cat /run/servicelab/dockerd.pid 2>/dev/null || true)
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
	kill "$pid"
	local i
	for i in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
	return 0
}

# A throwaway image made of /bin/true and its libraries: no registry needed.
probe_image() {
	docker image inspect servicelab/probe:1 >/dev/null 2>&1 && return 0
	local libs
	libs=$(ldd /bin/true | grep -o '/[^ ]*' | sort -u)
	# shellcheck disable=SC2086
	tar -chf - /bin/true $libs 2>/dev/null | docker import - servicelab/probe:1 >/dev/null
}

privileged_works() {
	probe_image && docker run --rm --privileged --tmpfs /run servicelab/probe:1 /bin/true >/dev/null 2>&1
}

install_runtime_wrapper() {
	is_root || die "privileged containers fail and we are not root: see $KIT/README.md (runtime wrapper)"
	command -v jq >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jq >/dev/null; }
	install -D -m755 "$KIT/docker/servicelab-runc" /usr/local/lib/servicelab/servicelab-runc
	mkdir -p /etc/docker
	local cur='{}'
	[ -s /etc/docker/daemon.json ] && cur=$(cat /etc/docker/daemon.json)
	local new
	new=$(echo "$cur" | jq '.runtimes["servicelab-runc"] = {"path": "/usr/local/lib/servicelab/servicelab-runc"} | .["default-runtime"] = "servicelab-runc"') ||
		die "/etc/docker/daemon.json is not valid JSON; fix it or add the servicelab-runc runtime by hand"
	if [ -s /etc/docker/daemon.json ] && [ ! -e /etc/docker/daemon.json.servicelab-orig ]; then
		cp /etc/docker/daemon.json /etc/docker/daemon.json.servicelab-orig
	fi
	echo "$new" >/etc/docker/daemon.json
	say "registered servicelab-runc as Docker's default runtime in /etc/docker/daemon.json"
	if stop_our_dockerd; then
		start_dockerd
	elif command -v systemctl >/dev/null && systemctl is-active -q docker 2>/dev/null; then
		systemctl restart docker
	else
		die "restart the Docker engine to pick up /etc/docker/daemon.json, then run again"
	fi
}

# Every sandbox node runs a kubelet, kube-proxy and containerd, which all take inotify instances and
# watches; the kernel defaults (128 / 8192) run out after a few nodes and components fail with "too
# many open files". Raise them as root; elsewhere say what to set.
ensure_host_limits() {
	local want_instances=8192 want_watches=1048576 k v
	for k in fs.inotify.max_user_instances fs.inotify.max_user_watches; do
		v=$(sysctl -n "$k" 2>/dev/null || echo 0)
		local want=$want_instances
		[ "$k" = fs.inotify.max_user_watches ] && want=$want_watches
		if [ "$v" -lt "$want" ]; then
			if is_root && sysctl -qw "$k=$want" 2>/dev/null; then
				say "raised $k from $v to $want (many sandbox nodes share one kernel)"
			else
				say "warning: $k is $v; set it to $want (sysctl -w $k=$want) or sandboxes fail with 'too many open files'"
			fi
		fi
	done
}

ensure_docker() {
	local t0=$SECONDS
	if [ "${SERVICELAB_KIT_SKIP_DOCKER:-0}" = 1 ]; then
		docker info >/dev/null 2>&1 || die "Docker is not reachable (SERVICELAB_KIT_SKIP_DOCKER=1)"
		phase_end "docker engine: reachable" "$t0"
		return
	fi
	if ! docker info >/dev/null 2>&1; then
		is_root || die "Docker is not running and we are not root: start your Docker engine"
		if ! command -v dockerd >/dev/null 2>&1; then
			say "installing docker.io from apt"
			apt-get update -qq
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io jq >/dev/null
		fi
		start_dockerd
	fi
	# Privileged containers must work (sandbox nodes are privileged). The
	# answer is remembered per engine so cached runs stay fast.
	local id mark
	id=$(docker info --format '{{.ID}}{{.ServerVersion}}{{.DefaultRuntime}}' 2>/dev/null | tr -c 'A-Za-z0-9.\n' _)
	mark="$CACHE/kit/.privileged-ok-$id"
	if [ ! -e "$mark" ]; then
		if ! privileged_works; then
			say "privileged containers fail on this host (refused capabilities); installing the runtime wrapper"
			install_runtime_wrapper
			privileged_works || die "privileged containers still fail; see $LOGDIR/dockerd.log"
			id=$(docker info --format '{{.ID}}{{.ServerVersion}}{{.DefaultRuntime}}' | tr -c 'A-Za-z0-9.\n' _)
			mark="$CACHE/kit/.privileged-ok-$id"
		fi
		mkdir -p "$CACHE/kit" && touch "$mark"
	fi
	phase_end "docker engine: ready, privileged containers work" "$t0"
}

# --- 2. Images --------------------------------------------------------------
# The cache key names every version that shapes the images, plus a hash of
# the kit's own sources (not of this script, README or smoke test).
kit_key() {
	local src gover
	src=$(cd "$KIT" && find go.mod go.sum versions.env cmd internal images build docker -type f -print0 | sort -z |
		xargs -0 sha256sum | sha256sum | cut -c1-12)
	gover=$( (PATH=/usr/local/go/bin:$PATH go env GOVERSION 2>/dev/null) || echo nogo)
	echo "k8s-$KUBERNETES_VERSION-$NODE_REVISION.containerd-$CONTAINERD_VERSION.kine-$KINE_VERSION.coredns-$COREDNS_VERSION.runc-cni-deb-$DEBIAN_SUITE.$gover.src-$src"
}

# What build/build.sh needs: Go (1.26, /usr/local/go or PATH), a C compiler
# for kine's SQLite, debootstrap for the Debian roots.
build_prereqs() {
	PATH=/usr/local/go/bin:$PATH command -v go >/dev/null ||
		die "building the images needs Go 1.26 (in /usr/local/go/bin or PATH)"
	local need=()
	command -v debootstrap >/dev/null || need+=(debootstrap)
	command -v gcc >/dev/null || need+=(gcc libc6-dev)
	command -v flock >/dev/null || need+=(util-linux)
	if [ ${#need[@]} -gt 0 ]; then
		is_root || die "building the images needs: ${need[*]}"
		say "installing ${need[*]} from apt"
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
	fi
}

safe_rm() { # unmount what a killed debootstrap left below $1, then remove it
	local d m
	d=$(readlink -f "$1" 2>/dev/null) || return 0
	[ -e "$d" ] || return 0
	awk -v d="$d/" 'index($2 "/", d) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done
	rm -rf --one-file-system "$d"
}

# Other keys' tarballs are dead weight once a new key is built, unless another
# checkout (a colleague's branch, a CI run) still uses them: only remove key
# directories untouched for a day whose lock nobody holds.
prune_old_keys() {
	local d
	for d in "$CACHE"/kit/k8s-*; do
		[ -d "$d" ] && [ "$(basename "$d")" != "$1" ] || continue
		[ -z "$(find "$d" -maxdepth 0 -mmin -1440)" ] || continue
		(flock -n 9 && safe_rm "$d" && rm -f "$d.lock") 9>"$d.lock" || true
	done
}

image_key() { docker image inspect -f '{{index .Config.Labels "servicelab.kit.key"}}' "$1" 2>/dev/null || true; }

ensure_images() {
	local t0=$SECONDS key dir
	key=$(kit_key)
	dir=$CACHE/kit/$key
	local -a tags files
	if [ "$MODE" = public ]; then
		tags=("$ECHO_IMAGE" "$TOOLBOX_IMAGE")
		files=(echo.tar toolbox.tar)
	else
		tags=("$NODE_IMAGE" "$PAUSE_IMAGE" "$COREDNS_IMAGE" "$ECHO_IMAGE" "$TOOLBOX_IMAGE")
		files=(kube-node.tar pause.tar coredns.tar echo.tar toolbox.tar)
	fi
	say "kit key: $key"
	local missing=() i
	for i in "${!tags[@]}"; do
		[ "$(image_key "${tags[$i]}")" = "$key" ] || missing+=("$i")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		phase_end "images: all present in Docker" "$t0"
		return
	fi
	local can_load=1
	for i in "${missing[@]}"; do [ -s "$dir/images/${files[$i]}" ] || can_load=0; done
	if [ $can_load = 0 ]; then
		is_root || [ -w "$CACHE" ] || die "cannot write the cache $CACHE"
		mkdir -p "$dir"
		exec 9>"$dir.lock"
		say "images not cached: building them (first build takes a while; log: $dir/build.log)"
		if ! flock -n 9; then
			say "another ensure-kit is building the same images; waiting for it"
			flock 9
		fi
		# Re-check: the other builder may have finished.
		can_load=1
		for i in "${missing[@]}"; do [ -s "$dir/images/${files[$i]}" ] || can_load=0; done
		if [ $can_load = 0 ]; then
			build_prereqs
			local tb=$SECONDS what=all
			[ "$MODE" = public ] && what=small
			if ! SERVICELAB_KIT_KEY=$key "$KIT/build/build.sh" "$dir" "$what" 2>&1 | tee "$dir/build.log" | grep --line-buffered -E '^\[kit-build'; then
				tail -30 "$dir/build.log" >&2
				die "image build failed; full log: $dir/build.log"
			fi
			[ "${PIPESTATUS[0]}" = 0 ] || die "image build failed; full log: $dir/build.log"
			safe_rm "$dir/work"
			say "build took $((SECONDS - tb))s"
			echo "$((SECONDS - tb))" >"$dir/build-seconds"
			prune_old_keys "$key"
		fi
		exec 9>&-
	fi
	for i in "${missing[@]}"; do
		[ "$(image_key "${tags[$i]}")" = "$key" ] && continue
		local tl=$SECONDS
		docker load -q -i "$dir/images/${files[$i]}" >/dev/null
		say "loaded ${tags[$i]} from the cache ($((SECONDS - tl))s)"
	done
	# Superseded builds leave untagged images behind; drop those not in use.
	docker image prune -f --filter "label=servicelab.kit.key" >/dev/null 2>&1 || true
	phase_end "images: ready" "$t0"
}

ensure_public_node() {
	local t0=$SECONDS
	if ! docker image inspect "$PUBLIC_K3S_IMAGE" >/dev/null 2>&1; then
		say "pulling $PUBLIC_K3S_IMAGE"
		docker pull -q "$PUBLIC_K3S_IMAGE" >/dev/null || die "cannot pull $PUBLIC_K3S_IMAGE: is a registry reachable? (unset SERVICELAB_KIT for the offline kit)"
	fi
	phase_end "public node image $PUBLIC_K3S_IMAGE present" "$t0"
}

case "$MODE" in build | public) ;; *) die "SERVICELAB_KIT must be 'build' or 'public', not '$MODE'" ;; esac
say "mode: $MODE; cache: $CACHE"
ensure_host_limits
ensure_docker
ensure_images
if [ "$MODE" = public ]; then
	ensure_public_node
	NODE_IMAGE=$PUBLIC_K3S_IMAGE
fi
# Tarballs the provisioner must copy into a node's agent/images directory
# before starting it: none for the kit's node image (they are baked in), the
# echo and toolbox images for the public rancher/k3s image.
KEYDIR=$CACHE/kit/$(kit_key)
EXTRA=$KEYDIR/extra-images
rm -rf "$EXTRA" && mkdir -p "$EXTRA"
if [ "$MODE" = public ]; then
	ln -f "$KEYDIR/images/echo.tar" "$KEYDIR/images/toolbox.tar" "$EXTRA/" 2>/dev/null ||
		cp -f "$KEYDIR/images/echo.tar" "$KEYDIR/images/toolbox.tar" "$EXTRA/"
fi
mkdir -p "$CACHE/kit"
{
	echo "SERVICELAB_KIT=$MODE"
	echo "SERVICELAB_NODE_IMAGE=$NODE_IMAGE"
	[ "$MODE" = build ] && echo "SERVICELAB_PAUSE_IMAGE=$PAUSE_IMAGE" && echo "SERVICELAB_COREDNS_IMAGE=$COREDNS_IMAGE"
	echo "SERVICELAB_ECHO_IMAGE=$ECHO_IMAGE"
	echo "SERVICELAB_TOOLBOX_IMAGE=$TOOLBOX_IMAGE"
	echo "SERVICELAB_IMAGE_TARBALLS=$KEYDIR/images"
	echo "SERVICELAB_EXTRA_IMAGES_DIR=$EXTRA"
} >"$CACHE/kit/images.env.tmp" && mv -f "$CACHE/kit/images.env.tmp" "$CACHE/kit/images.env"
say "node image: $NODE_IMAGE"
say "workload images: $ECHO_IMAGE $TOOLBOX_IMAGE (tarballs in $KEYDIR/images)"
extra_list=$(cd "$EXTRA" && ls | tr '\n' ' ')
say "copy into each node's /var/lib/rancher/k3s/agent/images/: ${extra_list:-nothing (all baked into the node image)}"
say "done in $((SECONDS - T_START))s"
