"""The 补录 form (a step's own fields, then its paper and reason), the decision on an exception,
and the 思想汇报 entry. Forms validate input only; the actions judge."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from fazhan.attachments.actions import checked_uploads, keep_uploads, with_scans
from fazhan.audit.models import Event
from fazhan.core import dates
from fazhan.core.errors import ActionRefused
from fazhan.dossier.actions import do_record_past_fact
from fazhan.dossier.models import PastFact, SourceKind
from fazhan.orgs.models import Member
from fazhan.policy.exceptions import allows_exception
from fazhan.web.forms import DATE_WIDGET, StepForm

QUARTERS = [(1, _("第一季度")), (2, _("第二季度")), (3, _("第三季度")), (4, _("第四季度"))]


class PastFactForm(StepForm):
    """StepForm's fields for the step, then where the fact comes from and why it is late. The
    three are checked by the action (fazhan.dossier.actions), which names every one missing."""

    def __init__(self, *args: Any, step: str, members: list[Member], **kwargs: Any) -> None:
        super().__init__(*args, step=step, members=members, **kwargs)
        self.fields["happened_on"].label = _("事情发生的日期（按纸质材料）")
        self.fields["source_kind"] = forms.ChoiceField(
            label=_("依据的纸质材料"), choices=[("", "——"), *SourceKind.choices], required=False
        )
        self.fields["source_ref"] = forms.CharField(
            label=_("材料出处（如：支部大会会议记录第3页）"), max_length=200, required=False
        )
        self.fields["late_reason"] = forms.CharField(
            label=_("当时未在系统中记录的原因"),
            max_length=500,
            required=False,
            widget=forms.Textarea(attrs={"rows": 3, "cols": 28}),
        )
        if allows_exception(step):
            self.fields["exception"] = forms.BooleanField(
                label=_("经批准的特殊情况（培训不足三天或二十四学时）：须上级党委另一人确认"),
                required=False,
            )


class DecideForm(forms.Form):
    note = forms.CharField(
        label=_("不予确认的理由"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 28}),
    )


class ThoughtReportForm(forms.Form):
    received_on = forms.DateField(label=_("收到日期"), widget=DATE_WIDGET)
    period_year = forms.IntegerField(label=_("所属年度"), min_value=2000, max_value=2100)
    period_quarter = forms.TypedChoiceField(label=_("所属季度"), choices=QUARTERS, coerce=int)
    note = forms.CharField(
        label=_("摘要（可选）"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 28}),
    )
    attachment_ref = forms.CharField(
        label=_("原件存放位置（可选，如：档案盒2026-03）"), max_length=200, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = dates.today()
        self.fields["received_on"].initial = today
        self.fields["period_year"].initial = today.year
        self.fields["period_quarter"].initial = (today.month - 1) // 3 + 1


def record_past_fact_from(
    user: Any, candidate: Any, form: PastFactForm, files: Sequence[UploadedFile] = ()
) -> PastFact:
    """The 补录 page's call: the step's payload from StepForm (with its scans), the paper and
    reason from ours. An exception waiting for the second person has no step event yet to keep
    scans with: they are refused, never dropped."""
    data = form.cleaned_data
    scans = checked_uploads(files)
    if scans and data.get("exception"):
        raise ActionRefused(
            str(_("待上级党委确认的特殊情况暂不能附扫描件：确认后请用「更正记录」补充扫描件"))
        )
    with transaction.atomic():
        fact = do_record_past_fact(
            user,
            candidate,
            step=form.step,
            happened_on=data["happened_on"],
            payload=with_scans(form.payload(), scans),
            source_kind=data["source_kind"],
            source_ref=data["source_ref"],
            reason=data["late_reason"],
            exception=bool(data.get("exception")),
        )
        if scans and fact.event_seq is not None:
            keep_uploads(user, Event.objects.get(seq=fact.event_seq), form.step, scans)
    return fact
