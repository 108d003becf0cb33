#!/usr/bin/env bash
# `npm test`: every test. Unit tests first (fast, no network); then the toolchain,
# the local environment (started here unless already up, and stopped again at the
# end if this script started it) and the end-to-end tests against it.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
log() { printf '\n== %s\n' "$*" >&2; }

log "toolchain for the unit tests (actionlint)"
eval "$(toolchain/toolchain.sh lint)"

log "unit tests"
npm run --silent test:unit

log "toolchain for pulumi up"
eval "$(toolchain/toolchain.sh pulumi)"

if ! tools/local-env.sh status >/dev/null 2>&1; then
  log "local environment"
  trap 'log "stopping the local environment"; tools/local-env.sh down' EXIT
  tools/local-env.sh up
fi
eval "$(tools/local-env.sh env)"

log "end-to-end tests"
npm run --silent test:e2e
