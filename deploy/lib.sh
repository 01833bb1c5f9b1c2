# Shared helpers for the local stack scripts: where things live and how to report.
# Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# RELAIS_LOCAL: the stack of another checkout (a git worktree sharing the main one's stack).
LOCAL="${RELAIS_LOCAL:-$ROOT/.local}"
KAFKA_PORT="${RELAIS_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${RELAIS_KAFKA_CONTROLLER_PORT:-19093}"
PG_PORT="${RELAIS_PG_PORT:-15432}"
PG_VERSION="${RELAIS_PG_VERSION:-15}"
PG_BIN="/usr/lib/postgresql/$PG_VERSION/bin"
# The broker's heap is bounded: the machine has 2 cores and also runs PostgreSQL and four services.
KAFKA_HEAP="${RELAIS_KAFKA_HEAP:--Xms256m -Xmx512m}"
# Maven's repository and the copied jars live outside the clone so a second fresh clone is fast.
CACHE="${RELAIS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/relais}"

say() { printf '\033[1;34m[stack]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[stack] %s\033[0m\n' "$*" >&2; exit 1; }

need() {
  # need <command> <how to install>
  command -v "$1" >/dev/null 2>&1 || die "missing prerequisite '$1': $2"
}

wait_for() {
  # wait_for <seconds> <description> <command...>: polls until the command succeeds.
  local deadline=$((SECONDS + $1)) what="$2"
  shift 2
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.3
  done
  say "$what is ready"
}
