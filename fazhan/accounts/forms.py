"""Forms of the account pages: they validate input only; the actions decide and check rights."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import signing
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhan.accounts.models import RoleKind
from fazhan.accounts.roster import MAX_BYTES, RosterRow
from fazhan.orgs.models import Organization

ROSTER_SALT = "fazhan.accounts.roster"
# The preview is confirmed within the hour or uploaded again (the branches may have changed).
ROSTER_MAX_AGE = 3600


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("花名册文件（CSV 或 .xlsx）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("文件过大（不超过 2 MB）。"))
        return upload


def sign_roster(actor_id: int, rows: list[RosterRow]) -> str:
    """The previewed rows, signed, for the confirm step: the file is not uploaded twice, and the
    phone column, never read into a row, is not carried along."""
    data = {"actor": actor_id, "rows": [[r.line, r.branch, r.name, r.username] for r in rows]}
    return signing.dumps(data, salt=ROSTER_SALT, compress=True)


def unsign_roster(actor_id: int, token: str) -> list[RosterRow] | None:
    try:
        data = signing.loads(token, salt=ROSTER_SALT, max_age=ROSTER_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    if not isinstance(data, dict) or data.get("actor") != actor_id:
        return None
    return [
        RosterRow(int(line), branch, name, username)
        for line, branch, name, username in data["rows"]
    ]


class RosterConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)


class HandOverForm(forms.Form):
    EXISTING = "existing"
    NEW = "new"

    old_user = forms.TypedChoiceField(
        label=gettext_lazy("交出账号"), coerce=int, required=False, empty_value=None
    )
    successor = forms.ChoiceField(
        label=gettext_lazy("接任者"),
        choices=[
            (NEW, gettext_lazy("新建账号")),
            (EXISTING, gettext_lazy("已有账号")),
        ],
        widget=forms.RadioSelect,
        initial=NEW,
    )
    new_name = forms.CharField(label=gettext_lazy("姓名"), max_length=64, required=False)
    new_username = forms.CharField(
        label=gettext_lazy("用户名（可不填，按姓名拼音生成）"), max_length=30, required=False
    )
    existing_username = forms.CharField(
        label=gettext_lazy("已有账号的用户名"), max_length=150, required=False
    )
    deactivate_old = forms.BooleanField(label=gettext_lazy("同时停用交出的账号"), required=False)

    def __init__(self, *args: Any, holders: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["old_user"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "—")] + [(pk, label) for pk, label in holders]
        # With several accounts at the branch (书记 and 组织委员) the clerk says whose duty ends.
        field.required = len(holders) > 1

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        assert data is not None
        if data.get("successor") == self.NEW and not data.get("new_name", "").strip():
            self.add_error("new_name", _("请填写接任者姓名。"))
        if data.get("successor") == self.EXISTING and not data.get("existing_username", "").strip():
            self.add_error("existing_username", _("请填写接任者的用户名。"))
        return data


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=gettext_lazy("原密码（或管理员给的一次性密码）"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    new_password1 = forms.CharField(
        label=gettext_lazy("新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("至少 8 个字符，不能是常见密码、纯数字或与用户名相近。"),
    )
    new_password2 = forms.CharField(
        label=gettext_lazy("再次输入新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        assert data is not None
        one, two = data.get("new_password1"), data.get("new_password2")
        if one and two and one != two:
            self.add_error("new_password2", _("两次输入的新密码不一致。"))
        return data


class AccountForm(forms.Form):
    """One account with one role (the system administrator's page)."""

    username = forms.CharField(label=gettext_lazy("用户名"), max_length=150)
    display_name = forms.CharField(label=gettext_lazy("显示名称（职务或姓名）"), max_length=64)
    kind = forms.ChoiceField(label=gettext_lazy("角色"), choices=RoleKind.choices)
    org = forms.ModelChoiceField(
        label=gettext_lazy("组织（安全审计员、系统管理员不填）"),
        queryset=Organization.objects.open()
        .exclude(kind="general_branch")
        .order_by("kind", "code"),
        required=False,
    )
