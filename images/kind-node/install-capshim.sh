#!/usr/bin/env bash
# Build machines only (never part of what kconn does on a user's machine): make Docker's default runtime the
# capability shim (capshim/), when this machine's capability bounding set lacks CAP_SYS_RESOURCE. Without it every
# `docker run --privileged`, so every kind node, fails with "runc create failed: unable to start container process:
# unable to apply caps: operation not permitted" (seen on the build machines: CapBnd 000001fffeffffff).
# Registers the runtime in /etc/docker/daemon.json (`runtimes` + `default-runtime`, keeping the file's other keys)
# and restarts dockerd when the file changed. Idempotent.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SHIM=/usr/local/sbin/kconn-capshim
CONF=/etc/docker/daemon.json
log() { printf '[capshim %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

capbnd=$(awk '/^CapBnd:/ {print $2}' /proc/self/status)
if (( (16#$capbnd >> 24) & 1 )); then
  log "CapBnd $capbnd has CAP_SYS_RESOURCE: no shim needed"
  exit 0
fi
log "CapBnd $capbnd lacks CAP_SYS_RESOURCE: Docker's default runtime becomes $SHIM"
export PATH="$PATH:/usr/local/go/bin"
(cd "$HERE/capshim" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$SHIM.new" . && mv -f "$SHIM.new" "$SHIM")

mkdir -p /etc/docker
before=$(cat "$CONF" 2>/dev/null || true)
node -e '
  const fs = require("node:fs"); const [conf, shim] = process.argv.slice(1);
  const c = fs.existsSync(conf) && fs.readFileSync(conf, "utf8").trim() ? JSON.parse(fs.readFileSync(conf, "utf8")) : {};
  c.runtimes = { ...(c.runtimes ?? {}), "kconn-capshim": { path: shim } };
  c["default-runtime"] = "kconn-capshim";
  fs.writeFileSync(conf, JSON.stringify(c, null, 2) + "\n");
' "$CONF" "$SHIM"
if [ "$before" = "$(cat "$CONF")" ] && timeout 10 docker info 2>/dev/null | grep -q 'Default Runtime: kconn-capshim'; then
  log "already Docker's default runtime"
  exit 0
fi
log "restarting dockerd"
if [ -d /run/systemd/system ] && systemctl is-active --quiet docker 2>/dev/null; then
  systemctl restart docker
else
  pkill -x dockerd || true
  for _ in $(seq 1 100); do pgrep -x dockerd >/dev/null || break; sleep 0.1; done
  bash "$HERE/../ensure-docker.sh"
fi
timeout 10 docker info 2>/dev/null | grep -q 'Default Runtime: kconn-capshim' || { echo "dockerd did not take the runtime" >&2; exit 1; }
log "Docker's default runtime: kconn-capshim"
