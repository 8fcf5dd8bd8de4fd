#!/usr/bin/env bash
# The production layout on one machine, on loopback ports:
#
#   reader → Varnish (front cache, xkey purges) → HAProxy → app servers (gunicorn) × N
#                                                              ↘ PostgreSQL, Redis, S3 (moto)
#   task worker (db_worker) → PostgreSQL, Redis, S3
#
#   deploy/local-cluster.sh start          start everything (and load the demo once)
#   deploy/local-cluster.sh stop           stop everything it started
#   deploy/local-cluster.sh status         what runs, on which port
#   deploy/local-cluster.sh stop-app N [SIGNAL]   stop app server N (default TERM: graceful)
#   deploy/local-cluster.sh start-app N    start app server N again
#   deploy/local-cluster.sh env            the environment the app processes run with
#
# Settings (environment):
#   NEWSROOM_CLUSTER_DIR   state: configs, logs, pid files, static files (/tmp/newsroom-cluster)
#   NEWSROOM_CLUSTER_PORT  first port (8800): Varnish PORT, HAProxy PORT+1, Redis PORT+2,
#                          S3 PORT+3, Varnish's admin PORT+4, PostgreSQL PORT+5 (own only),
#                          app server N at PORT+10+N
#   NEWSROOM_CLUSTER_APPS  how many app servers (2)
#   NEWSROOM_CLUSTER_GUNICORN_WORKERS  processes per app server (2)
#   NEWSROOM_CLUSTER_DEMO  1 (default): load the demo content into an empty database
#   DATABASE_URL           the database (default: newsroom_cluster on the PostgreSQL at
#                          127.0.0.1:5432, created if missing; with none there, one of its own)
#   REDIS_URL              the cache (default: a Redis server of its own on PORT+2)
#   NEWSROOM_CLUSTER_S3    1 (default): media in S3 on moto's server at PORT+3; 0: local disk
#   PYTHON                 the virtualenv's python (.venv/bin/python)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="${NEWSROOM_CLUSTER_DIR:-/tmp/newsroom-cluster}"
PORT="${NEWSROOM_CLUSTER_PORT:-8800}"
APPS="${NEWSROOM_CLUSTER_APPS:-2}"
GUNICORN_WORKERS="${NEWSROOM_CLUSTER_GUNICORN_WORKERS:-2}"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
FRONT=$PORT
BALANCER=$((PORT + 1))
REDIS_PORT=$((PORT + 2))
S3_PORT=$((PORT + 3))
VARNISH_ADMIN=$((PORT + 4))
PG_PORT=$((PORT + 5))
BUCKET=newsroom-media

say() { echo "cluster: $*"; }
die() { echo "cluster: $*" >&2; exit 1; }
app_port() { echo $((PORT + 10 + $1)); }

# Wait until `curl URL` answers with any HTTP status, or fail after $2 seconds.
wait_http() {
  local url=$1 seconds=${2:-30} i
  for ((i = 0; i < seconds * 10; i++)); do
    curl -s -o /dev/null --max-time 1 "$url" && return 0
    sleep 0.1
  done
  die "nothing answers at $url after ${seconds}s (logs: $DIR/log)"
}

wait_port() {
  local port=$1 seconds=${2:-30} i
  for ((i = 0; i < seconds * 10; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  die "nothing listens on port $port after ${seconds}s (logs: $DIR/log)"
}

# Start a command in its own process group, its output in log/NAME.log, its pid in run/NAME.pid.
spawn() {
  local name=$1
  shift
  setsid "$@" >>"$DIR/log/$name.log" 2>&1 < /dev/null &
  echo $! >"$DIR/run/$name.pid"
}

# Stop what spawn started: the signal to its process group, then KILL after 15 seconds.
halt() {
  local name=$1 signal=${2:-TERM} pidfile="$DIR/run/$1.pid" pid i
  [[ -f $pidfile ]] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "-$signal" -- "-$pid" 2>/dev/null || kill "-$signal" "$pid" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

running() { [[ -f "$DIR/run/$1.pid" ]] && kill -0 "$(cat "$DIR/run/$1.pid")" 2>/dev/null; }

# The database, in DB_URL (not echoed from a subshell, so that a failure stops the script).
database() {
  if [[ -n ${DATABASE_URL:-} ]]; then
    DB_URL=$DATABASE_URL
  elif pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    createdb -h 127.0.0.1 -U postgres newsroom_cluster 2>/dev/null || true
    DB_URL="postgres://postgres@127.0.0.1:5432/newsroom_cluster"
  else
    own_postgres
    DB_URL="postgres://postgres@127.0.0.1:$PG_PORT/newsroom"
  fi
}

# A PostgreSQL server of the cluster's own, when none runs on this machine. It runs as the
# `postgres` user, which must be able to enter its folder.
own_postgres() {
  local bin data="$DIR/pg"
  bin=$(dirname "$(command -v initdb 2>/dev/null || ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | tail -1)")
  [[ -x $bin/initdb ]] || die "no PostgreSQL here: set DATABASE_URL or install postgresql"
  if [[ ! -d $data ]]; then
    mkdir -p "$data" && chmod 0755 "$DIR" && chown postgres "$data"
    runuser -u postgres -- "$bin/initdb" -D "$data" -U postgres --auth=trust >>"$DIR/log/postgres.log"
  fi
  if ! pg_isready -h 127.0.0.1 -p "$PG_PORT" -q 2>/dev/null; then
    # Its log in its own folder: the postgres user cannot write into log/.
    runuser -u postgres -- "$bin/pg_ctl" -D "$data" -l "$data/server.log" \
      -o "-p $PG_PORT -k $data -c listen_addresses=127.0.0.1" start >/dev/null \
      || die "PostgreSQL did not start (log: $data/server.log)"
    for _ in $(seq 1 60); do pg_isready -h 127.0.0.1 -p "$PG_PORT" -q && break; sleep 0.5; done
  fi
  createdb -h 127.0.0.1 -p "$PG_PORT" -U postgres newsroom 2>/dev/null || true
}

write_env() {
  local media
  [[ -f $DIR/secret ]] || "$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(50))' >"$DIR/secret"
  if [[ ${NEWSROOM_CLUSTER_S3:-1} == 1 ]]; then
    media="NEWSROOM_MEDIA_STORAGE=s3
NEWSROOM_S3_BUCKET=$BUCKET
NEWSROOM_S3_ENDPOINT_URL=http://127.0.0.1:$S3_PORT
NEWSROOM_S3_PUBLIC_URL=http://127.0.0.1:$S3_PORT/$BUCKET
NEWSROOM_S3_REGION=us-east-1
AWS_ACCESS_KEY_ID=newsroom
AWS_SECRET_ACCESS_KEY=newsroom-local-secret"
  else
    media="NEWSROOM_SERVE_MEDIA=1"
  fi
  # One file for every process, as systemd's EnvironmentFile= reads it (deploy/systemd/).
  cat >"$DIR/env" <<EOF
DJANGO_SECRET_KEY=$(cat "$DIR/secret")
DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
DATABASE_URL=$DB_URL
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:$REDIS_PORT/0}
NEWSROOM_SITE_URL=http://127.0.0.1:$FRONT
NEWSROOM_PURGER=newsroom.purge.XkeyPurger
NEWSROOM_PURGE_URLS=http://127.0.0.1:$FRONT/
FORWARDED_ALLOW_IPS=127.0.0.1
DJANGO_STATIC_ROOT=$DIR/static
DJANGO_MEDIA_ROOT=$DIR/media
$media
# Plain http on loopback: in production TLS ends in front of Varnish, and these stay on.
DJANGO_SECURE_SSL_REDIRECT=0
DJANGO_SECURE_COOKIES=0
DJANGO_SECURE_HSTS_SECONDS=0
# Webhook receivers on this machine (the cluster test's) may be called.
NEWSROOM_WEBHOOKS_ALLOW_PRIVATE=1
EOF
}

# Run a command with the cluster's environment.
with_env() {
  (set -a && . "$DIR/env" && set +a && cd "$ROOT" && "$@")
}

start_redis() {
  [[ -n ${REDIS_URL:-} ]] && return 0
  running redis && return 0
  command -v redis-server >/dev/null || die "no redis-server here: set REDIS_URL or install redis-server"
  spawn redis redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no
  wait_port "$REDIS_PORT"
}

start_s3() {
  [[ ${NEWSROOM_CLUSTER_S3:-1} == 1 ]] || return 0
  if ! running s3; then
    spawn s3 "$PYTHON" -m moto.server -H 127.0.0.1 -p "$S3_PORT"
    wait_http "http://127.0.0.1:$S3_PORT/" 60
  fi
  # The bucket, readable by anyone (readers fetch media from it directly, or through a CDN).
  with_env "$PYTHON" - <<'EOF'
import json, os
import boto3

s3 = boto3.client("s3", endpoint_url=os.environ["NEWSROOM_S3_ENDPOINT_URL"],
                  region_name=os.environ["NEWSROOM_S3_REGION"])
bucket = os.environ["NEWSROOM_S3_BUCKET"]
if bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
    s3.create_bucket(Bucket=bucket)
s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                   "Resource": f"arn:aws:s3:::{bucket}/*"}],
}))
EOF
}

prepare() {
  say "migrate, collectstatic, catalogues"
  with_env "$PYTHON" manage.py catalogues compile --verbosity 0
  with_env "$PYTHON" manage.py migrate --noinput >>"$DIR/log/migrate.log" 2>&1
  with_env "$PYTHON" manage.py collectstatic --noinput >>"$DIR/log/migrate.log"
  if [[ ${NEWSROOM_CLUSTER_DEMO:-1} == 1 ]] && [[ $(with_env "$PYTHON" manage.py shell -c \
    "from articles.models import Article; print(Article.objects.exists())" 2>/dev/null | tail -1) != True ]]; then
    say "loading the demo content, with the demo accounts of make run (DEBUG for this command only)"
    with_env env DJANGO_DEBUG=1 "$PYTHON" manage.py load_demo >>"$DIR/log/demo.log" 2>&1
  fi
}

start_app() {
  local n=$1 port
  port=$(app_port "$n")
  running "app$n" && return 0
  with_env spawn "app$n" "$ROOT/.venv/bin/gunicorn" newsroom.wsgi -c "$ROOT/gunicorn.conf.py" \
    --bind "127.0.0.1:$port" --workers "$GUNICORN_WORKERS" --graceful-timeout 20 \
    --access-logfile - --name "newsroom-app$n"
  wait_http "http://127.0.0.1:$port/healthz" 60
}

start_worker() {
  running worker && return 0
  with_env spawn worker "$PYTHON" manage.py db_worker --no-reload --worker-id cluster-worker-1
}

start_haproxy() {
  local n servers=""
  running haproxy && return 0
  for ((n = 1; n <= APPS; n++)); do
    servers+="    server app$n 127.0.0.1:$(app_port "$n") check"$'\n'
  done
  # deploy/haproxy.cfg with this cluster's ports.
  awk -v bind="127.0.0.1:$BALANCER" -v servers="$servers" '
    /^    bind / { print "    bind " bind; next }
    /^    server / { if (!done) { printf "%s", servers; done = 1 } next }
    { print }' "$ROOT/deploy/haproxy.cfg" >"$DIR/haproxy.cfg"
  haproxy -c -q -f "$DIR/haproxy.cfg"
  spawn haproxy haproxy -W -db -f "$DIR/haproxy.cfg"
  wait_port "$BALANCER"
}

start_varnish() {
  running varnish && return 0
  sed -e "s/\.port = \"8080\";/.port = \"$BALANCER\";/" "$ROOT/deploy/varnish.vcl" >"$DIR/varnish.vcl"
  # -F: in the foreground, so that spawn keeps its pid; -j none: no privilege separation (a
  # local run; the Debian service drops to its own user).
  spawn varnish varnishd -F -j none -n "$DIR/varnish" -a "127.0.0.1:$FRONT" \
    -T "127.0.0.1:$VARNISH_ADMIN" -f "$DIR/varnish.vcl" -s malloc,256m \
    -p default_ttl=0 -p default_grace=0
  wait_http "http://127.0.0.1:$FRONT/healthz" 30
}

start() {
  command -v varnishd >/dev/null || die "no varnishd: apt-get install varnish varnish-modules"
  command -v haproxy >/dev/null || die "no haproxy: apt-get install haproxy"
  [[ -x $PYTHON ]] || die "no $PYTHON: run make .venv/.installed first"
  mkdir -p "$DIR/log" "$DIR/run" "$DIR/media"
  start_redis
  database
  write_env
  start_s3
  prepare
  local n
  for ((n = 1; n <= APPS; n++)); do start_app "$n"; done
  start_worker
  start_haproxy
  start_varnish
  status
}

stop() {
  local name
  [[ -d $DIR/run ]] || return 0
  # The front first, the data last, so that nothing is left half-served.
  for name in varnish haproxy; do halt "$name"; done
  for pidfile in "$DIR"/run/app*.pid; do [[ -e $pidfile ]] && halt "$(basename "$pidfile" .pid)"; done
  for name in worker s3 redis; do halt "$name"; done
  if [[ -d $DIR/pg ]]; then
    runuser -u postgres -- "$(dirname "$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | tail -1)")/pg_ctl" \
      -D "$DIR/pg" stop -m fast >/dev/null 2>&1 || true
  fi
  say "stopped"
}

status() {
  local name
  for name in varnish haproxy worker s3 redis $(cd "$DIR/run" 2>/dev/null && ls app*.pid 2>/dev/null | sed 's/\.pid$//'); do
    if running "$name"; then say "$name running (pid $(cat "$DIR/run/$name.pid"))"; fi
  done
  say "front (Varnish) http://127.0.0.1:$FRONT/  balancer http://127.0.0.1:$BALANCER/"
  for ((n = 1; n <= APPS; n++)); do say "app$n http://127.0.0.1:$(app_port "$n")/"; done
  say "state, logs: $DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) cat "$DIR/env" ;;
  stop-app) halt "app${2:?which app server}" "${3:-TERM}" ;;
  start-app) start_app "${2:?which app server}" ;;
  *) echo "usage: $0 start|stop|status|env|stop-app N [SIGNAL]|start-app N" >&2; exit 2 ;;
esac
