#!/usr/bin/env bash
# Make sure a Docker engine answers `docker info` (Debian 12, as root).
# Idempotent: does nothing when docker is already up. Otherwise installs
# docker.io from the Debian archive if dockerd is missing, starts dockerd in
# the background (systemd if it is running, else a plain background process
# logging to $KCONN_DOCKERD_LOG), and polls `docker info` for up to
# $KCONN_DOCKER_TIMEOUT seconds.
#
# Env:
#   KCONN_DOCKERD_LOG      dockerd log file            (default /tmp/dockerd.log)
#   KCONN_DOCKER_TIMEOUT   seconds to wait for dockerd (default 60)
#   KCONN_DOCKERD_ARGS     extra dockerd flags, e.g. "--storage-driver=vfs"
set -euo pipefail

LOG_FILE=${KCONN_DOCKERD_LOG:-/tmp/dockerd.log}
WAIT_SECS=${KCONN_DOCKER_TIMEOUT:-60}

log() { printf '[ensure-docker %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[ensure-docker] ERROR: %s\n' "$*" >&2; exit 1; }

docker_up() { command -v docker >/dev/null 2>&1 && timeout 10 docker info >/dev/null 2>&1; }

if docker_up; then
  log "docker is already running ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || die "docker is not reachable and starting it needs root"

if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
  log "installing docker.io from apt (docker.io pulls in containerd, runc, iptables, tini)"
  export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
  apt-get update -q
  apt-get install -y -q docker.io
  # On a systemd host the package starts the service itself.
  if docker_up; then log "docker is up (started by the package)"; exit 0; fi
fi

started_pid=""
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  log "starting docker via systemd"
  systemctl start docker || log "systemctl start docker failed; will start dockerd directly"
fi
if ! docker_up && ! pgrep -x dockerd >/dev/null 2>&1; then
  log "starting dockerd in the background (log: $LOG_FILE)"
  # shellcheck disable=SC2086 # KCONN_DOCKERD_ARGS is a flag list
  nohup dockerd ${KCONN_DOCKERD_ARGS:-} >>"$LOG_FILE" 2>&1 </dev/null &
  started_pid=$!
fi

deadline=$((SECONDS + WAIT_SECS))
until docker_up; do
  if [ -n "$started_pid" ] && ! kill -0 "$started_pid" 2>/dev/null; then
    tail -n 30 "$LOG_FILE" >&2 || true
    die "dockerd exited during startup (see $LOG_FILE above)"
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    tail -n 30 "$LOG_FILE" >&2 || true
    die "docker did not answer 'docker info' within ${WAIT_SECS}s (see $LOG_FILE)"
  fi
  sleep 0.5
done
log "docker is up ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
