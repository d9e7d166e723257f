#!/usr/bin/env bash
# Three deskreel nodes on one machine, sharing one PostgreSQL and one S3-compatible bucket (moto_server),
# behind haproxy on http://127.0.0.1:8080 — the layout of a real deployment, for trying it out.
# Needs: bun (or the repo's node_modules/.bin), PostgreSQL binaries (Debian: postgresql), haproxy,
# moto_server (pip install 'moto[server]'). Everything lives under $DESKREEL_LOCAL (default ./cluster-data);
# Ctrl-C stops it all.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
base=${DESKREEL_LOCAL:-$repo/cluster-data}
export PATH="$repo/node_modules/.bin:$PATH"
mkdir -p "$base"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

# PostgreSQL (runs as the postgres user when started as root: it refuses root).
pgbin=$(dirname "$(readlink -f "$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")")
as_pg() { if [ "$(id -u)" = 0 ]; then setpriv --reuid=postgres --regid=postgres --init-groups "$@"; else "$@"; fi; }
if [ ! -d "$base/pg" ]; then
  mkdir -p "$base/pg"; [ "$(id -u)" = 0 ] && chown postgres: "$base/pg"
  as_pg "$pgbin/initdb" -D "$base/pg" -U deskreel --auth=trust -E UTF8 --locale=C >/dev/null
fi
as_pg "$pgbin/postgres" -D "$base/pg" -p 55432 -k "$base/pg" -c listen_addresses=127.0.0.1 >"$base/pg.log" 2>&1 &
pids+=($!)

moto_server -H 127.0.0.1 -p 59000 >"$base/moto.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do curl -sf http://127.0.0.1:59000/moto-api/data.json >/dev/null && break; sleep 0.2; done
curl -sf -X PUT http://127.0.0.1:59000/deskreel >/dev/null || true   # the bucket
for _ in $(seq 50); do "$pgbin/pg_isready" -h 127.0.0.1 -p 55432 -q && break; sleep 0.2; done

secret=${DESKREEL_CLUSTER_SECRET:-$(head -c 32 /dev/urandom | base64 | tr -dc A-Za-z0-9 | head -c 40)}
admin=${DESKREEL_ADMIN_TOKEN:-$(head -c 32 /dev/urandom | base64 | tr -dc A-Za-z0-9 | head -c 40)}
for n in 1 2 3; do
  port=$((18080 + n))
  env DESKREEL_DATA="$base/node$n" PORT=$port DESKREEL_NODE_NAME=node$n DESKREEL_ADVERTISE_URL=http://127.0.0.1:$port \
    DESKREEL_CLUSTER_SECRET="$secret" DESKREEL_ADMIN_TOKEN="$admin" \
    DESKREEL_DATABASE_URL=postgres://deskreel@127.0.0.1:55432/postgres \
    DESKREEL_S3_BUCKET=deskreel DESKREEL_S3_ENDPOINT=http://127.0.0.1:59000 \
    DESKREEL_S3_ACCESS_KEY_ID=local DESKREEL_S3_SECRET_ACCESS_KEY=local \
    bun "$repo/src/main.ts" >"$base/node$n.log" 2>&1 &
  pids+=($!)
done

DESKREEL_LISTEN=127.0.0.1:8080 DESKREEL_NODE1=127.0.0.1:18081 DESKREEL_NODE2=127.0.0.1:18082 DESKREEL_NODE3=127.0.0.1:18083 \
  DESKREEL_HEALTH_TOKEN="$admin" haproxy -db -f "$here/haproxy.cfg" >"$base/haproxy.log" 2>&1 &
pids+=($!)

echo "deskreel cluster: http://127.0.0.1:8080 (nodes on 18081-18083, logs in $base)"
echo "admin API token: $admin"
wait -n "${pids[@]}"
echo "a process of the cluster stopped; see the logs in $base" >&2
