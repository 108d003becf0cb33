#!/usr/bin/env bash
# Builds kwok (the fake-node controller) and kwokctl (the cluster manager)
# from the sigs.k8s.io/kwok version pinned in ./go.mod and installs them into
#   ${TRAVEL_TOOLCHAIN_DIR:-$HOME/.cache/travel-toolchain}/kwok-<version>/bin
# next to stages/, a copy of the default Stage files kwokctl uses when it is
# given no Stage (taken from the same module; local-env.sh adds its own Stage
# and then has to list the defaults itself).
# Does nothing when all of that is already there. The last line on stdout is
# always the bin directory.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
name=kwok
module=sigs.k8s.io/kwok
binaries=(kwok kwokctl)
# kwokctl's defaults for the binary runtime (pkg/kwokctl/runtime/cluster.go):
# node-initialize, node-heartbeat-with-lease and the "fast" pod stages.
stages=(
  kustomize/stage/node/fast/node-initialize.yaml
  kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml
  kustomize/stage/pod/fast/pod-ready.yaml
  kustomize/stage/pod/fast/pod-complete.yaml
  kustomize/stage/pod/fast/pod-delete.yaml
)

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
  [[ -f "$1/stages/.complete" ]]
}

if complete "$dest"; then
  echo "$dest/bin"
  exit 0
fi

# kwok's release process stamps its own version into pkg/consts; the module
# source already carries it, so only make sure it matches go.mod.
ldflags="-s -w -X $module/pkg/consts.Version=${version#v}"

export GOTOOLCHAIN=local
export GOFLAGS=-buildvcs=false
export CGO_ENABLED=0

mkdir -p "$toolchain_dir"
tmp="$(mktemp -d "$toolchain_dir/.$name-$version.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/out/bin"

pkgs=()
for b in "${binaries[@]}"; do
  pkgs+=("$module/cmd/$b")
done

echo "build.sh: building ${binaries[*]} $version into $dest" >&2
(cd "$here" && go build -trimpath -ldflags "$ldflags" -o "$tmp/out/bin/" "${pkgs[@]}") >&2

for b in "${binaries[@]}"; do
  "$tmp/out/bin/$b" --version >&2
done

# Inside this module the download is verified against go.sum.
src="$(cd "$here" && go list -m -f '{{.Dir}}' "$module")"
if [[ -z "$src" || ! -d "$src/kustomize/stage" ]]; then
  echo "build.sh: no source directory for $module" >&2
  exit 1
fi
mkdir -p "$tmp/out/stages"
for s in "${stages[@]}"; do
  cp "$src/$s" "$tmp/out/stages/"
done
chmod -R u+w "$tmp/out/stages"
echo "$version" >"$tmp/out/stages/.complete"

chmod 0755 "$tmp/out"
if [[ -e "$dest" ]] && ! complete "$dest"; then
  rm -rf "$dest"
fi
if ! mv -T "$tmp/out" "$dest" 2>/dev/null; then
  complete "$dest" || { echo "build.sh: could not install into $dest" >&2; exit 1; }
fi

echo "$dest/bin"
