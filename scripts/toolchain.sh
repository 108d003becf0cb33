#!/usr/bin/env bash
# Builds (once; cached under ${TRAVEL_TOOLCHAIN_DIR:-~/.cache/travel-toolchain}, keyed by
# version) the Pulumi CLI with its Node.js language host and the kubernetes and
# docker-build provider plugins, from the Go modules pinned in tools/*/go.mod, at the
# versions of the npm SDKs in package-lock.json.
#
# Prints shell lines to eval, which put them first on PATH and keep Pulumi from
# downloading anything:   eval "$(scripts/toolchain.sh)"
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log() { printf '[toolchain] %s\n' "$*" >&2; }

command -v go >/dev/null 2>&1 || { log "error: Go (1.25+) is needed to build the toolchain"; exit 1; }

path=""
for tool in pulumi pulumi-resource-kubernetes pulumi-resource-docker-build; do
  t0=$SECONDS
  bin="$(bash "$root/tools/$tool/build.sh" | tail -n 1)"
  [[ -d "$bin" ]] || { log "error: tools/$tool/build.sh did not print its bin directory"; exit 1; }
  log "$tool ready in $bin ($((SECONDS - t0))s)"
  path="${path:+$path:}$bin"
done

printf 'export PATH=%q:"$PATH"\n' "$path"
echo "export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true"
echo "export PULUMI_SKIP_UPDATE_CHECK=true"
