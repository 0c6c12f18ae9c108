#!/usr/bin/env bash
# The benchmark of issue 4, in one command: bench/run.sh
# Starts PostgreSQL (this machine's cluster), the packaged service in prod mode, seeds 100,000
# projects, drives load from separate processes (wrk, a Java client), runs pgbench -S as the
# reference in the same run, and prints one table. Not a test: nothing here can fail a build.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DUR=${BENCH_SECONDS:-20}
WARM=${BENCH_WARMUP_SECONDS:-15}
PORT=${BENCH_PORT:-8089}
# Health and metrics answer on the management interface (port 9000 in production; README "Deployment").
MGMT_PORT=${BENCH_MANAGEMENT_PORT:-$((PORT + 1))}
PGHOST=127.0.0.1
PGUSER=postgres
OUT=$ROOT/target/bench
mkdir -p "$OUT"
export PGHOST PGUSER

command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
command -v pgbench >/dev/null || apt-get install -y postgresql-contrib >/dev/null
if ! pg_isready -h $PGHOST -q; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start
  until pg_isready -h $PGHOST -q; do sleep 0.5; done
fi
[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -q -B package -DskipTests
# The class-data sharing archive, made as docker/Dockerfile.jvm makes it (and for the jar as it is now).
(cd target/quarkus-app && rm -f app-cds.jsa && { java -XX:ArchiveClassesAtExit=app-cds.jsa -Dquarkus.appcds.generate=true \
   -jar quarkus-run.jar >/dev/null 2>&1 || true; } && test -s app-cds.jsa)

# Production PostgreSQL runs autovacuum; this machine's cluster has it off. Without it, 2,000 workers
# checkpointing twice a second leave dead row versions and stale statistics that no real deployment
# would keep, so the run turns it on (and puts the setting back when it ends).
AUTOVACUUM=$(psql -At -d postgres -c "show autovacuum")
if [ "$AUTOVACUUM" = off ]; then
  psql -q -d postgres -c "alter system set autovacuum = on" -c "select pg_reload_conf()" >/dev/null
  trap 'psql -q -d postgres -c "alter system reset autovacuum" -c "select pg_reload_conf()" >/dev/null' EXIT
fi

psql -q -d postgres -c "drop database if exists mp_bench with (force)" -c "create database mp_bench" \
     -c "drop database if exists mp_pgbench with (force)" -c "create database mp_pgbench"
pgbench -i -q -s 20 mp_pgbench >/dev/null 2>&1

# Access control is on (prod profile): every request carries an admin token signed with the dev key,
# which this run (only) configures the service to trust.
export BENCH_TOKEN=$(dev/token.sh admin bench 24)
SECRETS_KEY=$(openssl rand -base64 32)

# The JVM options of the image (docker/Dockerfile.jvm), so that the figures are the deployment's. The image
# sizes the heap from the container's memory limit (-XX:MaxRAMPercentage=25); run here, outside a container,
# that would be a quarter of this machine's RAM (~6 GiB of 24 GiB), so the bench adds -XX:MaxRAM=512m, the
# Deployment's limit: the heap is then 128 MiB as in the pod (runs before the change had a fixed -Xmx112m),
# and the figures stay comparable with the earlier ones.
image_java_opts() { echo "$(sed -n 's/^ENV JAVA_OPTS="\(.*\)"$/\1/p' docker/Dockerfile.jvm) -XX:MaxRAM=512m"; }

APP_PID=
start_app() { # $1 = workers enabled (true/false); sets APP_PID and STARTUP_MS
  local t0; t0=$(date +%s%N)
  QUARKUS_HTTP_PORT=$PORT QUARKUS_MANAGEMENT_PORT=$MGMT_PORT \
  QUARKUS_DATASOURCE_REACTIVE_URL=postgresql://$PGHOST:5432/mp_bench \
  QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://$PGHOST:5432/mp_bench \
  QUARKUS_DATASOURCE_USERNAME=$PGUSER QUARKUS_DATASOURCE_PASSWORD= \
  MIGRATION_WORKER_ENABLED=$1 \
  MP_JWT_VERIFY_PUBLICKEY_LOCATION=file:$ROOT/dev/jwt/dev-public.pem MP_JWT_VERIFY_ISSUER=https://migration-plane.dev \
  MIGRATION_SECRETS_KEY=$SECRETS_KEY \
  MALLOC_ARENA_MAX=2 bash -c "cd target/quarkus-app && exec java ${BENCH_JAVA_OPTS:-$(image_java_opts)} -jar quarkus-run.jar" > "$OUT/app-$1.log" 2>&1 &
  APP_PID=$!
  # (a build from before the management interface answers on the API port: either will do)
  until curl -sf -o /dev/null http://127.0.0.1:$MGMT_PORT/q/health/ready || curl -sf -o /dev/null http://127.0.0.1:$PORT/q/health/ready; do
    kill -0 $APP_PID 2>/dev/null || { echo "the service died; see $OUT/app-$1.log" >&2; exit 1; }
    sleep 0.02
  done
  STARTUP_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
}
stop_app() { kill $APP_PID; wait $APP_PID 2>/dev/null || true; }
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' /proc/$APP_PID/status; }
cpu_ticks() { awk '{print $14 + $15}' /proc/$APP_PID/stat; }
wrk_run() { # name connections script url -> RESULT line
  cat "bench/$3" bench/report.lua > "$OUT/$1.lua"
  wrk -t2 -c$2 -d${WARM}s -s "$OUT/$1.lua" "$4" >/dev/null 2>&1 || true
  local c0; c0=$(cpu_ticks)
  wrk -t2 -c$2 -d${DUR}s --timeout 5s -s "$OUT/$1.lua" "$4" > "$OUT/$1.txt" 2>&1
  local c1; c1=$(cpu_ticks)
  echo "$(grep RESULT "$OUT/$1.txt") cpu_pct=$(( (c1 - c0) * 100 / (DUR * $(getconf CLK_TCK)) * 100 / 100 ))"
}
field() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k {print $2}'; }

echo "== Phase A: API alone (workers off), 100,000 projects"
start_app false
FIRST_STARTUP_MS=$STARTUP_MS
RSS_IDLE=$(rss_mb)
psql -q -d mp_bench -f bench/seed.sql
psql -At -d mp_bench -c "select id from project where status <> 'RUNNING' order by name limit 10000" > "$OUT/ids.txt"
export BENCH_IDS=$OUT/ids.txt BENCH_PAGES=40

PG=$(pgbench -S -M prepared -c 64 -j 2 -T $DUR mp_pgbench 2>/dev/null | awk '/^tps/ {print $3; exit}')
S1=$(wrk_run get 64 get.lua http://127.0.0.1:$PORT)
S2=$(wrk_run list 64 list.lua http://127.0.0.1:$PORT)
S3=$(wrk_run create 16 create.lua http://127.0.0.1:$PORT)
stop_app

echo "== Phase B: 2,000 RUNNING projects whose workers advance"
start_app true
until [ "$(psql -At -d mp_bench -c "select count(*) from project_runtime where lease_token is not null")" -ge 2000 ]; do sleep 0.5; done
c0=$(cpu_ticks); sleep $DUR; c1=$(cpu_ticks)
WORKER_CPU=$(( (c1 - c0) * 100 / (DUR * $(getconf CLK_TCK)) ))
S5=$(wrk_run get-while-running 64 get.lua http://127.0.0.1:$PORT)
java bench/Lifecycle.java http://127.0.0.1:$PORT 16 $WARM >/dev/null  # warm-up, as for the wrk scenarios
S4=$(java bench/Lifecycle.java http://127.0.0.1:$PORT 16 $DUR | grep RESULT)
RSS_AFTER=$(rss_mb)
stop_app

S1_RPS=$(field "$S1" rps)
ratio() { awk -v a="$1" -v b="$PG" 'BEGIN {printf "%.2f", a / b}'; }
{
echo
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB; load before run: $(cut -d' ' -f1-3 /proc/loadavg); $DUR s per scenario after ${WARM} s warm-up"
echo
echo "| scenario | req/s | p50 ms | p99 ms | errors | notes |"
echo "|---|---|---|---|---|---|"
echo "| pgbench -S -M prepared -c 64 -j 2 (floor) | ${PG%.*} | | | | reference |"
echo "| 1 GET project by id, 64 conn | $S1_RPS | $(field "$S1" p50_ms) | $(field "$S1" p99_ms) | $(field "$S1" non2xx)/$(field "$S1" socket_errors) | **$(ratio $S1_RPS) × pgbench** (TFB Quarkus HR: 0.47 ×, raw PG client: 0.80 ×); service CPU $(field "$S1" cpu_pct)% |"
echo "| 2 list RUNNING, 100k projects, 64 conn | $(field "$S2" rps) | $(field "$S2" p50_ms) | $(field "$S2" p99_ms) | $(field "$S2" non2xx)/$(field "$S2" socket_errors) | size=50, random page |"
echo "| 3 create, 16 conn | $(field "$S3" rps) | $(field "$S3" p50_ms) | $(field "$S3" p99_ms) | $(field "$S3" non2xx)/$(field "$S3" socket_errors) | |"
echo "| 4 lifecycle create→start→pause→release→delete, 16 clients | $(field "$S4" requests_per_s) | | | $(field "$S4" errors) | release to RELEASED p50 $(field "$S4" release_p50_ms) ms, p99 $(field "$S4" release_p99_ms) ms ($(field "$S4" released_at_once_pct)% RELEASED in the release response); $(field "$S4" cycles_per_s) cycles/s |"
echo "| 5 scenario 1 while 2,000 projects run | $(field "$S5" rps) | $(field "$S5" p50_ms) | $(field "$S5" p99_ms) | $(field "$S5" non2xx)/$(field "$S5" socket_errors) | workers alone: ${WORKER_CPU}% of one core |"
echo "| 6 start-up to ready | | | | | ${FIRST_STARTUP_MS} ms (second start ${STARTUP_MS} ms); RSS idle ${RSS_IDLE} MB, after the runs ${RSS_AFTER} MB |"
} | tee "$OUT/results.md"
