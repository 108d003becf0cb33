#!/usr/bin/env bash
# Build the Pulumi kubernetes resource provider plugin (pulumi-resource-kubernetes) from the
# Go module pinned in ./go.mod, using only the Go toolchain and the Go module proxy.
#
# Output: ${TRAVEL_TOOLCHAIN_DIR:-$HOME/.cache/travel-toolchain}/pulumi-resource-kubernetes-v<V>/bin/pulumi-resource-kubernetes
# V comes from the "// plugin-version: vX.Y.Z" line in ./go.mod (single source of truth; the
# provider/v4 module itself is pinned there by pseudo-version).
# If the binary already exists nothing is built. Progress goes to stderr; the last line on
# stdout is the bin directory.
set -euo pipefail

plugin=pulumi-resource-kubernetes
module=github.com/pulumi/pulumi-kubernetes/provider/v4
sdk_module=github.com/pulumi/pulumi-kubernetes/sdk/v4
version_var=$module/pkg/version.Version
cmd_subdir=cmd/$plugin

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { printf '[%s] %s\n' "$plugin" "$*" >&2; }
die() { log "error: $*"; exit 1; }

command -v go >/dev/null 2>&1 || die "go not found on PATH"

version="$(awk '$1 == "//" && $2 == "plugin-version:" { print $3; exit }' "$here/go.mod")"
[[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "could not read '// plugin-version: vX.Y.Z' from $here/go.mod (got '$version')"
sdk_version="$(awk -v m="$sdk_module" '$1 == "replace" && $2 == m && $3 == "=>" { print $5; exit }' "$here/go.mod")"
[[ "$sdk_version" == "$version" ]] || log "warning: $sdk_module is replaced by '$sdk_version', plugin version is $version"

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
src="$tmp/src"
out="$tmp/out"
mkdir -p "$src" "$out/bin"
chmod 755 "$out"

start=$SECONDS
log "building $plugin $version with $(go env GOVERSION) (module downloads + compile; this can take 10+ minutes)"

# Work on a scratch copy of the wrapper module so that generated files never land in the repo.
cp "$here/go.mod" "$here/go.sum" "$here/main.go" "$here/generate.go" "$src/"

# Fetch the pinned provider module (verified against go.sum) and locate it in the module cache.
mod_dir="$(cd "$src" && go mod download -json "$module" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')" ||
  die "could not download $module"
[[ -n "$mod_dir" && -d "$mod_dir/$cmd_subdir" ]] || die "$module has no $cmd_subdir in the module cache"

# The committed main.go/generate.go must be the pinned version's own files.
for f in main.go generate.go; do
  cmp -s "$here/$f" "$mod_dir/$cmd_subdir/$f" ||
    die "$f differs from $module's $cmd_subdir/$f at the pinned version; copy it again from $mod_dir/$cmd_subdir/"
done

# Inputs of `go generate` (committed upstream, too large to keep in this repo).
cp "$mod_dir/$cmd_subdir/schema.json" "$mod_dir/$cmd_subdir/terraform-mapping.json" "$src/"
chmod u+w "$src"/*.json

log "generating schema-embed.json and terraform-mapping-embed.json"
(cd "$src" && VERSION="${version#v}" go generate .) >&2

log "compiling"
(
  cd "$src"
  go build -mod=readonly -trimpath \
    -ldflags "-s -w -X $version_var=$version" \
    -o "$out/bin/$plugin" .
) >&2
log "built in $((SECONDS - start))s"

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
