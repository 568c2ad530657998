"""Forms of the meeting pages: they validate input only; the rules are the actions' and the
engine's, the arithmetic `fazhan.policy.voting`'s."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fazhan.core import dates
from fazhan.meetings.models import Choice, ExclusionReason, ItemKind


def _today() -> date:
    return dates.today()


class DateInput(forms.DateInput):
    """An HTML date input takes only ISO dates, whatever the language's display format."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class MeetingForm(forms.Form):
    org = forms.TypedChoiceField(label=_("党支部"), coerce=int)
    held_on = forms.DateField(label=_("会议日期"), widget=DateInput, initial=_today)
    place = forms.CharField(label=_("地点"), max_length=128, required=False)

    def __init__(self, *args: Any, orgs: Iterable[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = list(orgs)  # type: ignore[attr-defined]


class LateMeetingForm(MeetingForm):
    late_reason = forms.CharField(
        label=_("补录原因（系统当时为何不能使用）"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_held_on(self) -> date:
        held_on: date = self.cleaned_data["held_on"]
        if held_on > _today():
            raise forms.ValidationError(_("补录的会议日期不能晚于今天。"))
        return held_on


class RollCallForm(forms.Form):
    present = forms.TypedMultipleChoiceField(
        label=_("到会党员"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, members: Iterable[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = list(members)  # type: ignore[attr-defined]


class ExclusionForm(forms.Form):
    member = forms.TypedChoiceField(label=_("党员"), coerce=int)
    reason = forms.ChoiceField(label=_("原因"), choices=ExclusionReason.choices)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args: Any, members: Iterable[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = list(members)  # type: ignore[attr-defined]


class ConsentForm(forms.Form):
    consent_on = forms.DateField(label=_("上级党组织同意日期"), widget=DateInput, initial=_today)


class ItemForm(forms.Form):
    candidate = forms.TypedChoiceField(label=_("对象"), coerce=int)
    kind = forms.ChoiceField(label=_("表决事项"), choices=ItemKind.choices)
    extension_months = forms.IntegerField(
        label=_("延长月数（延长预备期时填写，6–12）"), min_value=6, max_value=12, required=False
    )
    electronic = forms.BooleanField(label=_("使用会场电子票（与纸质票合并计票）"), required=False)

    def __init__(
        self,
        *args: Any,
        candidates: Iterable[tuple[int, str]],
        late: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["candidate"].choices = list(candidates)  # type: ignore[attr-defined]
        if late:
            del self.fields["electronic"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == ItemKind.EXTENSION and not data.get("extension_months"):
            self.add_error("extension_months", _("延长预备期须写明延长月数（6–12）。"))
        return data


class OpinionForm(forms.Form):
    member = forms.TypedChoiceField(label=_("缺席党员"), coerce=int)
    choice = forms.ChoiceField(label=_("书面意见"), choices=Choice.choices)
    received_on = forms.DateField(label=_("收到日期"), widget=DateInput, initial=_today)

    def __init__(self, *args: Any, members: Iterable[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = list(members)  # type: ignore[attr-defined]


class OpenForm(forms.Form):
    adopted = forms.TypedMultipleChoiceField(
        label=_("大会表决通过的不计入应到人数名单"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, exclusions: Iterable[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["adopted"].choices = list(exclusions)  # type: ignore[attr-defined]


class CodesForm(forms.Form):
    count = forms.IntegerField(label=_("印制票卡张数"), min_value=1, max_value=1000)


class CountForm(forms.Form):
    teller = forms.TypedChoiceField(label=_("计票人"), coerce=int)
    issued = forms.IntegerField(label=_("发出纸质选票"), min_value=0)
    returned = forms.IntegerField(label=_("收回纸质选票"), min_value=0)
    valid = forms.IntegerField(label=_("有效票"), min_value=0)
    invalid = forms.IntegerField(label=_("无效票"), min_value=0)
    votes_for = forms.IntegerField(label=_("赞成"), min_value=0)
    against = forms.IntegerField(label=_("反对"), min_value=0)
    abstain = forms.IntegerField(label=_("弃权"), min_value=0)
    e_issued = forms.IntegerField(label=_("发出电子票卡"), min_value=0, initial=0)

    def __init__(
        self,
        *args: Any,
        electronic: bool = False,
        tellers: Iterable[tuple[int, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teller"].choices = list(tellers)  # type: ignore[attr-defined]
        if not electronic:
            del self.fields["e_issued"]

    def counts(self) -> dict[str, int]:
        data = {name: int(self.cleaned_data[name]) for name in self.fields if name != "teller"}
        data.setdefault("e_issued", 0)
        return data


class VoteForm(forms.Form):
    code = forms.CharField(
        label=_("票卡号码"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    choice = forms.ChoiceField(
        label=_("您的意见"), choices=Choice.choices, widget=forms.RadioSelect
    )
