#!/usr/bin/env bash
# Build the kconn probe images from Debian packages, without any registry:
# mmdebstrap (minbase bookworm rootfs as a tarball) + `docker import`.
#
#   images/build.sh [--force] [client|server ...]
#
#   kconn/probe-client:$TAG  curl, dig, nc, ping, ip, tcpdump, timeout; busybox applets in /opt/busybox; CMD keeps it alive
#   kconn/probe-server:$TAG  python3 echo server (agnhost netexec-like) + dnsmasq
#
# Idempotent: an image that already exists locally is skipped unless --force.
# Needs root and a running docker (runs ensure-docker.sh if docker is down);
# installs mmdebstrap with apt if missing.
#
# Env:
#   KCONN_IMAGE_TAG               image tag (default below)
#   KCONN_DEBIAN_MIRROR           Debian mirror URL for bookworm + bookworm-updates
#                                 (default: the host's own apt sources for bookworm*)
#   KCONN_DEBIAN_SECURITY_MIRROR  security mirror URL, used with KCONN_DEBIAN_MIRROR
# shellcheck disable=SC2016 # mmdebstrap hooks expand "$1" themselves
set -euo pipefail

DEFAULT_TAG=bookworm-2
TAG=${KCONN_IMAGE_TAG:-$DEFAULT_TAG}
SUITE=bookworm
CLIENT_IMAGE="kconn/probe-client:$TAG"
SERVER_IMAGE="kconn/probe-server:$TAG"

CLIENT_PACKAGES="bash,coreutils,curl,ca-certificates,dnsutils,netcat-openbsd,iputils-ping,iproute2,tcpdump,busybox"
SERVER_PACKAGES="python3,openssl,dnsmasq-base,iptables"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
START=$SECONDS

log() { printf '[build.sh %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[build.sh] ERROR: %s\n' "$*" >&2; exit 1; }

usage() { sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

FORCE=0
WANT=()
for arg in "$@"; do
  case "$arg" in
    --force|-f) FORCE=1 ;;
    client|server) WANT+=("$arg") ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument: $arg (try --help)" ;;
  esac
done
[ ${#WANT[@]} -gt 0 ] || WANT=(client server)

[ "$(id -u)" -eq 0 ] || die "run as root (mmdebstrap --mode=root and docker import)"
[ -f "$HERE/server/echo-server.py" ] || die "missing $HERE/server/echo-server.py"

# ---------------------------------------------------------------- prerequisites
if ! timeout 10 docker info >/dev/null 2>&1; then
  log "docker is not reachable; running ensure-docker.sh"
  "$HERE/ensure-docker.sh"
fi

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }
# Images carry a hash of what built them, so a changed build.sh or echo server is rebuilt even under the same tag.
CONTENT=$(cat "${BASH_SOURCE[0]}" "$HERE/lib/mmdebstrap-common.sh" "$HERE/server/echo-server.py" | sha256sum | cut -c1-16)
image_current() { [ "$(docker image inspect -f '{{index .Config.Labels "kconn.dev/content"}}' "$1" 2>/dev/null)" = "$CONTENT" ]; }

todo=()
for w in "${WANT[@]}"; do
  ref=$CLIENT_IMAGE; [ "$w" = server ] && ref=$SERVER_IMAGE
  if [ "$FORCE" -eq 0 ] && image_current "$ref"; then
    log "$ref is up to date, skipping (use --force to rebuild)"
  else
    if image_exists "$ref" && [ "$FORCE" -eq 0 ]; then log "$ref was built from other sources: rebuilding"; fi
    todo+=("$w")
  fi
done
if [ ${#todo[@]} -eq 0 ]; then
  log "nothing to build (total $((SECONDS - START))s)"
  exit 0
fi

if ! command -v mmdebstrap >/dev/null 2>&1; then
  log "installing mmdebstrap with apt"
  export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
  apt-get update -q
  apt-get install -y -q --no-install-recommends mmdebstrap
fi

WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/kconn-images.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# ---------------------------------------------------------------- apt sources and mmdebstrap arguments
# shellcheck source=lib/mmdebstrap-common.sh
source "$HERE/lib/mmdebstrap-common.sh"


build_image() { # name ref packages -- extra mmdebstrap args -- docker import --change args
  local name=$1 ref=$2 pkgs=$3; shift 3
  local mm=() changes=() t0=$SECONDS
  while [ $# -gt 0 ] && [ "$1" != -- ]; do mm+=("$1"); shift; done
  shift
  changes=("$@")
  log "[$name] mmdebstrap $SUITE minbase + $pkgs"
  mmdebstrap "${COMMON[@]}" --include="$pkgs" "${mm[@]}" \
    --customize-hook="$CLEANUP_HOOK" \
    "$SUITE" "$WORK/$name.tar" "${MIRRORS[@]}"
  log "[$name] rootfs tarball $(du -h "$WORK/$name.tar" | cut -f1) after $((SECONDS - t0))s; docker import -> $ref"
  local old_id
  old_id=$(docker image inspect -f '{{.Id}}' "$ref" 2>/dev/null || true)
  docker import "${changes[@]}" \
    --change "LABEL kconn.dev/image=$name" \
    --change "LABEL kconn.dev/tag=$TAG" \
    --change "LABEL kconn.dev/content=$CONTENT" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --message "kconn $name ($SUITE minbase, images/build.sh)" \
    "$WORK/$name.tar" "$ref" >/dev/null
  rm -f "$WORK/$name.tar"
  # --force: drop the image this one replaced, unless something still uses it
  if [ -n "$old_id" ] && [ "$old_id" != "$(docker image inspect -f '{{.Id}}' "$ref")" ]; then
    docker rmi "$old_id" >/dev/null 2>&1 || true
  fi
  log "[$name] done in $((SECONDS - t0))s: $ref ($(docker image inspect -f '{{.Size}}' "$ref" | awk '{printf "%.0f MB", $1/1e6}'))"
}

for w in "${todo[@]}"; do
  case "$w" in
    client)
      # CMD: stay alive, but exit at once on docker stop (sleep as PID 1 ignores SIGTERM).
      build_image probe-client "$CLIENT_IMAGE" "$CLIENT_PACKAGES" \
        --customize-hook='chroot "$1" sh -ec "for c in bash curl dig nc ping ip tcpdump timeout; do command -v \$c >/dev/null || { echo missing \$c >&2; exit 1; }; done"' \
        --customize-hook='mkdir -p "$1"/opt/busybox && chroot "$1" busybox --install -s /opt/busybox && rm -f "$1"/opt/busybox/ping "$1"/opt/busybox/ping6 "$1"/opt/busybox/nc' \
        -- \
        --change 'CMD ["bash", "-c", "trap \"exit 0\" TERM INT; sleep infinity & wait"]'
      ;;
    server)
      build_image probe-server "$SERVER_IMAGE" "$SERVER_PACKAGES" \
        --customize-hook="copy-in $HERE/server/echo-server.py /usr/local/bin/" \
        --customize-hook='mv "$1"/usr/local/bin/echo-server.py "$1"/usr/local/bin/kconn-echo-server && chmod 0755 "$1"/usr/local/bin/kconn-echo-server' \
        --customize-hook='mkdir -p "$1"/etc/kconn && chroot "$1" openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=kconn-probe-server -addext "subjectAltName=DNS:localhost,DNS:server,DNS:kconn-probe-server,IP:127.0.0.1" -keyout /etc/kconn/tls.key -out /etc/kconn/tls.crt 2>/dev/null && chmod 0644 "$1"/etc/kconn/tls.key' \
        --customize-hook='chroot "$1" sh -ec "/usr/local/bin/kconn-echo-server --help >/dev/null; dnsmasq --version >/dev/null"' \
        -- \
        --change 'CMD ["/usr/local/bin/kconn-echo-server"]' \
        --change 'ENV PYTHONUNBUFFERED=1' \
        --change 'ENV PYTHONDONTWRITEBYTECODE=1' \
        --change 'EXPOSE 8080/tcp 8443/tcp 8081/udp'
      ;;
  esac
done

log "total $((SECONDS - START))s"
