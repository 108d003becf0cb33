#!/usr/bin/env bash
# Builds buildkitd from the Go module pinned in ./go.mod (single source of truth for the
# version) into ${TRAVEL_TOOLCHAIN_DIR:-$HOME/.cache/travel-toolchain}/buildkit-vX/bin.
# Skips the build when the binary is there. Progress on stderr; the bin dir is the last
# line of stdout.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { printf '[buildkit] %s\n' "$*" >&2; }

version="$(awk '$1 == "github.com/moby/buildkit" { print $2; exit } $1 == "require" && $2 == "github.com/moby/buildkit" { print $3; exit }' "$here/go.mod")"
[[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || { log "error: no buildkit version in $here/go.mod"; exit 1; }
dest="${TRAVEL_TOOLCHAIN_DIR:-$HOME/.cache/travel-toolchain}/buildkit-$version"

if [[ -x "$dest/bin/buildkitd" ]]; then
  log "buildkitd $version already built: $dest/bin/buildkitd"
  echo "$dest/bin"
  exit 0
fi

command -v go >/dev/null 2>&1 || { log "error: go not found on PATH"; exit 1; }
mkdir -p "$(dirname "$dest")"
tmp="$(mktemp -d "$(dirname "$dest")/.buildkit-$version.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
log "building buildkitd $version (first time only)"
(
  cd "$here"
  GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -trimpath \
    -ldflags "-s -w -X github.com/moby/buildkit/version.Version=$version" \
    -o "$tmp/bin/buildkitd" github.com/moby/buildkit/cmd/buildkitd
)
rm -rf "$dest"
mv -T "$tmp" "$dest"
trap - EXIT
log "built $dest/bin/buildkitd"
echo "$dest/bin"
