#!/usr/bin/env bash
# Build the Pulumi docker-build resource provider plugin (pulumi-resource-docker-build)
# from the Go module pinned in ./go.mod, using only the Go toolchain and the Go module proxy.
#
# Output: ${TRAVEL_TOOLCHAIN_DIR:-$HOME/.cache/travel-toolchain}/pulumi-resource-docker-build-v<V>/bin/pulumi-resource-docker-build
# The version V is the version of github.com/pulumi/pulumi-docker-build required in ./go.mod.
# If the binary already exists nothing is built. Progress goes to stderr; the last line on
# stdout is the bin directory.
set -euo pipefail

plugin=pulumi-resource-docker-build
module=github.com/pulumi/pulumi-docker-build
pkg=$module/provider/cmd/$plugin
version_var=$module/provider.Version

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { printf '[%s] %s\n' "$plugin" "$*" >&2; }
die() { log "error: $*"; exit 1; }

command -v go >/dev/null 2>&1 || die "go not found on PATH"

# Version pin: the require line for $module in go.mod (single source of truth).
version="$(awk -v m="$module" '$1 == "require" && $2 == m { print $3; exit } $1 == m { print $2; exit }' "$here/go.mod")"
[[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "could not read a release version of $module from $here/go.mod (got '$version')"

root="${TRAVEL_TOOLCHAIN_DIR:-$HOME/.cache/travel-toolchain}"
dest="$root/$plugin-$version"
bin_dir="$dest/bin"

if [[ -x "$bin_dir/$plugin" ]]; then
  log "$plugin $version already built: $bin_dir/$plugin"
  printf '%s\n' "$bin_dir"
  exit 0
fi

export GOTOOLCHAIN=local
export GOFLAGS=-buildvcs=false
export CGO_ENABLED=0

mkdir -p "$root"
tmp="$(mktemp -d "$root/.$plugin-$version.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
out="$tmp/out"
mkdir -p "$out/bin"
chmod 755 "$out"

log "building $plugin $version with $(go env GOVERSION) (module downloads + compile; this can take several minutes)"
start=$SECONDS

# Some module mirrors serve the .zip of these modules but refuse their .mod, which the go
# command needs. Serve both from a local file:// proxy placed first in GOPROXY; the go
# command still verifies them against go.sum. Versions are read from go.mod.
zip_only_modules=(github.com/pulumi/pulumi-java)
local_proxy="$tmp/goproxy"
need_local_proxy=
for m in "${zip_only_modules[@]}"; do
  v="$(awk -v m="$m" '$1 == "require" && $2 == m { print $3; exit } $1 == m { print $2; exit }' "$here/go.mod")"
  [[ -n "$v" ]] || die "no version of $m in go.mod"
  [[ -f "$(go env GOMODCACHE)/cache/download/$m/@v/$v.mod" ]] && continue
  log "fetching $m@$v for the local module proxy"
  (cd "$here" && go run ./internal/modfromzip -dir "$local_proxy" "$m@$v") >&2
  need_local_proxy=1
done
if [[ -n "$need_local_proxy" ]]; then
  GOPROXY="file://$local_proxy,$(go env GOPROXY)"
  export GOPROXY
fi

(
  cd "$here"
  go build -mod=readonly -trimpath \
    -ldflags "-s -w -X $version_var=${version#v}" \
    -o "$out/bin/$plugin" "$pkg"
) >&2
log "compiled in $((SECONDS - start))s"

# Publish atomically: rename the complete output dir into place. A leftover dest without the
# binary (not produced by this script, which only ever renames complete dirs) is replaced.
if [[ -e "$dest" && ! -x "$bin_dir/$plugin" ]]; then
  log "removing incomplete $dest"
  rm -rf "$dest"
fi
if ! mv -T "$out" "$dest" 2>/dev/null; then
  [[ -x "$bin_dir/$plugin" ]] || die "could not move build output to $dest"
  log "another build finished first; keeping $dest"
fi
log "installed $bin_dir/$plugin"
printf '%s\n' "$bin_dir"
