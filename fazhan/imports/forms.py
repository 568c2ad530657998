"""Upload forms: they check the input only; reading and judging the files is the preview's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from fazhan.accounts.authority import authority
from fazhan.lib.tabular import upload_limits
from fazhan.orgs.models import Kind, Organization

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    UserLike = AbstractBaseUser | AnonymousUser

MAX_FILES_BYTES = 50 * 1024 * 1024


def writer_roots(user: UserLike) -> list[int]:
    """The organizations of the user's writing roles (district, sub-organization, branch)."""
    return authority(user).roots()


def writable_orgs(user: UserLike) -> QuerySet[Organization]:
    """Every open organization in the subtrees the user may write to (DESIGN principle 6); a
    closed one receives nothing."""
    ids = Organization.objects.subtree_ids(writer_roots(user))
    return Organization.objects.open().filter(pk__in=ids).order_by("code")


if TYPE_CHECKING:
    _OrgField = forms.ModelChoiceField[Organization]
else:  # django-stubs makes the field generic; Django's class is not subscriptable at runtime
    _OrgField = forms.ModelChoiceField


def checked_sheet(upload: UploadedFile) -> UploadedFile:
    """A spreadsheet upload within the size limit and of a kind we read (.xlsx or .csv)."""
    limit = upload_limits().max_bytes
    if (upload.size or 0) > limit:
        raise forms.ValidationError(
            _("文件超过 %(n)s MB，请分批导入。") % {"n": f"{limit / (1024 * 1024):g}"}
        )
    name = (upload.name or "").lower()
    if not name.endswith((".xlsx", ".xlsm", ".csv", ".xls")):
        raise forms.ValidationError(_("只能导入 .xlsx 或 .csv 文件。"))
    return upload


class OrgChoiceField(_OrgField):
    def label_from_instance(self, obj: Organization) -> str:
        return f"{obj.code}  {obj.name}"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (the pattern of Django's documentation)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".json,.zip"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class RosterUploadForm(forms.Form):
    org = OrgChoiceField(
        label=_("导入范围"),
        queryset=Organization.objects.none(),
        help_text=_("名册中的党支部须在此组织之内；选党支部时，“党支部”列可以空白。"),
    )
    file = forms.FileField(
        label=_("人员名册（.xlsx 或 .csv）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, user: UserLike, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["org"]
        assert isinstance(field, OrgChoiceField)
        field.queryset = writable_orgs(user)
        roots = writer_roots(user)
        if roots and not self.is_bound:
            field.initial = roots[0]

    def clean_file(self) -> UploadedFile:
        return checked_sheet(self.cleaned_data["file"])


class FilesUploadForm(forms.Form):
    org = OrgChoiceField(label=_("导入到党支部"), queryset=Organization.objects.none())
    uploads = MultipleFileField(label=_("档案文件（.json，可多选，或 .zip）"))

    def __init__(self, user: UserLike, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["org"]
        assert isinstance(field, OrgChoiceField)
        field.queryset = writable_orgs(user).filter(kind=Kind.BRANCH)
        roots = writer_roots(user)
        if roots and not self.is_bound:
            field.initial = roots[0]

    def clean_uploads(self) -> list[UploadedFile]:
        uploads: list[UploadedFile] = self.cleaned_data["uploads"]
        if sum(u.size or 0 for u in uploads) > MAX_FILES_BYTES:
            raise forms.ValidationError(_("文件合计超过 50 MB，请分批导入。"))
        return uploads


class SheetUploadForm(forms.Form):
    """The organization tree or the party-member roster (contracts.md §7): the district's own."""

    file = forms.FileField(
        label=_("文件（.xlsx 或 .csv）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self) -> UploadedFile:
        return checked_sheet(self.cleaned_data["file"])
