#!/usr/bin/env bash
# `npm run bench`: the toolchain (with buildx for the manual sequence), the local
# environment (started here unless already up, and stopped again if this started it),
# then tools/bench/main.ts, which writes docs/benchmarks.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
eval "$(toolchain/toolchain.sh pulumi bench)"
if ! tools/local-env.sh status >/dev/null 2>&1; then
  trap 'tools/local-env.sh down' EXIT
  tools/local-env.sh up
fi
eval "$(tools/local-env.sh env)"
node --require tsx/cjs tools/bench/main.ts "$@"
