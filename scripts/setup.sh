#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine and makes sure PostgreSQL runs.
# Safe to run again: it installs only what is missing.
set -euo pipefail

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need_apt+=(fonts-wqy-microhei)
# The certificate's serif (宋体-style) faces, embedded as subsets (Arphic Public License).
[ -e /usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf ] || need_apt+=(fonts-arphic-gbsn00lp)
[ -e /usr/share/fonts/truetype/arphic/uming.ttc ] || need_apt+=(fonts-arphic-uming)
command -v zbarimg >/dev/null 2>&1 || need_apt+=(zbar-tools)  # the 100 dpi QR test
command -v psql >/dev/null 2>&1 || need_apt+=(postgresql-client)
command -v pg_dump >/dev/null 2>&1 || need_apt+=(postgresql-client)  # erjian backup / the restore drill
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3 python3-pip)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)  # scripts/schemathesis.sh waits for the demo server

if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# A third-party OFD parser for the certificate tests.
if ! python3 -c "import ofdkit" >/dev/null 2>&1; then
  echo "setup: installing the ofdkit OFD parser (PyPI)"
  python3 -m pip install --quiet --disable-pip-version-check ofdkit 2>/dev/null \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages ofdkit
fi

# schemathesis checks the generated OpenAPI document against a demo server (scripts/schemathesis.sh).
if ! python3 -c "import schemathesis" >/dev/null 2>&1; then
  echo "setup: installing schemathesis (PyPI)"
  python3 -m pip install --quiet --disable-pip-version-check schemathesis 2>/dev/null \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages schemathesis
fi

# PostgreSQL for the storage tests: 127.0.0.1:5432, trust auth, database `test`. A machine without
# a server gets Debian's, started here, with trust for loopback and the `test` database created.
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
    echo "setup: installing the PostgreSQL server"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  fi
  ver="$(ls /etc/postgresql | sort -V | tail -n1)"
  hba="/etc/postgresql/$ver/main/pg_hba.conf"
  if [ -f "$hba" ] && ! grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
    echo "setup: PostgreSQL trusts loopback (test machine only)"
    $SUDO sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\nlocal all all trust' "$hba"
  fi
  echo "setup: starting PostgreSQL $ver"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>/dev/null \
    || $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main reload 2>/dev/null || true
fi
for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && break; sleep 1; done
pg_isready -h 127.0.0.1 -p 5432 || { echo "setup: PostgreSQL is not reachable on 127.0.0.1:5432 (set ERJIAN_TEST_PG)"; exit 1; }
me="$(id -un)"
psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname='$me'" 2>/dev/null | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE ROLE \"$me\" SUPERUSER LOGIN" 2>/dev/null || true
psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" 2>/dev/null | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE test OWNER \"$me\"" 2>/dev/null || true
echo "setup: ok"
