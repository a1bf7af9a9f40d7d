#!/usr/bin/env bash
# Builds, on kconn's own build machines (no container registry, no GitHub), what a topology's `spec.gateway:
# {provider: traefik}` installs, from Go modules only:
#   kconn/traefik:v$TRAEFIK_VERSION  github.com/traefik/traefik/v3 (traefik/go.mod; its replace lines repeated, since a
#                 replace only applies in the main module), a static binary alone in the image (`docker import`);
#                 test/real names it in its topology's spec.gateway.image, as a user with a mirror would.
#   $OUT/mirror/kubernetes-sigs/gateway-api/releases/download/v$GATEWAY_API_VERSION/standard-install.yaml
#                 the Gateway API release file, made as the release makes it (hack/build-install-yaml.sh of
#                 sigs.k8s.io/gateway-api: config/crd/standard/gateway*.yaml joined by ---), from the module Traefik
#                 requires; served on loopback as KCONN_TOOL_MIRROR by test/real.
# kconn on a user's machine pulls docker.io/library/traefik and GETs the release file from GitHub instead.
#
# Usage: images/gateway/build.sh [--print-image | --print-mirror]
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${KCONN_GATEWAY_OUT:-$HERE/.out}
START=$SECONDS

# ---------------------------------------------------------------- pins (harness/gateway/traefik.ts)
TRAEFIK_VERSION=3.6.12
GATEWAY_API_VERSION=1.4.0     # traefik v3.6.12's go.mod: sigs.k8s.io/gateway-api v1.4.0
IMAGE=kconn/traefik:v$TRAEFIK_VERSION

log() { printf '[gateway %s +%ss] %s\n' "$(date +%H:%M:%S)" "$((SECONDS - START))" "$*"; }
die() { printf '[gateway] ERROR: %s\n' "$*" >&2; exit 1; }

case ${1:-} in
  --print-image) echo "$IMAGE"; exit 0 ;;
  --print-mirror) echo "$OUT/mirror"; exit 0 ;;
  '') ;;
  *) die "unknown argument $1 (want --print-image or --print-mirror)" ;;
esac

export PATH=/usr/local/go/bin:$PATH
command -v go >/dev/null || die "go is not on PATH (/usr/local/go/bin)"
mkdir -p "$OUT/bin"

log "traefik v$TRAEFIK_VERSION (go build; the module and build caches make a rebuild quick)"
(cd "$HERE/traefik" && CGO_ENABLED=0 go build -trimpath \
  -ldflags "-s -w -X github.com/traefik/traefik/v3/pkg/version.Version=v$TRAEFIK_VERSION" \
  -o "$OUT/bin/traefik" github.com/traefik/traefik/v3/cmd/traefik)
built=$("$OUT/bin/traefik" version)
[[ $built == *"v$TRAEFIK_VERSION"* ]] || die "the traefik built does not say v$TRAEFIK_VERSION: $built"

sum=$(sha256sum "$OUT/bin/traefik" | cut -c1-16)
if [ "$(docker image inspect -f '{{ index .Config.Labels "kconn.dev/binary" }}' "$IMAGE" 2>/dev/null || true)" = "$sum" ]; then
  log "$IMAGE is up to date (binary $sum)"
else
  log "image $IMAGE (binary $sum)"
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  mkdir -p "$root/tmp"
  chmod 1777 "$root/tmp"
  cp "$OUT/bin/traefik" "$root/traefik"
  tar -C "$root" -c . | docker import \
    --change 'ENTRYPOINT ["/traefik"]' --change 'USER 65532' \
    --change "LABEL kconn.dev/image=traefik kconn.dev/binary=$sum org.opencontainers.image.version=v$TRAEFIK_VERSION" \
    - "$IMAGE" >/dev/null
fi

log "Gateway API v$GATEWAY_API_VERSION standard-install.yaml"
dir=$(cd "$HERE/traefik" && go mod download -json "sigs.k8s.io/gateway-api@v$GATEWAY_API_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$dir/config/crd/standard" ] || die "sigs.k8s.io/gateway-api@v$GATEWAY_API_VERSION has no config/crd/standard"
release="$OUT/mirror/kubernetes-sigs/gateway-api/releases/download/v$GATEWAY_API_VERSION"
mkdir -p "$release"
{
  echo "# Gateway API v$GATEWAY_API_VERSION standard channel, joined from sigs.k8s.io/gateway-api@v$GATEWAY_API_VERSION config/crd/standard"
  for f in "$dir"/config/crd/standard/gateway*.yaml; do
    echo "---"
    cat "$f"
  done
} > "$release/standard-install.yaml.tmp"
mv "$release/standard-install.yaml.tmp" "$release/standard-install.yaml"
log "done: $IMAGE, $release/standard-install.yaml ($(grep -c '^kind: CustomResourceDefinition' "$release/standard-install.yaml") CRDs)"
