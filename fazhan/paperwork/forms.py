"""Forms for the 入党志愿书 register and the batch filing forms: input validation only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fazhan.core import dates
from fazhan.paperwork.models import FormState

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class IssueForm(forms.Form):
    committee = forms.TypedChoiceField(label=_("领用党委"), coerce=int, choices=[])
    first = forms.IntegerField(label=_("起始编号"), min_value=1, required=False)
    last = forms.IntegerField(label=_("终止编号"), min_value=1, required=False)
    count = forms.IntegerField(
        label=_("或：数量（接本区最大编号之后）"), min_value=1, max_value=5000, required=False
    )
    issued_on = forms.DateField(label=_("下发日期"), widget=DATE)

    def __init__(self, *args: Any, committees: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["committee"].choices = committees  # type: ignore[attr-defined]
        self.fields["issued_on"].initial = dates.today()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        ranged = data.get("first") is not None or data.get("last") is not None
        if ranged and data.get("count") is not None:
            raise forms.ValidationError(_("请填写起止编号或数量，二者选一"))
        if not ranged and data.get("count") is None:
            raise forms.ValidationError(_("请填写起止编号或数量"))
        if ranged and (data.get("first") is None or data.get("last") is None):
            raise forms.ValidationError(_("起始编号和终止编号都要填写"))
        return data


class UseForm(forms.Form):
    candidate = forms.TypedChoiceField(label=_("发展对象（预审已同意）"), coerce=int, choices=[])
    form = forms.TypedChoiceField(label=_("入党志愿书编号"), coerce=int, choices=[])
    used_on = forms.DateField(label=_("发放日期（S14）"), widget=DATE)

    def __init__(
        self,
        *args: Any,
        candidates: list[tuple[int, str]],
        numbers: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["candidate"].choices = candidates  # type: ignore[attr-defined]
        self.fields["form"].choices = numbers  # type: ignore[attr-defined]
        self.fields["used_on"].initial = dates.today()


class CloseForm(forms.Form):
    state = forms.ChoiceField(
        label=_("登记为"),
        choices=[(FormState.SPOILED.value, _("作废")), (FormState.LOST.value, _("遗失"))],
    )
    closed_on = forms.DateField(label=_("日期"), widget=DATE)
    reason = forms.CharField(
        label=_("原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["closed_on"].initial = dates.today()


class FilingForm(forms.Form):
    step = forms.ChoiceField(
        label=_("备案表"),
        choices=[("S04", _("入党积极分子备案表（S04）")), ("S08", _("发展对象备案表（S08）"))],
    )
    start = forms.DateField(label=_("备案日期自"), widget=DATE)
    end = forms.DateField(label=_("至"), widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("开始日期不能晚于结束日期"))
        return data
