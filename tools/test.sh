#!/usr/bin/env bash
# `npm test`: every test. The toolchain first (built once when missing); then the unit
# tests (no network) while the local environment starts beside them (unless it is already
# up; it is stopped again at the end if this script started it), and the end-to-end tests
# against it.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
log() { printf '\n== %s\n' "$*" >&2; }

log "toolchain (actionlint for the unit tests; the rest for pulumi up)"
eval "$(toolchain/toolchain.sh lint)"
eval "$(toolchain/toolchain.sh pulumi)"

env_pid=""
if ! tools/local-env.sh status >/dev/null 2>&1; then
  env_log="$(mktemp -t travel-local-env-up.XXXXXX)"
  log "local environment: starting beside the unit tests (log: $env_log)"
  trap 'log "stopping the local environment"; tools/local-env.sh down' EXIT
  tools/local-env.sh up >"$env_log" 2>&1 &
  env_pid=$!
fi

log "unit tests"
unit=0
npm run --silent test:unit || unit=$?

if [[ -n "$env_pid" ]]; then
  log "local environment"
  env_up=0
  wait "$env_pid" || env_up=$?
  cat "$env_log" >&2
  rm -f "$env_log"
  ((env_up == 0)) || exit "$env_up"
fi
((unit == 0)) || exit "$unit"
eval "$(tools/local-env.sh env)"

log "end-to-end tests"
npm run --silent test:e2e
