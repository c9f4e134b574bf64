#!/usr/bin/env bash
# Make sure Debian's Chromium is installed at /usr/bin/chromium (for the
# browser tests). Idempotent: does nothing if it already is.
set -euo pipefail

log() { echo "[ensure-chromium] $*"; }
die() { echo "[ensure-chromium] ERROR: $*" >&2; exit 1; }

if [ -x /usr/bin/chromium ]; then
  log "chromium present: $(/usr/bin/chromium --version 2>/dev/null || echo '/usr/bin/chromium')"
  exit 0
fi

[ "$(id -u)" = 0 ] || die "/usr/bin/chromium missing and not root: cannot apt-get install chromium"
export DEBIAN_FRONTEND=noninteractive
log "chromium missing; apt-get update"
apt-get update -q || die "apt-get update failed"
log "apt-get install -y chromium"
apt-get install -y -q chromium || die "apt-get install chromium failed"
[ -x /usr/bin/chromium ] || die "chromium installed but /usr/bin/chromium not found"
log "installed: $(/usr/bin/chromium --version 2>/dev/null || echo '/usr/bin/chromium')"
