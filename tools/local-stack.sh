#!/usr/bin/env bash
# The main job on this machine: `pulumi up` of the local stack against the local
# environment, then its outputs, the app's URL and a command that fetches it through
# the Gateway.
#
#   tools/local-stack.sh [up]      toolchain + local environment + pulumi up (default)
#   tools/local-stack.sh preview   the same, with pulumi preview --diff
#   tools/local-stack.sh destroy   pulumi destroy of the local stack
#
# State: a file backend under the local environment's state folder. Secrets: the
# passphrase provider with the passphrase "travel-local" (local stack only). Registry
# tokens: the local environment's own (this never changes them).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
action="${1:-up}"
log() { printf '[local-stack] %s\n' "$*" >&2; }

[[ -d node_modules ]] || { log "installing npm dependencies"; npm ci --no-audit --no-fund; }
eval "$(toolchain/toolchain.sh pulumi)"

state="${TRAVEL_LOCAL_STATE:-$HOME/.local/state/travel-local}"
# metadata=skip: no fileblob sidecars, which the program's read of its own stack could
# find half-written (docs/delivery.md, State backend and secrets).
export PULUMI_BACKEND_URL="file://$state/pulumi-state?metadata=skip"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-travel-local}"
mkdir -p "$state/pulumi-state"

pulumi stack select local 2>/dev/null || pulumi stack init local

tools/local-env.sh up --no-verify
eval "$(tools/local-env.sh env)"

# The stack's config: the committed Pulumi.local.yaml, plus the registry tokens the local
# environment decided when it first started (read from its files, handed over on stdin). It
# lives in the state folder, so the checkout stays clean and nothing of the environment is
# rewritten: every other stack using the environment keeps working credentials.
config="$state/Pulumi.local.yaml"
(umask 077 && cp Pulumi.local.yaml "$config")
pulumi config set --config-file "$config" --stack local --secret registryToken -- \
  <"$LOCAL_REGISTRY_TOKEN_FILE"
pulumi config set --config-file "$config" --stack local --secret registryPullToken -- \
  <"$LOCAL_REGISTRY_PULL_TOKEN_FILE"
# Verification reaches the Gateway on its loopback address and trusts the environment's CA.
pulumi config set --config-file "$config" --stack local --path verify.connectTo \
  "$LOCAL_GATEWAY_ADDRESS:443"
pulumi config set --config-file "$config" --stack local --path verify.caCert "$LOCAL_CA_CERT"

# Refresh only when the cluster is not the one the stack last saw (`local-env.sh down
# --purge` deletes its data): the state then lists objects that no longer exist.
cluster="$("$TRAVEL_KUBECTL" get namespace kube-system -o jsonpath='{.metadata.uid}')"
seen="$state/pulumi-state/.local-cluster"
refresh=()
if [[ "$(cat "$seen" 2>/dev/null)" != "$cluster" ]]; then
  refresh=(--refresh)
  log "a new cluster ($cluster): refreshing the stack's state first"
fi

case "$action" in
  up) pulumi up --yes --stack local --config-file "$config" --skip-preview "${refresh[@]}" ;;
  preview) pulumi preview --diff --stack local --config-file "$config" "${refresh[@]}"; exit 0 ;;
  destroy)
    pulumi destroy --yes --stack local --config-file "$config" "${refresh[@]}"
    rm -f "$seen"
    exit 0
    ;;
  *) log "unknown action: $action (up, preview or destroy)"; exit 2 ;;
esac
printf '%s' "$cluster" >"$seen"
pulumi stack output --stack local --json

host="$(pulumi stack output url --stack local)"
host="${host#https://}"
log "the app: https://$host (the Gateway listens on $LOCAL_GATEWAY_ADDRESS); fetch it with:"
printf 'curl --fail --silent --show-error --resolve %s:443:%s --cacert %s https://%s/\n' \
  "$host" "$LOCAL_GATEWAY_ADDRESS" "$LOCAL_CA_CERT" "$host"
