"""`fazhan serve [--port N] [--workers N] [--host H] [--threads N] [--server granian|gunicorn]`:
the production server (README "Deploying on one intranet server").

Refuses to start while a system check fails at ERROR with the deployment checks on (among them:
a missing or public secret on any database but the demo, fazhan/ops/checks.py), collects the
static files into STATIC_ROOT (WhiteNoise serves them, compressed), then replaces itself with the
server: granian (fazhan/ops/serve_granian.py; one worker a core, THREADS Python threads each) or,
with `--server gunicorn`, gunicorn (fazhan/ops/gunicorn_conf.py). systemd then supervises the
server's main process directly.
"""

from __future__ import annotations

import os
import sys
from argparse import ArgumentParser
from typing import Any

from django.core import checks
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, SystemCheckError

from fazhan.ops import serve_granian
from fazhan.ops.middleware import SERVE_ENV

SERVERS = ("granian", "gunicorn")


def default_workers(server: str = "gunicorn") -> int:
    if server == "granian":
        return serve_granian.default_workers()
    # gunicorn's rule of thumb, 2 x cores + 1, capped: each sync worker holds a connection.
    return min(2 * (os.cpu_count() or 1) + 1, 9)


def server_argv(server: str, host: str, port: int, workers: int, threads: int) -> list[str]:
    """The command line the serve command replaces itself with."""
    if server == "granian":
        module = ["-m", "fazhan.ops.serve_granian", "--threads", str(threads)]
        return [
            sys.executable,
            *module,
            "--host",
            host,
            "--port",
            str(port),
            "--workers",
            str(workers),
        ]
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:fazhan.ops.gunicorn_conf",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
    ]


class Command(BaseCommand):
    help = (
        "以 granian（默认）或 gunicorn（多个工作进程）运行生产服务器；"
        "检查未通过（如密钥不安全）时拒绝启动。"
    )
    # The checks run below, with the deployment checks and at ERROR, before anything else.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
        parser.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
        parser.add_argument(
            "--server", choices=SERVERS, default="granian", help="服务器（默认 granian）"
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="工作进程数（默认：granian 每个 CPU 一个，gunicorn 2×CPU+1）",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=serve_granian.THREADS,
            help=f"每个工作进程的线程数（默认 {serve_granian.THREADS}）",
        )
        parser.add_argument("--no-collectstatic", action="store_true", help="不收集静态文件")

    def handle(self, *args: Any, **options: Any) -> None:
        server = options["server"]
        workers = options["workers"]
        if workers is None:
            workers = default_workers(server)
        if workers < 1 or options["threads"] < 1:
            raise CommandError("--workers 与 --threads 至少为 1。")
        try:
            self.check(
                include_deployment_checks=True, fail_level=checks.ERROR, databases=["default"]
            )
        except SystemCheckError as refused:
            raise CommandError(f"拒绝启动：\n{refused}") from refused
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        os.environ[SERVE_ENV] = "1"
        os.environ.setdefault("FAZHAN_CONN_MAX_AGE", "60")
        host, port = options["host"], options["port"]
        argv = server_argv(server, host, port, workers, options["threads"])
        self.stdout.write(f"fazhan serve: http://{host}:{port}/ （{server}，{workers} 个工作进程）")
        self.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, argv)
