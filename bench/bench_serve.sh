#!/usr/bin/env bash
# The public notice page under load on loopback, against a static file from the same server in the
# same run (issue 11 "How it is judged"; docs/notices.md "Benchmark"). Bounded: two wrk runs of
# DURATION each, 50 connections, to 127.0.0.1 only; the server is started here and stopped by its
# own pid.
#
#   bash bench/bench_serve.sh               # `fazhan serve` (granian, a worker a core, WhiteNoise)
#   SERVER=gunicorn bash bench/bench_serve.sh    # `fazhan serve --server gunicorn --workers 4`
#   SERVER=runserver bash bench/bench_serve.sh   # Django's runserver, for the before figure
#   WORKERS=4 THREADS_PER_WORKER=8 bash bench/bench_serve.sh   # other server settings
#   DB=/path/to/demo.sqlite3 bash bench/bench_serve.sh   # reuse a demo database with notices
#   REPEAT=3 bash bench/bench_serve.sh      # three rounds of page then static, same server
#
# Needs Debian's wrk (apt-get install -y wrk). Prints requests per second, p50/p95/p99 latency,
# errors, the CPU share of the load generator and of the server (all its processes) during each
# run, and the server's CPU time per request (steadier than req/s on a shared machine).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
# This checkout's code, whichever checkout the installed `fazhan` script points at.
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
fazhan() { "$PY" -m fazhan.cli "$@"; }
SERVER_KIND=${SERVER:-serve}
WORKERS=${WORKERS:-}
THREADS_PER_WORKER=${THREADS_PER_WORKER:-4}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-2}
DURATION=${DURATION:-10s}
# A request slower than this counts as an error and leaves the latency figures: keep it long.
TIMEOUT=${TIMEOUT:-10s}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }

WORK=$(mktemp -d)
SERVER=""
cleanup() {
  if [ -n "$SERVER" ] && kill -0 "$SERVER" 2>/dev/null; then kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; fi
  [ -z "${KEEP_LOG:-}" ] || cp "$WORK/server.log" "$KEEP_LOG"
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ -z "${DB:-}" ]; then
  DB="$WORK/bench.sqlite3"
  echo "building the demo district into $DB ..."
  DATABASE_URL="sqlite:///$DB" fazhan demo --no-serve >"$WORK/demo.log"
fi
export DATABASE_URL="sqlite:///$DB" DJANGO_SETTINGS_MODULE=fazhan.settings DEBUG=False
export STATIC_ROOT="$WORK/static"
TOKEN=$("$PY" - <<'PY'
import django
django.setup()
from fazhan.notices.demo import add_demo_notices
from fazhan.notices.models import Notice
from fazhan.policy.engine import today_in_shanghai
today = today_in_shanghai()
if not Notice.objects.open_on(today).exists():
    add_demo_notices(today)
notice = Notice.objects.open_on(today).order_by("pk").first()
assert notice is not None, "no open notice in the demo database"
print(notice.token)
PY
)

# A free port on loopback (another process may hold a fixed one).
PORT=${PORT:-$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
if [ "$SERVER_KIND" = runserver ]; then
  "$PY" -m fazhan.cli runserver --insecure --noreload "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
  LABEL="Django runserver --insecure (threaded)"
else
  # `fazhan serve` replaces itself with the server's main process: $! is its pid (not a shell
  # function's subshell: it would be killed and leave the server running).
  KIND=granian
  [ "$SERVER_KIND" = gunicorn ] && KIND=gunicorn && WORKERS=${WORKERS:-4}
  "$PY" -m fazhan.cli serve --server "$KIND" --host 127.0.0.1 --port "$PORT" \
    ${WORKERS:+--workers "$WORKERS"} --threads "$THREADS_PER_WORKER" >"$WORK/server.log" 2>&1 &
  LABEL="fazhan serve --server $KIND --workers ${WORKERS:-default ($(nproc))} --threads $THREADS_PER_WORKER (WhiteNoise)"
fi
SERVER=$!
for _ in $(seq 1 300); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/gongshi/" 2>/dev/null && break
  sleep 0.2
done
PAGE="http://127.0.0.1:$PORT/gongshi/$TOKEN/"
STATIC="http://127.0.0.1:$PORT/static/fazhan/site.css"
curl -fsS -o "$WORK/page.html" "$PAGE"
curl -fsS -o /dev/null "$STATIC"
# Warm-up, not counted: every worker has served both before the measured runs.
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP:-3s}" --timeout "$TIMEOUT" "$PAGE" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d1s --timeout "$TIMEOUT" "$STATIC" >/dev/null

TICKS=$(getconf CLK_TCK)
CORES=$(nproc)
# The server's CPU: the process and its children (gunicorn's workers), alive or reaped.
cpu_ticks() {
  local total=0 pid
  for pid in $1 $(pgrep -P "$1" || true); do
    total=$((total + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

run() {
  local name=$1 url=$2
  local before after wall out
  before=$(cpu_ticks "$SERVER")
  out=$(/usr/bin/time -f "TIME %e %U %S" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout "$TIMEOUT" \
        --latency -s bench/wrk_report.lua "$url" 2>&1)
  after=$(cpu_ticks "$SERVER")
  local result times
  result=$(grep '^RESULT' <<<"$out")
  times=$(grep '^TIME' <<<"$out")
  read -r _ wall user sys <<<"$times"
  "$PY" - "$name" "$result" "$wall" "$user" "$sys" "$before" "$after" "$TICKS" "$CORES" <<'PY'
import sys
name, result, wall, user, sys_, before, after, ticks, cores = sys.argv[1:]
fields = dict(kv.split("=") for kv in result.split()[1:])
wall, user, sys_ = float(wall), float(user), float(sys_)
cores = int(cores)
wrk_cpu = (user + sys_) / wall
server_seconds = (int(after) - int(before)) / int(ticks)
server_cpu = server_seconds / wall
# CPU time per request: unlike req/s it hardly moves when other processes share the cores, and
# the cores divided by it is what the server could answer on cores of its own.
ms_per_request = server_seconds * 1000 / max(int(fields["requests"]), 1)
print(
    f"{name:<8} {float(fields['rps']):>9.1f} req/s  p50 {float(fields['p50_ms']):>7.2f} ms"
    f"  p95 {float(fields['p95_ms']):>7.2f} ms  p99 {float(fields['p99_ms']):>7.2f} ms"
    f"  errors {fields['errors']}/{fields['non2xx']} non-2xx"
    f"  requests {fields['requests']}"
    f"  | wrk CPU {wrk_cpu * 100:5.1f}% of a core ({wrk_cpu / cores * 100:4.1f}% of {cores})"
    f"  server CPU {server_cpu * 100:5.1f}% of a core"
    f"  = {ms_per_request:.2f} ms a request (≈ {cores * 1000 / ms_per_request:.0f} req/s on"
    f" {cores} free cores)"
)
PY
}

echo "server: $LABEL, SQLite (WAL), DEBUG=False, 127.0.0.1:$PORT"
echo "load:   wrk -t$THREADS -c$CONNECTIONS -d$DURATION --timeout $TIMEOUT; $(nproc) cores, load average $(cut -d" " -f1-3 /proc/loadavg); $(wrk --version 2>&1 | head -1)"
echo "page:   /gongshi/<token>/ ($(wc -c <"$WORK/page.html") bytes); static: /static/fazhan/site.css"
# REPEAT=3: three rounds of page then static against the same server, for noisy machines.
for _ in $(seq 1 "${REPEAT:-1}"); do
  run "page" "$PAGE"
  run "static" "$STATIC"
done
