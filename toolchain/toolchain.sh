#!/usr/bin/env bash
# Chooses each tool (installed at a usable version, else built once from the Go module
# pinned in toolchain/<tool>/go.mod into ${TRAVEL_TOOLCHAIN_DIR:-~/.cache/travel-toolchain})
# and prints shell lines to eval:   eval "$(toolchain/toolchain.sh [TOOL|GROUP...])"
# Default group: pulumi (the CLI, its Node.js host, the kubernetes and docker-build
# plugins, kubectl). TRAVEL_TOOLCHAIN=auto (default) | installed | build. One line per
# tool on stderr says which was used and why. See toolchain/README.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[[ -d node_modules ]] || npm ci --no-audit --no-fund >&2
exec node --require tsx/cjs toolchain/main.ts env "$@"
