#!/usr/bin/env bash
# Make sure the native PostgreSQL 15 server on 127.0.0.1:5432 has the pgvector
# extension (`vector`) available. Idempotent: does nothing if it already is.
#
# Debian bookworm only ships pgvector 0.4, so when it is missing we fetch the
# pgvector 0.8.x *source* package from Debian trixie (deb-src only; no trixie
# binary packages are ever installed) and build it against the local server.
set -euo pipefail

PG_MAJOR=15
PG_CONFIG=/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config
PG_HOST=127.0.0.1
PG_PORT=5432
SRC_LIST=/etc/apt/sources.list.d/inkwell-trixie-src.list
export DEBIAN_FRONTEND=noninteractive

log() { echo "[ensure-pgvector] $*"; }
die() { echo "[ensure-pgvector] ERROR: $*" >&2; exit 1; }

psql_q() { psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -tAc "$1"; }

# --- 1. server running? -------------------------------------------------------
if ! pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; then
  log "PostgreSQL not answering on $PG_HOST:$PG_PORT; starting cluster $PG_MAJOR/main"
  pg_ctlcluster --skip-systemctl-redirect "$PG_MAJOR" main start \
    || die "could not start PostgreSQL $PG_MAJOR/main (pg_ctlcluster failed)"
  for _ in $(seq 1 30); do
    pg_isready -q -h "$PG_HOST" -p "$PG_PORT" && break
    sleep 1
  done
  pg_isready -q -h "$PG_HOST" -p "$PG_PORT" || die "PostgreSQL did not come up on $PG_HOST:$PG_PORT"
fi

vector_available() { [ "$(psql_q "select 1 from pg_available_extensions where name='vector'")" = "1" ]; }

if vector_available; then
  log "pgvector already available: $(psql_q "select default_version from pg_available_extensions where name='vector'")"
  exit 0
fi

log "pgvector not available; building it from Debian trixie source"
[ "$(id -u)" = 0 ] || die "must run as root to install build deps and the extension"

# --- 2. deb-src for trixie, on the mirror this machine already uses -------------
find_mirror() {
  if [ -n "${INKWELL_DEBIAN_MIRROR:-}" ]; then echo "$INKWELL_DEBIAN_MIRROR"; return; fi
  local files=() f
  [ -f /etc/apt/sources.list ] && files+=(/etc/apt/sources.list)
  for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && [ "$f" != "$SRC_LIST" ] && files+=("$f")
  done
  [ ${#files[@]} -gt 0 ] || return 0
  # one-line format: deb [opts] URI suite comps ; deb822: URIs: a b c
  {
    awk '$1=="deb" || $1=="deb-src" { for (i=2;i<=NF;i++) if ($i ~ /^[a-z+]+:\/\//) { print $i; break } }' "${files[@]}"
    awk 'tolower($1)=="uris:" { for (i=2;i<=NF;i++) print $i }' "${files[@]}"
  } | grep -E '/debian/?$' | head -n1 | sed 's:/*$::'
}
MIRROR="$(find_mirror)"
[ -n "$MIRROR" ] || die "could not find the Debian archive mirror in /etc/apt/sources.list*; set INKWELL_DEBIAN_MIRROR"

SIGNED_BY=""
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] && SIGNED_BY="[signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
SRC_LINE="deb-src ${SIGNED_BY}${MIRROR} trixie main"
if [ "$(cat "$SRC_LIST" 2>/dev/null || true)" != "$SRC_LINE" ]; then
  log "writing $SRC_LIST: $SRC_LINE"
  echo "$SRC_LINE" > "$SRC_LIST"
else
  log "$SRC_LIST already present"
fi

log "apt-get update"
apt-get update -q || die "apt-get update failed"

log "installing build dependencies (postgresql-server-dev-$PG_MAJOR build-essential dpkg-dev)"
apt-get install -y -q --no-install-recommends --no-upgrade \
  "postgresql-server-dev-$PG_MAJOR" build-essential dpkg-dev ca-certificates \
  || die "apt-get install of build dependencies failed"
[ -x "$PG_CONFIG" ] || die "$PG_CONFIG not found after installing postgresql-server-dev-$PG_MAJOR"

# --- 3. fetch and build -------------------------------------------------------
WORK="$(mktemp -d /tmp/inkwell-pgvector.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
log "apt-get source pgvector/trixie (in $WORK)"
apt-get source -q pgvector/trixie || die "apt-get source pgvector/trixie failed"

SRC_DIR="$(find "$WORK" -mindepth 1 -maxdepth 1 -type d -name 'pgvector-*' | head -n1)"
[ -n "$SRC_DIR" ] || die "no pgvector-* source directory after apt-get source"
VERSION="${SRC_DIR##*/pgvector-}"
case "$VERSION" in
  0.8.*) log "got pgvector $VERSION" ;;
  *) die "expected pgvector 0.8.x from trixie, got '$VERSION'" ;;
esac

cd "$SRC_DIR"
# OPTFLAGS="" : no -march=native, like Debian's own build (portable binary).
log "make (PG_CONFIG=$PG_CONFIG)"
start=$(date +%s)
make -j"$(nproc)" PG_CONFIG="$PG_CONFIG" OPTFLAGS="" >"$WORK/build.log" 2>&1 \
  || { tail -n 40 "$WORK/build.log" >&2; die "pgvector build failed"; }
log "make install"
make install PG_CONFIG="$PG_CONFIG" OPTFLAGS="" >>"$WORK/build.log" 2>&1 \
  || { tail -n 40 "$WORK/build.log" >&2; die "pgvector make install failed"; }
log "built and installed in $(( $(date +%s) - start ))s"

# --- 4. verify ----------------------------------------------------------------
vector_available || die "pgvector installed but 'vector' still not in pg_available_extensions"
log "pgvector available: $(psql_q "select default_version from pg_available_extensions where name='vector'")"
