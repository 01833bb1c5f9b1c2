#!/usr/bin/env bash
# `make down`: stops what `make up` started (data stays in .local/; `make clean` removes it).
source "$(dirname "$0")/lib.sh"
[[ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ]] && "$ROOT/deploy/kafka.sh" down
[[ -z "${DATABASE_URL:-}" ]] && "$ROOT/deploy/postgres.sh" down
exit 0
