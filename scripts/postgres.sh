#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server on 127.0.0.1:${RIEC_TEST_PG_PORT:-55439} for the
# tests (registers and engine on PostgreSQL, as in production). Installs it when missing.
# Prints the SQLAlchemy URL of an empty database. Stop: scripts/postgres.sh stop
set -euo pipefail
port="${RIEC_TEST_PG_PORT:-55439}"
dir="${RIEC_TEST_PG_DIR:-/tmp/riec-test-pg}"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if [ "${1:-}" = "stop" ]; then
  [ -n "$bin" ] && [ -d "$dir" ] && as_pg "$bin/pg_ctl" -D "$dir" -m fast stop >/dev/null 2>&1 || true
  exit 0
fi

if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "PostgreSQL server is not installed (apt-get install postgresql)." >&2; exit 1; fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
fi

if ! as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
  rm -rf "$dir"
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  as_pg "$bin/initdb" -D "$dir" -A trust -U postgres -E UTF8 >/dev/null
  as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
fi
for db in riec_registers riec_engine; do
  "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qtAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 \
    || "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE $db" >/dev/null
done
echo "postgresql+psycopg://postgres@127.0.0.1:$port/riec_registers"
