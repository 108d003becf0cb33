#!/usr/bin/env bash
# Roll a stack back to the images of an earlier commit: the CLI rollback command, and what
# .github/workflows/rollback.yml runs.
#
#   commands/rollback.sh [--dry-run] [--keep-config] [--allow-undeployed]
#                       [--policy-pack DIR | --no-policy-pack] STACK SHA
#
# 1. Finds the digests SHA's images have in the registry. Every image is pushed as
#    <registry>/<owner>/<name>:<full git sha> (dev builds them, the other stacks promote
#    them); the repositories are read from the stack's current `images` output, and each
#    tag is resolved to its digest with `docker buildx imagetools inspect` (which also
#    checks the image's org.opencontainers.image.revision label). Pulumi's update history
#    records no outputs, so it cannot give the digests; it is used to check that SHA was
#    deployed to STACK before (an update whose git.head is SHA), unless --allow-undeployed.
# 2. Sets travel:images to {mode: pinned, backend: {ref, gitSha}, frontend: {ref, gitSha}}
#    for STACK with `pulumi config rm` + `pulumi config set --path`.
# 3. Runs `pulumi up --yes` (with the policy pack in ./policy unless told otherwise).
#
# The pinned images apply to this update only: the stack's config file is restored
# afterwards (unless --keep-config), so the next deploy from main goes back to promoting
# or building. --dry-run looks everything up but changes nothing: it prints the pulumi
# commands it would run, one per line.
#
# Registry credentials: if REGISTRY_TOKEN is set, `docker login` to the registry with the
# stack's registry.username first; otherwise the current docker login is used.
# TRAVEL_PROJECT_DIR: the Pulumi project directory (default: this repository's root).
# Exit status: 2 for usage errors, 1 for any other failure.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: commands/rollback.sh [--dry-run] [--keep-config] [--allow-undeployed]
                           [--policy-pack DIR | --no-policy-pack] STACK SHA
  STACK  the stack to roll back (e.g. dev, staging, prod or org/travel/prod)
  SHA    the full 40-character lowercase git SHA whose images to deploy again
EOF
}
log() { printf '[rollback] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
usage_error() { printf '[rollback] error: %s\n' "$*" >&2; usage >&2; exit 2; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${TRAVEL_PROJECT_DIR:-$root}"

dry_run=false
keep_config=false
allow_undeployed=false
policy_pack=
[[ -f policy/PulumiPolicy.yaml ]] && policy_pack=policy
args=()
while (($#)); do
  case "$1" in
    --dry-run) dry_run=true ;;
    --keep-config) keep_config=true ;;
    --allow-undeployed) allow_undeployed=true ;;
    --policy-pack)
      (($# >= 2)) || usage_error "--policy-pack needs a directory"
      policy_pack="$2"
      shift
      ;;
    --no-policy-pack) policy_pack= ;;
    -h | --help) usage; exit 0 ;;
    --) shift; args+=("$@"); break ;;
    -*) usage_error "unknown option $1" ;;
    *) args+=("$1") ;;
  esac
  shift
done
((${#args[@]} == 2)) || usage_error "expected STACK and SHA, got ${#args[@]} argument(s)"
stack="${args[0]}"
sha="${args[1]}"
[[ "$stack" =~ ^([A-Za-z0-9_.-]+/){0,2}[A-Za-z0-9_.-]+$ ]] ||
  usage_error "STACK '$stack' is not a stack name (name, or org/project/name)"
[[ "$sha" =~ ^[0-9a-f]{40}$ ]] ||
  usage_error "SHA '$sha' is not a full 40-character lowercase git SHA"
if [[ -n "$policy_pack" && ! -d "$policy_pack" ]]; then
  usage_error "policy pack directory '$policy_pack' does not exist"
fi

command -v pulumi >/dev/null 2>&1 || die "pulumi not found on PATH"
command -v node >/dev/null 2>&1 || die "node not found on PATH"
command -v docker >/dev/null 2>&1 || die "docker (with buildx) not found on PATH"

# Reads JSON on stdin and prints what the JavaScript expression (of `v`) evaluates to.
json() {
  node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const v = JSON.parse(s);
      const r = (0, eval)("(v) => " + process.argv[1])(v);
      if (r === undefined || r === null) process.exit(3);
      process.stdout.write(typeof r === "string" ? r + "\n" : JSON.stringify(r) + "\n");
    });' "$1"
}

# 1a. Was SHA deployed to this stack before?
if [[ "$allow_undeployed" == false ]]; then
  history="$(pulumi stack history --json --show-secrets=false --page-size 100 --stack "$stack")" ||
    die "cannot read the update history of $stack"
  found="$(json 'v.filter((u) => u.result === "succeeded" && (u.environment || {})["git.head"] === "'"$sha"'").length' <<<"$history")"
  [[ "$found" != 0 ]] ||
    die "$sha was never deployed to $stack (no succeeded update with git.head $sha in its history); use --allow-undeployed to deploy it anyway"
  log "$sha was deployed to $stack before ($found update(s))"
fi

# 1b. The repositories, from the images the stack runs now.
images="$(pulumi stack output images --json --stack "$stack")" ||
  die "cannot read the images output of $stack (has it been deployed?)"
username="$(pulumi config get --path registry.username --stack "$stack")" ||
  die "cannot read registry.username of $stack"
declare -A repo ref
for w in backend frontend; do
  current="$(json "v.$w && v.$w.ref" <<<"$images")" || die "the images output of $stack has no $w.ref"
  [[ "$current" =~ ^([a-z0-9.:-]+(/[a-z0-9._-]+)+)@sha256:[0-9a-f]{64}$ ]] ||
    die "the $w image of $stack is not a digest reference: $current"
  repo[$w]="${BASH_REMATCH[1]}"
done
server="${repo[backend]%%/*}"

if [[ -n "${REGISTRY_TOKEN:-}" ]]; then
  log "docker login $server as $username"
  printf '%s' "$REGISTRY_TOKEN" | docker login "$server" --username "$username" --password-stdin >&2 ||
    die "docker login to $server failed"
fi

# 1c. Each tag's digest, checked against the revision label.
for w in backend frontend; do
  tag="${repo[$w]}:$sha"
  manifest="$(docker buildx imagetools inspect "$tag" --format '{{json .Manifest}}')" ||
    die "$tag not found in the registry (was $sha built by dev?)"
  digest="$(json 'v.digest' <<<"$manifest")" || die "no digest for $tag"
  [[ "$digest" =~ ^sha256:[0-9a-f]{64}$ ]] || die "unexpected digest for $tag: $digest"
  config="$(docker buildx imagetools inspect "$tag" --format '{{json .Image}}')" ||
    die "cannot read the image config of $tag"
  revision="$(json '[v, ...Object.values(v)].map((c) => c && c.config && c.config.Labels && c.config.Labels["org.opencontainers.image.revision"]).find(Boolean)' <<<"$config")" ||
    revision=
  if [[ -z "$revision" ]]; then
    log "warning: $tag has no org.opencontainers.image.revision label"
  elif [[ "$revision" != "$sha" ]]; then
    die "$tag is labelled revision $revision, not $sha: the tag was overwritten"
  fi
  ref[$w]="${repo[$w]}@$digest"
  log "$w: ${ref[$w]}"
done

# 2 + 3. Pin and deploy.
# A word as the shell would need it written (single-quoted unless plainly safe).
quote() {
  if [[ "$1" =~ ^[A-Za-z0-9_./:@=+-]+$ ]]; then
    printf '%s' "$1"
  else
    printf "'%s'" "${1//\'/\'\\\'\'}"
  fi
}
# Prints the command (--dry-run) or logs and runs it.
run() {
  local words=() a
  for a in "$@"; do words+=("$(quote "$a")"); done
  if [[ "$dry_run" == true ]]; then
    printf '%s\n' "${words[*]}"
  else
    log "${words[*]}"
    "$@"
  fi
}

if [[ "$dry_run" == true ]]; then
  log "dry run: the commands that would run"
elif [[ "$keep_config" == false ]]; then
  config_file="Pulumi.${stack##*/}.yaml"
  backup="$(mktemp)"
  if [[ -f "$config_file" ]]; then
    cp -p "$config_file" "$backup"
    trap 'cp -p "$backup" "$config_file"; rm -f "$backup"; log "restored $config_file"' EXIT
  else
    trap 'rm -f "$config_file" "$backup"' EXIT
  fi
fi

run pulumi config rm images --stack "$stack"
run pulumi config set --path images.mode pinned --stack "$stack"
for w in backend frontend; do
  run pulumi config set --path "images.$w.ref" "${ref[$w]}" --stack "$stack"
  run pulumi config set --path "images.$w.gitSha" "$sha" --stack "$stack"
done
up=(pulumi up --yes --stack "$stack")
[[ -n "$policy_pack" ]] && up+=(--policy-pack "$policy_pack")
up+=(--message "rollback $stack to $sha")
run "${up[@]}"
[[ "$dry_run" == true ]] || log "$stack now runs the images of $sha"
