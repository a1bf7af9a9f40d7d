# Sourced by the image builds (images/build.sh, images/kind-node/build.sh): the apt sources, apt options and
# mmdebstrap arguments every Debian root filesystem here is made with. Needs SUITE, WORK and log() set.
# Sets MIRRORS, APTOPTS, COMMON and CLEANUP_HOOK.
# ---------------------------------------------------------------- apt sources
# Use the same Debian mirror the host's apt uses: take the host's sources
# (one-line and deb822) for $SUITE, $SUITE-updates and $SUITE-security.
host_sources() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk -v suite="$SUITE" '
      /^[[:space:]]*deb[[:space:]]/ {
        i = 2
        if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if ($(i+1) ~ ("^" suite "(-updates|-security)?$")) print
      }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v suite="$SUITE" '
      function flush(   n, m, i, j, U, S, opt) {
        if (types ~ /(^|[[:space:]])deb([[:space:]]|$)/ && enabled != "no" && uris != "") {
          opt = (signed ~ /^\//) ? "[signed-by=" signed "] " : ""
          n = split(uris, U, /[[:space:]]+/); m = split(suites, S, /[[:space:]]+/)
          for (i = 1; i <= n; i++) for (j = 1; j <= m; j++)
            if (S[j] ~ ("^" suite "(-updates|-security)?$"))
              print "deb " opt U[i] " " S[j] " " (comps == "" ? "main" : comps)
        }
        types = uris = suites = comps = signed = enabled = ""
      }
      /^[[:space:]]*#/ { next }
      /^[[:space:]]*$/ { flush(); next }
      /^[A-Za-z-]+:/ {
        k = tolower(substr($0, 1, index($0, ":") - 1)); v = substr($0, index($0, ":") + 1)
        gsub(/^[[:space:]]+|[[:space:]]+$/, "", v)
        if (k == "types") types = v; else if (k == "uris") uris = v
        else if (k == "suites") suites = v; else if (k == "components") comps = v
        else if (k == "signed-by") signed = v; else if (k == "enabled") enabled = tolower(v)
      }
      END { flush() }' "$f"
  done
}

MIRRORS=()
if [ -n "${KCONN_DEBIAN_MIRROR:-}" ]; then
  {
    echo "deb $KCONN_DEBIAN_MIRROR $SUITE main"
    echo "deb $KCONN_DEBIAN_MIRROR $SUITE-updates main"
    [ -z "${KCONN_DEBIAN_SECURITY_MIRROR:-}" ] || echo "deb $KCONN_DEBIAN_SECURITY_MIRROR $SUITE-security main"
  } >"$WORK/sources.list"
  MIRRORS=("$WORK/sources.list")
  log "apt sources: KCONN_DEBIAN_MIRROR"
else
  host_sources | awk '!seen[$0]++' >"$WORK/sources.list"
  if [ -s "$WORK/sources.list" ]; then
    MIRRORS=("$WORK/sources.list")
    log "apt sources: host's apt sources for $SUITE"
  else
    log "apt sources: host has none for $SUITE; using mmdebstrap's default (deb.debian.org)"
  fi
fi
[ ${#MIRRORS[@]} -eq 0 ] || sed 's/^/    /' "$WORK/sources.list"

# Carry over the host's apt settings that decide whether the mirror is usable
# (proxy, snapshot Valid-Until handling, retries). They are removed from the
# image at the end.
APTOPTS=()
while IFS= read -r line; do
  APTOPTS+=("--aptopt=$line")
done < <(apt-config dump 2>/dev/null |
  grep -E '^Acquire::(Check-Valid-Until|Check-Date|Retries|https?::Proxy|ftp::Proxy) ' || true)

# ---------------------------------------------------------------- build
# Shared size trimming: no docs/man/locales, no apt lists, logs or caches.
COMMON=(
  --variant=minbase --mode=root --format=tar
  # merged-/usr via symlinks (as debootstrap does) instead of the usrmerge
  # package, which would drag full perl (~50 MB) into the image
  --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr
  "${APTOPTS[@]}"
  --dpkgopt='path-exclude=/usr/share/man/*'
  --dpkgopt='path-exclude=/usr/share/locale/*'
  --dpkgopt='path-include=/usr/share/locale/locale.alias'
  --dpkgopt='path-exclude=/usr/share/doc/*'
  --dpkgopt='path-include=/usr/share/doc/*/copyright'
  --dpkgopt='path-exclude=/usr/share/info/*'
  --dpkgopt='path-exclude=/usr/share/lintian/*'
)
CLEANUP_HOOK='rm -rf "$1"/etc/apt/apt.conf.d/99mmdebstrap "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/cache/debconf/*-old "$1"/var/log/apt/* "$1"/var/log/dpkg.log "$1"/var/log/alternatives.log "$1"/usr/share/doc-base; find "$1"/usr/lib/python3* -name __pycache__ -type d -prune -exec rm -rf {} + 2>/dev/null || true'
