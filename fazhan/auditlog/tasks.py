"""The chain's verification, queued for `fazhan worker` (django-tasks, database backend): the
same `verify_chain` as `fazhan audit verify`, its progress written on the run every few thousand
events, its result in plain Chinese."""

from __future__ import annotations

import logging

from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from fazhan.audit.chain import verify_chain
from fazhan.auditlog.models import RunState, VerifyRun

log = logging.getLogger(__name__)


def _mark(run_id: int, **fields: object) -> None:
    VerifyRun.objects.filter(pk=run_id).update(**fields)


@task()
def verify_run(run_id: int) -> None:
    """Verify the whole chain for run `run_id` (enqueued by `do_request_verify`)."""
    _mark(run_id, state=RunState.RUNNING)

    def progress(done: int) -> None:
        _mark(run_id, done=done)

    try:
        result = verify_chain(progress=progress)
    except DatabaseError:
        log.exception("verify run %s: the database could not be read", run_id)
        _mark(
            run_id,
            state=RunState.FAILED,
            problem=_("无法读取数据库，校验没有完成。请稍后重试。"),
            finished_at=timezone.now(),
        )
        return
    if result.ok:
        _mark(
            run_id,
            state=RunState.INTACT,
            done=result.events,
            events=result.events,
            head=result.head or "",
            finished_at=timezone.now(),
        )
    else:
        _mark(
            run_id,
            state=RunState.BROKEN,
            events=result.events,
            broken_seq=result.seq,
            problem=result.problem or "",
            finished_at=timezone.now(),
        )
