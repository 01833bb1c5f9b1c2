#!/usr/bin/env bash
# A private PostgreSQL cluster for Relais on loopback, one schema and one role per service.
# usage: deploy/postgres.sh up|down|status
source "$(dirname "$0")/lib.sh"

PGDIR="$LOCAL/pg"
SERVICES=(intake routing advisory admin)
# Schemas with a role of their own: the services', and the key store of the members' keys
# (shared/keys.py), which every service reaches as relais_keystore.
SCHEMAS=("${SERVICES[@]}" keystore)

as_pg() {
  # initdb refuses root: as root the cluster belongs to the 'postgres' system user.
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

data_dir() {
  # The postgres user must reach the data directory; a clone under a private root-only folder
  # cannot host it, so the cluster then lives in /tmp, keyed by the clone's path.
  if [[ $(id -u) -eq 0 ]] && ! runuser -u postgres -- test -x "$ROOT"; then
    echo "/tmp/relais-pg-$(echo "$ROOT" | sha256sum | cut -c1-12)"
  else
    echo "$PGDIR/data"
  fi
}

DATA="$(data_dir)"
SOCK="$(dirname "$DATA")/run"
LOG="$(dirname "$DATA")/postgres.log"

running() { [[ -f "$DATA/postmaster.pid" ]] && as_pg "$PG_BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

psql_su() { as_pg "$PG_BIN/psql" -h "$SOCK" -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

init_cluster() {
  [[ -x "$PG_BIN/initdb" && -x "$PG_BIN/pg_ctl" ]] \
    || die "missing prerequisite PostgreSQL $PG_VERSION server binaries ($PG_BIN): apt-get install -y postgresql-$PG_VERSION"
  [[ -f "$DATA/PG_VERSION" ]] && return 0
  say "creating the PostgreSQL cluster in $DATA"
  mkdir -p "$(dirname "$DATA")" "$SOCK"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$(dirname "$DATA")" "$SOCK"
  # Local socket: trust (only the cluster's owner can reach it). TCP: passwords.
  as_pg "$PG_BIN/initdb" -D "$DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >/dev/null || die "initdb failed"
  cat >>"$DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$SOCK'
max_connections = 200
shared_buffers = 256MB
wal_buffers = 16MB
max_wal_size = 2GB
CONF
}

provision() {
  # Idempotent: one database, one role and one schema per service, a BI reader (relais_bi).
  psql_su -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname='relais'" | grep -q 1 \
    || psql_su -d postgres -c "CREATE ROLE relais LOGIN PASSWORD 'relais'"
  psql_su -d postgres -c "SELECT 1 FROM pg_database WHERE datname='relais'" | grep -q 1 \
    || psql_su -d postgres -c "CREATE DATABASE relais OWNER relais"
  for s in "${SCHEMAS[@]}"; do
    psql_su -d relais <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'relais_$s') THEN
    CREATE ROLE relais_$s LOGIN PASSWORD 'relais_$s';
  END IF;
END \$\$;
CREATE SCHEMA IF NOT EXISTS $s AUTHORIZATION relais_$s;
ALTER ROLE relais_$s SET search_path = $s;
GRANT relais_$s TO relais;
SQL
  done
  # BI tools read the views of schema bi (reporting/install.py) as relais_bi, and nothing else.
  psql_su -d relais <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'relais_bi') THEN
    CREATE ROLE relais_bi LOGIN PASSWORD 'relais_bi';
  END IF;
END \$\$;
ALTER ROLE relais_bi SET default_transaction_read_only = on;
CREATE SCHEMA IF NOT EXISTS bi AUTHORIZATION relais;
SQL
}

up() {
  init_cluster
  if running; then
    say "PostgreSQL already running on 127.0.0.1:$PG_PORT"
  else
    say "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    mkdir -p "$SOCK" && [[ $(id -u) -eq 0 ]] && chown postgres: "$SOCK"
    as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >/dev/null || { tail -20 "$LOG"; die "PostgreSQL did not start"; }
  fi
  wait_for 30 "PostgreSQL" psql_su -d postgres -c "SELECT 1"
  provision
}

down() {
  running || { say "PostgreSQL is not running"; return 0; }
  as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
  say "PostgreSQL stopped"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) running && echo "postgres: running ($DATA)" || echo "postgres: stopped" ;;
  *) die "usage: $0 up|down|status" ;;
esac
