#!/usr/bin/env bash
# Start Debian's PostgreSQL cluster and give incidex a role and a test database (as root).
# Idempotent: safe to run again. The tests then use
#   INCIDEX_TEST_PG=postgresql://incidex:incidex@localhost/incidex_test
set -euo pipefail
read -r version cluster _ < <(pg_lsclusters --no-header | head -n 1) || true
if [[ -z "${version:-}" ]]; then
    version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
    cluster=main
    pg_createcluster "$version" "$cluster"
fi
pg_ctlcluster "$version" "$cluster" start 2>/dev/null || true  # already running is fine
for _ in $(seq 30); do
    runuser -u postgres -- pg_isready -q && break
    sleep 1
done
psql_admin() { runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qAt "$@"; }
if [[ -z "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = 'incidex'")" ]]; then
    psql_admin -c "CREATE ROLE incidex LOGIN PASSWORD 'incidex'"
fi
if [[ -z "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = 'incidex_test'")" ]]; then
    psql_admin -c "CREATE DATABASE incidex_test OWNER incidex"
fi
echo "== postgresql $version/$cluster running; test database incidex_test"
