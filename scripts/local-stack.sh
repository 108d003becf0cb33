#!/usr/bin/env bash
# The main job on this machine: `pulumi up` of the local stack against the local
# environment, then print its outputs.
#
#   scripts/local-stack.sh [up]      toolchain + local environment + pulumi up (default)
#   scripts/local-stack.sh preview   the same, with pulumi preview --diff
#   scripts/local-stack.sh destroy   pulumi destroy of the local stack
#
# State: a file backend under the local environment's state directory. Secrets: the
# passphrase provider with the passphrase "travel-local" (local stack only).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
action="${1:-up}"
log() { printf '[local-stack] %s\n' "$*" >&2; }

[[ -d node_modules ]] || { log "installing npm dependencies"; npm ci --no-audit --no-fund; }
eval "$(scripts/toolchain.sh)"

state="${TRAVEL_LOCAL_STATE:-$HOME/.local/state/travel-local}"
export PULUMI_BACKEND_URL="file://$state/pulumi-state"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-travel-local}"
export PULUMI_HOME="$state/pulumi-home"
mkdir -p "$state/pulumi-state" "$PULUMI_HOME"

pulumi stack select local 2>/dev/null || pulumi stack init local

# The local registry accepts the token the local stack holds (a throwaway value).
token="$(pulumi config get registryToken --stack local)"
if [[ "$(cat "$state/registry-token" 2>/dev/null)" != "$token" ]]; then
  (umask 077 && printf '%s' "$token" >"$state/registry-token")
fi
scripts/local-env.sh up --no-verify
eval "$(scripts/local-env.sh env)"

# --refresh: `local-env.sh down` deletes the simulated cluster, and with it every object
# the stack's state still lists; refreshing first lets `up` recreate them.
case "$action" in
  up) pulumi up --yes --refresh --stack local --skip-preview ;;
  preview) pulumi preview --diff --refresh --stack local ;;
  destroy) pulumi destroy --yes --stack local; exit 0 ;;
  *) log "unknown action: $action (up, preview or destroy)"; exit 2 ;;
esac
pulumi stack output --stack local --json
