"""The fields a step form adds for the step's content (fazhan.policy.content) and its scans.

A top-level module so that any app's step page can ask a step's content (the candidate page's
forms in fazhan.web, the talk page in fazhan.reviews) without an import loop.
`add_content_fields` is called at the end of StepForm.__init__ and `content_payload` by its
payload(), so a live step, a past fact (补录) and a correction ask the same things. Members are
chosen from the roster the form is given (the candidate's branch and the organizations above it);
a contact or introducer who is not a full member, or not on the roster at all, is named in a clear
refusal instead of Django's "invalid choice".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhan.attachments.actions import check_upload, max_bytes
from fazhan.core.errors import ActionRefused
from fazhan.orgs.models import Member, MemberStatus
from fazhan.people.content import LABELS, SOURCE_LABELS
from fazhan.policy.content import content_of

DATE_INPUT = {"type": "date"}
ACCEPT = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"
MEMBER_FIELDS = {
    "contacts": (gettext_lazy("培养联系人"), "细则第九条"),
    "introducers": (gettext_lazy("入党介绍人"), "细则第十四条"),
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Any number of scans, each checked by its content and size (fazhan.attachments)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = list(data) if isinstance(data, list | tuple) else ([data] if data else [])
        errors = []
        for upload in files:
            try:
                check_upload(upload)
            except ActionRefused as refused:
                errors += [str(r) for r in refused.reasons]
        if errors:
            raise ValidationError(errors)
        return files


class RosterMembersField(forms.TypedMultipleChoiceField):
    """Members of the roster offered by name; a choice outside the offer is named and explained."""

    def __init__(self, *, roster: Sequence[Member], title: str, basis: str, **kwargs: Any) -> None:
        self.roster = {m.pk: m for m in roster}
        self.title, self.basis = title, basis
        self.offered = [(m.pk, m.name) for m in roster if _may_serve(m)]
        super().__init__(
            choices=self.offered,
            coerce=int,
            widget=forms.CheckboxSelectMultiple,
            label=title,
            **kwargs,
        )

    def validate(self, value: Any) -> None:
        offered = {str(pk) for pk, _label in self.offered}
        for pk in value:  # as posted (text): coerced to ids after validation
            if str(pk) in offered:
                continue
            member = self.roster.get(int(pk)) if str(pk).isdigit() else None
            if member is None:
                raise ValidationError(
                    _("%(title)s须从本支部或上级党组织的党员名册中选择") % {"title": self.title}
                )
            raise ValidationError(
                _("%(name)s 是%(status)s，不能作%(title)s（须为正式党员，%(basis)s）")
                % {
                    "name": member.name,
                    "status": _("受留党察看处分、尚未恢复党员权利的党员")
                    if member.under_discipline and not member.rights_restored
                    else member.get_status_display(),
                    "title": self.title,
                    "basis": self.basis,
                }
            )
        super().validate(value)


def _may_serve(member: Member) -> bool:
    return member.status == MemberStatus.FULL and (
        not member.under_discipline or member.rights_restored
    )


def add_content_fields(
    form: forms.Form,
    step: str,
    members: Sequence[Member],
    *,
    attachments: bool = True,
    required: bool = True,
) -> None:
    """The step's content fields, its contacts or introducers by name, and its scans (a
    correction asks none of them: it keeps what it does not restate)."""
    for key, (title, basis) in MEMBER_FIELDS.items():
        if key in form.fields:
            form.fields[key] = RosterMembersField(roster=members, title=str(title), basis=basis)
            form.fields[key].label = form_label(key, title)
    spec = content_of(step)
    for asked in spec.fields if spec else ():
        label = LABELS[asked.key]
        field = replace(asked, required=asked.required and required)
        name = f"content_{field.key}"
        if field.kind == "member":
            form.fields[name] = forms.TypedChoiceField(
                label=label,
                coerce=int,
                choices=[("", "——"), *((m.pk, m.name) for m in members)],
                required=field.required,
                error_messages={
                    "invalid_choice": _("%(title)s须从本支部或上级党组织的党员名册中选择")
                    % {"title": label}
                },
            )
        elif field.kind == "text":
            form.fields[name] = forms.CharField(
                label=label, max_length=field.max_length, required=field.required
            )
        elif field.kind == "longtext":
            form.fields[name] = forms.CharField(
                label=label,
                max_length=field.max_length,
                required=field.required,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        elif field.kind == "date":
            form.fields[name] = forms.DateField(
                label=label, required=field.required, widget=forms.DateInput(DATE_INPUT)
            )
        elif field.kind == "sources":
            for i in range(1, field.rows + 1):
                form.fields[f"source{i}_kind"] = forms.ChoiceField(
                    label=_("材料来源 %(n)s：方式") % {"n": i},
                    choices=[("", "——"), *SOURCE_LABELS.items()],
                    required=False,
                )
                form.fields[f"source{i}_unit"] = forms.CharField(
                    label=_("材料来源 %(n)s：单位或对象") % {"n": i},
                    max_length=100,
                    required=False,
                )
                form.fields[f"source{i}_date"] = forms.DateField(
                    label=_("材料来源 %(n)s：日期") % {"n": i},
                    required=False,
                    widget=forms.DateInput(DATE_INPUT),
                )
    if attachments:
        form.fields["attachments"] = AttachmentsField(
            label=_("附件（PDF、JPEG、PNG 扫描件，可多选，每个不超过 %(mb)s MB）")
            % {"mb": f"{max_bytes() / 1024 / 1024:g}"},
            required=False,
        )


def form_label(key: str, title: Any) -> str:
    return {
        "contacts": _("培养联系人（一至两名正式党员）"),
        "introducers": _("入党介绍人（两名正式党员）"),
    }.get(key, str(title))


def clean_sources(form: forms.Form) -> None:
    """A source row is all three (way, unit, date) or nothing."""
    data = form.cleaned_data
    i = 1
    while f"source{i}_kind" in form.fields:
        parts = [data.get(f"source{i}_{p}") for p in ("kind", "unit", "date")]
        if any(parts) and not all(parts):
            form.add_error(f"source{i}_kind", _("材料来源须同时填写方式、单位和日期"))
        i += 1


def content_payload(form: forms.Form, step: str) -> dict[str, Any]:
    """The payload's `content` object from the cleaned form (empty when nothing was given)."""
    spec = content_of(step)
    if spec is None:
        return {}
    data = form.cleaned_data
    content: dict[str, Any] = {}
    for field in spec.fields:
        if field.kind == "sources":
            rows = []
            for i in range(1, field.rows + 1):
                kind, unit, day = (data.get(f"source{i}_{p}") for p in ("kind", "unit", "date"))
                if kind and unit and isinstance(day, date):
                    rows.append({"kind": kind, "unit": unit.strip(), "date": day.isoformat()})
            if rows:
                content[field.key] = rows
            continue
        value = data.get(f"content_{field.key}")
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, str):
            value = value.strip()
        if value not in (None, ""):
            content[field.key] = value
    return {"content": content} if content else {}


def content_initial(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A recorded event's content as the form's initial values (a correction starts from it)."""
    content = payload.get("content")
    initial: dict[str, Any] = {}
    for key, value in content.items() if isinstance(content, Mapping) else ():
        if key == "sources" and isinstance(value, list):
            for i, source in enumerate(value, start=1):
                for part in ("kind", "unit", "date"):
                    initial[f"source{i}_{part}"] = source.get(part)
        elif isinstance(value, Mapping):
            initial[f"content_{key}"] = value.get("member_id")
        else:
            initial[f"content_{key}"] = value
    return initial


def uploads(form: forms.Form) -> list[UploadedFile]:
    return list(form.cleaned_data.get("attachments") or [])
