#!/usr/bin/env bash
# Bring up (or stop) a local Docker engine in single-node swarm mode, so Reelflow can use the
# swarm executor without manual set-up. Idempotent. Prints ONE plain line on stdout saying what
# it did or why it could not; the start command reads it to choose between swarm and local.
#
#   scripts/engine.sh         ensure an engine answers on $DOCKER_SOCK and is a swarm manager
#   scripts/engine.sh stop    stop the engine, but only if this script started it
#
# Environment: DOCKER_SOCK (default /var/run/docker.sock), REELFLOW_ENGINE_DIR (log + pidfile,
# default /tmp/reelflow-engine), ENGINE_WAIT_SECONDS (default 60).
# Exit: 0 engine ready (swarm manager), 1 no engine could be used (see the line printed).
set -uo pipefail

SOCK="${DOCKER_SOCK:-/var/run/docker.sock}"
STATE_DIR="${REELFLOW_ENGINE_DIR:-/tmp/reelflow-engine}"
PIDFILE="$STATE_DIR/dockerd.pid"
LOG="$STATE_DIR/dockerd.log"
WAIT="${ENGINE_WAIT_SECONDS:-60}"
export DOCKER_HOST="unix://$SOCK"

say() { echo "engine: $*"; }

engine_answers() {
  [ -S "$SOCK" ] && timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1
}

# "active" for a manager of a swarm; "inactive"/"pending"/"error" or empty otherwise.
swarm_state() {
  timeout 10 docker info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}' 2>/dev/null
}

ensure_swarm() {
  local state
  state="$(swarm_state)"
  case "$state" in
    "active true") return 0 ;;
    "active false")
      say "engine at $SOCK is a swarm worker, not a manager; cannot create services (use local executor)"
      return 1 ;;
  esac
  if ! out="$(timeout 60 docker swarm init --advertise-addr 127.0.0.1 2>&1)"; then
    say "engine at $SOCK answers but 'docker swarm init' failed: $(echo "$out" | head -n1)"
    return 1
  fi
  return 2 # initialised now
}

our_engine_pid() {
  [ -f "$PIDFILE" ] || return 1
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ "$(basename "$(readlink "/proc/$pid/exe" 2>/dev/null)")" = dockerd ] \
    && echo "$pid"
}

start_engine() {
  if [ "$(id -u)" != 0 ]; then
    say "no engine at $SOCK and not root, cannot start dockerd (use local executor)"
    return 1
  fi
  if ! command -v dockerd >/dev/null 2>&1; then
    say "no engine at $SOCK and dockerd is not installed (run scripts/setup.sh; use local executor)"
    return 1
  fi
  local pid
  if pid="$(our_engine_pid)"; then
    say "dockerd started earlier by this script (pid $pid) runs but $SOCK does not answer (see $LOG; use local executor)"
    return 1
  fi
  mkdir -p "$STATE_DIR"
  # setsid: the engine must outlive the shell (and the test runner) that started it.
  # PREFER_OFFLINE_IMAGE: swarm tasks use the locally imported image instead of first trying a
  # registry pull, which fails (slowly, on some networks) where no registry can be reached.
  DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 setsid dockerd -H "unix://$SOCK" --pidfile "$PIDFILE" >>"$LOG" 2>&1 </dev/null &
  local deadline=$((SECONDS + WAIT))
  while [ $SECONDS -lt $deadline ]; do
    engine_answers && return 0
    sleep 0.5
  done
  say "started dockerd but $SOCK did not answer within ${WAIT}s (see $LOG; use local executor)"
  return 1
}

stop_engine() {
  local pid
  if ! pid="$(our_engine_pid)"; then
    say "no engine started by this script is running; nothing stopped"
    return 0
  fi
  kill -TERM "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || { say "stopped dockerd (pid $pid)"; return 0; }
    sleep 0.5
  done
  say "dockerd (pid $pid) did not stop within 30s"
  return 1
}

main() {
  if [ "${1:-}" = stop ]; then stop_engine; return; fi
  local started=""
  if ! engine_answers; then
    start_engine || return 1
    started="started dockerd (log $LOG), "
  fi
  ensure_swarm
  case $? in
    0) say "${started}engine at $SOCK is a swarm manager; swarm executor available" ;;
    2) say "${started}initialised a single-node swarm at $SOCK; swarm executor available" ;;
    *) return 1 ;;
  esac
}

main "$@"
