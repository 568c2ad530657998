"""Forms to record a step with its payload, and one form per lifecycle action. Forms validate input
only; the rules are the engine's (asked by the actions) and a vote's result is decided by
fazhan.policy.voting inside the action (fazhan.people.actions), never by a form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fazhan.content_forms import add_content_fields, clean_sources, content_payload
from fazhan.core import dates
from fazhan.orgs.models import Member, MemberStatus

NOMINATIONS = [
    ("member", _("党员推荐")),
    ("youth_league", _("共青团推优")),
    ("women_federation", _("妇联推优")),
    ("trade_union", _("工会推优")),
    ("federation_of_industry", _("工商联推优")),
]
RESULTS = {
    "S10": [("pass", _("合格")), ("fail", _("不合格"))],
    "S13": [("pass", _("预审同意")), ("returned", _("退回补充")), ("fail", _("不同意"))],
    "S17": [("approved", _("批准")), ("rejected", _("不批准"))],
    "S24": [("approved", _("批准")), ("rejected", _("不批准"))],
}
OUTCOMES = [
    ("convert", _("按期转正")),
    ("extend", _("延长预备期")),
    ("revoke", _("取消预备党员资格")),
]
VOTE_FIELDS = (
    "expected",
    "present",
    "for",
    "against",
    "abstain",
    "written_for",
    "written_against",
    "written_abstain",
    "issued",
    "returned",
    "invalid",
    "tellers",
    "monitors",
)
VOTE_LABELS = {
    "expected": _("应到会有表决权的正式党员"),
    "present": _("实到会有表决权的正式党员"),
    "for": _("赞成票"),
    "against": _("反对票"),
    "abstain": _("弃权票"),
    "written_for": _("书面赞成（因故缺席）"),
    "written_against": _("书面反对"),
    "written_abstain": _("书面弃权"),
    "issued": _("发出选票"),
    "returned": _("收回选票"),
    "invalid": _("无效票"),
    "tellers": _("计票人数"),
    "monitors": _("监票人数"),
}


class StepForm(forms.Form):
    takes_attachments = True  # scans with the step (fazhan.content_forms)
    content_required = True
    happened_on = forms.DateField(
        label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, step: str, members: list[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.step = step
        self.fields["happened_on"].initial = dates.today()
        full = [(m.pk, m.name) for m in members if m.status == MemberStatus.FULL]
        if step == "S03":
            self.fields["nomination"] = forms.ChoiceField(label=_("推荐方式"), choices=NOMINATIONS)
        elif step == "S05":
            self.fields["contacts"] = forms.TypedMultipleChoiceField(
                label=_("培养联系人（一至两名正式党员）"),
                choices=full,
                coerce=int,
                widget=forms.CheckboxSelectMultiple,
            )
        elif step == "S09":
            self.fields["introducers"] = forms.TypedMultipleChoiceField(
                label=_("入党介绍人（两名正式党员）"),
                choices=full,
                coerce=int,
                widget=forms.CheckboxSelectMultiple,
            )
        elif step == "S11":
            self.fields["days"] = forms.IntegerField(label=_("培训天数"), min_value=0, initial=3)
            self.fields["hours"] = forms.IntegerField(label=_("培训学时"), min_value=0, initial=24)
        elif step in RESULTS:
            self.fields["result"] = forms.ChoiceField(label=_("结论"), choices=RESULTS[step])
        elif step in ("N-ACT", "N-TGT", "N-ADM", "N-CONV"):
            self.fields["end"] = forms.DateField(
                label=_("公示截止日期（含）"),
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )
        if step in ("S15", "S23"):
            for name in VOTE_FIELDS:
                self.fields[f"vote_{name}"] = forms.IntegerField(
                    label=VOTE_LABELS[name],
                    min_value=0,
                    initial={"tellers": 2, "monitors": 1}.get(
                        name, 0 if "written" in name or name == "invalid" else None
                    ),
                    required=name
                    not in {"written_for", "written_against", "written_abstain", "invalid"},
                )
            self.fields["vote_secret"] = forms.BooleanField(
                label=_("无记名投票"), initial=True, required=False
            )
        if step == "S23":
            self.fields["outcome"] = forms.ChoiceField(label=_("决议内容"), choices=OUTCOMES)
            self.fields["extension_months"] = forms.IntegerField(
                label=_("延长月数（延长时填写，6至12个月）"), min_value=0, required=False
            )
        add_content_fields(
            self,
            step,
            members,
            attachments=self.takes_attachments,
            required=self.content_required,
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            self.step == "S23"
            and data.get("outcome") == "extend"
            and not data.get("extension_months")
        ):
            self.add_error("extension_months", _("延长预备期须写明月数"))
        clean_sources(self)
        return data

    def payload(self) -> dict[str, Any]:
        """The event payload (contracts.md §1) from the cleaned form."""
        data = self.cleaned_data
        payload: dict[str, Any] = {}
        for key in ("nomination", "contacts", "introducers", "days", "hours", "result", "outcome"):
            if data.get(key) not in (None, ""):
                payload[key] = data[key]
        if data.get("end"):
            payload["end"] = data["end"].isoformat()
        if self.step == "S23" and data.get("outcome") == "extend":
            payload["extension_months"] = data["extension_months"]
        if self.step in ("S15", "S23"):
            # The counts only: the action decides the result from them (细则 arts. 20, 21).
            vote: dict[str, Any] = {name: data.get(f"vote_{name}") or 0 for name in VOTE_FIELDS}
            vote["secret"] = bool(data.get("vote_secret"))
            vote["candidates"] = 1  # 细则 art. 21: one candidate at a time, never bundled
            payload["vote"] = vote
        return payload | content_payload(self, self.step)


class BatchForm(forms.Form):
    step = forms.ChoiceField(
        label=_("步骤"),
        choices=[
            ("S04", _("S04 确定入党积极分子后报上级党委备案")),
            ("S06", _("S06 培养教育考察（半年考察）")),
            ("S08", _("S08 确定发展对象后报上级党委备案")),
            ("S11", _("S11 集中培训（党校培训班结业）")),
            ("S18", _("S18 再上一级党委组织部门备案")),
            ("S21", _("S21 预备党员继续教育考察")),
        ],
    )
    happened_on = forms.DateField(
        label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    days = forms.IntegerField(label=_("培训天数（S11）"), min_value=0, required=False, initial=3)
    hours = forms.IntegerField(label=_("培训学时（S11）"), min_value=0, required=False, initial=24)
    candidates = forms.TypedMultipleChoiceField(coerce=int, choices=[])

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["candidates"].choices = choices  # type: ignore[attr-defined]
        self.fields["happened_on"].initial = dates.today()

    def payload(self) -> dict[str, Any]:
        step = self.cleaned_data["step"]
        if step == "S11":
            return {
                "days": self.cleaned_data.get("days") or 0,
                "hours": self.cleaned_data.get("hours") or 0,
            }
        return {}


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LifecycleForm(forms.Form):
    """Suspend, resume, withdraw or reject: the date, and the reason where the action asks one."""

    happened_on = forms.DateField(label=_("日期"), widget=DATE_WIDGET)
    reason = forms.CharField(
        label=_("理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, reason: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["happened_on"].initial = dates.today()
        if not reason:
            del self.fields["reason"]


class TransferForm(forms.Form):
    """细则 art. 12: an in-district transfer names the branch that receives the file."""

    to_org = forms.TypedChoiceField(label=_("转入的党支部"), coerce=int, choices=[])
    happened_on = forms.DateField(label=_("转出日期"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, branches: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_org"].choices = [("", "——"), *branches]  # type: ignore[attr-defined]
        self.fields["happened_on"].initial = dates.today()


class AcceptForm(forms.Form):
    happened_on = forms.DateField(label=_("接收日期"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["happened_on"].initial = dates.today()


class CorrectForm(StepForm):
    """A correction of one earlier event: its replacement (date and the step's own fields, as
    StepForm asks them) or a void, and why (全程纪实: a new event supersedes the old one)."""

    takes_attachments = False  # the corrected event keeps the scans it had
    content_required = False  # and the content it does not restate

    void = forms.BooleanField(label=_("作废该记录（不给出替换内容）"), required=False)
    reason = forms.CharField(
        label=_("更正理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, step: str, members: list[Member], **kwargs: Any) -> None:
        super().__init__(*args, step=step, members=members, **kwargs)
        self.fields["happened_on"].label = _("更正后的日期")
        if self.is_bound and self.data.get("void"):
            # A void replaces nothing: the step's own fields are not asked.
            for name, field in self.fields.items():
                if name not in ("void", "reason"):
                    field.required = False
        # The reason and the void come last on the page.
        for name in ("void", "reason"):
            self.fields[name] = self.fields.pop(name)

    def clean(self) -> dict[str, Any]:
        if self.data.get("void"):
            return forms.Form.clean(self) or {}
        return super().clean()
