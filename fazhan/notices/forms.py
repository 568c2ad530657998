"""Staff forms for notices and feedback: input validation only (the rules are the actions')."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fazhan.core import dates
from fazhan.notices.models import FeedbackState, NoticeKind

# ISO values: a type=date input shows nothing for a localised "2026年3月2日".
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NoticeForm(forms.Form):
    org = forms.TypedChoiceField(label=_("发布组织"), coerce=int)
    kind = forms.ChoiceField(label=_("公示类型"))
    candidates = forms.TypedMultipleChoiceField(
        label=_("公示对象"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    contact = forms.CharField(
        label=_("反馈方式（组织的办公电话、地址）"),
        max_length=200,
        widget=forms.TextInput(attrs={"size": 60}),
    )
    working_days = forms.IntegerField(label=_("公示期（工作日）"), min_value=1, max_value=30)

    def __init__(
        self,
        *args: Any,
        orgs: list[tuple[int, str]],
        kinds: list[NoticeKind],
        candidates: list[tuple[int, str]],
        minimum: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = orgs  # type: ignore[attr-defined]
        self.fields["kind"].choices = [(k.value, k.label) for k in kinds]  # type: ignore[attr-defined]
        self.fields["candidates"].choices = candidates  # type: ignore[attr-defined]
        # The minimum is policy data (notice_min_working_days); the action checks it again.
        self.fields["working_days"] = forms.IntegerField(
            label=_("公示期（工作日）"), min_value=minimum, max_value=30, initial=minimum
        )


class ConsentForm(forms.Form):
    consented_on = forms.DateField(label=_("本人签字同意日期"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consented_on"].initial = dates.today()


class PublishForm(forms.Form):
    first_day = forms.DateField(label=_("公示首日"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["first_day"].initial = dates.today()


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("撤销理由"), max_length=200)


class DecisionForm(forms.Form):
    happened_on = forms.DateField(label=_("支部委员会决定日期"), widget=DATE)
    nomination = forms.ChoiceField(
        label=_("推荐方式"),
        required=False,
        choices=[
            ("member", _("党员推荐")),
            ("youth_league", _("共青团推优")),
            ("women_federation", _("妇联推优")),
            ("trade_union", _("工会推优")),
            ("federation_of_industry", _("工商联推优")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["happened_on"].initial = dates.today()


class AssignForm(forms.Form):
    handler = forms.TypedChoiceField(label=_("承办人"), coerce=int)
    deadline = forms.DateField(label=_("办理期限"), widget=DATE)

    def __init__(self, *args: Any, handlers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handler"].choices = handlers  # type: ignore[attr-defined]


class CloseForm(forms.Form):
    state = forms.ChoiceField(
        label=_("核查结论"),
        choices=[
            (FeedbackState.UNFOUNDED.value, _("不属实")),
            (FeedbackState.FOUNDED_MINOR.value, _("部分属实，不影响发展")),
            (FeedbackState.UPHELD.value, _("属实（影响发展）")),
        ],
        widget=forms.RadioSelect,
    )
    finding = forms.CharField(
        label=_("核查情况（内部存档）"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )
    reply = forms.CharField(
        label=_("给反映人的答复（凭回执码可见）"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    closed_on = forms.DateField(label=_("办结日期"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["closed_on"].initial = dates.today()
