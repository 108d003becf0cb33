#!/usr/bin/env bash
# Builds the Pulumi CLI (`pulumi`) and the Node.js language host
# (`pulumi-language-nodejs`) from Go modules and installs both into
#   ${TRAVEL_TOOLCHAIN_DIR:-$HOME/.cache/travel-toolchain}/pulumi-<version>/bin
# (the CLI finds language hosts next to its own binary, so they share a dir).
#
# <version> is the github.com/pulumi/pulumi/pkg/v3 version required in ./go.mod.
# The language host comes from ../pulumi-language-nodejs/go.mod.
#
# Does nothing when both binaries are already there and report the expected
# versions. Progress goes to stderr; the last line on stdout is the bin dir:
#   PATH="$(tools/pulumi/build.sh | tail -n1):$PATH"
# Needs only Go and the Go module proxy (the first build downloads ~1 GiB of
# modules and compiles for a long while; later runs return at once).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
langhost_dir="$(cd "$here/../pulumi-language-nodejs" && pwd)"

log() { printf 'pulumi/build.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# mod_version GOMOD MODULE: the version of MODULE in GOMOD's require lines
# (single-line `require m v` or a line of a `require (` block; not replaces).
mod_version() {
  awk -v m="$2" '
    $1 == "replace" || $1 == "tool" { next }
    $1 == "require" { $1 = "" ; $0 = $0 }
    $1 == m && $2 ~ /^v[0-9]/ { print $2; exit }
  ' "$1"
}

pkg_module=github.com/pulumi/pulumi/pkg/v3
sdk_module=github.com/pulumi/pulumi/sdk/v3
version="$(mod_version "$here/go.mod" "$pkg_module")"
[[ -n "$version" ]] || die "cannot read the $pkg_module version from $here/go.mod"
sdk_version="$(mod_version "$here/go.mod" "$sdk_module")"
[[ "$sdk_version" == "$version" ]] ||
  die "$here/go.mod requires $pkg_module $version but $sdk_module ${sdk_version:-(none)}; they must match"
# The language host is built from the sdk/v3 module pinned in its own go.mod.
host_version="$(mod_version "$langhost_dir/go.mod" "$sdk_module")"
[[ -n "$host_version" ]] || die "cannot read the $sdk_module version from $langhost_dir/go.mod"

cli_pkg=$pkg_module/cmd/pulumi
host_pkg=$sdk_module/nodejs/cmd/pulumi-language-nodejs
version_var=github.com/pulumi/pulumi/sdk/v3/go/common/version.Version

toolchain_dir="${TRAVEL_TOOLCHAIN_DIR:-$HOME/.cache/travel-toolchain}"
dest="$toolchain_dir/pulumi-$version"

export GOTOOLCHAIN=local
export GOFLAGS=-buildvcs=false
export CGO_ENABLED=0

# installed DIR: DIR/bin holds both binaries at the expected versions.
installed() {
  local bin="$1/bin" out
  [[ -x "$bin/pulumi" && -x "$bin/pulumi-language-nodejs" ]] || return 1
  out="$(PULUMI_SKIP_UPDATE_CHECK=true "$bin/pulumi" version 2>/dev/null)" || return 1
  [[ "$out" == "$version" ]] || return 1
  # The host has no --version flag; its build info names the sdk/v3 module it
  # was built from (a "mod" line, as the main package lives in that module).
  go version -m "$bin/pulumi-language-nodejs" 2>/dev/null |
    awk -v m="$sdk_module" -v v="$host_version" '
      ($1 == "mod" || $1 == "dep") && $2 == m && $3 == v { ok = 1 }
      END { exit !ok }'
}

if installed "$dest"; then
  log "pulumi $version and pulumi-language-nodejs ($sdk_module $host_version) already in $dest/bin"
  echo "$dest/bin"
  exit 0
fi

mkdir -p "$toolchain_dir"
# Build next to the destination so the final rename stays on one filesystem.
tmp="$(mktemp -d "$toolchain_dir/.pulumi-$version.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/out/bin"

build_flags=(-trimpath -tags osusergo)

log "building pulumi-language-nodejs from $sdk_module $host_version"
(cd "$langhost_dir" && go build "${build_flags[@]}" \
  -ldflags "-s -w -X $version_var=$host_version" \
  -o "$tmp/out/bin/pulumi-language-nodejs" "$host_pkg") >&2

log "building pulumi $version (the first build downloads modules and takes a long while)"
(cd "$here" && go build "${build_flags[@]}" \
  -ldflags "-s -w -X $version_var=$version" \
  -o "$tmp/out/bin/pulumi" "$cli_pkg") >&2

chmod 0755 "$tmp/out"
installed "$tmp/out" || die "the freshly built binaries do not report the expected versions"

# A stale or incomplete install (e.g. a binary removed by hand, or a language
# host from an older pin) is replaced.
if [[ -e "$dest" ]] && ! installed "$dest"; then
  rm -rf "$dest"
fi
if ! mv -T "$tmp/out" "$dest" 2>/dev/null; then
  # Another build finished first; accept its result if it is complete.
  installed "$dest" || die "could not install into $dest"
fi

log "installed pulumi $version and pulumi-language-nodejs into $dest/bin"
echo "$dest/bin"
