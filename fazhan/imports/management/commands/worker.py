"""`fazhan worker`: runs the queued work (django-tasks' database worker, `db_worker`): today the
confirmations of large import batches (fazhan.imports.tasks). One worker is enough for a district;
the README's systemd section starts it next to the server."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "运行后台任务（大批导入的确认）；--batch：处理完已排队的任务后退出"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=1.0, help="队列为空时的轮询间隔（秒）"
        )
        parser.add_argument("--batch", action="store_true", help="处理完已排队的任务后退出")
        parser.add_argument("--max-tasks", type=int, default=None, help="最多处理的任务数")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command(
            "db_worker",
            interval=options["interval"],
            batch=options["batch"],
            max_tasks=options["max_tasks"],
            reload=False,
            startup_delay=not options["batch"],
            verbosity=options["verbosity"],
        )
