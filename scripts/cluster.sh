#!/usr/bin/env bash
# A multi-node Docker Swarm on ONE machine: one manager and N workers, each a separate dockerd in
# its own network namespace, joined into one swarm over private test addresses. Tests use it to
# prove that Reelflow's tasks spread over workers and survive a worker failure (issue 8 item 4).
#
#   scripts/cluster.sh up     [--workers 2] [--prefix rfc] [--subnet 10.77.0] [--manager-active]
#   scripts/cluster.sh status [--prefix rfc]
#   scripts/cluster.sh down   [--prefix rfc]
#   scripts/cluster.sh stop-worker N  [--prefix rfc]     # simulate a failed worker (engine stopped)
#   scripts/cluster.sh start-worker N [--prefix rfc]     # bring it back; it rejoins by itself
#
# Addressing (all on a private test subnet, default 10.77.0.0/24; nothing is routed anywhere else):
#
#   root namespace            hub namespace "<p>-hub"            engine namespaces
#   <p>-host 10.77.0.1 ──veth── <p>-host-b ─┐
#                                           br0 (a bridge) ─ <p>-m-b ──veth── eth0 10.77.0.10 (<p>-m, manager)
#                                               ├─────────── <p>-w1-b ─veth── eth0 10.77.0.11 (<p>-w1)
#                                               └─────────── <p>-w2-b ─veth── eth0 10.77.0.12 (<p>-w2)
#
# The bridge sits in its own namespace, not in the root one: the host's dockerd sets the root
# namespace's FORWARD policy to DROP and bridged frames pass through iptables there
# (bridge-nf-call-iptables=1), so a root-namespace bridge would need firewall rules on the host.
# In the hub namespace the firewall is empty, and the only root-namespace change is one veth whose
# address (10.77.0.1, HOST_ADDR) the runtime and the tests' file servers bind to. Engine namespaces
# get no default route, so tasks can reach only the test subnet. Swarm tasks use the host network
# of their engine's namespace, so a task reaches the runtime at HOST_ADDR, never at 127.0.0.1.
#
# Each engine: nsenter --net (not `ip netns exec`, which remounts /sys and hides the cgroup
# mounts) dockerd with its own data root, exec root, pidfile, socket and cgroup parent, no bridge
# and no iptables. The image (default reelflow/ffmpeg:local, from the host engine) is copied into
# every engine with docker save | docker load, since no registry can be reached.
#
# `up` prints KEY=VALUE lines on stdout (the last block it prints); progress goes to stderr.
# Every step is idempotent and every wait is bounded. `down` removes everything `up` made, also
# after a partial `up`: it works from the names alone, not from a record of what succeeded.
set -uo pipefail

PREFIX=rfc
WORKERS=2
SUBNET=10.77.0
MANAGER_ACTIVE=""
IMAGE="${REELFLOW_IMAGE:-reelflow/ffmpeg:local}"
WAIT="${CLUSTER_WAIT_SECONDS:-60}"
HOST_DOCKER="${HOST_DOCKER:-unix:///var/run/docker.sock}"

usage() {
  echo "usage: $0 up|down|status|stop-worker N|start-worker N [--workers N] [--prefix P] [--subnet A.B.C] [--manager-active]" >&2
  exit 2
}

log() { echo "cluster: $*" >&2; }
die() { log "$*"; exit 1; }
# Fail because of engine $1, with the end of its log (a later `down` deletes the log).
die_engine() {
  local e="$1"; shift
  log "$*; last lines of $DIR/$e/dockerd.log:"
  tail -n 15 "$DIR/$e/dockerd.log" 2>/dev/null | sed 's/^/  /' >&2
  exit 1
}

parse_args() {
  COMMAND="${1:-}"; [ -n "$COMMAND" ] || usage; shift
  WORKER_ARG=""
  case "$COMMAND" in
    stop-worker|start-worker) WORKER_ARG="${1:-}"; [[ "$WORKER_ARG" =~ ^[0-9]+$ ]] || usage; shift ;;
  esac
  while [ $# -gt 0 ]; do
    case "$1" in
      --workers) [ $# -ge 2 ] || usage; WORKERS="$2"; shift 2 ;;
      --prefix) [ $# -ge 2 ] || usage; PREFIX="$2"; shift 2 ;;
      --subnet) [ $# -ge 2 ] || usage; SUBNET="$2"; shift 2 ;;
      --manager-active) MANAGER_ACTIVE=1; shift ;;
      -h|--help) usage ;;
      *) log "unknown argument '$1'"; usage ;;
    esac
  done
  # Interface names are limited to 15 characters: "<prefix>-host-b" must fit.
  [[ "$PREFIX" =~ ^[a-z][a-z0-9]{0,6}$ ]] || die "--prefix must be 1-7 lower-case letters/digits, starting with a letter"
  [[ "$WORKERS" =~ ^[1-9]$ ]] || die "--workers must be 1..9"
  [[ "$SUBNET" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "--subnet must be the first three octets, e.g. 10.77.0"
  DIR="${REELFLOW_CLUSTER_DIR:-/tmp/reelflow-cluster-$PREFIX}"
  HUB="$PREFIX-hub"
  HOST_IF="$PREFIX-host"
  HOST_ADDR="$SUBNET.1"
}

# Engine names: "m" for the manager, "w1".."wN" for the workers.
engines() { echo m; for i in $(seq 1 "$WORKERS"); do echo "w$i"; done; }
engine_addr() { if [ "$1" = m ]; then echo "$SUBNET.10"; else echo "$SUBNET.$((10 + ${1#w}))"; fi; }
engine_ns() { echo "$PREFIX-$1"; }
engine_sock() { echo "$DIR/$1/docker.sock"; }
engine_docker() { local e="$1"; shift; timeout 30 docker -H "unix://$(engine_sock "$e")" "$@"; }

# Poll a command until it succeeds, for at most $1 seconds.
wait_for() {
  local seconds="$1"; shift
  local deadline=$((SECONDS + seconds))
  while [ $SECONDS -lt $deadline ]; do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  return 1
}

# Worker count of an existing cluster (from its engine directories), so `down`/`status` need no
# --workers and also clean up after an `up` that used another count.
known_workers() {
  local n=0 d
  for d in "$DIR"/w*/; do [ -d "$d" ] && n=$((n + 1)); done
  local ns
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$PREFIX-w[0-9]+$"); do
    [ "${ns#"$PREFIX"-w}" -gt "$n" ] && n="${ns#"$PREFIX"-w}"
  done
  echo "$n"
}

# ---- network -------------------------------------------------------------------------------

ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$1"; }

ensure_ns() { ns_exists "$1" || ip netns add "$1" || die "cannot create network namespace $1"; ip -n "$1" link set lo up; }

ensure_hub() {
  local other
  other="$(ip -o -4 addr show to "$HOST_ADDR/32" 2>/dev/null | awk '{print $2}' | grep -vx "$HOST_IF" | head -n1)"
  [ -z "$other" ] || die "$HOST_ADDR is already used by interface $other; choose another --subnet"
  ensure_ns "$HUB"
  ip -n "$HUB" link show br0 >/dev/null 2>&1 || ip -n "$HUB" link add br0 type bridge || die "cannot create bridge in $HUB"
  ip -n "$HUB" link set br0 up
  if ! ip link show "$HOST_IF" >/dev/null 2>&1; then
    ip link add "$HOST_IF" type veth peer name "$HOST_IF-b" netns "$HUB" || die "cannot create veth $HOST_IF"
  fi
  ip -n "$HUB" link set "$HOST_IF-b" master br0 up
  ip addr replace "$HOST_ADDR/24" dev "$HOST_IF"
  ip link set "$HOST_IF" up
}

ensure_engine_net() {
  local e="$1" ns; ns="$(engine_ns "$1")"
  ensure_ns "$ns"
  if ! ip -n "$ns" link show eth0 >/dev/null 2>&1; then
    ip -n "$HUB" link del "$ns-b" >/dev/null 2>&1 || true
    ip -n "$HUB" link add "$ns-b" type veth peer name eth0 netns "$ns" || die "cannot create veth for $ns"
  fi
  ip -n "$HUB" link set "$ns-b" master br0 up
  ip -n "$ns" addr replace "$(engine_addr "$e")/24" dev eth0
  ip -n "$ns" link set eth0 up
}

# ---- engines -------------------------------------------------------------------------------

engine_pid() {
  local pidfile="$DIR/$1/dockerd.pid" pid
  [ -f "$pidfile" ] || return 1
  pid="$(cat "$pidfile" 2>/dev/null)"
  [ -n "$pid" ] && [ "$(basename "$(readlink "/proc/$pid/exe" 2>/dev/null)")" = dockerd ] && echo "$pid"
}

engine_answers() { [ -S "$(engine_sock "$1")" ] && engine_docker "$1" version --format '{{.Server.Version}}'; }

start_engine() {
  local e="$1" d="$DIR/$1"
  engine_answers "$e" >/dev/null 2>&1 && return 0
  mkdir -p "$d"
  log "starting dockerd '$e' in namespace $(engine_ns "$e") ($(engine_addr "$e"), log $d/dockerd.log)"
  # setsid: engines outlive the shell (and the test runner's hooks) that started them.
  # PREFER_OFFLINE_IMAGE: tasks use the loaded image without first trying an unreachable registry.
  DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 setsid nsenter --net="/var/run/netns/$(engine_ns "$e")" \
    dockerd -H "unix://$(engine_sock "$e")" --data-root "$d/data" --exec-root "$d/exec" \
    --pidfile "$d/dockerd.pid" --cgroup-parent "/$PREFIX-$e" --bridge=none --iptables=false \
    --ip6tables=false --ip-forward=false --ip-masq=false \
    >>"$d/dockerd.log" 2>&1 </dev/null &
  wait_for "$WAIT" engine_answers "$e" || die_engine "$e" "engine '$e' did not answer within ${WAIT}s"
}

# Kill what still runs in an engine's namespace (dockerd, its containerd, shims, task
# processes on the host network). Everything there was started by this script.
kill_ns_processes() {
  local ns="$1" signal="$2" pids
  ns_exists "$ns" || return 0
  pids="$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')"
  [ -n "${pids// /}" ] && kill "-$signal" $pids 2>/dev/null
  return 0
}

ns_empty() { [ -z "$(ip netns pids "$1" 2>/dev/null)" ]; }
engine_gone() { ! engine_pid "$1" >/dev/null; }

# Stop an engine as a failing machine would go away: dockerd is asked to stop and, if it takes
# too long, it and everything left in its namespace are killed.
stop_engine() {
  local e="$1" ns pid; ns="$(engine_ns "$e")"
  if pid="$(engine_pid "$e")"; then
    kill -TERM "$pid" 2>/dev/null
    wait_for 20 engine_gone "$e" || kill -KILL "$pid" 2>/dev/null
  fi
  kill_ns_processes "$ns" TERM
  wait_for 10 ns_empty "$ns" || kill_ns_processes "$ns" KILL
  wait_for 10 ns_empty "$ns" || log "processes remain in namespace $ns: $(ip netns pids "$ns" | tr '\n' ' ')"
}

# Unmount what an engine left mounted under its directories (overlay layers, netns files, shm).
unmount_under() {
  local mnt
  findmnt -rn -o TARGET 2>/dev/null | grep -F "$1/" | sort -r | while read -r mnt; do
    umount -l "$mnt" 2>/dev/null || true
  done
}

remove_cgroups() {
  local d
  for d in /sys/fs/cgroup/*/"$PREFIX-$1" /sys/fs/cgroup/"$PREFIX-$1"; do
    [ -d "$d" ] || continue
    find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
}

# ---- swarm ---------------------------------------------------------------------------------

swarm_state() { engine_docker "$1" info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null; }
node_id() { engine_docker "$1" info --format '{{.Swarm.NodeID}}' 2>/dev/null; }

# A 2 s dispatcher heartbeat (default 5 s) lets the manager see a stopped worker as down within
# seconds, so a test of worker failure stays short.
ensure_manager() {
  [ "$(swarm_state m)" = active ] && return 0
  log "initialising the swarm on $(engine_addr m)"
  engine_docker m swarm init --advertise-addr "$(engine_addr m)" --listen-addr "$(engine_addr m):2377" \
    --dispatcher-heartbeat 2s >/dev/null \
    || die_engine m "docker swarm init failed on the manager"
}

ensure_worker_joined() {
  local e="$1" token
  [ "$(swarm_state "$e")" = active ] && return 0
  token="$(engine_docker m swarm join-token -q worker)" || die "cannot read the worker join token"
  log "joining '$e' ($(engine_addr "$e")) to the swarm"
  engine_docker "$e" swarm join --token "$token" --advertise-addr "$(engine_addr "$e")" \
    --listen-addr "$(engine_addr "$e"):2377" "$(engine_addr m):2377" >/dev/null \
    || die_engine "$e" "worker '$e' could not join the swarm"
}

node_ready() { [ "$(engine_docker m node inspect "$1" --format '{{.Status.State}}' 2>/dev/null)" = ready ]; }

label_nodes() {
  local e id
  for e in $(engines); do
    id="$(node_id "$e")"
    wait_for "$WAIT" node_ready "$id" || die_engine "$e" "node '$e' ($id) is not ready after ${WAIT}s"
    engine_docker m node update --label-add "reelflow.cluster=$PREFIX" --label-add "reelflow.engine=$e" "$id" >/dev/null \
      || die "cannot label node '$e'"
  done
  # A dedicated control plane, as on a real cluster: tasks go to workers unless --manager-active.
  local availability=drain; [ -n "$MANAGER_ACTIVE" ] && availability=active
  engine_docker m node update --availability "$availability" "$(node_id m)" >/dev/null
}

# ---- image ---------------------------------------------------------------------------------

image_id() { timeout 30 docker -H "$1" image inspect "$IMAGE" --format '{{.Id}}' 2>/dev/null; }

load_image() {
  local e="$1" want="$2" tar="$DIR/image.tar"
  [ "$(image_id "unix://$(engine_sock "$e")")" = "$want" ] && return 0
  # One export, shared by every engine; named after the image id so a rebuilt image is re-exported.
  if [ "$(cat "$tar.id" 2>/dev/null)" != "$want" ]; then
    log "exporting $IMAGE from the host engine"
    timeout 300 docker -H "$HOST_DOCKER" save "$IMAGE" -o "$tar" || die "docker save $IMAGE failed"
    echo "$want" >"$tar.id"
  fi
  log "loading $IMAGE into '$e'"
  timeout 300 docker -H "unix://$(engine_sock "$e")" load -i "$tar" >/dev/null || die_engine "$e" "docker load into '$e' failed"
}

# ---- commands ------------------------------------------------------------------------------

print_info() {
  local e
  echo "CLUSTER_PREFIX=$PREFIX"
  echo "CLUSTER_DIR=$DIR"
  echo "HOST_ADDR=$HOST_ADDR"
  echo "IMAGE=$IMAGE"
  echo "MANAGER_SOCKET=$(engine_sock m)"
  echo "MANAGER_DOCKER_HOST=unix://$(engine_sock m)"
  echo "MANAGER_ADDR=$(engine_addr m)"
  echo "MANAGER_NODE_ID=$(node_id m)"
  echo "WORKERS=$WORKERS"
  for i in $(seq 1 "$WORKERS"); do
    echo "WORKER_${i}_SOCKET=$(engine_sock "w$i")"
    echo "WORKER_${i}_ADDR=$(engine_addr "w$i")"
    echo "WORKER_${i}_NODE_ID=$(node_id "w$i")"
  done
}

cmd_up() {
  [ "$(id -u)" = 0 ] || die "must run as root (network namespaces and dockerd)"
  command -v dockerd >/dev/null || die "dockerd is not installed (run scripts/setup.sh)"
  local want e
  want="$(image_id "$HOST_DOCKER")" || die "image $IMAGE not found on the host engine (run scripts/build-image.sh)"
  mkdir -p "$DIR"
  ensure_hub
  for e in $(engines); do ensure_engine_net "$e"; start_engine "$e"; done
  ensure_manager
  for e in $(engines); do [ "$e" = m ] || ensure_worker_joined "$e"; done
  for e in $(engines); do load_image "$e" "$want"; done
  label_nodes
  print_info
}

cmd_down() {
  local e n; n="$(known_workers)"
  WORKERS="$n"
  for e in m $(for i in $(seq 1 "$n"); do echo "w$i"; done); do
    stop_engine "$e"
    unmount_under "$DIR/$e"
    remove_cgroups "$e"
    ip netns del "$(engine_ns "$e")" 2>/dev/null
  done
  # Deleting the hub namespace deletes the bridge and the hub ends of the veths, and with them
  # their peers (including the root namespace's $HOST_IF).
  ip netns del "$HUB" 2>/dev/null
  ip link del "$HOST_IF" 2>/dev/null
  unmount_under "$DIR"
  rm -rf "$DIR"
  log "removed cluster '$PREFIX'"
}

cmd_status() {
  WORKERS="$(known_workers)"
  [ "$WORKERS" -gt 0 ] || [ -d "$DIR/m" ] || { log "no cluster '$PREFIX'"; exit 1; }
  local e
  for e in $(engines); do
    echo "ENGINE_${e^^}=$(engine_answers "$e" >/dev/null 2>&1 && echo "up $(swarm_state "$e")" || echo down)"
  done
  print_info
  engine_docker m node ls >&2 2>/dev/null || true
}

cmd_stop_worker() {
  WORKERS="$(known_workers)"
  [ "$WORKER_ARG" -ge 1 ] && [ "$WORKER_ARG" -le "$WORKERS" ] || die "no worker $WORKER_ARG (cluster has $WORKERS)"
  stop_engine "w$WORKER_ARG"
  log "stopped worker $WORKER_ARG"
}

cmd_start_worker() {
  WORKERS="$(known_workers)"
  [ "$WORKER_ARG" -ge 1 ] && [ "$WORKER_ARG" -le "$WORKERS" ] || die "no worker $WORKER_ARG (cluster has $WORKERS)"
  start_engine "w$WORKER_ARG"
  # The worker's swarm state is in its data root, so it rejoins without a token.
  wait_for "$WAIT" node_ready "$(node_id "w$WORKER_ARG")" || die "worker $WORKER_ARG did not become ready within ${WAIT}s"
  log "started worker $WORKER_ARG"
}

parse_args "$@"
case "$COMMAND" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  stop-worker) cmd_stop_worker ;;
  start-worker) cmd_start_worker ;;
  *) usage ;;
esac
