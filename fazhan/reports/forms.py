"""Forms validate input only; the actions decide (DESIGN.md conventions)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fazhan.orgs.models import Organization
from fazhan.policy.targets import COUNT_KEYS
from fazhan.reports.figures import category_label
from fazhan.reports.models import CampaignKind, ReportSubmission

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OpenCampaignForm(forms.Form):
    kind = forms.ChoiceField(label=_("报表类型"), choices=CampaignKind.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    period_start = forms.DateField(label=_("统计起始日（默认1月1日）"), required=False, widget=DATE)
    cutoff = forms.DateField(
        label=_("统计截止日（默认6月20日或12月20日）"), required=False, widget=DATE
    )
    due = forms.DateField(label=_("上报期限（默认6月30日或12月31日）"), required=False, widget=DATE)
    senders = forms.ModelMultipleChoiceField(
        label=_("报送单位"),
        queryset=Organization.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        below = Organization.objects.filter(parent=org).order_by("code")
        field = self.fields["senders"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = below
        field.initial = list(below.values_list("pk", flat=True))


class CampaignDatesForm(forms.Form):
    period_start = forms.DateField(label=_("统计起始日"), widget=DATE)
    cutoff = forms.DateField(label=_("统计截止日"), widget=DATE)
    due = forms.DateField(label=_("上报期限"), widget=DATE)


class SubmissionForm(forms.Form):
    """The written summary (工作总结) and, for each count, the number reported where it differs
    from the record, with its explanation."""

    summary_done = forms.CharField(
        label=_("主要做法"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    summary_problems = forms.CharField(
        label=_("存在问题"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    summary_next = forms.CharField(
        label=_("下步打算"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, submission: ReportSubmission, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        record = submission.figures.get("counts", {})
        later = submission.figures.get("second_half") or {}
        self.rows: list[dict[str, Any]] = []
        for key in COUNT_KEYS:
            entry = submission.reported.get(key) or {}
            value = forms.IntegerField(
                label=_("上报数：%(label)s") % {"label": category_label(key)},
                min_value=0,
                required=False,
                widget=forms.NumberInput(attrs={"class": "narrow"}),
            )
            value.initial = entry.get("value")
            why = forms.CharField(
                label=_("差异说明：%(label)s") % {"label": category_label(key)},
                required=False,
                max_length=500,
            )
            why.initial = entry.get("explanation", "")
            self.fields[f"v_{key}"] = value
            self.fields[f"e_{key}"] = why
            self.rows.append(
                {
                    "key": key,
                    "label": category_label(key),
                    "record": record.get(key),
                    "second_half": later.get(key),
                }
            )
        for name in ("summary_done", "summary_problems", "summary_next"):
            self.fields[name].initial = getattr(submission, name)

    def bound_rows(self) -> list[dict[str, Any]]:
        return [
            row | {"value": self[f"v_{row['key']}"], "why": self[f"e_{row['key']}"]}
            for row in self.rows
        ]

    def reported(self) -> dict[str, tuple[int | None, str]]:
        data = self.cleaned_data
        return {key: (data.get(f"v_{key}"), data.get(f"e_{key}") or "") for key in COUNT_KEYS}
