"""The staff forms of the member pages: input only, the rules are the actions'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fazhan.core import dates

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AsOfForm(forms.Form):
    on = forms.DateField(label=_("名册日期"), required=False, widget=DATE)


class ChangeForm(forms.Form):
    """One form for each staff change; `kind` picks the fields (discipline has a period)."""

    happened_on = forms.DateField(label=_("日期"), widget=DATE)
    months = forms.TypedChoiceField(
        label=_("察看期限"),
        choices=[(12, _("一年")), (24, _("两年"))],
        coerce=int,
        required=False,
    )
    reason = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"happened_on": dates.today()})
        kwargs.setdefault("prefix", kind)
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind != "discipline":
            del self.fields["months"]
        labels = {
            "discipline": _("处分决定（文号或事由）"),
            "moved_away": _("转往单位或介绍信编号"),
        }
        if kind in labels:
            self.fields["reason"].label = labels[kind]
            self.fields["reason"].required = True
