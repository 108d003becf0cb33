#!/usr/bin/env bash
# Build actionlint (the GitHub Actions workflow linter) from the Go module pinned in ./go.mod,
# using only the Go toolchain and the Go module proxy. test/unit/workflows.test.ts runs it
# on .github/workflows.
#
# Output: ${TRAVEL_TOOLCHAIN_DIR:-$HOME/.cache/travel-toolchain}/actionlint-v<V>/bin/actionlint
# The version V is the version of github.com/rhysd/actionlint required in ./go.mod.
# If the binary already exists nothing is built. Progress goes to stderr; the last line on
# stdout is the bin directory.
set -euo pipefail

tool=actionlint
module=github.com/rhysd/actionlint
pkg=$module/cmd/$tool
version_var=$module.version

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { printf '[%s] %s\n' "$tool" "$*" >&2; }
die() { log "error: $*"; exit 1; }

command -v go >/dev/null 2>&1 || die "go not found on PATH"

# Version pin: the require line for $module in go.mod (single source of truth); accepts both
# `require m vX` and a line of a `require (` block.
version="$(awk -v m="$module" '$1 == "require" { $1 = ""; $0 = $0 } $1 == m && $2 ~ /^v[0-9]/ { print $2; exit }' "$here/go.mod")"
[[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "could not read a release version of $module from $here/go.mod (got '$version')"

root="${TRAVEL_TOOLCHAIN_DIR:-$HOME/.cache/travel-toolchain}"
dest="$root/$tool-$version"
bin_dir="$dest/bin"

if [[ -x "$bin_dir/$tool" ]]; then
  log "$tool $version already built: $bin_dir/$tool"
  printf '%s\n' "$bin_dir"
  exit 0
fi

export GOTOOLCHAIN=local
export GOFLAGS=-buildvcs=false
export CGO_ENABLED=0

mkdir -p "$root"
tmp="$(mktemp -d "$root/.$tool-$version.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
out="$tmp/out"
mkdir -p "$out/bin"
chmod 755 "$out"

log "building $tool $version with $(go env GOVERSION)"
start=$SECONDS
(
  cd "$here"
  go build -mod=readonly -trimpath \
    -ldflags "-s -w -X $version_var=$version" \
    -o "$out/bin/$tool" "$pkg"
) >&2
"$out/bin/$tool" -version >&2
log "compiled in $((SECONDS - start))s"

# Publish atomically: rename the complete output dir into place. A leftover dest without the
# binary (not produced by this script, which only ever renames complete dirs) is replaced.
if [[ -e "$dest" && ! -x "$bin_dir/$tool" ]]; then
  log "removing incomplete $dest"
  rm -rf "$dest"
fi
if ! mv -T "$out" "$dest" 2>/dev/null; then
  [[ -x "$bin_dir/$tool" ]] || die "could not move build output to $dest"
  log "another build finished first; keeping $dest"
fi
log "installed $bin_dir/$tool"
printf '%s\n' "$bin_dir"
