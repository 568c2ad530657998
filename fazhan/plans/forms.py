"""Forms validate input only; the actions decide (DESIGN.md conventions)."""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator as django_max
from django.utils.translation import gettext_lazy as _

from fazhan.core import i18n_data
from fazhan.orgs.models import Organization
from fazhan.policy import jsontext, targets
from fazhan.policy.requests import STRUCTURE_KEYS


class LoadPlanForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    name = forms.ChoiceField(label=_("计划文件"), choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = targets.available_plans()
        field = self.fields["name"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(n, n) for n in names]
        field.initial = "seed" if "seed" in names else (names[0] if names else None)


def _number(label: str, required: bool = False) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        required=required,
        widget=forms.NumberInput(attrs={"style": "width:6rem"}),
    )


class PlanTargetsForm(forms.Form):
    """The plan's total and each target's absolute and percentage parts, as numbers."""

    total = forms.IntegerField(label=_("计划数（指导性计划）"), min_value=1)

    def __init__(self, *args: Any, document: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.document = document
        self.fields["total"].initial = document.get("total")
        self.rows: list[dict[str, Any]] = []
        for index, raw in enumerate(document.get("targets", [])):
            if not isinstance(raw, dict):
                continue
            abs_name, pct_name = f"t{index}_abs", f"t{index}_pct"
            self.fields[abs_name] = _number(f"{raw.get('id')} abs")
            self.fields[abs_name].initial = raw.get("abs")
            self.fields[pct_name] = _number(f"{raw.get('id')} pct")
            self.fields[pct_name].initial = raw.get("pct")
            self.rows.append({"index": index, "target": raw, "abs": abs_name, "pct": pct_name})

    def bound_rows(self) -> list[dict[str, Any]]:
        return [
            row | {"abs_field": self[row["abs"]], "pct_field": self[row["pct"]]}
            for row in self.rows
        ]

    def new_document(self) -> dict[str, Any]:
        """The document with the numbers entered; the parser in the action validates it."""
        data = copy.deepcopy(self.document)
        old_total = data.get("total")
        total = self.cleaned_data["total"]
        data["total"] = total
        for row in self.rows:
            target = data["targets"][row["index"]]
            for key, name in (("abs", row["abs"]), ("pct", row["pct"])):
                value = self.cleaned_data.get(name)
                if value is None:
                    target.pop(key, None)
                else:
                    target[key] = value
            # 指导性计划数 (Q1) follows the plan's number when it was equal to it.
            if (
                target.get("kind") == "aspiration"
                and target.get("category") == targets.DEVELOPED
                and self.initial_abs(row) == old_total
                and self.cleaned_data.get(row["abs"]) == old_total
            ):
                target["abs"] = total
        return data

    def initial_abs(self, row: dict[str, Any]) -> Any:
        return row["target"].get("abs")


class PlanJsonForm(forms.Form):
    document = forms.CharField(
        label=_("计划文件（fazhan-plan/1 JSON）"),
        widget=forms.Textarea(attrs={"rows": 24, "style": "width:100%;font-family:monospace"}),
    )

    def clean_document(self) -> dict[str, Any]:
        text = self.cleaned_data["document"]
        try:
            data = jsontext.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                _("不是有效的 JSON：第%(line)s行第%(col)s列，%(msg)s"),
                params={"line": error.lineno, "col": error.colno, "msg": error.msg},
            ) from None
        if not isinstance(data, dict):
            raise forms.ValidationError(_("必须是 JSON 对象"))
        return data


class SplitForm(forms.Form):
    """One number per unit below the organization being split."""

    def __init__(
        self,
        *args: Any,
        units: Sequence[Organization],
        initial_shares: dict[int, int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.units = list(units)
        for org in self.units:
            name = f"org_{org.pk}"
            self.fields[name] = _number(org.name)
            if initial_shares and org.pk in initial_shares:
                self.fields[name].initial = initial_shares[org.pk]

    def shares(self) -> dict[int, int]:
        """Entered numbers; a blank counts as 0 (a unit with no share this year)."""
        return {org.pk: int(self.cleaned_data.get(f"org_{org.pk}") or 0) for org in self.units}

    def raw_shares(self) -> dict[int, int]:
        """What the adjust page has typed so far, leniently (the live check must not fail)."""
        out: dict[int, int] = {}
        for org in self.units:
            raw = self.data.get(f"org_{org.pk}", "")
            try:
                out[org.pk] = max(0, int(str(raw).strip() or 0))
            except ValueError:
                out[org.pk] = 0
        return out

    def rows(self) -> list[dict[str, Any]]:
        return [{"org": org, "field": self[f"org_{org.pk}"]} for org in self.units]


class ShareTargetsForm(forms.Form):
    targets = forms.CharField(
        label=_("本单位的结构目标（fazhan-plan/1 targets 数组，可为空）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 16, "style": "width:100%;font-family:monospace"}),
    )

    def clean_targets(self) -> list[Any]:
        text = (self.cleaned_data.get("targets") or "").strip()
        if not text:
            return []
        try:
            data = jsontext.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                _("不是有效的 JSON：第%(line)s行第%(col)s列，%(msg)s"),
                params={"line": error.lineno, "col": error.colno, "msg": error.msg},
            ) from None
        if not isinstance(data, list):
            raise forms.ValidationError(_("必须是 JSON 数组"))
        return data


class PlanRequestForm(forms.Form):
    """Next year's requested number, its structure counts (optional) and why."""

    total = forms.IntegerField(label=_("申请发展数"), min_value=0, max_value=100000)
    justification = forms.CharField(
        label=_("申请理由"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keys = STRUCTURE_KEYS
        for key in STRUCTURE_KEYS:
            field = _number(i18n_data.text(targets.CATEGORY_LABELS[key]))
            field.validators.append(django_max(100000))
            self.fields[f"s_{key}"] = field

    def structure_rows(self) -> list[forms.BoundField]:
        return [self[f"s_{key}"] for key in self.keys]

    def structure(self) -> dict[str, int]:
        return {
            key: self.cleaned_data[f"s_{key}"]
            for key in self.keys
            if self.cleaned_data.get(f"s_{key}")
        }
