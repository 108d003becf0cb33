#!/usr/bin/env bash
# Copies the standard-channel Gateway API CRDs of the sigs.k8s.io/gateway-api
# version pinned in ./go.mod (checked against ./go.sum) into
#   ${TRAVEL_TOOLCHAIN_DIR:-$HOME/.cache/travel-toolchain}/gateway-api-<version>/crds
# Does nothing when that directory is already there. The last line on stdout
# is always the crds directory (apply it with `kubectl apply -f <dir>`).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
name=gateway-api
module=sigs.k8s.io/gateway-api

# Accepts both `require m vX` and a `require (` block line; ignores replaces.
version="$(awk -v m="$module" '$1 == "require" { $1 = ""; $0 = $0 } $1 == m && $2 ~ /^v[0-9]/ { print $2; exit }' "$here/go.mod")"
if [[ -z "$version" ]]; then
  echo "build.sh: cannot read the $module version from $here/go.mod" >&2
  exit 1
fi

toolchain_dir="${TRAVEL_TOOLCHAIN_DIR:-$HOME/.cache/travel-toolchain}"
dest="$toolchain_dir/$name-$version"

complete() {
  [[ -f "$1/crds/.complete" ]]
}

if complete "$dest"; then
  echo "$dest/crds"
  exit 0
fi

export GOTOOLCHAIN=local
export GOFLAGS=-buildvcs=false

# Inside this module the download is verified against go.sum.
json="$(cd "$here" && go mod download -json "$module")"
src="$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
if [[ -z "$src" || ! -d "$src/config/crd/standard" ]]; then
  echo "build.sh: go mod download $module@$version gave no usable directory:" >&2
  printf '%s\n' "$json" >&2
  exit 1
fi

mkdir -p "$toolchain_dir"
tmp="$(mktemp -d "$toolchain_dir/.$name-$version.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/out/crds"
cp "$src"/config/crd/standard/*.yaml "$tmp/out/crds/"
chmod -R u+w "$tmp/out"
echo "$version" > "$tmp/out/crds/.complete"

chmod 0755 "$tmp/out"
if [[ -e "$dest" ]] && ! complete "$dest"; then
  rm -rf "$dest"
fi
if ! mv -T "$tmp/out" "$dest" 2>/dev/null; then
  complete "$dest" || { echo "build.sh: could not install into $dest" >&2; exit 1; }
fi

echo "$dest/crds"
