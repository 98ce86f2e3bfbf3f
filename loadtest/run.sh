#!/usr/bin/env bash
# `make loadtest`: a fresh database with the demo, gunicorn + a Celery worker on loopback with production-like
# settings, Locust headless against them, then the hours check and the report (var/loadtest/report.md).
# Fails when a request failed, when the hours in the database differ from those posted, or when a task failed.
set -euo pipefail
cd "$(dirname "$0")/.."

USERS=${LOADTEST_USERS:-50}
RUN_TIME=${LOADTEST_TIME:-5m}
SPAWN_RATE=${LOADTEST_SPAWN_RATE:-5}
WORKERS=${LOADTEST_WORKERS:-4}
DATABASE=${LOADTEST_DATABASE:-clauses_load}
REDIS=${LOADTEST_REDIS_URL:-redis://127.0.0.1:6379/5}
OUT=var/loadtest
PY=.venv/bin/python
PORT=${LOADTEST_PORT:-$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
BASE=http://127.0.0.1:$PORT

rm -rf "$OUT" && mkdir -p "$OUT/private" "$OUT/mails"
export DATABASE_URL=postgres:///$DATABASE

echo "== Base $DATABASE : création, migrations, démo"
dropdb --if-exists "$DATABASE"
createdb "$DATABASE"
$PY manage.py migrate --noinput -v0
# The demo's accounts have a published password: seed_demo runs with the development settings, the server not.
PRIVATE_MEDIA_ROOT=$PWD/$OUT/private $PY manage.py seed_demo >"$OUT/seed.log"
tail -n +2 "$OUT/seed.log" | head -5
$PY loadtest/plan.py --slots "$USERS" --out "$OUT/plan.json"

# The served application's environment: production settings on plain HTTP over loopback.
export CLAUSES_ENV=production DEBUG=false ALLOWED_HOSTS=127.0.0.1 SITE_URL=$BASE
export SECRET_KEY="loadtest-$($PY -c 'import secrets; print(secrets.token_urlsafe(48))')"
export SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false SECURE_HSTS_SECONDS=0
export REDIS_URL=$REDIS CELERY_TASK_ALWAYS_EAGER=false CONN_MAX_AGE=60
export PRIVATE_MEDIA_ROOT=$PWD/$OUT/private STATIC_ROOT=$PWD/$OUT/staticfiles EMAIL_URL=filemail:///$PWD/$OUT/mails
$PY manage.py collectstatic --noinput -v0
$PY -c 'import os, redis; redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()'  # a database of its own

pids=()
stop() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}
trap stop EXIT

echo "== gunicorn ($WORKERS processus) sur $BASE, worker Celery sur $REDIS"
.venv/bin/celery -A clauses worker --loglevel info --concurrency 1 --hostname "loadtest@%h" \
  --without-gossip --without-mingle >"$OUT/worker.log" 2>&1 &
pids+=($!)
.venv/bin/gunicorn clauses.wsgi --workers "$WORKERS" --bind "127.0.0.1:$PORT" --timeout 60 \
  --access-logfile "$OUT/access.log" --access-logformat '%(s)s %(M)s "%(r)s"' \
  --error-logfile - >"$OUT/gunicorn.log" 2>&1 &
pids+=($!)
healthy() { $PY -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)' "$BASE/healthz" 2>/dev/null; }
for _ in $(seq 60); do healthy && break; sleep 1; done
healthy || { echo "Le serveur ne répond pas (voir $OUT/gunicorn.log)."; exit 1; }

echo "== Locust : $USERS utilisateurs pendant $RUN_TIME"
locust_status=0
LOADTEST_PLAN=$OUT/plan.json LOADTEST_POSTED=$OUT/posted.json LOADTEST_STATS=$OUT/stats.json \
  .venv-load/bin/locust \
  -f loadtest/locustfile.py --headless --host "$BASE" --users "$USERS" --spawn-rate "$SPAWN_RATE" \
  --run-time "$RUN_TIME" --stop-timeout 60 --csv "$OUT/locust" --html "$OUT/locust.html" --only-summary \
  --loglevel WARNING || locust_status=$?

echo "== Vérification des heures"
hours_status=0
$PY loadtest/check_hours.py --plan "$OUT/plan.json" --posted "$OUT/posted.json" | tee "$OUT/check.txt" \
  || hours_status=$?

# Tasks the worker failed (kept figures refreshed after each save, e-mails of the fiches navettes).
task_failures=$(grep -cE "raised unexpected|Task .* failed|ERROR" "$OUT/worker.log" || true)
server_errors=$(grep -cE "WORKER TIMEOUT|Traceback| ERROR " "$OUT/gunicorn.log" || true)
{
  echo
  echo "Worker Celery : $(grep -c "succeeded in" "$OUT/worker.log" || true) tâches réussies, $task_failures en échec."
  echo "gunicorn : $server_errors erreurs dans son journal."
} >>"$OUT/check.txt"
$PY loadtest/report.py --stats "$OUT/stats.json" --access-log "$OUT/access.log" --check "$OUT/check.txt" --out "$OUT/report.md" \
  --title "$USERS utilisateurs, $RUN_TIME, $WORKERS processus gunicorn" >/dev/null
cat "$OUT/report.md"

status=0
[ "$locust_status" = 0 ] || { echo "ÉCHEC : des requêtes ont échoué (voir $OUT/locust_failures.csv)."; status=1; }
[ "$hours_status" = 0 ] || { echo "ÉCHEC : les heures en base diffèrent de celles saisies."; status=1; }
[ "$task_failures" = 0 ] || { echo "ÉCHEC : des tâches Celery ont échoué (voir $OUT/worker.log)."; status=1; }
[ "$server_errors" = 0 ] || { echo "ÉCHEC : erreurs du serveur (voir $OUT/gunicorn.log)."; status=1; }
[ "$status" = 0 ] && echo "Test de charge réussi : aucun échec, heures identiques. Rapport : $OUT/report.md"
exit "$status"
