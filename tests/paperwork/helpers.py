"""Candidates whose pre-review passed, and forms in a committee's stock."""

from __future__ import annotations

from datetime import timedelta

from fazhan.paperwork.actions import do_issue_forms
from fazhan.paperwork.models import VolunteerForm
from fazhan.reviews.actions import do_decide_prereview, do_send_to_prereview
from fazhan.reviews.models import PrereviewRequest
from tests.notices.files import target_ready, today


def passed(cast, *, name="林晓华", serial=7, **kw):
    """A development target of branch_a whose pre-review by sub_a passed today."""
    candidate = target_ready(cast, name=name, serial=serial, **kw)
    (result,) = do_send_to_prereview(
        cast.zhibu, [candidate.pk], reviewed_on=today() - timedelta(days=2), opinion="审查合格。"
    )
    assert result.ok, result
    request = PrereviewRequest.objects.get(pk=result.request_id)
    do_decide_prereview(
        cast.dangwei, request, result="pass", decided_on=today(), opinion="同意，发给入党志愿书。"
    )
    candidate.refresh_from_db()
    return candidate


def stock(cast, first=1001, last=1010, committee=None):
    do_issue_forms(cast.qu, committee or cast.sub_a, issued_on=today(), first=first, last=last)
    return {f.number: f for f in VolunteerForm.objects.filter(number__range=(first, last))}
