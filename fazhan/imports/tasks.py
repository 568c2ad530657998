"""The confirmation of a large import batch, queued for `fazhan worker` (django-tasks, database
backend), so that the page answers at once and other people keep recording meanwhile.

The task runs `do_apply_batch` as the uploader: the slow preparation outside any transaction,
its progress written on the batch every few hundred rows (each a short write of its own), then
one short transaction. A refusal or a crash leaves the batch a draft with the reason in Chinese
(`job_message`), shown by the batch page's progress fragment.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from fazhan.core.errors import ActionRefused
from fazhan.imports.models import ImportBatch, JobState

log = logging.getLogger(__name__)


def _mark(batch_id: int, **fields: object) -> None:
    ImportBatch.objects.filter(pk=batch_id).update(job_at=timezone.now(), **fields)


@task()
def confirm_batch(batch_id: int, user_id: int) -> None:
    """Apply batch `batch_id` for its uploader `user_id` (enqueued by `do_queue_batch`)."""
    from fazhan.imports.actions import do_apply_batch

    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        _mark(batch_id, job=JobState.FAILED, job_message=_("上传人的账号已停用，本批未导入。"))
        return

    def progress(phase: str, done: int) -> None:
        _mark(batch_id, job=phase, job_done=done)

    try:
        do_apply_batch(user, batch_id, progress=progress, by_worker=True)
    except ActionRefused as refused:
        _mark(batch_id, job=JobState.FAILED, job_message=str(refused))
    except Exception:
        log.exception("import batch %s: confirmation failed", batch_id)
        message = _("导入时发生意外错误，本批未导入任何内容。请稍后重试，或联系系统管理员。")
        _mark(batch_id, job=JobState.FAILED, job_message=message)


@task()
def prepare_batch(batch_id: int, user_id: int) -> None:
    """Plan the confirmation of a large batch just previewed, and keep the plan with it
    (`actions.keep_plan`), so that the confirmation only writes. A failure keeps nothing: the
    confirmation then plans itself."""
    from fazhan.imports.actions import keep_plan

    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    try:
        keep_plan(user, batch_id)
    except Exception:
        log.exception("import batch %s: planning ahead failed", batch_id)
