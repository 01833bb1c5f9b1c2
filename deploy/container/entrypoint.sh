#!/bin/sh
# The image's one entry point: which Relais process to run, from the first argument or
# RELAIS_SERVICE (Dockerfile, compose.yaml, deploy/k8s).
set -eu
what="${1:-$RELAIS_SERVICE}"
[ "$#" -gt 0 ] && shift
case "$what" in
  intake | routing | advisory | admin | console)
    exec python -m "services.$what" "$@" ;;
  # Topics (and, with RELAIS_KAFKA_* of the ops principal, users' ACLs): idempotent.
  provision)
    exec python -m shared.provision "$@" ;;
  # The BI views over the services' projections (after the services migrated): idempotent.
  reporting-install)
    exec python -m reporting.install "$@" ;;
  relais)
    exec python -m relais_cli.main "$@" ;;
  *)
    echo "unknown process '$what': intake, routing, advisory, admin, console, provision, reporting-install or relais" >&2
    exit 64 ;;
esac
