"""The organization management forms: plain fields; the actions judge the values."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fazhan.core import dates
from fazhan.orgs.models import Level, OrgType

# A new organization is never a root: the district's 党委 is created by the import.
CHILD_LEVELS = [(value, label) for value, label in Level.choices]
TYPES = [("", _("同上级组织")), *OrgType.choices]


def org_choices(orgs: Any) -> list[tuple[str, str]]:
    """Organizations for a picker: code and name, open ones only (a closed one is hidden)."""
    return [("", "——")] + [
        (str(org.pk), f"{org.code} {org.name}") for org in orgs.filter(closed_on__isnull=True)
    ]


class CreateOrgForm(forms.Form):
    parent = forms.ChoiceField(label=_("上级组织"))
    code = forms.CharField(label=_("组织编码"), max_length=32)
    name = forms.CharField(label=_("组织名称"), max_length=100)
    short_name = forms.CharField(label=_("简称"), max_length=64, required=False)
    level = forms.ChoiceField(label=_("组织层级"), choices=CHILD_LEVELS)
    org_type = forms.ChoiceField(label=_("单位类型"), choices=TYPES, required=False)
    can_approve = forms.BooleanField(
        label=_("具有审批权限（仅党委、党工委、党组）"), required=False
    )
    secretary = forms.CharField(label=_("书记"), max_length=64, required=False)

    def __init__(self, *args: Any, parents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["parent"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = org_choices(parents.exclude(kind="branch"))


class RenameForm(forms.Form):
    name = forms.CharField(label=_("组织名称"), max_length=100)
    short_name = forms.CharField(label=_("简称"), max_length=64, required=False)


class SecretaryForm(forms.Form):
    secretary = forms.CharField(label=_("书记"), max_length=64, required=False)


class TypeForm(forms.Form):
    org_type = forms.ChoiceField(label=_("单位类型"), choices=OrgType.choices)


class ApprovalForm(forms.Form):
    can_approve = forms.BooleanField(label=_("具有审批权限"), required=False)


def _not_future(value: date) -> None:
    if value > dates.today():
        raise forms.ValidationError(_("日期不能晚于今天"))


class CloseForm(forms.Form):
    on = forms.DateField(
        label=_("撤销日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[_not_future],
    )


class TargetForm(forms.Form):
    """Move (the new parent) or merge (the surviving organization), then confirm."""

    target = forms.ChoiceField(label=_("目标组织"))
    on = forms.DateField(
        label=_("日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[_not_future],
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, targets: Any, label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["target"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = org_choices(targets)
        field.label = label

    def lock(self) -> None:
        """The confirm page: what was chosen is carried along, not offered again."""
        self.fields["target"].widget = forms.HiddenInput()
        self.fields["on"].widget = forms.HiddenInput()


class ContactForm(forms.Form):
    phone = forms.CharField(label=_("联系电话"), max_length=32, required=False)
    address = forms.CharField(label=_("通信地址"), max_length=200, required=False)
