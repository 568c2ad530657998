"""Forms for pre-review and approval: input validation only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fazhan.content_forms import add_content_fields, content_payload
from fazhan.core import dates
from fazhan.orgs.models import Member

# ISO values: a type=date input shows nothing for a localised "2026年3月2日".
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _today(form: forms.Form, *names: str) -> None:
    for name in names:
        form.fields[name].initial = dates.today()


class SendForm(forms.Form):
    candidates = forms.TypedMultipleChoiceField(coerce=int, choices=[])
    reviewed_on = forms.DateField(label=_("支部委员会审查日期（S12）"), widget=DATE)
    opinion = forms.CharField(
        label=_("支部委员会审查意见"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["candidates"].choices = choices  # type: ignore[attr-defined]
        _today(self, "reviewed_on")


class DecideForm(forms.Form):
    result = forms.ChoiceField(
        label=_("预审结论"),
        choices=[
            ("pass", _("同意（可发放入党志愿书，提交支部大会讨论）")),
            ("returned", _("退回补充材料")),
            ("fail", _("不同意")),
        ],
        widget=forms.RadioSelect,
    )
    decided_on = forms.DateField(label=_("预审日期（S13）"), widget=DATE)
    opinion = forms.CharField(
        label=_("书面预审意见"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _today(self, "decided_on")


class VolunteerForm(forms.Form):
    issued_on = forms.DateField(label=_("发放入党志愿书日期（S14）"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _today(self, "issued_on")


class TalkForm(forms.Form):
    """S16: the date, and the talk's content as every step form asks it (谈话人 from the roster,
    place, summary: fazhan.content_forms, policy step-content.json)."""

    talked_on = forms.DateField(label=_("谈话日期（S16）"), widget=DATE)

    def __init__(self, *args: Any, members: Sequence[Member] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _today(self, "talked_on")
        self.members = {m.pk: m for m in members}
        add_content_fields(self, "S16", members, attachments=False)

    def payload(self) -> dict[str, Any]:
        return content_payload(self, "S16")

    def talker_name(self) -> str:
        """The talker's name for the reviews page's list (the chain keeps only the member id)."""
        member = self.members.get(self.cleaned_data.get("content_talker") or 0)
        return member.name if member else ""


class ApproveForm(forms.Form):
    step = forms.ChoiceField(
        label=_("审批事项"),
        choices=[("S17", _("S17 接收预备党员")), ("S24", _("S24 转正（或延长预备期、取消资格）"))],
    )
    meeting_on = forms.DateField(label=_("党委会日期"), widget=DATE)
    members_total = forms.IntegerField(label=_("党委委员总数"), min_value=1)
    members_present = forms.IntegerField(label=_("到会委员"), min_value=0)
    members_for = forms.IntegerField(label=_("同意"), min_value=0)
    opinion = forms.CharField(
        label=_("审批意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _today(self, "meeting_on")


class FileForm(forms.Form):
    filed_on = forms.DateField(label=_("报再上一级党委组织部门备案日期（S18）"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _today(self, "filed_on")
