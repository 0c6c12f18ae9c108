#!/usr/bin/env bash
# The PostgreSQL engine's figures (issue 12), in one command: bench/engine.sh
# Snapshot rows/s (binary COPY under the slot's exported snapshot) and apply changes/s (the pgoutput
# stream applied to the destination), PostgreSQL 15 to PostgreSQL 15 on this machine:
# - source: a second cluster of this machine, "mpsource" on port 5433, with wal_level = logical
#   (created on first use with pg_createcluster; trust authentication on 127.0.0.1);
# - destination and the service's own database: this machine's main cluster on 5432.
# The apply figures are measured on a backlog: the project is paused, the source writes, the project
# resumes, and the clock runs until the last change is applied. Not a test: nothing here fails a build.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
ROWS=${BENCH_ROWS:-2000000}
BULK=${BENCH_BULK_CHANGES:-200000}
SMALL_SECONDS=${BENCH_SMALL_SECONDS:-10}
PORT=${BENCH_PORT:-8089}
# Health and metrics answer on the management interface (port 9000 in production; README "Deployment").
MGMT_PORT=${BENCH_MANAGEMENT_PORT:-$((PORT + 1))}
SRC_PORT=${BENCH_SOURCE_PORT:-5433}
OUT=$ROOT/target/bench
mkdir -p "$OUT"
export PGHOST=127.0.0.1 PGUSER=postgres

VER=$(ls /etc/postgresql | sort -V | tail -n 1)
if ! pg_isready -h $PGHOST -q; then
  pg_ctlcluster --skip-systemctl-redirect "$VER" main start
  until pg_isready -h $PGHOST -q; do sleep 0.5; done
fi
if ! pg_lsclusters -h | awk '{print $2}' | grep -qx mpsource; then
  pg_createcluster "$VER" mpsource --port "$SRC_PORT" -- --auth-host=trust --auth-local=trust >/dev/null
  pg_conftool "$VER" mpsource set wal_level logical
  pg_conftool "$VER" mpsource set max_replication_slots 10
  pg_conftool "$VER" mpsource set max_wal_senders 10
fi
pg_ctlcluster --skip-systemctl-redirect "$VER" mpsource start 2>/dev/null || true
until pg_isready -h $PGHOST -p "$SRC_PORT" -q; do sleep 0.3; done
[ "$(psql -At -p "$SRC_PORT" -d postgres -c 'show wal_level')" = logical ] || { echo "mpsource: wal_level is not logical" >&2; exit 1; }

TABLE="create table public.orders (id bigint primary key, customer int not null, amount numeric(12,2),
       note text, placed_at timestamptz not null default now())"
psql -q -p "$SRC_PORT" -d postgres -c "drop database if exists bench_src with (force)" -c "create database bench_src"
psql -q -p "$SRC_PORT" -d bench_src -c "$TABLE" \
  -c "insert into orders (id, customer, amount, note) select g, g % 1000, g * 0.01, md5(g::text) from generate_series(1, $ROWS) g" \
  -c "vacuum analyze orders"
psql -q -d postgres -c "drop database if exists bench_dst with (force)" -c "create database bench_dst" \
     -c "drop database if exists mp_bench_engine with (force)" -c "create database mp_bench_engine"
psql -q -d bench_dst -c "$TABLE"

[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -q -B package -DskipTests
TOKEN=$(dev/token.sh admin bench 24)
QUARKUS_HTTP_PORT=$PORT QUARKUS_MANAGEMENT_PORT=$MGMT_PORT \
QUARKUS_DATASOURCE_REACTIVE_URL=postgresql://$PGHOST:5432/mp_bench_engine \
QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://$PGHOST:5432/mp_bench_engine \
QUARKUS_DATASOURCE_USERNAME=$PGUSER QUARKUS_DATASOURCE_PASSWORD= \
MIGRATION_ENGINE_POSTGRES_ENABLED=true \
MP_JWT_VERIFY_PUBLICKEY_LOCATION=file:$ROOT/dev/jwt/dev-public.pem MP_JWT_VERIFY_ISSUER=https://migration-plane.dev \
MIGRATION_SECRETS_KEY=$(openssl rand -base64 32) \
  java -jar target/quarkus-app/quarkus-run.jar > "$OUT/engine-app.log" 2>&1 &
APP=$!
trap 'kill $APP 2>/dev/null; wait $APP 2>/dev/null || true; pg_ctlcluster --skip-systemctl-redirect "$VER" mpsource stop' EXIT
until curl -sf -o /dev/null "http://127.0.0.1:$MGMT_PORT/q/health/ready" || curl -sf -o /dev/null "http://127.0.0.1:$PORT/q/health/ready"; do sleep 0.3; done

api() { curl -sf -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }
BASE=http://127.0.0.1:$PORT/api/v1/projects
progress() { api "$BASE/$ID/progress"; }
now() { date +%s.%N; }
changes() { progress | jq -r '.incrementalSync.changesApplied'; }
wait_changes() { # $1 = target, $2 = start, $3 = count before; prints "seconds-to-all seconds-to-first"
  local first=""
  while true; do
    local c; c=$(changes)
    [ -z "$first" ] && [ "$c" -gt "$3" ] && first=$(echo "$(now) - $2" | bc -l)
    [ "$c" -ge "$1" ] && break
    sleep 0.02
  done
  echo "$(echo "$(now) - $2" | bc -l) ${first:-0}"
}

ID=$(api -X POST "$BASE" -d @- <<EOF | jq -r .id
{"name": "bench-engine-$(date +%s)", "source": {"type": "POSTGRESQL", "host": "127.0.0.1", "port": $SRC_PORT,
  "database": "bench_src", "username": "postgres", "password": "unused"},
 "destination": {"type": "POSTGRESQL", "host": "127.0.0.1", "port": 5432, "database": "bench_dst",
  "username": "postgres", "password": "unused"},
 "migrationTypes": ["FULL_MIGRATION", "INCREMENTAL_SYNC"],
 "objects": [{"schema": "public", "table": "orders", "rows": $ROWS}]}
EOF
)
api -X POST "$BASE/$ID/start" >/dev/null
until [ "$(progress | jq -r '.steps[] | select(.name == "INCREMENTAL_SYNC") | .status')" = MONITORING ]; do sleep 0.1; done
SNAPSHOT=$(progress | jq -r '.steps[] | select(.name == "FULL_MIGRATION") | "\(.startedAt) \(.finishedAt)"')
SNAP_S=$(echo "$(date -d "${SNAPSHOT#* }" +%s.%N) - $(date -d "${SNAPSHOT% *}" +%s.%N)" | bc -l)
COPY_LINE=$(grep -o 'copied [0-9]* rows in [0-9.]* s ([0-9]* rows/s)' "$OUT/engine-app.log" | tail -n 1)

# Backlog 1: one source transaction of $BULK updates.
api -X POST "$BASE/$ID/pause" >/dev/null
C0=$(changes)
psql -q -p "$SRC_PORT" -d bench_src -c "update orders set amount = amount + 1 where id <= $BULK"
T0=$(now); api -X POST "$BASE/$ID/resume" >/dev/null
read -r BULK_S BULK_FIRST <<< "$(wait_changes $((C0 + BULK)) "$T0" "$C0")"

# Backlog 2: small transactions (pgbench, 4 clients, one update each) for $SMALL_SECONDS s.
api -X POST "$BASE/$ID/pause" >/dev/null
C1=$(changes)
echo "\\set id random(1, $ROWS)
update orders set amount = amount + 1 where id = :id;" > "$OUT/engine-update.sql"
SMALL=$(pgbench -n -p "$SRC_PORT" -c 4 -j 4 -T "$SMALL_SECONDS" -f "$OUT/engine-update.sql" bench_src 2>/dev/null \
        | sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p')
T1=$(now); api -X POST "$BASE/$ID/resume" >/dev/null
read -r SMALL_S SMALL_FIRST <<< "$(wait_changes $((C1 + SMALL)) "$T1" "$C1")"

# Same rows on both sides, then release: nothing of the project left on the source.
SRC_SUM=$(psql -At -p "$SRC_PORT" -d bench_src -c "select count(*) || ':' || sum(amount) from orders")
until [ "$(psql -At -d bench_dst -c "select count(*) || ':' || sum(amount) from orders")" = "$SRC_SUM" ]; do sleep 0.2; done
api -X POST "$BASE/$ID/pause" >/dev/null
api -X POST "$BASE/$ID/release" >/dev/null
until [ "$(api "$BASE/$ID" | jq -r .status)" = RELEASED ]; do sleep 0.2; done
LEFT=$(psql -At -p "$SRC_PORT" -d bench_src -c "select count(*) from pg_replication_slots")

printf '\n%-44s %s\n' "PostgreSQL engine, $ROWS rows" "figure"
printf '%-44s %.0f rows/s (%s)\n' "snapshot (FULL_MIGRATION step)" "$(echo "$ROWS / $SNAP_S" | bc -l)" "$COPY_LINE"
printf '%-44s %.0f changes/s (%d in %.2f s from resume; first applied after %.2f s)\n' \
  "apply, one transaction of $BULK updates" "$(echo "$BULK / $BULK_S" | bc -l)" "$BULK" "$BULK_S" "$BULK_FIRST"
printf '%-44s %.0f changes/s (%d in %.2f s from resume; first applied after %.2f s)\n' \
  "apply, $SMALL one-update transactions" "$(echo "$SMALL / $SMALL_S" | bc -l)" "$SMALL" "$SMALL_S" "$SMALL_FIRST"
printf '%-44s %s\n' "source == destination (count:sum)" "$SRC_SUM"
printf '%-44s %s\n' "replication slots left after release" "$LEFT"
