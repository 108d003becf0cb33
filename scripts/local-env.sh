#!/usr/bin/env bash
# Local end-to-end environment: a Docker daemon (with BuildKit), a local image
# registry with basic auth on 127.0.0.1:5000, and a kwok-simulated Kubernetes
# cluster with the Gateway API CRDs -- all from Debian packages and Go modules.
#
#   scripts/local-env.sh up [--no-verify]   start everything (idempotent)
#   scripts/local-env.sh verify             run the smoke checks again
#   scripts/local-env.sh status             show which pieces are up
#   scripts/local-env.sh env                print `export ...` lines: eval "$(scripts/local-env.sh env)"
#   scripts/local-env.sh down [--purge]     stop everything this script started
#                                           (--purge also removes the state dir)
#
# State (logs, registry data, docker data, cluster, kubeconfig, registry token)
# lives in ${TRAVEL_LOCAL_STATE:-$HOME/.local/state/travel-local}. Toolchain
# binaries are cached in ${TRAVEL_TOOLCHAIN_DIR:-$HOME/.cache/travel-toolchain}.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
ASSETS="$SCRIPT_DIR/local-env"
TOOLS="$REPO_ROOT/tools"

STATE="${TRAVEL_LOCAL_STATE:-$HOME/.local/state/travel-local}"
LOGS="$STATE/logs"
CLUSTER_NAME=travel
KUBECONFIG_PATH="$STATE/kubeconfig"
KWOK_DIR="$STATE/kwok"

DOCKER_DIR="$STATE/docker"
DOCKER_SOCK="$DOCKER_DIR/docker.sock"
DOCKER_PIDFILE="$DOCKER_DIR/dockerd.pid"
DOCKER_CONFIG_DIR="$STATE/docker-config"
DOCKERD=/usr/sbin/dockerd
# Debian's docker CLI (20.10) has the BuildKit client built in. A newer CLI
# earlier in PATH (23+) needs the separate buildx plugin for DOCKER_BUILDKIT=1.
DOCKER_CLI=/usr/bin/docker

REGISTRY_ADDR=127.0.0.1:5000
REGISTRY_USER=travel-ci
REGISTRY_DIR="$STATE/registry"
REGISTRY_PIDFILE="$REGISTRY_DIR/registry.pid"
REGISTRY_TOKEN_FILE="$STATE/registry-token"
REGISTRY_BIN=/usr/bin/docker-registry
SMOKE_REPO="$REGISTRY_ADDR/travel-local/smoke"

ETCD_BIN=/usr/bin/etcd
APT_PACKAGES=(docker.io docker-registry etcd-server apache2-utils curl runc)

# BuildKit daemon for @pulumi/docker-build, registered as a buildx "remote" builder:
# the provider does not use dockerd's built-in BuildKit (the legacy "docker" driver),
# and its default docker-container builder would pull moby/buildkit from Docker Hub.
BUILDKIT_DIR="$STATE/buildkit"
BUILDKIT_SOCK="$BUILDKIT_DIR/buildkitd.sock"
BUILDKIT_PIDFILE="$BUILDKIT_DIR/buildkitd.pid"
BUILDER_NAME=travel-local
SMOKE_NS=travel-local-smoke

# ---------------------------------------------------------------- helpers

log() { printf '[local-env] %s\n' "$*" >&2; }

# fail PIECE LOGFILE MESSAGE: explain which piece failed and where to look.
fail() {
  local piece="$1" logfile="$2"
  shift 2
  {
    echo
    echo "local-env: FAILED: $piece: $*"
    if [[ -n "$logfile" ]]; then
      echo "local-env: log file: $logfile"
      if [[ -f "$logfile" ]]; then
        echo "---- last lines of $logfile ----"
        tail -n 25 "$logfile" | sed 's/^/  | /'
        echo "----"
      fi
    fi
    echo "local-env: fix the problem and re-run 'up', or clean up with '$0 down'."
  } >&2
  exit 1
}

# Running and not a zombie (kwokctl does not reap components that die early).
pid_alive() {
  [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null || return 1
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ "${stat:0:1}" != Z ]]
}

pid_cmdline() { tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" || true; }

read_pid() { [[ -f "$1" ]] && tr -dc '0-9' 2>/dev/null <"$1" || true; }

# pid_from_file FILE NEEDLE: the pid in FILE if that process runs and its
# command line contains NEEDLE (guards against reused pids).
pid_from_file() {
  local pid
  pid="$(read_pid "$1")"
  if pid_alive "$pid" && [[ "$(pid_cmdline "$pid")" == *"$2"* ]]; then
    echo "$pid"
  fi
}

port_open() { (exec 3<>"/dev/tcp/${1%:*}/${1##*:}") 2>/dev/null; }

# stop_pid PID NAME [TIMEOUT]: SIGTERM, wait, then SIGKILL.
stop_pid() {
  local pid="$1" name="$2" timeout="${3:-30}" i
  pid_alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 5; i++)); do
    pid_alive "$pid" || return 0
    sleep 0.2
  done
  log "$name (pid $pid) did not exit after ${timeout}s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 25; i++)); do
    pid_alive "$pid" || return 0
    sleep 0.2
  done
}

# start_daemon LOGFILE PIDFILE CMD...: run CMD detached in its own session.
start_daemon() {
  local logfile="$1" pidfile="$2"
  shift 2
  echo "==== $(date -u +%FT%TZ) starting: $*" >>"$logfile"
  # 9>&-: the daemon must not inherit the state lock (see lock_state).
  setsid "$@" >>"$logfile" 2>&1 </dev/null 9>&- &
  echo "$!" >"$pidfile"
}

docker_cli() { DOCKER_HOST="unix://$DOCKER_SOCK" DOCKER_CONFIG="$DOCKER_CONFIG_DIR" "$DOCKER_CLI" "$@"; }

docker_up() { [[ -S "$DOCKER_SOCK" ]] && docker_cli info >/dev/null 2>&1; }

registry_code() { # HTTP status of GET /v2/ (optionally authenticated)
  local auth=()
  if [[ "${1:-}" == auth ]]; then
    auth=(-K -)
  fi
  printf 'user = "%s:%s"\n' "$REGISTRY_USER" "$(cat "$REGISTRY_TOKEN_FILE" 2>/dev/null)" |
    curl -s -o /dev/null -w '%{http_code}' --max-time 5 "${auth[@]}" "http://$REGISTRY_ADDR/v2/" || true
}

registry_answers() { [[ "$(registry_code)" == 401 ]]; }

tool_version() { # tool_version DIR MODULE: the version pinned in tools/DIR/go.mod
  awk -v m="$2" '$1 == "require" { $1 = ""; $0 = $0 } $1 == m && $2 ~ /^v[0-9]/ { print $2; exit }' "$TOOLS/$1/go.mod"
}

toolchain_root() { echo "${TRAVEL_TOOLCHAIN_DIR:-$HOME/.cache/travel-toolchain}"; }

kube_version() { tool_version kubernetes k8s.io/kubernetes; }
kwok_version() { tool_version kwok sigs.k8s.io/kwok; }
gateway_version() { tool_version gateway-api sigs.k8s.io/gateway-api; }

kube_bin() { echo "$(toolchain_root)/kubernetes-$(kube_version)/bin"; }
kwok_home() { echo "$(toolchain_root)/kwok-$(kwok_version)"; }

# kwokctl forks the cluster components; they must not inherit the state lock.
kwokctl() { KWOK_WORKDIR="$KWOK_DIR" "$(kwok_home)/bin/kwokctl" "$@" 9>&-; }

kubectl_bin() {
  if [[ -n "${TRAVEL_KUBECTL:-}" ]]; then
    echo "$TRAVEL_KUBECTL"
  else
    command -v kubectl || true
  fi
}

k() { "$(kubectl_bin)" --kubeconfig "$KUBECONFIG_PATH" "$@"; }

cluster_exists() {
  [[ -x "$(kwok_home)/bin/kwokctl" ]] && kwokctl get clusters 2>/dev/null | grep -qx "$CLUSTER_NAME"
}

cluster_up() { [[ -f "$KUBECONFIG_PATH" ]] && k get --raw /readyz >/dev/null 2>&1; }

# wait_until SECONDS CMD...: poll CMD every 0.5s.
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

step_start() {
  STEP_NAME="$1"
  STEP_T0=$SECONDS
  log "$1 ..."
}
step_done() { log "$STEP_NAME: ${1:-ok} ($((SECONDS - STEP_T0))s)"; }

lock_state() {
  mkdir -p "$STATE"
  chmod 0700 "$STATE"
  exec 9>"$STATE/.lock"
  if ! flock -w 900 9; then
    fail "lock" "" "another local-env.sh is still running (lock $STATE/.lock)"
  fi
}

# ---------------------------------------------------------------- packages

ensure_packages() {
  local missing=() p logfile="$LOGS/apt.log"
  for p in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  if ((${#missing[@]} == 0)); then
    step_done "already installed"
    return
  fi
  log "installing Debian packages: ${missing[*]} (log: $logfile)"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends "${missing[@]}" >>"$logfile" 2>&1; then
    apt-get update >>"$logfile" 2>&1 || fail "apt-get update" "$logfile" "could not refresh the package lists"
    apt-get install -y --no-install-recommends "${missing[@]}" >>"$logfile" 2>&1 ||
      fail "apt-get install" "$logfile" "could not install ${missing[*]}"
  fi
  step_done "installed ${missing[*]}"
}

# ---------------------------------------------------------------- toolchain

build_tool() { # build_tool NAME: runs tools/NAME/build.sh, prints its last stdout line
  local name="$1" logfile="$LOGS/build-$1.log" out
  out="$(mktemp)"
  if ! "$TOOLS/$name/build.sh" >"$out" 2>>"$logfile"; then
    rm -f "$out"
    fail "toolchain build ($name)" "$logfile" "tools/$name/build.sh failed"
  fi
  tail -n 1 "$out"
  rm -f "$out"
}

build_toolchain() {
  local kb kwb gw
  [[ -d "$(kube_bin)" ]] || log "building Kubernetes $(kube_version) control plane from source (first time only; several minutes)"
  kb="$(build_tool kubernetes)"
  [[ -d "$(kwok_home)/bin" ]] || log "building kwok $(kwok_version) from source (first time only)"
  kwb="$(build_tool kwok)"
  gw="$(build_tool gateway-api)"
  [[ -x "$kb/kube-apiserver" && -x "$kwb/kwokctl" && -d "$gw" ]] ||
    fail "toolchain" "$LOGS/build-kubernetes.log" "build scripts did not produce the expected directories"
  step_done "kubernetes $(kube_version), kwok $(kwok_version), gateway-api $(gateway_version)"
}

# ---------------------------------------------------------------- dockerd

start_docker() {
  local logfile="$LOGS/dockerd.log" pid
  mkdir -p "$DOCKER_DIR" "$DOCKER_CONFIG_DIR"
  chmod 0700 "$DOCKER_CONFIG_DIR"
  pid="$(pid_from_file "$DOCKER_PIDFILE" "$DOCKER_PIDFILE")"
  if [[ -n "$pid" ]] && wait_until 60 docker_up; then
    step_done "already running (pid $pid)"
    return
  fi
  [[ -z "$pid" ]] || fail "dockerd" "$logfile" "dockerd (pid $pid) runs but $DOCKER_SOCK does not answer"
  [[ -x "$DOCKERD" ]] || fail "dockerd" "" "$DOCKERD not found (Debian package docker.io)"
  local sock_len=${#DOCKER_DIR}
  if ((sock_len > 60)); then
    fail "dockerd" "" "state path too long for unix sockets ($DOCKER_DIR); set TRAVEL_LOCAL_STATE to a shorter path"
  fi
  rm -f "$DOCKER_PIDFILE" "$DOCKER_SOCK"
  # Our own daemon config: BuildKit on, and no host networking changes (no
  # bridge, no iptables) so it coexists with any other Docker on the machine.
  cat >"$DOCKER_DIR/daemon.json" <<'EOF'
{
  "features": { "buildkit": true },
  "bridge": "none",
  "iptables": false,
  "ip-masq": false,
  "log-level": "info"
}
EOF
  start_daemon "$logfile" "$DOCKER_DIR/dockerd.launch.pid" \
    "$DOCKERD" \
    --config-file "$DOCKER_DIR/daemon.json" \
    --data-root "$DOCKER_DIR/data" \
    --exec-root "$DOCKER_DIR/run" \
    --pidfile "$DOCKER_PIDFILE" \
    --host "unix://$DOCKER_SOCK"
  pid="$(read_pid "$DOCKER_DIR/dockerd.launch.pid")"
  local deadline=$((SECONDS + 60))
  until docker_up; do
    pid_alive "$pid" || fail "dockerd" "$logfile" "dockerd exited during startup"
    ((SECONDS < deadline)) || fail "dockerd" "$logfile" "docker info did not answer within 60s"
    sleep 0.5
  done
  step_done "started (pid $pid, unix://$DOCKER_SOCK)"
}

verify_buildkit() {
  local logfile="$LOGS/verify.log" ctx="$STATE/smoke-image"
  mkdir -p "$ctx"
  printf 'travel local-env smoke image\n' >"$ctx/hello.txt"
  printf 'FROM scratch\nCOPY hello.txt /hello.txt\n' >"$ctx/Dockerfile"
  echo "==== $(date -u +%FT%TZ) buildkit build" >>"$logfile"
  DOCKER_BUILDKIT=1 docker_cli build --progress=plain -t "$SMOKE_REPO:latest" "$ctx" >>"$logfile" 2>&1 ||
    fail "BuildKit build" "$logfile" "DOCKER_BUILDKIT=1 docker build of a FROM scratch image failed"
  # The plain progress output of BuildKit numbers its steps (#1, #2, ...).
  tail -n 30 "$logfile" | grep -q '^#[0-9]' ||
    fail "BuildKit build" "$logfile" "the build did not go through BuildKit"
  step_done "built $SMOKE_REPO:latest with BuildKit"
}

# ---------------------------------------------------------------- registry

write_registry_config() {
  mkdir -p "$REGISTRY_DIR/data"
  if [[ ! -s "$REGISTRY_TOKEN_FILE" ]]; then
    (umask 077 && head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | cut -c1-32 | tr -d '\n' >"$REGISTRY_TOKEN_FILE")
    log "generated registry token for $REGISTRY_USER in $REGISTRY_TOKEN_FILE"
  fi
  chmod 0600 "$REGISTRY_TOKEN_FILE"
  if [[ ! -s "$REGISTRY_DIR/htpasswd" || "$REGISTRY_TOKEN_FILE" -nt "$REGISTRY_DIR/htpasswd" ]]; then
    (umask 077 && htpasswd -B -C 10 -i -n "$REGISTRY_USER" <"$REGISTRY_TOKEN_FILE" | sed '/^$/d' >"$REGISTRY_DIR/htpasswd.tmp")
    mv "$REGISTRY_DIR/htpasswd.tmp" "$REGISTRY_DIR/htpasswd"
  fi
  if [[ ! -s "$REGISTRY_DIR/http-secret" ]]; then
    (umask 077 && head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | cut -c1-40 >"$REGISTRY_DIR/http-secret")
  fi
  (
    umask 077
    cat >"$REGISTRY_DIR/config.yml" <<EOF
# Written by scripts/local-env.sh; regenerated on every 'up'.
version: 0.1
log:
  level: info
  formatter: text
storage:
  filesystem:
    rootdirectory: $REGISTRY_DIR/data
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: $REGISTRY_ADDR
  secret: $(cat "$REGISTRY_DIR/http-secret")
  headers:
    X-Content-Type-Options: [nosniff]
auth:
  htpasswd:
    realm: travel-local-registry
    path: $REGISTRY_DIR/htpasswd
EOF
  )
}

start_registry() {
  local logfile="$LOGS/registry.log" pid
  [[ -x "$REGISTRY_BIN" ]] || fail "registry" "" "$REGISTRY_BIN not found (Debian package docker-registry)"
  command -v htpasswd >/dev/null || fail "registry" "" "htpasswd not found (Debian package apache2-utils)"
  write_registry_config
  pid="$(pid_from_file "$REGISTRY_PIDFILE" "$REGISTRY_DIR/config.yml")"
  # The registry reads htpasswd at start: a new token needs a restart.
  if [[ -n "$pid" && "$REGISTRY_DIR/htpasswd" -nt "$REGISTRY_PIDFILE" ]]; then
    log "registry token changed; restarting the registry"
    stop_pid "$pid" registry 15
    pid=""
  fi
  if [[ -n "$pid" ]]; then
    if wait_until 20 registry_answers; then
      step_done "already running (pid $pid)"
      return
    fi
    fail "registry" "$logfile" "docker-registry (pid $pid) runs but http://$REGISTRY_ADDR/v2/ does not answer 401"
  fi
  if port_open "$REGISTRY_ADDR"; then
    fail "registry" "" "$REGISTRY_ADDR is already in use by a process this script did not start" \
      "(on a systemd machine: systemctl stop docker-registry)"
  fi
  start_daemon "$logfile" "$REGISTRY_PIDFILE" "$REGISTRY_BIN" serve "$REGISTRY_DIR/config.yml"
  pid="$(read_pid "$REGISTRY_PIDFILE")"
  local deadline=$((SECONDS + 30))
  until [[ "$(registry_code)" == 401 ]]; do
    pid_alive "$pid" || fail "registry" "$logfile" "docker-registry exited during startup"
    ((SECONDS < deadline)) || fail "registry" "$logfile" "http://$REGISTRY_ADDR/v2/ did not answer 401 within 30s"
    sleep 0.3
  done
  step_done "started (pid $pid, http://$REGISTRY_ADDR)"
}

# ---------------------------------------------------------------- buildkitd

write_buildkit_config() {
  mkdir -p "$BUILDKIT_DIR" "$DOCKER_CONFIG_DIR/buildx/instances"
  cat >"$BUILDKIT_DIR/buildkitd.toml" <<EOF
# Written by scripts/local-env.sh; regenerated on every 'up'.
[worker.oci]
  enabled = true
  gc = true
[worker.containerd]
  enabled = false
[registry."$REGISTRY_ADDR"]
  http = true
  insecure = true
EOF
  # The buildx builder store entry (what 'docker buildx create --driver remote' writes).
  cat >"$DOCKER_CONFIG_DIR/buildx/instances/$BUILDER_NAME" <<EOF
{"Name":"$BUILDER_NAME","Driver":"remote","Nodes":[{"Name":"${BUILDER_NAME}0","Endpoint":"unix://$BUILDKIT_SOCK","Platforms":null,"DriverOpts":{},"Flags":null,"Files":null}],"Dynamic":false}
EOF
}

start_buildkit() {
  local logfile="$LOGS/buildkitd.log" pid bin deadline
  bin="$(build_tool buildkit)"
  command -v runc >/dev/null || fail "buildkitd" "" "runc not found (Debian package runc)"
  write_buildkit_config
  pid="$(pid_from_file "$BUILDKIT_PIDFILE" "$BUILDKIT_DIR/buildkitd.toml")"
  if [[ -n "$pid" && -S "$BUILDKIT_SOCK" ]]; then
    step_done "already running (pid $pid), builder $BUILDER_NAME"
    return
  fi
  [[ -z "$pid" ]] || stop_pid "$pid" buildkitd 15
  rm -f "$BUILDKIT_SOCK"
  start_daemon "$logfile" "$BUILDKIT_PIDFILE" "$bin/buildkitd" --config "$BUILDKIT_DIR/buildkitd.toml" \
    --root "$BUILDKIT_DIR/root" --addr "unix://$BUILDKIT_SOCK"
  pid="$(read_pid "$BUILDKIT_PIDFILE")"
  deadline=$((SECONDS + 30))
  until [[ -S "$BUILDKIT_SOCK" ]]; do
    pid_alive "$pid" || fail "buildkitd" "$logfile" "buildkitd exited during startup"
    ((SECONDS < deadline)) || fail "buildkitd" "$logfile" "no socket at $BUILDKIT_SOCK within 30s"
    sleep 0.3
  done
  step_done "started (pid $pid), buildx builder $BUILDER_NAME at unix://$BUILDKIT_SOCK"
}

# Sets SMOKE_IMAGE to the pushed image's digest reference.
verify_registry() {
  local logfile="$LOGS/verify.log" code digest
  code="$(registry_code)"
  [[ "$code" == 401 ]] || fail "registry check" "$LOGS/registry.log" "unauthenticated GET /v2/ gave $code, expected 401"
  code="$(registry_code auth)"
  [[ "$code" == 200 ]] || fail "registry check" "$LOGS/registry.log" "authenticated GET /v2/ gave $code, expected 200"
  echo "==== $(date -u +%FT%TZ) docker login + push" >>"$logfile"
  docker_cli login "$REGISTRY_ADDR" -u "$REGISTRY_USER" --password-stdin <"$REGISTRY_TOKEN_FILE" >>"$logfile" 2>&1 ||
    fail "registry check" "$logfile" "docker login $REGISTRY_ADDR failed"
  docker_cli push "$SMOKE_REPO:latest" >>"$logfile" 2>&1 ||
    fail "registry check" "$logfile" "docker push $SMOKE_REPO:latest failed"
  # Keep no stored credentials: builds must authenticate with what the program passes.
  docker_cli logout "$REGISTRY_ADDR" >>"$logfile" 2>&1 || true
  digest="$(docker_cli inspect -f '{{range .RepoDigests}}{{println .}}{{end}}' "$SMOKE_REPO:latest" | grep -m1 "^$SMOKE_REPO@sha256:" || true)"
  [[ -n "$digest" ]] || fail "registry check" "$logfile" "pushed image has no repo digest"
  code="$(printf 'user = "%s:%s"\n' "$REGISTRY_USER" "$(cat "$REGISTRY_TOKEN_FILE")" |
    curl -s -o /dev/null -w '%{http_code}' -K - \
      -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
      -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
      "http://$REGISTRY_ADDR/v2/travel-local/smoke/manifests/${digest#*@}" || true)"
  [[ "$code" == 200 ]] || fail "registry check" "$LOGS/registry.log" "manifest ${digest#*@} not served (HTTP $code)"
  SMOKE_IMAGE="$digest"
  echo "$SMOKE_IMAGE" >"$STATE/smoke-image.ref"
  step_done "401 without auth, 200 with auth, pushed $SMOKE_IMAGE"
}

# ---------------------------------------------------------------- cluster

write_kwok_config() {
  local kb kwh etcd_version stage
  kb="$(kube_bin)"
  kwh="$(kwok_home)"
  etcd_version="$("$ETCD_BIN" --version 2>/dev/null | awk '/etcd Version:/ { print $3 }')"
  mkdir -p "$KWOK_DIR"
  {
    cat <<EOF
# Written by scripts/local-env.sh; regenerated on every 'up'.
# Every binary is local; the *Prefix options point at a directory that does
# not exist so that anything not configured here fails instead of downloading.
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokctlConfiguration
options:
  runtime: binary
  kubeVersion: $(kube_version)
  kwokVersion: $(kwok_version)
  etcdVersion: "$etcd_version"
  bindAddress: 127.0.0.1
  securePort: true
  kubeAuthorization: true
  kubeAdmission: true
  quietPull: true
  # Debian's etcd (3.4.23) is older than 3.4.31, so kube-apiserver 1.35
  # reports RequestWatchProgress as unsupported and answers streaming-list
  # watches (sendInitialEvents, WatchList is on by default since 1.34) with
  # an error event. client-go >= 0.36 (kwok's) does not fall back cleanly and
  # sees pod events tens of seconds late. With WatchList off the apiserver
  # rejects such requests up front and every client falls back to LIST+WATCH.
  kubeFeatureGates: "WatchList=false"
  kubeApiserverBinary: $kb/kube-apiserver
  kubeControllerManagerBinary: $kb/kube-controller-manager
  kubeSchedulerBinary: $kb/kube-scheduler
  kwokControllerBinary: $kwh/bin/kwok
  etcdBinary: $ETCD_BIN
  kubectlBinary: $(kubectl_bin)
  kubeBinaryPrefix: /nonexistent/travel-local-env/no-downloads
  kwokBinaryPrefix: /nonexistent/travel-local-env/no-downloads
  etcdBinaryPrefix: /nonexistent/travel-local-env/no-downloads
  cacheDir: $KWOK_DIR/cache
EOF
    # Giving any Stage replaces kwok's built-in defaults, so list them all:
    # kwok's own default stages (installed from the kwok module by
    # tools/kwok/build.sh) plus ours.
    for stage in "$kwh"/stages/*.yaml "$ASSETS"/stage-*.yaml; do
      printf -- '---\n# from %s\n' "$stage"
      if [[ "$(basename "$stage")" == pod-ready.yaml ]]; then
        # kwok picks among matching stages at random, so the default pod-ready stage
        # must not match the pods our never-ready stage simulates.
        awk -v extra="$(cat "$ASSETS/never-ready-exclusion.yaml")" \
          '{ print } /^    matchExpressions:/ && !done { print extra; done = 1 }' "$stage"
      else
        cat "$stage"
      fi
    done
  } >"$KWOK_DIR/travel-kwok.yaml"
}

CLUSTER_COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok-controller)

cluster_dir() { echo "$KWOK_DIR/clusters/$CLUSTER_NAME"; }

# The first cluster component that kwokctl started but that is no longer running.
dead_component() {
  local comp pid
  for comp in "${CLUSTER_COMPONENTS[@]}"; do
    [[ -f "$(cluster_dir)/pids/$comp.pid" ]] || continue
    pid="$(read_pid "$(cluster_dir)/pids/$comp.pid")"
    if ! pid_alive "$pid"; then
      echo "$comp"
      return
    fi
  done
}

# run_kwokctl_watched WHAT ARGS...: runs kwokctl in the background and fails
# as soon as one of the components it started exits (kwokctl itself would
# only give up after minutes of waiting).
run_kwokctl_watched() {
  local what="$1" logfile="$LOGS/kwokctl.log" kpid rc dead
  shift
  echo "==== $(date -u +%FT%TZ) kwokctl $*" >>"$logfile"
  KWOK_WORKDIR="$KWOK_DIR" "$(kwok_home)/bin/kwokctl" "$@" >>"$logfile" 2>&1 9>&- &
  kpid=$!
  while pid_alive "$kpid"; do
    dead="$(dead_component)"
    if [[ -n "$dead" ]]; then
      sleep 1 # let the component finish writing its log
      kill "$kpid" 2>/dev/null || true
      wait "$kpid" 2>/dev/null || true
      fail "cluster component $dead" "$(cluster_dir)/logs/$dead.log" \
        "$dead exited while kwokctl was starting the cluster (kwokctl log: $logfile)"
    fi
    sleep 0.5
  done
  rc=0
  wait "$kpid" || rc=$?
  if ((rc != 0)); then
    fail "cluster (kwokctl $what)" "$logfile" \
      "kwokctl exited with $rc; component logs: $(cluster_dir)/logs/"
  fi
}

# Cluster component processes that outlived their cluster (e.g. kwokctl was
# interrupted): anything whose command line points into the cluster dir.
stop_cluster_leftovers() {
  local pid
  for pid in $(leftover_pids "$(cluster_dir)/"); do
    stop_pid "$pid" "pid $pid" 10
  done
}

cluster_up_or_dead() { cluster_up || [[ -n "$(dead_component)" ]]; }

start_cluster() {
  local logfile="$LOGS/kwokctl.log" kubectl dead
  kubectl="$(kubectl_bin)"
  [[ -n "$kubectl" && -x "$kubectl" ]] || fail "cluster" "" "kubectl not found in PATH (or set TRAVEL_KUBECTL)"
  [[ -x "$ETCD_BIN" ]] || fail "cluster" "" "$ETCD_BIN not found (Debian package etcd-server)"
  write_kwok_config
  local cdir
  cdir="$(cluster_dir)"
  local applied="$KWOK_DIR/travel-kwok.applied.yaml"
  if cluster_exists && ! cmp -s "$KWOK_DIR/travel-kwok.yaml" "$applied"; then
    log "kwok configuration changed since the cluster was created; recreating it"
    echo "==== $(date -u +%FT%TZ) kwokctl delete cluster (configuration changed)" >>"$logfile"
    kwokctl --name "$CLUSTER_NAME" delete cluster --kubeconfig "$KUBECONFIG_PATH" >>"$logfile" 2>&1 || true
  fi
  if cluster_exists && { ! cluster_up || [[ -n "$(dead_component)" ]]; }; then
    # E.g. after a reboot or a crash: the processes are gone, the data is
    # not. Restarting on that data proved unreliable (kube-apiserver 1.35 on
    # etcd 3.4 came back with a watch cache stuck behind etcd), and the
    # cluster only ever holds test objects, so start from scratch instead.
    log "cluster $CLUSTER_NAME exists but is not (fully) running; recreating it"
    echo "==== $(date -u +%FT%TZ) kwokctl delete cluster (not running)" >>"$logfile"
    kwokctl --name "$CLUSTER_NAME" delete cluster --kubeconfig "$KUBECONFIG_PATH" >>"$logfile" 2>&1 || true
    stop_cluster_leftovers
  fi
  if ! cluster_exists; then
    run_kwokctl_watched "create cluster" --config "$KWOK_DIR/travel-kwok.yaml" --name "$CLUSTER_NAME" \
      create cluster --kubeconfig "$KUBECONFIG_PATH" --timeout 5m
    cp "$KWOK_DIR/travel-kwok.yaml" "$applied"
  fi
  chmod 0600 "$KUBECONFIG_PATH"
  wait_until 120 cluster_up_or_dead || true
  dead="$(dead_component)"
  [[ -z "$dead" ]] || fail "cluster component $dead" "$cdir/logs/$dead.log" "$dead is not running"
  cluster_up || fail "cluster component kube-apiserver" "$cdir/logs/kube-apiserver.log" "/readyz does not answer"
  local comp
  for comp in "${CLUSTER_COMPONENTS[@]}"; do
    [[ -f "$cdir/pids/$comp.pid" ]] || fail "cluster component $comp" "$logfile" "kwokctl did not start $comp"
  done

  echo "==== $(date -u +%FT%TZ) kwokctl scale node" >>"$logfile"
  kwokctl --name "$CLUSTER_NAME" scale node --replicas "${TRAVEL_LOCAL_NODES:-2}" >>"$logfile" 2>&1 ||
    fail "cluster (kwokctl scale node)" "$logfile" "could not create the fake nodes"
  k wait --for=condition=Ready node --all --timeout=90s >>"$logfile" 2>&1 ||
    fail "cluster nodes" "$cdir/logs/kwok-controller.log" "fake nodes did not become Ready"
  # The serviceaccount controller (kube-controller-manager) creates this.
  wait_until 60 k -n default get serviceaccount default >/dev/null 2>&1 ||
    fail "cluster component kube-controller-manager" "$cdir/logs/kube-controller-manager.log" \
      "serviceaccount default/default was never created"
  step_done "$(k get nodes --no-headers 2>/dev/null | wc -l) Ready nodes, kubeconfig $KUBECONFIG_PATH"
}

install_gateway_api() {
  local logfile="$LOGS/gateway-api.log" crds gen now
  crds="$(toolchain_root)/gateway-api-$(gateway_version)/crds"
  [[ -d "$crds" ]] || fail "gateway-api" "" "CRDs not found in $crds"
  echo "==== $(date -u +%FT%TZ) apply CRDs from $crds" >>"$logfile"
  # Server-side apply: the HTTPRoute CRD is too big for the client-side
  # last-applied annotation.
  k apply --server-side --force-conflicts --field-manager=travel-local-env -f "$crds" >>"$logfile" 2>&1 ||
    fail "gateway-api CRDs" "$logfile" "kubectl apply of $crds failed"
  k wait --for=condition=Established --timeout=60s \
    crd/gatewayclasses.gateway.networking.k8s.io crd/gateways.gateway.networking.k8s.io \
    crd/httproutes.gateway.networking.k8s.io >>"$logfile" 2>&1 ||
    fail "gateway-api CRDs" "$logfile" "CRDs not Established"
  wait_until 30 k apply --server-side --force-conflicts --field-manager=travel-local-env \
    -f "$ASSETS/gateway.yaml" >>"$logfile" 2>&1 ||
    fail "gateway-api objects" "$logfile" "could not create GatewayClass/Gateway"

  # No controller runs: report the objects as accepted/programmed ourselves.
  now="$(date -u +%FT%TZ)"
  gen="$(k get gatewayclass travel-local -o jsonpath='{.metadata.generation}')"
  k patch gatewayclass travel-local --subresource=status --type=merge -p "$(cat <<EOF
{"status":{"conditions":[
 {"type":"Accepted","status":"True","reason":"Accepted","message":"Accepted by scripts/local-env.sh (no controller)","observedGeneration":$gen,"lastTransitionTime":"$now"}]}}
EOF
)" >>"$logfile" 2>&1 || fail "gateway-api status" "$logfile" "could not set GatewayClass status"
  gen="$(k -n default get gateway default-gateway -o jsonpath='{.metadata.generation}')"
  k -n default patch gateway default-gateway --subresource=status --type=merge -p "$(cat <<EOF
{"status":{
 "conditions":[
  {"type":"Accepted","status":"True","reason":"Accepted","message":"Accepted by scripts/local-env.sh (no controller)","observedGeneration":$gen,"lastTransitionTime":"$now"},
  {"type":"Programmed","status":"True","reason":"Programmed","message":"Simulated by scripts/local-env.sh (no data plane)","observedGeneration":$gen,"lastTransitionTime":"$now"}],
 "listeners":[{"name":"http","attachedRoutes":0,
  "supportedKinds":[{"group":"gateway.networking.k8s.io","kind":"HTTPRoute"}],
  "conditions":[
   {"type":"Accepted","status":"True","reason":"Accepted","message":"","observedGeneration":$gen,"lastTransitionTime":"$now"},
   {"type":"Programmed","status":"True","reason":"Programmed","message":"","observedGeneration":$gen,"lastTransitionTime":"$now"},
   {"type":"ResolvedRefs","status":"True","reason":"ResolvedRefs","message":"","observedGeneration":$gen,"lastTransitionTime":"$now"}]}]}}
EOF
)" >>"$logfile" 2>&1 || fail "gateway-api status" "$logfile" "could not set Gateway status"
  step_done "gateway-api $(gateway_version) standard CRDs, GatewayClass travel-local, Gateway default/default-gateway"
}

# ---------------------------------------------------------------- smoke test

ready_count() { # ready_count NS SELECTOR: pods with Ready=True
  k -n "$1" get pods -l "$2" -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' 2>/dev/null | grep -c '^True$' || true
}

pods_running_unready() { # all pods matching NS SELECTOR are Running with Ready=False/ContainersNotReady
  local out
  out="$(k -n "$1" get pods -l "$2" -o jsonpath='{range .items[*]}{.status.phase}/{.status.conditions[?(@.type=="Ready")].status}/{.status.conditions[?(@.type=="Ready")].reason}{"\n"}{end}' 2>/dev/null)"
  [[ -n "$out" ]] && ! grep -qv '^Running/False/ContainersNotReady$' <<<"$out"
}

no_objects() { # no_objects NS KIND SELECTOR
  [[ -z "$(k -n "$1" get "$2" -l "$3" -o name 2>/dev/null)" ]]
}

ns_gone() { ! k get namespace "$1" >/dev/null 2>&1; }

sa_token_filled() {
  [[ -n "$(k -n "$SMOKE_NS" get secret smoke-sa-token -o jsonpath='{.data.token}' 2>/dev/null)" ]]
}

verify_cluster() {
  local logfile="$LOGS/verify.log" image="${SMOKE_IMAGE:-}" out
  [[ -n "$image" ]] || image="$(cat "$STATE/smoke-image.ref" 2>/dev/null || true)"
  [[ -n "$image" ]] || fail "smoke test" "" "no pushed smoke image known; run 'up' first"
  echo "==== $(date -u +%FT%TZ) cluster smoke test with $image" >>"$logfile"
  if ! ns_gone "$SMOKE_NS"; then
    k delete namespace "$SMOKE_NS" --wait=true --timeout=120s >>"$logfile" 2>&1 || true
  fi
  # Namespace first: pods are only admitted once the serviceaccount controller
  # has created the namespace's "default" ServiceAccount.
  sed "s|__IMAGE__|$image|g" "$ASSETS/smoke.yaml" | k apply -l travel.example/smoke=namespace -f - >>"$logfile" 2>&1 ||
    fail "smoke test" "$logfile" "could not create namespace $SMOKE_NS"
  wait_until 60 k -n "$SMOKE_NS" get serviceaccount default >/dev/null 2>&1 ||
    fail "smoke test (serviceaccount controller)" "$(cluster_dir)/logs/kube-controller-manager.log" \
      "serviceaccount $SMOKE_NS/default was never created"
  sed "s|__IMAGE__|$image|g" "$ASSETS/smoke.yaml" | k apply -f - >>"$logfile" 2>&1 ||
    fail "smoke test" "$logfile" "kubectl apply of the smoke manifests failed"

  # PodSecurity admission is on: a default (non-restricted) pod is refused.
  if out="$(k -n "$SMOKE_NS" run psa-probe --image="$image" --restart=Never --dry-run=server 2>&1)"; then
    fail "smoke test (PodSecurity)" "$logfile" "a non-restricted pod was admitted into a restricted namespace"
  fi
  grep -q 'violates PodSecurity' <<<"$out" ||
    fail "smoke test (PodSecurity)" "$logfile" "unexpected rejection: $out"

  # ServiceAccount token controller fills a legacy token secret.
  k -n "$SMOKE_NS" apply -f - >>"$logfile" 2>&1 <<'EOF' || fail "smoke test" "$logfile" "could not create token secret"
apiVersion: v1
kind: Secret
metadata:
  name: smoke-sa-token
  annotations:
    kubernetes.io/service-account.name: default
type: kubernetes.io/service-account-token
EOF
  wait_until 60 sa_token_filled ||
    fail "smoke test (serviceaccount token controller)" "$(cluster_dir)/logs/kube-controller-manager.log" \
      "token secret was not populated"

  # Deployment -> ReplicaSet -> 2 Ready pods -> Available.
  k -n "$SMOKE_NS" rollout status deployment/ready --timeout=120s >>"$logfile" 2>&1 ||
    fail "smoke test (Deployment ready)" "$logfile" "rollout did not complete"
  k -n "$SMOKE_NS" wait --for=condition=Available deployment/ready --timeout=60s >>"$logfile" 2>&1 ||
    fail "smoke test (Deployment ready)" "$logfile" "Deployment not Available"
  [[ -n "$(k -n "$SMOKE_NS" get replicasets -l app=ready -o name)" ]] ||
    fail "smoke test (Deployment ready)" "$logfile" "no ReplicaSet"
  [[ "$(ready_count "$SMOKE_NS" app=ready)" == 2 ]] ||
    fail "smoke test (Deployment ready)" "$logfile" "expected 2 Ready pods"

  k -n "$SMOKE_NS" get httproute.gateway.networking.k8s.io ready >>"$logfile" 2>&1 ||
    fail "smoke test (Gateway API)" "$logfile" "HTTPRoute was not stored"

  # never-ready simulation: Running, Ready=False (ContainersNotReady).
  wait_until 60 pods_running_unready "$SMOKE_NS" app=never-ready-probe ||
    fail "smoke test (never-ready by probe path)" "$logfile" "pod is not Running/NotReady: $(k -n "$SMOKE_NS" get pods -l app=never-ready-probe -o wide 2>&1)"
  wait_until 60 pods_running_unready "$SMOKE_NS" travel.example/simulate=never-ready ||
    fail "smoke test (never-ready by label)" "$logfile" "pod is not Running/NotReady"
  sleep 3 # make sure nothing flips them to Ready afterwards
  pods_running_unready "$SMOKE_NS" app=never-ready-probe ||
    fail "smoke test (never-ready by probe path)" "$logfile" "pod became Ready"
  [[ "$(k -n "$SMOKE_NS" get deployment never-ready-probe -o jsonpath='{.status.conditions[?(@.type=="Available")].status}')" == False ]] ||
    fail "smoke test (never-ready by probe path)" "$logfile" "Deployment should not be Available"
  k -n "$SMOKE_NS" get pods -o wide >>"$logfile" 2>&1 || true

  # Garbage collector: deleting the Deployment removes its ReplicaSet and pods.
  k -n "$SMOKE_NS" delete deployment never-ready-probe --wait=false >>"$logfile" 2>&1
  wait_until 60 no_objects "$SMOKE_NS" replicasets app=never-ready-probe ||
    fail "smoke test (garbage collector)" "$logfile" "ReplicaSet of a deleted Deployment was not collected"
  wait_until 60 no_objects "$SMOKE_NS" pods app=never-ready-probe ||
    fail "smoke test (garbage collector)" "$logfile" "pods of a deleted Deployment were not removed"

  # Namespace controller: the namespace really goes away.
  k delete namespace "$SMOKE_NS" --wait=false >>"$logfile" 2>&1
  wait_until 120 ns_gone "$SMOKE_NS" ||
    fail "smoke test (namespace controller)" "$logfile" "namespace $SMOKE_NS is still there after 120s"
  step_done "restricted Deployment Available (2/2 Ready), HTTPRoute stored, never-ready pods Running/NotReady, GC + namespace deletion ok"
}

# ---------------------------------------------------------------- commands

cmd_up() {
  local verify=1 t0=$SECONDS
  for a in "$@"; do
    case "$a" in
      --no-verify) verify=0 ;;
      *) echo "unknown option for up: $a" >&2; exit 2 ;;
    esac
  done
  [[ "$(id -u)" == 0 ]] || fail "up" "" "must run as root (apt-get and dockerd need it)"
  lock_state
  mkdir -p "$LOGS"

  step_start "Debian packages"; ensure_packages
  step_start "toolchain (tools/*/build.sh)"; build_toolchain
  step_start "dockerd"; start_docker
  if ((verify)); then step_start "BuildKit check"; verify_buildkit; fi
  step_start "buildkitd"; start_buildkit
  step_start "registry"; start_registry
  if ((verify)); then step_start "registry check"; verify_registry; fi
  step_start "cluster"; start_cluster
  step_start "Gateway API"; install_gateway_api
  if ((verify)); then step_start "cluster smoke test"; verify_cluster; fi

  log "environment is up in $((SECONDS - t0))s. Use it with:"
  log "  eval \"\$($0 env)\""
}

cmd_verify() {
  lock_state
  mkdir -p "$LOGS"
  docker_up || fail "verify" "" "dockerd is not up"
  cluster_up || fail "verify" "" "cluster is not up"
  step_start "BuildKit check"; verify_buildkit
  step_start "registry check"; verify_registry
  step_start "cluster smoke test"; verify_cluster
}

cmd_env() {
  # The token itself is never printed: read it from LOCAL_REGISTRY_TOKEN_FILE.
  [[ -s "$REGISTRY_TOKEN_FILE" ]] || echo "# local-env: no registry token yet; run '$0 up' first" >&2
  printf 'export TRAVEL_LOCAL_STATE=%q\n' "$STATE"
  printf 'export KUBECONFIG=%q\n' "$KUBECONFIG_PATH"
  printf 'export DOCKER_HOST=%q\n' "unix://$DOCKER_SOCK"
  printf 'export DOCKER_CONFIG=%q\n' "$DOCKER_CONFIG_DIR"
  printf 'export LOCAL_REGISTRY=%q\n' "$REGISTRY_ADDR"
  printf 'export LOCAL_REGISTRY_USER=%q\n' "$REGISTRY_USER"
  printf 'export LOCAL_REGISTRY_TOKEN_FILE=%q\n' "$REGISTRY_TOKEN_FILE"
}

cmd_status() {
  local all=0 pid
  report() { # report NAME up|down DETAIL
    printf '%-26s %-5s %s\n' "$1" "$2" "${3:-}"
    [[ "$2" == up ]] || all=1
  }
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]})); then report packages down "missing: ${missing[*]}"; else report packages up "${APT_PACKAGES[*]}"; fi

  if [[ -x "$(kube_bin)/kube-apiserver" && -x "$(kwok_home)/bin/kwokctl" ]]; then
    report toolchain up "kubernetes $(kube_version), kwok $(kwok_version) in $(toolchain_root)"
  else
    report toolchain down "not built yet (up builds it)"
  fi

  pid="$(pid_from_file "$DOCKER_PIDFILE" "$DOCKER_PIDFILE")"
  if [[ -n "$pid" ]] && docker_up; then
    report dockerd up "pid $pid, unix://$DOCKER_SOCK, $(docker_cli version -f '{{.Server.Version}}' 2>/dev/null)"
  elif [[ -n "$pid" ]]; then
    report dockerd down "pid $pid runs but the socket does not answer"
  else
    report dockerd down
  fi

  pid="$(pid_from_file "$BUILDKIT_PIDFILE" "$BUILDKIT_DIR/buildkitd.toml")"
  if [[ -n "$pid" && -S "$BUILDKIT_SOCK" ]]; then
    report buildkitd up "pid $pid, buildx builder $BUILDER_NAME at unix://$BUILDKIT_SOCK"
  else
    report buildkitd down "${pid:+pid $pid has no socket}"
  fi
  pid="$(pid_from_file "$REGISTRY_PIDFILE" "$REGISTRY_DIR/config.yml")"
  if [[ -n "$pid" && "$(registry_code)" == 401 ]]; then
    report registry up "pid $pid, http://$REGISTRY_ADDR (basic auth, user $REGISTRY_USER)"
  else
    report registry down "${pid:+pid $pid not answering}"
  fi

  if cluster_exists && cluster_up; then
    report cluster up "kwok cluster '$CLUSTER_NAME', $(k get nodes --no-headers 2>/dev/null | wc -l) nodes, $(k version -o json 2>/dev/null | awk -F'"' '/gitVersion/ { v = $4 } END { print v }')"
    local cdir comp
    cdir="$(cluster_dir)"
    for comp in "${CLUSTER_COMPONENTS[@]}"; do
      pid="$(read_pid "$cdir/pids/$comp.pid")"
      if pid_alive "$pid"; then report "  $comp" up "pid $pid"; else report "  $comp" down; fi
    done
    if k -n default get gateway default-gateway >/dev/null 2>&1; then
      report gateway up "Gateway default/default-gateway, gateway-api $(gateway_version)"
    else
      report gateway down
    fi
  elif cluster_exists; then
    report cluster down "exists in $KWOK_DIR but the apiserver does not answer"
  else
    report cluster down
  fi
  return "$all"
}

# Processes still running that belong to this environment: our binaries whose
# command line mentions the state dir.
leftover_pids() {
  local p comm under="${1:-$STATE/}"
  for p in /proc/[0-9]*; do
    p="${p#/proc/}"
    [[ "$p" == "$$" || "$p" == "$PPID" ]] && continue
    comm="$(cat "/proc/$p/comm" 2>/dev/null || true)"
    case "$comm" in
      dockerd | containerd | containerd-shim* | docker-registry | etcd | kube-apiserver | kube-controller | kube-scheduler | kwok | kwokctl | kubectl | buildkit*) ;;
      *) continue ;;
    esac
    [[ "$(pid_cmdline "$p")" == *"$under"* ]] && echo "$p"
  done
}

cmd_down() {
  local purge=0 pid t0=$SECONDS
  for a in "$@"; do
    case "$a" in
      --purge) purge=1 ;;
      *) echo "unknown option for down: $a" >&2; exit 2 ;;
    esac
  done
  if [[ ! -d "$STATE" ]]; then
    log "nothing to do: $STATE does not exist"
    return 0
  fi
  lock_state
  mkdir -p "$LOGS"

  if cluster_exists; then
    log "deleting kwok cluster $CLUSTER_NAME"
    kwokctl --name "$CLUSTER_NAME" delete cluster --kubeconfig "$KUBECONFIG_PATH" >>"$LOGS/kwokctl.log" 2>&1 ||
      log "kwokctl delete cluster failed (see $LOGS/kwokctl.log); stopping its processes directly"
  fi

  pid="$(pid_from_file "$BUILDKIT_PIDFILE" "$BUILDKIT_DIR/buildkitd.toml")"
  if [[ -n "$pid" ]]; then
    log "stopping buildkitd (pid $pid)"
    stop_pid "$pid" buildkitd 15
  fi
  rm -f "$BUILDKIT_PIDFILE"

  pid="$(pid_from_file "$REGISTRY_PIDFILE" "$REGISTRY_DIR/config.yml")"
  if [[ -n "$pid" ]]; then
    log "stopping registry (pid $pid)"
    stop_pid "$pid" registry 15
  fi
  rm -f "$REGISTRY_PIDFILE"

  # Only the dockerd this script started: identified by our own pidfile.
  pid="$(pid_from_file "$DOCKER_PIDFILE" "$DOCKER_PIDFILE")"
  if [[ -n "$pid" ]]; then
    log "stopping dockerd (pid $pid)"
    stop_pid "$pid" dockerd 45
  fi

  local left
  left="$(leftover_pids | tr '\n' ' ')"
  if [[ -n "${left// /}" ]]; then
    log "stopping leftover processes of this environment: $left"
    for pid in $left; do stop_pid "$pid" "pid $pid" 10; done
  fi
  left="$(leftover_pids | tr '\n' ' ')"
  [[ -z "${left// /}" ]] || fail "down" "" "processes still running: $left"

  if ((purge)); then
    # Nothing may stay mounted below the state dir (docker overlay mounts).
    local m
    while read -r m; do
      [[ -n "$m" ]] && umount -l "$m" 2>/dev/null || true
    done < <(awk -v s="$STATE/" 'index($5, s) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
    exec 9>&-
    rm -rf "$STATE"
    log "removed $STATE"
  fi
  log "environment is down ($((SECONDS - t0))s)"
}

usage() {
  sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    env) cmd_env "$@" ;;
    verify) cmd_verify "$@" ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
