#!/usr/bin/env bash
# `pnpm setup:test-deps`: installs what the tests need from outside npm, from Debian, when it is missing:
#   - the PostgreSQL server (package `postgresql`; the tests start their own throwaway cluster with initdb/pg_ctl),
#   - Chromium (package `chromium`, at /usr/bin/chromium; the docs page is tested in it).
# Idempotent: when both are there it only says so. The tests themselves never install anything; a test that finds
# one missing fails and names this command.
set -euo pipefail

have_postgres() { compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null && id -u postgres >/dev/null 2>&1; }
have_chromium() { [ -x /usr/bin/chromium ]; }

missing=()
have_postgres || missing+=(postgresql)
have_chromium || missing+=(chromium)

if [ ${#missing[@]} -eq 0 ]; then
  pg_bin=$(compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" | sort -V | tail -n 1)
  echo "setup:test-deps: nothing to install: PostgreSQL $("$pg_bin" --version | awk '{print $3}') and $(/usr/bin/chromium --version 2>/dev/null || echo Chromium) are present"
  exit 0
fi

echo "setup:test-deps: missing: ${missing[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup:test-deps: no apt-get here: install ${missing[*]} (PostgreSQL server binaries under /usr/lib/postgresql/<version>/bin, Chromium at /usr/bin/chromium) by hand" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "setup:test-deps: installing ${missing[*]} needs root: run \`sudo npx -y pnpm@10.34.9 setup:test-deps\`, or \`sudo apt-get update && sudo apt-get install -y ${missing[*]}\`" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Wait for a dpkg lock another installer holds instead of failing at once.
apt=(apt-get -o DPkg::Lock::Timeout=600)
if [[ " ${missing[*]} " == *" postgresql "* ]]; then
  # The tests start their own clusters: the package's default cluster (and its service) would only use memory.
  mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/no-main.conf
fi
started=$SECONDS
"${apt[@]}" update -q
if [[ " ${missing[*]} " == *" postgresql "* ]]; then
  "${apt[@]}" install -y -q --no-install-recommends postgresql
fi
if [[ " ${missing[*]} " == *" chromium "* ]]; then
  "${apt[@]}" install -y -q chromium
fi

have_postgres || { echo "setup:test-deps: postgresql was installed but no /usr/lib/postgresql/*/bin/pg_ctl (or no postgres user)" >&2; exit 1; }
have_chromium || { echo "setup:test-deps: chromium was installed but /usr/bin/chromium is missing" >&2; exit 1; }
echo "setup:test-deps: installed ${missing[*]} in $((SECONDS - started)) s"
