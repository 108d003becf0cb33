#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager and kube-scheduler from the
# k8s.io/kubernetes version pinned in ./go.mod and installs them into
#   ${TRAVEL_TOOLCHAIN_DIR:-$HOME/.cache/travel-toolchain}/kubernetes-<version>/bin
# Does nothing when all three binaries are already there. The last line on
# stdout is always the bin directory.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
name=kubernetes
module=k8s.io/kubernetes
binaries=(kube-apiserver kube-controller-manager kube-scheduler)

# The version comes from go.mod only (the require line, not a replace line).
# Accepts both `require m vX` and a `require (` block line; ignores replaces.
version="$(awk -v m="$module" '$1 == "require" { $1 = ""; $0 = $0 } $1 == m && $2 ~ /^v[0-9]/ { print $2; exit }' "$here/go.mod")"
if [[ -z "$version" ]]; then
  echo "build.sh: cannot read the $module version from $here/go.mod" >&2
  exit 1
fi

toolchain_dir="${TRAVEL_TOOLCHAIN_DIR:-$HOME/.cache/travel-toolchain}"
dest="$toolchain_dir/$name-$version"

complete() {
  local b
  for b in "${binaries[@]}"; do
    [[ -x "$1/bin/$b" ]] || return 1
  done
}

if complete "$dest"; then
  echo "$dest/bin"
  exit 0
fi

# v1.35.4 -> major 1, minor 35. component-base/version reports these and
# kwokctl parses `<binary> --version` ("Kubernetes v1.35.4").
ver="${version#v}"
major="${ver%%.*}"
rest="${ver#*.}"
minor="${rest%%.*}"
pkg=k8s.io/component-base/version
ldflags="-s -w"
ldflags+=" -X $pkg.gitVersion=$version"
ldflags+=" -X $pkg.gitMajor=$major"
ldflags+=" -X $pkg.gitMinor=$minor"
ldflags+=" -X $pkg.gitTreeState=clean"

export GOTOOLCHAIN=local
export GOFLAGS=-buildvcs=false
export CGO_ENABLED=0

mkdir -p "$toolchain_dir"
# Build next to the destination so the final rename stays on one filesystem.
tmp="$(mktemp -d "$toolchain_dir/.$name-$version.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/out/bin"

pkgs=()
for b in "${binaries[@]}"; do
  pkgs+=("$module/cmd/$b")
done

echo "build.sh: building ${binaries[*]} $version into $dest (this takes a while)" >&2
(cd "$here" && go build -trimpath -ldflags "$ldflags" -o "$tmp/out/bin/" "${pkgs[@]}") >&2

for b in "${binaries[@]}"; do
  "$tmp/out/bin/$b" --version >&2
done

# A leftover incomplete install (e.g. a binary removed by hand) is replaced.
chmod 0755 "$tmp/out"
if [[ -e "$dest" ]] && ! complete "$dest"; then
  rm -rf "$dest"
fi
if ! mv -T "$tmp/out" "$dest" 2>/dev/null; then
  # Another build finished first; accept its result if it is complete.
  complete "$dest" || { echo "build.sh: could not install into $dest" >&2; exit 1; }
fi

echo "$dest/bin"
