"""Intake pages (docs/intake.md): registering a 入党申请书, judged live as the clerk types, and a
person's dated attribute changes. The pages call fazhan.people.intake's actions; the live verdict
is `check_application`, the same checks the action refuses on."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhan.accounts.authority import authority
from fazhan.accounts.http import AuthenticatedHttpRequest
from fazhan.audit.models import Event as ChainEvent
from fazhan.core import dates
from fazhan.core.errors import ActionRefused, Reason
from fazhan.orgs.models import Kind, Organization
from fazhan.people import attributes
from fazhan.people.intake import (
    ENDING_KINDS,
    check_application,
    do_change_person_attributes,
    do_register_application,
    history_rows,
)
from fazhan.people.models import (
    CLOSED_STAGES,
    Candidate,
    Education,
    Occupation,
    Sex,
    get_candidate_for_user,
)
from fazhan.web.forms import DATE_WIDGET


class AttributesFields(forms.Form):
    """The attributes a person's file states and a dated change may set."""

    education = forms.ChoiceField(
        label=gettext_lazy("学历"), required=False, choices=[("", "——"), *Education.choices]
    )
    occupations = forms.MultipleChoiceField(
        label=gettext_lazy("职业"),
        required=False,
        choices=Occupation.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    frontline = forms.BooleanField(label=gettext_lazy("工作在一线"), required=False)
    unit = forms.CharField(label=gettext_lazy("工作单位"), max_length=128, required=False)
    graduation_date = forms.DateField(
        label=gettext_lazy("毕业日期（学生）"), required=False, widget=DATE_WIDGET
    )
    leaving_date = forms.DateField(
        label=gettext_lazy("离开工作、学习单位日期"), required=False, widget=DATE_WIDGET
    )

    def values(self) -> dict[str, Any]:
        return {key: self.cleaned_data.get(key) for key in attributes.FIELDS}


class IntakeForm(AttributesFields):
    org = forms.TypedChoiceField(label=gettext_lazy("党支部"), coerce=int, choices=[])
    applied_on = forms.DateField(label=gettext_lazy("递交入党申请书日期"), widget=DATE_WIDGET)
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=64)
    id_number = forms.CharField(
        label=gettext_lazy("身份证号码"),
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    sex = forms.ChoiceField(label=gettext_lazy("性别"), choices=[("", "——"), *Sex.choices])
    birth_date = forms.DateField(label=gettext_lazy("出生日期"), widget=DATE_WIDGET)
    ethnicity = forms.CharField(label=gettext_lazy("民族"), max_length=32, required=False)

    field_order = ["org", "applied_on", "name", "id_number", "sex", "birth_date", "ethnicity"]

    def __init__(self, *args: Any, branches: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = branches  # type: ignore[attr-defined]
        self.fields["applied_on"].initial = dates.today()


class ChangeForm(AttributesFields):
    effective_on = forms.DateField(label=gettext_lazy("生效日期"), widget=DATE_WIDGET)
    reason = forms.CharField(
        label=gettext_lazy("理由"), max_length=200, widget=forms.Textarea(attrs={"rows": 2})
    )
    field_order = ["effective_on"]


def writable_branches(user: Any) -> list[tuple[int, str]]:
    """The branches the user may register an application in: their own, or those below their
    committee or district role."""
    writable = authority(user).writable_ids()  # None: every organization (district staff)
    branches = Organization.objects.visible_to(user).open().filter(kind=Kind.BRANCH)
    if writable is not None:
        # One query, not a walk up the tree per branch (a district has thousands).
        branches = branches.filter(pk__in=writable)
    return list(branches.order_by("code").values_list("pk", "name"))


@login_required
def register(request: AuthenticatedHttpRequest) -> HttpResponse:
    branches = writable_branches(request.user)
    if not branches:
        raise Http404(_("没有这个页面"))
    refused: list[Reason] = []
    if request.method == "POST":
        form = IntakeForm(request.POST, branches=branches)
        if form.is_valid():
            data = form.cleaned_data
            org = Organization.objects.get(pk=data["org"])
            try:
                candidate = do_register_application(
                    request.user,
                    org=org,
                    name=data["name"],
                    sex=data["sex"],
                    birth_date=data["birth_date"],
                    id_number=data["id_number"],
                    applied_on=data["applied_on"],
                    ethnicity=data["ethnicity"],
                    **form.values(),
                )
            except ActionRefused as error:
                refused = error.reasons
            else:
                messages.success(request, _("已登记入党申请。"))
                return redirect("candidate", pk=candidate.pk)
    else:
        chosen = request.GET.get("org", "")
        initial = {"org": int(chosen)} if chosen.isdigit() else {}
        form = IntakeForm(branches=branches, initial=initial)
    return render(
        request,
        "web/intake.html",
        {"form": form, "refused": refused, "checks": _checks(request, form)},
        status=422 if refused else 200,
    )


def _checks(request: AuthenticatedHttpRequest, form: forms.Form) -> list[Any]:
    """The live verdict on what has been typed (valid or not: each field alone is judged)."""
    if not form.is_bound:
        return []
    raw = form.data

    def day(key: str) -> Any:
        field = form.fields[key]
        try:
            return field.clean(raw.get(key, "")) if raw.get(key) else None
        except forms.ValidationError:
            return None

    return check_application(
        request.user,
        id_number=str(raw.get("id_number", "")),
        birth_date=day("birth_date"),
        sex=str(raw.get("sex", "")) or None,
        applied_on=day("applied_on"),
    )


@login_required
def register_check(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The live verdict (htmx): the checks partial for the form as typed so far."""
    branches = writable_branches(request.user)
    if not branches:
        raise Http404(_("没有这个页面"))
    form = IntakeForm(request.POST or None, branches=branches)
    return render(request, "web/_intake_checks.html", {"checks": _checks(request, form)})


@login_required
def change_attributes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    candidate = get_candidate_for_user(request.user, pk)
    person = candidate.person
    can_write = authority(request.user).may_write(candidate.org_id)
    refused: list[Reason] = []
    # The form starts from the attributes in force today; only what the clerk changed is
    # recorded, so a change dated earlier does not undo later ones.
    initial = {**attributes.current_values(person), "effective_on": dates.today()}
    if request.method == "POST":
        form = ChangeForm(request.POST, initial=initial)
        if form.is_valid():
            changed = {k: v for k, v in form.values().items() if k in form.changed_data}
            try:
                do_change_person_attributes(
                    request.user,
                    person,
                    effective_on=form.cleaned_data["effective_on"],
                    values=changed,
                    reason=form.cleaned_data["reason"],
                )
            except ActionRefused as error:
                refused = error.reasons
            else:
                messages.success(request, _("已记录信息变更。"))
                return redirect("candidate", pk=candidate.pk)
    else:
        form = ChangeForm(initial=initial)
    return render(
        request,
        "web/attributes.html",
        {
            "candidate": candidate,
            "person": person,
            "form": form,
            "refused": refused,
            "can_write": can_write,
            "history": history_rows(person),
        },
        status=422 if refused else 200,
    )


def earlier_files(user: Any, candidate: Candidate) -> list[dict[str, Any]]:
    """The person's other files (a re-application's earlier ones, or a later one): when they
    were opened, how they ended, a link only where the user may look (DESIGN principle 6)."""
    others = list(
        Candidate.objects.filter(person_id=candidate.person_id)
        .exclude(pk=candidate.pk)
        .order_by("pk")
    )
    if not others:
        return []
    ids = [c.pk for c in others]
    visible = set(
        Candidate.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True)
    )
    ended: dict[int, Any] = {}
    closing = ChainEvent.objects.filter(candidate_id__in=ids, kind__in=ENDING_KINDS)
    for candidate_id, day in closing.order_by("seq").values_list("candidate_id", "happened_on"):
        if candidate_id is not None:
            ended[candidate_id] = day
    return [
        {
            "pk": other.pk if other.pk in visible else None,
            "applied_on": other.applied_on,
            "ended_on": ended.get(other.pk) if other.stage in CLOSED_STAGES else None,
            "stage": other.get_stage_display(),
            "closed": other.stage in CLOSED_STAGES,
            "later": other.pk > candidate.pk,
        }
        for other in others
    ]
