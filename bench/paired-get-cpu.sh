#!/usr/bin/env bash
# Paired comparison of two builds' CPU per GET by id, for a VM too noisy for whole bench runs to tell
# a few per cent apart: both builds run at once on the database bench/run.sh seeded (mp_bench, workers
# off), wrk alternates between them in short bursts, and each build's CPU time (/proc/PID/stat) is
# divided by the requests it served. Usage: bench/paired-get-cpu.sh OLD_CHECKOUT NEW_CHECKOUT [ROUNDS]
# (each checkout packaged: target/quarkus-app). Not a test: nothing here can fail a build.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${3:-8}
OUT=$ROOT/target/bench-paired; mkdir -p "$OUT"
psql -h 127.0.0.1 -U postgres -At -d mp_bench -c "select id from project order by random() limit 2000" > "$OUT/ids.txt"
export BENCH_IDS=$OUT/ids.txt
export BENCH_TOKEN=$("$ROOT/dev/token.sh" admin bench 24 | tail -n 1)
KEY=$(openssl rand -base64 32); TCK=$(getconf CLK_TCK)
DIRS=("$1" "$2"); PORTS=(8091 8092); PIDS=(); CPU=(0 0); REQ=(0 0)
trap 'kill "${PIDS[@]}" 2>/dev/null || true' EXIT
for i in 0 1; do
  opts=$(sed -n 's/^ENV JAVA_OPTS="\(.*\)"$/\1/p' "${DIRS[$i]}/docker/Dockerfile.jvm")
  (cd "${DIRS[$i]}/target/quarkus-app" && QUARKUS_HTTP_PORT=${PORTS[$i]} QUARKUS_MANAGEMENT_PORT=$((PORTS[$i] + 10)) \
    QUARKUS_DATASOURCE_REACTIVE_URL=postgresql://127.0.0.1:5432/mp_bench QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/mp_bench \
    QUARKUS_DATASOURCE_USERNAME=postgres MIGRATION_WORKER_ENABLED=false \
    MP_JWT_VERIFY_PUBLICKEY_LOCATION=file:$ROOT/dev/jwt/dev-public.pem MP_JWT_VERIFY_ISSUER=https://migration-plane.dev \
    MIGRATION_SECRETS_KEY=$KEY MALLOC_ARENA_MAX=2 exec java $opts -jar quarkus-run.jar > "$OUT/app-$i.log" 2>&1) &
  PIDS+=($!)
  until curl -sf -o /dev/null "localhost:$((PORTS[$i] + 10))/q/health/ready" || curl -sf -o /dev/null "localhost:${PORTS[$i]}/q/health/ready"; do sleep 0.5; done
  wrk -t2 -c64 -d15s -s "$ROOT/bench/get.lua" "http://127.0.0.1:${PORTS[$i]}" >/dev/null 2>&1  # warm-up
done
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
for round in $(seq 1 "$ROUNDS"); do
  for i in 0 1; do
    t0=$(cpu "${PIDS[$i]}")
    reqs=$(wrk -t2 -c64 -d6s -s "$ROOT/bench/get.lua" "http://127.0.0.1:${PORTS[$i]}" 2>&1 | awk '/requests in/ {print $1}')
    t1=$(cpu "${PIDS[$i]}")
    CPU[$i]=$(( CPU[i] + t1 - t0 )); REQ[$i]=$(( REQ[i] + reqs ))
    echo "${DIRS[$i]} round $round: $reqs requests, $(( (t1 - t0) * 1000000 / TCK / reqs )) µs CPU each"
  done
done
for i in 0 1; do echo "TOTAL ${DIRS[$i]}: ${REQ[$i]} requests, $(( CPU[i] * 1000000 / TCK / REQ[i] )) µs CPU per GET"; done
