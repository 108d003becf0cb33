#!/usr/bin/env bash
# `npm test`: every test. Unit tests first (fast, no network); then the toolchain,
# the local environment (started here unless already up, and stopped again at the
# end if this script started it) and the end-to-end tests against it.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
log() { printf '\n== %s\n' "$*" >&2; }

log "toolchain for the unit tests (actionlint)"
eval "$(scripts/toolchain.sh lint)"

log "unit tests"
npm run --silent test:unit

log "toolchain for pulumi up"
eval "$(scripts/toolchain.sh pulumi)"

if ! scripts/local-env.sh status >/dev/null 2>&1; then
  log "local environment"
  trap 'log "stopping the local environment"; scripts/local-env.sh down' EXIT
  scripts/local-env.sh up
fi
eval "$(scripts/local-env.sh env)"

log "end-to-end tests"
npm run --silent test:e2e
