#!/bin/bash
# Builds the ServiceLab sandbox images from Go modules and Debian packages,
# with no container registry: loads them into Docker and saves each one as a
# tarball in $OUT/images. Called by ensure-kit.sh; usable alone:
#   build/build.sh OUT_DIR [all|small]
# ("small" = only the echo and toolbox images, for SERVICELAB_KIT=public).
set -euo pipefail
KIT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:?usage: build.sh OUT_DIR [all|small]}
WHAT=${2:-all}
# shellcheck source=../versions.env
. "$KIT/versions.env"
CACHE=${SERVICELAB_CACHE:-/var/cache/servicelab}
KEY=${SERVICELAB_KIT_KEY:-dev}
WORK=$OUT/work
BIN=$WORK/bin
mkdir -p "$OUT/images" "$BIN"

export PATH=/usr/local/go/bin:$PATH
export GOMODCACHE=${GOMODCACHE:-$CACHE/go/mod}
export GOCACHE=${GOCACHE:-$CACHE/go/build}
export GOFLAGS=-trimpath
export GOTOOLCHAIN=local

NODE_TAG=servicelab/kube-node:$KUBERNETES_VERSION-$NODE_REVISION
PAUSE_IMG=servicelab/pause:$PAUSE_TAG
COREDNS_IMG=servicelab/coredns:${COREDNS_VERSION#v}
ECHO_IMG=servicelab/echo:$ECHO_TAG
TOOLBOX_IMG=servicelab/toolbox:$TOOLBOX_TAG
INGRESS_IMG=servicelab/ingress:$INGRESS_TAG

step() { echo "[kit-build $(date +%H:%M:%S)] $*"; }
timed() { # timed LABEL cmd...
	local label=$1 t0=$SECONDS
	shift
	step "$label ..."
	"$@"
	step "$label done in $((SECONDS - t0))s"
}

# Debian packages come from the mirror the host's apt uses (override with
# SERVICELAB_DEBIAN_MIRROR); with none found, debootstrap's default.
debian_mirror() {
	if [ -n "${SERVICELAB_DEBIAN_MIRROR:-}" ]; then echo "$SERVICELAB_DEBIAN_MIRROR"; return; fi
	local m
	m=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -1 || true)
	[ -z "$m" ] && m=$(grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null | awk '$0 !~ /security/ {print $2; exit}' || true)
	echo "$m"
}

# safe_rm DIR: debootstrap mounts /proc (and may mount /sys) inside its
# target; a build killed half-way leaves them mounted. Unmount everything
# below DIR first and never cross into another file system.
safe_rm() {
	local d m
	d=$(readlink -f "$1" 2>/dev/null) || return 0
	[ -e "$d" ] || return 0
	awk -v d="$d/" 'index($2 "/", d) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done
	rm -rf --one-file-system "$d"
}

# rootfs DIR PACKAGES: a minimal Debian (debootstrap --variant=minbase),
# trimmed of docs, locales and apt lists.
rootfs() {
	local dir=$1 pkgs=$2
	command -v debootstrap >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
	safe_rm "$dir"
	mkdir -p "$CACHE/debootstrap-debs"
	# shellcheck disable=SC2046
	debootstrap --variant=minbase --cache-dir="$CACHE/debootstrap-debs" --include="$pkgs" \
		"$DEBIAN_SUITE" "$dir" $(debian_mirror) >"$WORK/debootstrap-$(basename "$dir").log" 2>&1 ||
		{ tail -20 "$WORK/debootstrap-$(basename "$dir").log"; return 1; }
	rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb \
		"$dir"/usr/share/doc/* "$dir"/usr/share/man/* "$dir"/usr/share/info/* "$dir"/var/log/*.log \
		"$dir"/usr/share/locale/[a-df-z]* "$dir"/usr/share/locale/e[a-mo-z]*
	# minbase leaves resolv.conf/hostname from the build host: Docker provides them.
	: >"$dir/etc/resolv.conf"
	echo "localhost" >"$dir/etc/hostname"
}

# img_from_dir DIR TAG [docker import --change...]: tar a directory into an image.
img_from_dir() {
	local dir=$1 tag=$2
	shift 2
	local changes=(--change "LABEL servicelab.kit.key=$KEY")
	for c in "$@"; do changes+=(--change "$c"); done
	tar --numeric-owner -C "$dir" -c . | docker import "${changes[@]}" - "$tag" >/dev/null
}

save() { # save TAG FILE
	docker save -o "$OUT/images/$2.tmp" "$1" && mv -f "$OUT/images/$2.tmp" "$OUT/images/$2"
}

go_builds() {
	local ld="-s -w"
	# What `kubectl version` and the nodes' kubeletVersion report (as the
	# Kubernetes release build sets them).
	local kv="" pkg minor=${KUBERNETES_VERSION#v1.}
	minor=${minor%%.*}
	for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
		kv+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
		kv+=" -X $pkg.gitCommit=go-module -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
	done
	local x="-X servicelab.dev/kit/internal/node.PauseImage=docker.io/$PAUSE_IMG -X servicelab.dev/kit/internal/node.CoreDNSImage=docker.io/$COREDNS_IMG -X servicelab.dev/kit/internal/node.KitVersion=$KEY"
	(cd "$KIT" && CGO_ENABLED=0 go build -ldflags="$ld" -o "$BIN/echo" ./cmd/echo)
	(cd "$KIT" && CGO_ENABLED=0 go build -ldflags="$ld $kv" -o "$BIN/kubectl" k8s.io/kubernetes/cmd/kubectl)
	[ "$WHAT" = small ] && return 0
	(cd "$KIT" && CGO_ENABLED=0 go build -ldflags="$ld" -o "$BIN/pause" ./cmd/pause)
	(cd "$KIT" && CGO_ENABLED=0 go build -ldflags="$ld" -o "$BIN/ingress" ./cmd/ingress)
	(cd "$KIT/images/coredns" && CGO_ENABLED=0 go build -ldflags="$ld" -o "$BIN/coredns" .)
	(cd "$KIT" && CGO_ENABLED=0 go build -ldflags="$ld $kv $x" -o "$BIN/kube-node" ./cmd/kube-node)
	# Third-party commands straight from their modules (their own go.mod).
	GOBIN=$BIN CGO_ENABLED=1 go install -ldflags="$ld" "github.com/k3s-io/kine@$KINE_VERSION"
	GOBIN=$BIN CGO_ENABLED=0 go install -ldflags="$ld" -tags "urfave_cli_no_docs osusergo netgo static_build no_btrfs no_devmapper no_zfs" \
		"github.com/containerd/containerd/v2/cmd/containerd@$CONTAINERD_VERSION" "github.com/containerd/containerd/v2/cmd/ctr@$CONTAINERD_VERSION"
	GOBIN=$BIN CGO_ENABLED=0 go install -ldflags="$ld" -tags "urfave_cli_no_docs osusergo netgo static_build no_grpc" \
		"github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2@$CONTAINERD_VERSION"
}

small_images() {
	local d=$WORK/echo-root
	rm -rf "$d" && mkdir -p "$d/tmp" "$d/etc"
	cp "$BIN/echo" "$d/echo"
	echo "nobody:x:65532:65532:nobody:/:/sbin/nologin" >"$d/etc/passwd"
	chmod 1777 "$d/tmp"
	img_from_dir "$d" "$ECHO_IMG" 'ENTRYPOINT ["/echo"]' 'ENV PORT=8080' 'EXPOSE 8080' 'USER 65532:65532' \
		"LABEL org.opencontainers.image.title=servicelab-echo"
	save "$ECHO_IMG" echo.tar

	rootfs "$WORK/toolbox-root" bash,curl,dnsutils,jq,iproute2,iputils-ping,netcat-openbsd,vim-tiny,less,procps,ca-certificates,tmux
	install -m755 "$BIN/kubectl" "$WORK/toolbox-root/usr/local/bin/kubectl"
	ln -sf /usr/bin/vim.tiny "$WORK/toolbox-root/usr/local/bin/vim"
	img_from_dir "$WORK/toolbox-root" "$TOOLBOX_IMG" 'CMD ["sleep","infinity"]' 'WORKDIR /root' 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		"LABEL org.opencontainers.image.title=servicelab-toolbox"
	save "$TOOLBOX_IMG" toolbox.tar
}

cluster_images() {
	local d=$WORK/pause-root
	rm -rf "$d" && mkdir -p "$d"
	cp "$BIN/pause" "$d/pause"
	img_from_dir "$d" "$PAUSE_IMG" 'ENTRYPOINT ["/pause"]' 'USER 65535:65535'
	save "$PAUSE_IMG" pause.tar

	d=$WORK/coredns-root
	rm -rf "$d" && mkdir -p "$d/etc/ssl/certs"
	cp "$BIN/coredns" "$d/coredns"
	[ -f /etc/ssl/certs/ca-certificates.crt ] && cp /etc/ssl/certs/ca-certificates.crt "$d/etc/ssl/certs/"
	img_from_dir "$d" "$COREDNS_IMG" 'ENTRYPOINT ["/coredns"]' 'EXPOSE 53 53/udp'
	save "$COREDNS_IMG" coredns.tar

	d=$WORK/ingress-root
	rm -rf "$d" && mkdir -p "$d/etc"
	cp "$BIN/ingress" "$d/ingress"
	echo "nobody:x:65532:65532:nobody:/:/sbin/nologin" >"$d/etc/passwd"
	img_from_dir "$d" "$INGRESS_IMG" 'ENTRYPOINT ["/ingress"]' 'EXPOSE 8080' 'USER 65532:65532' \
		"LABEL org.opencontainers.image.title=servicelab-ingress"
	save "$INGRESS_IMG" ingress.tar
}

node_image() {
	local r=$WORK/node-root
	rootfs "$r" iptables,ipset,conntrack,iproute2,ca-certificates,procps,runc,containernetworking-plugins,kmod,iputils-ping,tini,mount,util-linux
	install -d "$r/usr/local/bin" "$r/var/lib/servicelab/images" "$r/etc/rancher/k3s" "$r/etc/servicelab"
	for b in kube-node containerd containerd-shim-runc-v2 ctr kine; do install -m755 "$BIN/$b" "$r/usr/local/bin/$b"; done
	for l in k3s kubectl kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy; do ln -sf kube-node "$r/usr/local/bin/$l"; done
	# Runtime images, imported into containerd at every start.
	for f in pause coredns echo toolbox; do cp "$OUT/images/$f.tar" "$r/var/lib/servicelab/images/$f.tar"; done
	# Addon images, imported by the platform only into sandboxes that use the addon, so that the
	# others start no slower: the kubelet waits for the import of everything in images/.
	install -d "$r/var/lib/servicelab/addons"
	cp "$OUT/images/ingress.tar" "$r/var/lib/servicelab/addons/ingress.tar"
	{
		cat "$KIT/versions.env" | grep -E '^[A-Z_]+='
		echo "KIT_KEY=$KEY"
		echo "GO_VERSION=$(go env GOVERSION)"
		chroot "$r" dpkg-query -W -f='DEB_${Package}=${Version}\n' runc containernetworking-plugins iptables tini 2>/dev/null | tr '-' '_' | sed 's/^DEB_\([a-z_]*\)=/DEB_\U\1=/'
	} >"$r/etc/servicelab/versions"
	img_from_dir "$r" "$NODE_TAG" \
		'ENTRYPOINT ["/usr/bin/tini","-g","--","/usr/local/bin/kube-node"]' 'CMD ["agent"]' \
		'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		'ENV KUBECONFIG=/etc/rancher/k3s/k3s.yaml' \
		'VOLUME ["/var/lib/kubelet","/var/lib/rancher/k3s","/var/lib/cni","/var/log"]' \
		'EXPOSE 6443' \
		"LABEL org.opencontainers.image.title=servicelab-kube-node" \
		"LABEL org.opencontainers.image.version=$KUBERNETES_VERSION-$NODE_REVISION"
	save "$NODE_TAG" kube-node.tar
}

timed "go builds" go_builds
timed "echo and toolbox images" small_images
if [ "$WHAT" = all ]; then
	timed "pause and coredns images" cluster_images
	timed "node image $NODE_TAG" node_image
fi
safe_rm "$WORK/node-root"
safe_rm "$WORK/toolbox-root"
step "images saved in $OUT/images"
