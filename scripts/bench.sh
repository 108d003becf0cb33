#!/usr/bin/env bash
# `npm run bench`: the toolchain (with buildx for the manual sequence), the local
# environment (started here unless already up, and stopped again if this started it),
# then scripts/bench/main.ts, which writes docs/benchmarks.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
eval "$(scripts/toolchain.sh pulumi bench)"
if ! scripts/local-env.sh status >/dev/null 2>&1; then
  trap 'scripts/local-env.sh down' EXIT
  scripts/local-env.sh up
fi
eval "$(scripts/local-env.sh env)"
node --import tsx scripts/bench/main.ts "$@"
