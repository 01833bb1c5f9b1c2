#!/usr/bin/env bash
# `make up`: the local stack on loopback, idempotent. Existing infrastructure named by
# KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL is used as it is: nothing local is started for it.
source "$(dirname "$0")/lib.sh"

if [[ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ]]; then
  say "using Kafka at $KAFKA_BOOTSTRAP_SERVERS (KAFKA_BOOTSTRAP_SERVERS is set)"
else
  "$ROOT/deploy/kafka.sh" up
fi
if [[ -n "${DATABASE_URL:-}" ]]; then
  say "using PostgreSQL at ${DATABASE_URL%%@*}@… (DATABASE_URL is set)"
else
  "$ROOT/deploy/postgres.sh" up
fi
"$ROOT/.venv/bin/python" -m shared.provision
"$ROOT/.venv/bin/python" -m reporting.install
