"""Forms of the mobility pages: they validate input only; the actions decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fazhan.core import dates
from fazhan.mobility.actions import ContactWay
from fazhan.mobility.models import AgreementType, OutsideKind
from fazhan.orgs.models import Member
from fazhan.policy import mobility as rules
from fazhan.web.forms import DATE_WIDGET, StepForm


def _step_choices() -> list[tuple[str, str]]:
    from fazhan.core import i18n_data

    return [(code, i18n_data.step_label(code)) for code in rules.COOPERABLE_STEPS]


class RefuseForm(forms.Form):
    happened_on = forms.DateField(label=_("日期"), widget=DATE_WIDGET)
    reason = forms.CharField(
        label=_("不接收的理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["happened_on"].initial = dates.today()


class AgreementForm(forms.Form):
    """One agreement: its type, the partner (in the district or outside it), dates and scope."""

    kind = forms.ChoiceField(label=_("协议类型"), choices=AgreementType.choices)
    cooperating = forms.TypedChoiceField(
        label=_("区内协作党组织"), coerce=int, choices=[], required=False, empty_value=None
    )
    outside = forms.TypedChoiceField(
        label=_("区外党组织"), coerce=int, choices=[], required=False, empty_value=None
    )
    steps = forms.MultipleChoiceField(
        label=_("协作方可以记录的步骤"),
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则按协议类型的默认范围。"),
    )
    contact = forms.CharField(label=_("跟踪联系人（跟踪教育必填）"), max_length=64, required=False)
    started_on = forms.DateField(label=_("开始日期"), widget=DATE_WIDGET)
    until = forms.DateField(label=_("约定结束日期"), widget=DATE_WIDGET, required=False)

    def __init__(
        self,
        *args: Any,
        branches: list[tuple[int, str]],
        outside: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cooperating"].choices = [("", "——"), *branches]  # type: ignore[attr-defined]
        self.fields["outside"].choices = [("", "——"), *outside]  # type: ignore[attr-defined]
        self.fields["steps"].choices = _step_choices()  # type: ignore[attr-defined]
        self.fields["started_on"].initial = dates.today()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("cooperating") is None) == (data.get("outside") is None):
            raise forms.ValidationError(_("请选择一个协作党组织（区内或区外，二者选一）。"))
        return data


class VoidDepartureForm(forms.Form):
    reason = forms.CharField(
        label=_("撤销理由"),
        max_length=200,
        help_text=_("例如：误选了档案，或对方未接收。撤销后档案回到本区，介绍信作废。"),
    )


class EndForm(forms.Form):
    ended_on = forms.DateField(label=_("结束日期"), widget=DATE_WIDGET)
    reason = forms.CharField(label=_("结束原因"), max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].initial = dates.today()


class ReportForm(StepForm):
    """What an outside organization reported, recorded as a past fact: the step's own form (its
    content and scans, as the step page asks them: fazhan.content_forms) and the letter's
    reference."""

    def __init__(self, *args: Any, step: str, members: list[Member], **kwargs: Any) -> None:
        super().__init__(*args, step=step, members=members, **kwargs)
        self.fields["happened_on"].label = _("考察（函调）日期")
        self.fields["document"] = forms.CharField(label=_("来函文号或材料编号"), max_length=100)
        # The letter's reference right after its date; the step's content and the scans follow.
        order = ["happened_on", "document"]
        self.order_fields(order + [name for name in self.fields if name not in order])


def step_label(code: str) -> str:
    return dict(_step_choices()).get(code, code)


class ContactForm(forms.Form):
    way = forms.ChoiceField(
        label=_("联系方式"),
        choices=list(ContactWay.LABELS.items()),
    )
    happened_on = forms.DateField(label=_("联系日期"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["happened_on"].initial = dates.today()


class OutsideForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=128)
    kind = forms.ChoiceField(label=_("类别"), choices=OutsideKind.choices)
    region = forms.CharField(label=_("所在地"), max_length=64, required=False)
    contact = forms.CharField(label=_("联系人及联系方式"), max_length=128)
    registered_for = forms.TypedChoiceField(label=_("登记单位"), coerce=int, choices=[])

    def __init__(self, *args: Any, orgs: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["registered_for"].choices = orgs  # type: ignore[attr-defined]


class DepartForm(forms.Form):
    outside = forms.TypedChoiceField(label=_("转往的区外党组织"), coerce=int, choices=[])
    happened_on = forms.DateField(label=_("转出日期"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, outside: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outside"].choices = [("", "——"), *outside]  # type: ignore[attr-defined]
        self.fields["happened_on"].initial = dates.today()


class ReceiveForm(forms.Form):
    file = forms.FileField(label=_("电子档案（JSON）"))
    letter_code = forms.CharField(label=_("介绍信上的档案编码"), max_length=14)
    origin = forms.CharField(label=_("转出的党组织"), max_length=128)
    org = forms.TypedChoiceField(label=_("接收的党支部"), coerce=int, choices=[])
    arrived_on = forms.DateField(label=_("接收日期"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, branches: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = branches  # type: ignore[attr-defined]
        self.fields["arrived_on"].initial = dates.today()
