#!/usr/bin/env bash
# `npm test`: every test. The toolchain first (built once when missing); then the local
# environment starts (unless it is already up; it is stopped again at the end if this
# script started it) and the end-to-end tests run against it, while the unit tests (no
# network) run beside them at a lower CPU priority: the end-to-end suites wait on
# rollouts and drains, and the unit tests use the cores they leave (docs/benchmarks.md).
# The unit tests' report follows the end-to-end one.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
log() { printf '\n== %s\n' "$*" >&2; }

log "toolchain (actionlint for the unit tests; the rest for pulumi up)"
eval "$(toolchain/toolchain.sh lint)"
eval "$(toolchain/toolchain.sh pulumi)"

logs="$(mktemp -d -t travel-test.XXXXXX)"
started_env=""
unit_pid=""
finish() {
  if [[ -n "$unit_pid" ]]; then
    kill -- "-$unit_pid" 2>/dev/null || true
    wait "$unit_pid" 2>/dev/null || true
  fi
  if [[ -n "$started_env" ]]; then
    log "stopping the local environment"
    tools/local-env.sh down
  fi
  rm -rf "$logs"
}
trap finish EXIT

if ! tools/local-env.sh status >/dev/null 2>&1; then
  log "local environment"
  started_env=1
  tools/local-env.sh up
fi
eval "$(tools/local-env.sh env)"

# From here: the environment's start is CPU-bound, the first end-to-end suites are not.
log "unit tests: running beside the end-to-end tests at nice 10 (report at the end)"
# A session of their own (setsid), so that an early exit stops the whole test run.
setsid nice -n 10 npm run --silent test:unit >"$logs/unit.log" 2>&1 &
unit_pid=$!

log "end-to-end tests"
e2e=0
npm run --silent test:e2e || e2e=$?

log "unit tests"
unit=0
wait "$unit_pid" || unit=$?
unit_pid=""
cat "$logs/unit.log"
((unit == 0)) || exit "$unit"
exit "$e2e"
