#!/usr/bin/env bash
# The local environment: dockerd, buildkitd, an authenticated registry, a Kubernetes
# control plane and one real node (containerd, kubelet, kube-proxy, CoreDNS,
# kube-router, Traefik as the Gateway), each a component of tools/local-env/components,
# run under supervisord and started, checked and stopped by one loop.
#
#   tools/local-env.sh up [--no-verify]   start everything (idempotent), then smoke checks
#   tools/local-env.sh verify             the smoke checks again
#   tools/local-env.sh status             which components are up
#   tools/local-env.sh env                export lines: eval "$(tools/local-env.sh env)"
#   tools/local-env.sh down [--purge]     stop everything; leave nothing on the host
#                                           (--purge also deletes the state folder)
#
# State (logs, data, sockets, certificates, the registry token) lives in
# ${TRAVEL_LOCAL_STATE:-$HOME/.local/state/travel-local}.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="${TRAVEL_LOCAL_STATE:-$HOME/.local/state/travel-local}"
mkdir -p "$state"
chmod 0700 "$state"
cd "$root"
[[ -d node_modules ]] || npm ci --no-audit --no-fund >&2
# One at a time; -o: the processes it starts do not hold the lock.
exec flock -o -w 900 "$state/.lock" node --require tsx/cjs tools/local-env/main.ts "$@"
