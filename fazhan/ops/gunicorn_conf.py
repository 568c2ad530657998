"""gunicorn's settings under `fazhan serve` (the command line sets bind and workers).

Loaded with `--config python:fazhan.ops.gunicorn_conf`; every name here is a gunicorn setting.
"""

from __future__ import annotations

wsgi_app = "fazhan.wsgi:application"
# The access log goes to stdout (journald) through fazhan.ops.logs.AccessLogger: no line about the
# voting page, no client address on the public pages.
accesslog = "-"
errorlog = "-"
logger_class = "fazhan.ops.logs.AccessLogger"
# Threaded workers: keep-alive connections (a sync worker closes each one), a database connection
# per thread; a page waits at most `timeout` seconds.
worker_class = "gthread"
threads = 4
keepalive = 5
timeout = 60
graceful_timeout = 30
# Recycle workers now and then (a slow leak in a library never grows without bound).
max_requests = 5000
max_requests_jitter = 500
# nginx in front on the same machine is the only client allowed to set X-Forwarded-* headers.
forwarded_allow_ips = "127.0.0.1,::1"
# No control socket in the service user's home (there may be none): systemd does the controlling.
control_socket_disable = True

# Load Django in the master and import every view and the common templates there, before the
# workers fork: they share that memory and none pays the imports on its first requests. No
# database connection is opened here (a connection must never cross a fork).
preload_app = True


def when_ready(server: object) -> None:
    from django.template.loader import get_template
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  # imports every urls module and its views
    for name in ("web/base.html", "public/base.html", "public/notice.html", "public/list.html"):
        get_template(name)
