#!/usr/bin/env bash
# Builds, on kconn's own build machines (no container registry reachable), a kind node image and the kind CLI from
# Go modules and Debian packages only:
#   kind          sigs.k8s.io/kind@$KIND_VERSION (kind's documented `go install`), into $OUT/host-bin for PATH
#   node image    kconn/kind-node:<kubernetes version>-<content hash>, with:
#     - a Debian bookworm root filesystem (mmdebstrap): systemd, containerd, runc, iptables, iproute2, ...
#     - kubeadm, kubelet, kubectl (k8s.io/kubernetes, kubernetes/go.mod), crictl (sigs.k8s.io/cri-tools),
#       the CNI plugins (github.com/containernetworking/plugins), capshim (capshim/, build machines only)
#     - in /kind/images, imported into containerd at boot (kconn-import-images.service), under the names kubeadm
#       v1.34 and the manifests use: kube-apiserver, kube-controller-manager, kube-scheduler, kube-proxy, etcd
#       (go.etcd.io/etcd/server/v3, etcd/), CoreDNS (github.com/coredns/coredns), pause (pause/), kindnet-lite
#       (kindnet/) and kube-network-policies (sigs.k8s.io/kube-network-policies)
#     - /kind/version, /kind/manifests/default-cni.yaml and default-storage.yaml, which `kind create` reads.
#   kconn/agnhost:$AGNHOST_TAG  agnhost (k8s.io/kubernetes/test/images/agnhost at $K8S_VERSION, agnhost/go.mod), the
#                 server of kconn's suites, for the real runs on these machines (no registry serves
#                 registry.k8s.io/e2e-test-images/agnhost here); test/real passes it as KCONN_SERVER_IMAGE.
# The tag's hash covers every input in this folder and the pinned versions below, so an unchanged image is reused
# (Go's module and build caches make a rebuild of changed parts quick).
#
# Kubernetes v1.34: the newest minor whose kubelet still runs on a cgroup v1 host without configuration (the build
# machines are cgroup v1); kubelet 1.35+ refuses cgroup v1 unless KubeletConfiguration sets failCgroupV1: false
# (https://kubernetes.io/blog/2025/12/17/kubernetes-v1-35-release/ , KEP-5573), which kind v0.33's kubeadm config
# does not set, and which kconn must not set on users' machines.
#
# Usage: images/kind-node/build.sh [--force] [--print-image]
#   --print-image  print the image reference these inputs give and exit (nothing built)
#   --force        rebuild the node image even when one with this tag exists
# Env: KCONN_KIND_NODE_OUT (default images/kind-node/.out): binaries, image archives and the build log.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IMAGES=$(dirname "$HERE")
OUT=${KCONN_KIND_NODE_OUT:-$HERE/.out}
SUITE=bookworm
START=$SECONDS

# ---------------------------------------------------------------- pins
KIND_VERSION=v0.33.0          # harness/plan/nodeImages.ts KIND_VERSION
K8S_VERSION=v1.34.4           # kubernetes/go.mod
ETCD_VERSION=v3.6.5           # etcd/go.mod; kubeadm v1.34 DefaultEtcdVersion "3.6.5-0"
ETCD_TAG=3.6.5-0
COREDNS_VERSION=v1.12.1       # kubeadm v1.34 CoreDNSVersion
PAUSE_TAG=3.10.1              # kubeadm v1.34 PauseVersion
CRI_TOOLS_VERSION=v1.34.0     # crictl of the Kubernetes minor
CNI_PLUGINS_VERSION=v1.9.0
KNP_VERSION=v0.8.0            # sigs.k8s.io/kube-network-policies
KINDNET_LITE_TAG=v1

log() { printf '[kind-node %s +%ss] %s\n' "$(date +%H:%M:%S)" "$((SECONDS - START))" "$*"; }
die() { printf '[kind-node] ERROR: %s\n' "$*" >&2; exit 1; }

FORCE=0 PRINT=0
for a in "$@"; do
  case $a in
    --force) FORCE=1 ;;
    --print-image) PRINT=1 ;;
    *) die "unknown argument $a (want --force or --print-image)" ;;
  esac
done

content_hash() {
  {
    (cd "$HERE" && find . \( -path ./.out -o -path ./agnhost \) -prune -o -type f ! -name '*_test.go' -print | LC_ALL=C sort | xargs sha256sum)
    (cd "$IMAGES/lib" && sha256sum mmdebstrap-common.sh)   # relative names: the hash must not depend on where the clone is
    sed -n '/^# ---------------------------------------------------------------- pins/,/^log()/p' "${BASH_SOURCE[0]}"
  } | sha256sum | cut -c1-12
}
HASH=$(content_hash)   # agnhost/ is not an input of the node image
AGNHOST_TAG=2.56       # test/images/agnhost/VERSION of k8s.io/kubernetes $K8S_VERSION (agnhost/go.mod)
IMAGE=kconn/kind-node:$K8S_VERSION-$HASH
if [ "$PRINT" -eq 1 ]; then echo "$IMAGE"; exit 0; fi

[ "$(id -u)" -eq 0 ] || die "run as root (mmdebstrap --mode=root, docker)"
command -v go >/dev/null 2>&1 || [ -x /usr/local/go/bin/go ] || die "Go is missing (want /usr/local/go/bin/go)"
export PATH="$PATH:/usr/local/go/bin"
timeout 10 docker info >/dev/null 2>&1 || "$IMAGES/ensure-docker.sh"
mkdir -p "$OUT/bin" "$OUT/host-bin" "$OUT/images"

# ---------------------------------------------------------------- Go builds (cached by Go; each step skips when done)
export CGO_ENABLED=0 GOFLAGS=-trimpath
gobuild() { # dir output-dir packages...: go build inside one of this folder's modules
  local dir=$1 outdir=$2; shift 2
  (cd "$HERE/$dir" && go build -ldflags="${LDFLAGS:--s -w}" -o "$outdir/" "$@")
}
goinstall() { # output-dir module/pkg@version...
  local outdir=$1; shift
  GOBIN=$outdir go install -ldflags="-s -w" "$@"
}
t0=$SECONDS
log "go install kind $KIND_VERSION"
goinstall "$OUT/host-bin" "sigs.k8s.io/kind@$KIND_VERSION"
log "capshim (its tests first), pause"
(cd "$HERE/capshim" && go test ./...) || die "capshim's tests failed"
gobuild capshim "$OUT/bin" .
gobuild pause "$OUT/bin" .
log "Kubernetes $K8S_VERSION (kubeadm, kubelet, kubectl, kube-apiserver, kube-controller-manager, kube-scheduler, kube-proxy)"
# The version the binaries report (kubeadm derives image tags and config API versions from it; kubelet reports it).
minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
v=k8s.io/component-base/version
LDFLAGS="-s -w -X $v.gitVersion=$K8S_VERSION -X $v.gitMajor=1 -X $v.gitMinor=$minor -X $v.gitTreeState=clean" \
  gobuild kubernetes "$OUT/bin" k8s.io/kubernetes/cmd/kubeadm k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kubectl \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kube-proxy
log "etcd $ETCD_VERSION"
gobuild etcd "$OUT/bin" .
log "CoreDNS $COREDNS_VERSION, crictl $CRI_TOOLS_VERSION, kube-network-policies $KNP_VERSION, CNI plugins $CNI_PLUGINS_VERSION"
goinstall "$OUT/bin" "github.com/coredns/coredns@$COREDNS_VERSION"
goinstall "$OUT/bin" "sigs.k8s.io/cri-tools/cmd/crictl@$CRI_TOOLS_VERSION"
goinstall "$OUT/bin" "sigs.k8s.io/kube-network-policies/cmd@$KNP_VERSION"
mv -f "$OUT/bin/cmd" "$OUT/bin/netpol"
mkdir -p "$OUT/cni"
cni=github.com/containernetworking/plugins/plugins
goinstall "$OUT/cni" "$cni/main/ptp@$CNI_PLUGINS_VERSION" "$cni/main/bridge@$CNI_PLUGINS_VERSION" \
  "$cni/main/loopback@$CNI_PLUGINS_VERSION" "$cni/ipam/host-local@$CNI_PLUGINS_VERSION" \
  "$cni/meta/portmap@$CNI_PLUGINS_VERSION"
log "agnhost $AGNHOST_TAG"
gobuild agnhost "$OUT/bin" k8s.io/kubernetes/test/images/agnhost
log "Go builds done in $((SECONDS - t0))s"

# agnhost as upstream runs it (ENTRYPOINT /agnhost); its own tag, so a node image rebuild does not touch it
AGNHOST_IMAGE=kconn/agnhost:$AGNHOST_TAG
if [ "$FORCE" -eq 1 ] || ! docker image inspect "$AGNHOST_IMAGE" >/dev/null 2>&1; then
  actx=$(mktemp -d "${TMPDIR:-/var/tmp}/kconn-agnhost.XXXXXX")
  cp "$OUT/bin/agnhost" "$actx/agnhost"
  printf 'FROM scratch\nCOPY agnhost /agnhost\nENTRYPOINT ["/agnhost"]\nLABEL kconn.dev/image=agnhost kconn.dev/kubernetes=%s\n' "$K8S_VERSION" >"$actx/Dockerfile"
  docker build -q -t "$AGNHOST_IMAGE" "$actx" >/dev/null || die "docker build $AGNHOST_IMAGE failed"
  rm -rf "$actx"
  log "$AGNHOST_IMAGE built"
fi

if [ "$FORCE" -eq 0 ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  log "$IMAGE is up to date (Go builds checked); nothing to build"
  exit 0
fi

# ---------------------------------------------------------------- Debian root filesystems
WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/kconn-kind-node.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
command -v mmdebstrap >/dev/null 2>&1 || { apt-get update -q && apt-get install -y -q --no-install-recommends mmdebstrap; }
# shellcheck source=../lib/mmdebstrap-common.sh
source "$IMAGES/lib/mmdebstrap-common.sh"

t0=$SECONDS
NODE_PKGS=systemd,systemd-sysv,dbus,containerd,runc,iptables,nftables,iproute2,ethtool,socat,conntrack,ebtables,kmod,mount,util-linux,procps,ca-certificates,libseccomp2,bash,coreutils,findutils,gzip,tar,hostname,less,nano
TOOLS_PKGS=iptables,nftables,iproute2,conntrack,bash,coreutils,procps,ca-certificates
log "mmdebstrap: node rootfs and tools rootfs, in parallel"
mmdebstrap "${COMMON[@]}" --include="$NODE_PKGS" --customize-hook="$CLEANUP_HOOK" \
  "$SUITE" "$WORK/node.tar" "${MIRRORS[@]}" >"$WORK/node.log" 2>&1 &
node_pid=$!
mmdebstrap "${COMMON[@]}" --include="$TOOLS_PKGS" --customize-hook="$CLEANUP_HOOK" \
  "$SUITE" "$WORK/tools.tar" "${MIRRORS[@]}" >"$WORK/tools.log" 2>&1 || { tail -20 "$WORK/tools.log" >&2; die "mmdebstrap (tools) failed"; }
wait "$node_pid" || { tail -20 "$WORK/node.log" >&2; die "mmdebstrap (node) failed"; }
docker import "$WORK/node.tar" "kconn/kind-node-base:$HASH" >/dev/null
docker import "$WORK/tools.tar" "kconn/kind-node-tools:$HASH" >/dev/null
rm -f "$WORK/node.tar" "$WORK/tools.tar"
log "root filesystems in $((SECONDS - t0))s"

# ---------------------------------------------------------------- the images inside the node
t0=$SECONDS
component() { # ref base entrypoint(JSON) files...: an image holding the files in /usr/local/bin
  local ref=$1 base=$2 entry=$3 ctx; shift 3
  ctx=$(mktemp -d "$WORK/ctx.XXXX")
  mkdir "$ctx/bin" && cp "$@" "$ctx/bin/"
  {
    echo "FROM $base"
    echo "COPY bin/ /usr/local/bin/"
    echo "ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin"
    [ "$entry" = "" ] || echo "ENTRYPOINT $entry"
    echo "LABEL kconn.dev/image=kind-node-component kconn.dev/content=$HASH"
  } >"$ctx/Dockerfile"
  docker build -q -t "$ref" -f "$ctx/Dockerfile" "$ctx" >"$WORK/docker-build.log" 2>&1 || { cat "$WORK/docker-build.log" >&2; die "docker build $ref failed"; }
  docker save "$ref" -o "$OUT/images/$(echo "${ref##*/}" | tr ':' '_').tar"
  rm -rf "$ctx"
}
rm -f "$OUT/images"/*.tar
B=$OUT/bin
TOOLS=kconn/kind-node-tools:$HASH
component "registry.k8s.io/kube-apiserver:$K8S_VERSION" scratch '' "$B/kube-apiserver"
component "registry.k8s.io/kube-controller-manager:$K8S_VERSION" scratch '' "$B/kube-controller-manager"
component "registry.k8s.io/kube-scheduler:$K8S_VERSION" scratch '' "$B/kube-scheduler"
component "registry.k8s.io/kube-proxy:$K8S_VERSION" "$TOOLS" '' "$B/kube-proxy"
component "registry.k8s.io/etcd:$ETCD_TAG" scratch '' "$B/etcd"
component "registry.k8s.io/coredns/coredns:$COREDNS_VERSION" scratch '["/usr/local/bin/coredns"]' "$B/coredns"
component "registry.k8s.io/pause:$PAUSE_TAG" scratch '["/usr/local/bin/pause"]' "$B/pause"
component "docker.io/kconn/kindnet-lite:$KINDNET_LITE_TAG" "$TOOLS" '' "$HERE/kindnet/kindnet-lite" "$B/kubectl"
component "registry.k8s.io/networking/kube-network-policies:$KNP_VERSION" scratch '' "$B/netpol"
log "component images in $((SECONDS - t0))s: $(du -sh "$OUT/images" | cut -f1)"

# ---------------------------------------------------------------- the node image
t0=$SECONDS
ctx=$WORK/node
mkdir -p "$ctx/bin" "$ctx/cni" "$ctx/images"
cp -a "$HERE/files" "$ctx/files"
echo "$K8S_VERSION" >"$ctx/files/kind/version"
cp "$B/kubeadm" "$B/kubelet" "$B/kubectl" "$B/crictl" "$ctx/bin/"
cp "$B/capshim" "$ctx/capshim"
cp "$OUT/cni"/* "$ctx/cni/"
cp "$OUT/images"/*.tar "$ctx/images/"
cat >"$ctx/Dockerfile" <<EOF
FROM kconn/kind-node-base:$HASH
COPY files/ /
COPY bin/ /usr/bin/
COPY capshim /usr/local/sbin/capshim
COPY cni/ /opt/cni/bin/
COPY images/ /kind/images/
RUN systemctl enable containerd.service kubelet.service kconn-import-images.service \
 && systemctl mask getty.target systemd-logind.service console-getty.service \
 && mkdir -p /etc/cni/net.d /etc/containerd/certs.d /var/lib/kubelet \
 && rm -f /etc/machine-id && touch /etc/machine-id
ENV container=docker
STOPSIGNAL SIGRTMIN+3
ENTRYPOINT ["/usr/local/bin/entrypoint"]
LABEL kconn.dev/image=kind-node kconn.dev/content=$HASH kconn.dev/kubernetes=$K8S_VERSION
EOF
docker build -q -t "$IMAGE" "$ctx" >"$WORK/docker-build.log" 2>&1 || { cat "$WORK/docker-build.log" >&2; die "docker build $IMAGE failed"; }
docker rmi "kconn/kind-node-base:$HASH" >/dev/null 2>&1 || true
log "node image $IMAGE in $((SECONDS - t0))s ($(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%d MB", $1/1e6}'))"
# Earlier builds (other hashes) are 1.3 GB each: remove them, unless a container still uses one.
for old in $(docker images --format '{{.Repository}}:{{.Tag}}' kconn/kind-node; docker images --format '{{.Repository}}:{{.Tag}}' kconn/kind-node-tools); do
  case "$old" in "$IMAGE" | "$TOOLS") ;; *) { docker rmi "$old" >/dev/null 2>&1 && log "removed the earlier build $old"; } || true ;; esac
done
log "done in $((SECONDS - START))s"
