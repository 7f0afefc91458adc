#!/bin/bash
# test.sh: go vet and go test for the kit's own Go code (node supervisor, flow observer, echo, ingress,
# pause). Not cmd/kube-node: that is upstream Kubernetes, linked, not ours to vet. Uses the kit's
# Go caches, so after a kit build this takes seconds.
set -euo pipefail
KIT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${SERVICELAB_CACHE:-/var/cache/servicelab}
export GOMODCACHE=${GOMODCACHE:-$CACHE/go/mod}
export GOCACHE=${GOCACHE:-$CACHE/go/build}
export GOFLAGS=-trimpath
cd "$KIT"
packages=(./internal/... ./cmd/echo ./cmd/pause ./cmd/ingress)
go vet "${packages[@]}"
go test "${packages[@]}"
