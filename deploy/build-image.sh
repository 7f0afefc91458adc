#!/usr/bin/env bash
# Builds ServiceLab's own container images with no container registry, idempotently:
#   servicelab/debian:bookworm      Debian minbase made here by debootstrap (the base of the two below)
#   servicelab/platform:<version>   the platform (JRE, fat jar, lab catalog, kit versions.env)
#   servicelab/postgres:15          PostgreSQL 15 from Debian's packages
# Each image carries its cache key (the inputs' hash) as label servicelab.image.key and is rebuilt
# only when that changes; the base is also saved under $SERVICELAB_CACHE/deploy/ so a fresh engine
# loads it instead of running debootstrap again.
#   deploy/build-image.sh                 all three (the jar must exist: ./mvnw -B install -DskipTests)
#   BASE_IMAGE=debian:bookworm-slim deploy/build-image.sh    on a machine that can pull
#   deploy/build-image.sh --save DIR      also docker-save platform.tar and postgres.tar into DIR
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
CACHE=${SERVICELAB_CACHE:-/var/cache/servicelab}
SUITE=bookworm
SAVE_DIR=""
[ "${1:-}" = "--save" ] && SAVE_DIR=${2:?--save DIR}

step() { echo "[build-image $(date +%H:%M:%S)] $*"; }
hash_of() { cat "$@" | sha256sum | cut -c1-12; }
image_key() { docker image inspect -f '{{ index .Config.Labels "servicelab.image.key" }}' "$1" 2>/dev/null || true; }

version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' pom.xml | sed -n 2p | tr '[:upper:]' '[:lower:]')
jars=(backend/target/servicelab-backend-*.jar)
[ -f "${jars[0]}" ] || { echo "No backend jar: run ./mvnw -B install -DskipTests first" >&2; exit 1; }
[ ${#jars[@]} -eq 1 ] || { echo "More than one backend jar in backend/target: ${jars[*]}" >&2; exit 1; }

# --- the Debian base ----------------------------------------------------------------------------
base_image() {
  if [ -n "${BASE_IMAGE:-}" ]; then echo "$BASE_IMAGE"; return; fi
  local key="deb-$SUITE-$(hash_of "$0")" tag=servicelab/debian:$SUITE
  local tar="$CACHE/deploy/$key/debian.tar"
  if [ "$(image_key $tag)" = "$key" ]; then echo "$tag"; return; fi
  if [ -f "$tar" ]; then
    step "loading $tag from $tar" >&2
    docker load -i "$tar" >/dev/null
    [ "$(image_key $tag)" = "$key" ] && { echo "$tag"; return; }
  fi
  step "debootstrap $SUITE minbase for $tag (debs cached in $CACHE/debootstrap-debs)" >&2
  command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  local dir mirror
  dir=$(mktemp -d /tmp/servicelab-debian.XXXXXX)
  mirror=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -1 || true)
  mkdir -p "$CACHE/debootstrap-debs"
  # shellcheck disable=SC2086
  debootstrap --variant=minbase --cache-dir="$CACHE/debootstrap-debs" "$SUITE" "$dir/root" ${SERVICELAB_DEBIAN_MIRROR:-$mirror} \
    >"$dir/debootstrap.log" 2>&1 || { tail -20 "$dir/debootstrap.log" >&2; exit 1; }
  local m=${SERVICELAB_DEBIAN_MIRROR:-${mirror:-http://deb.debian.org/debian}}
  printf 'deb %s %s main\ndeb %s %s-updates main\n' "$m" "$SUITE" "$m" "$SUITE" >"$dir/root/etc/apt/sources.list"
  rm -rf "$dir"/root/var/lib/apt/lists/* "$dir"/root/var/cache/apt/archives/*.deb "$dir"/root/usr/share/doc/* \
    "$dir"/root/usr/share/man/*
  : >"$dir/root/etc/resolv.conf"
  echo localhost >"$dir/root/etc/hostname"
  tar --numeric-owner -C "$dir/root" -c . | docker import --change "LABEL servicelab.image.key=$key" \
    --change 'CMD ["/bin/bash"]' - "$tag" >/dev/null
  rm -rf "$dir"
  rm -rf "$CACHE"/deploy/deb-"$SUITE"-*
  mkdir -p "$(dirname "$tar")"
  docker save -o "$tar.tmp" "$tag" && mv -f "$tar.tmp" "$tar"
  echo "$tag"
}

# build TAG DOCKERFILE KEY: docker build with the repository root as context, unless up to date.
build() {
  local tag=$1 dockerfile=$2 key=$3
  if [ "$(image_key "$tag")" = "$key" ]; then step "$tag is up to date"; return; fi
  step "building $tag"
  local t0=$SECONDS
  docker build -q -f "$dockerfile" --build-arg BASE_IMAGE="$BASE" --label servicelab.image.key="$key" -t "$tag" . >/dev/null
  step "built $tag in $((SECONDS - t0))s"
}

BASE=$(base_image)
catalog_hash=$(cd labs/catalog && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)
platform_key="$BASE|$(hash_of deploy/image/Dockerfile "${jars[0]}" sandbox-provisioner/kit/versions.env)|$catalog_hash"
postgres_key="$BASE|$(hash_of deploy/postgres/Dockerfile deploy/postgres/entrypoint.sh)"
PLATFORM_IMAGE=${SERVICELAB_PLATFORM_IMAGE:-servicelab/platform:$version}
POSTGRES_IMAGE=${SERVICELAB_POSTGRES_IMAGE:-servicelab/postgres:15}
build "$PLATFORM_IMAGE" deploy/image/Dockerfile "$platform_key"
build "$POSTGRES_IMAGE" deploy/postgres/Dockerfile "$postgres_key"
if [ -n "$SAVE_DIR" ]; then
  mkdir -p "$SAVE_DIR"
  docker save -o "$SAVE_DIR/platform.tar" "$PLATFORM_IMAGE"
  docker save -o "$SAVE_DIR/postgres.tar" "$POSTGRES_IMAGE"
  step "saved platform.tar and postgres.tar in $SAVE_DIR"
fi
echo "SERVICELAB_PLATFORM_IMAGE=$PLATFORM_IMAGE"
echo "SERVICELAB_POSTGRES_IMAGE=$POSTGRES_IMAGE"
