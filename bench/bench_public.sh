#!/usr/bin/env bash
# The public notice page under Django's runserver: the figure before `fazhan serve` (issue 11).
# Same measurement as bench/bench_serve.sh, which now serves with gunicorn by default.
exec env SERVER=runserver bash "$(dirname "$0")/bench_serve.sh" "$@"
