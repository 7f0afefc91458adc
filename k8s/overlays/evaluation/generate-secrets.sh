#!/usr/bin/env bash
# Writes the evaluation overlay's credentials, random, into secrets/ next to this script (never
# into the repository: .gitignore keeps them out). Run it once before `kubectl apply -k`; it keeps
# files that exist, so re-running does not change passwords under a running installation.
#   k8s/overlays/evaluation/generate-secrets.sh && kubectl apply -k k8s/overlays/evaluation
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)/secrets
mkdir -p "$dir"
umask 077
random() { head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32; }
if [ ! -s "$dir/database.env" ]; then
  printf 'url=jdbc:postgresql://postgres:5432/servicelab\nusername=servicelab\npassword=%s\n' "$(random)" >"$dir/database.env"
  echo "wrote $dir/database.env (PostgreSQL credentials)"
fi
if [ ! -s "$dir/admin.env" ]; then
  printf 'password=%s\n' "$(random)" >"$dir/admin.env"
  echo "wrote $dir/admin.env: the platform's first admin is 'admin' with that password"
fi
