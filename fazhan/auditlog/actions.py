"""The auditor's one action: asking for a verification of the chain (DESIGN principle 2)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhan.accounts.authority import authority
from fazhan.audit.chain import read_head
from fazhan.auditlog.models import FINISHED, RunState, VerifyRun
from fazhan.core.errors import ActionRefused

if TYPE_CHECKING:
    from fazhan.accounts.authority import UserLike

# A run silent this long (its worker was stopped) no longer blocks a new one.
STALE = timedelta(hours=1)


def may_audit(user: UserLike) -> bool:
    """The auditor's pages are the auditor's alone (三员分立: the administrators see no record)."""
    return authority(user).is_read_only


def latest_run() -> VerifyRun | None:
    return VerifyRun.objects.select_related("requested_by").first()


def do_request_verify(user: UserLike) -> VerifyRun:
    """Queue a verification of the whole chain; refused while one is queued or running (one at
    a time is enough: it reads every event)."""
    from fazhan.auditlog.tasks import verify_run

    if user.pk is None or not may_audit(user):
        raise Http404(_("没有找到该页面。"))
    with transaction.atomic():
        waiting = (
            VerifyRun.objects.select_for_update()
            .exclude(state__in=FINISHED)
            .filter(requested_at__gte=timezone.now() - STALE)
            .first()
        )
        if waiting is not None:
            raise ActionRefused(_("已有一次校验正在进行，请等待它完成。"))
        run = VerifyRun.objects.create(
            requested_by_id=user.pk,
            requested_at=timezone.now(),
            state=RunState.QUEUED,
            total=read_head().seq,
        )
        # The database backend's task row commits with the run, or neither does.
        verify_run.enqueue(run.pk)
    run.refresh_from_db()
    return run
