"""The organization pages: the tree and each organization for district and committee staff
(committee staff read their own subtree); creating and changing organizations for district staff
only. Anyone else gets 404 (DESIGN principle 6); every change goes through a `do_` action."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fazhan.accounts.authority import Authority, authority, authority_required
from fazhan.accounts.http import AuthenticatedHttpRequest
from fazhan.core import dates
from fazhan.core.errors import ActionRefused, Reason
from fazhan.orgadmin.actions import (
    NewOrg,
    active_members,
    do_close,
    do_create_org,
    do_merge,
    do_move,
    do_rename,
    do_set_approval,
    do_set_secretary,
    do_set_type,
    manages_orgs,
    merge_refusals,
    move_refusals,
    open_files,
)
from fazhan.orgadmin.forms import (
    ApprovalForm,
    CloseForm,
    CreateOrgForm,
    RenameForm,
    SecretaryForm,
    TargetForm,
    TypeForm,
)
from fazhan.orgadmin.tree import COUNTED, tree_rows
from fazhan.orgs.models import Kind, Member, Organization, get_org_for_user, nearest_approver


def _reads(a: Authority) -> bool:
    return a.is_committee and not a.is_read_only and not a.is_admin


def _manages(a: Authority) -> bool:
    return a.is_district_staff and a.is_writer


readers_only = authority_required(_reads)
district_only = authority_required(_manages)


@readers_only
def tree(request: AuthenticatedHttpRequest) -> HttpResponse:
    show_closed = request.GET.get("closed") == "1"
    return render(
        request,
        "orgadmin/tree.html",
        {
            "rows": tree_rows(request.user, show_closed=show_closed),
            "show_closed": show_closed,
            "can_manage": manages_orgs(request.user),
            # One prefix for thousands of links, not one reverse() per node.
            "base": reverse("orgadmin:tree"),
        },
    )


def _counts(org: Organization) -> Counter[str]:
    subtree = Organization.objects.subtree_ids([org.pk])
    from fazhan.people.models import Candidate

    found: Counter[str] = Counter(
        dict(
            Candidate.objects.filter(org_id__in=subtree, stage__in=COUNTED)
            .values_list("stage")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    found["members"] = Member.objects.filter(org_id__in=subtree, active=True).count()
    return found


def _detail(
    request: AuthenticatedHttpRequest,
    org: Organization,
    *,
    refused: list[Reason] | None = None,
    forms: dict[str, Any] | None = None,
) -> HttpResponse:
    manage = manages_orgs(request.user) and authority(request.user).may_write(org.pk)
    scope = authority(request.user).reach
    visible = Organization.objects.visible_to(request.user)
    path = [
        o
        for o in Organization.objects.ancestors(org)
        if o.pk != org.pk and (scope.everything or o.pk in scope.org_ids)
    ]
    context: dict[str, Any] = {
        "org": org,
        "path": path,
        "children": list(visible.filter(parent=org).order_by("closed_on", "code")),
        "approver": nearest_approver(org),
        "counts": _counts(org),
        "own_files": open_files([org.pk]).count(),
        "own_members": active_members(org).count(),
        "manage": manage and not org.is_closed,
        "refused": refused or [],
    }
    if context["manage"]:
        context |= {
            "rename_form": RenameForm(initial={"name": org.name, "short_name": org.short_name}),
            "secretary_form": SecretaryForm(initial={"secretary": org.secretary}),
            "type_form": TypeForm(initial={"org_type": org.org_type}),
            "approval_form": ApprovalForm(initial={"can_approve": org.can_approve}),
            "close_form": CloseForm(initial={"on": dates.today()}),
            "may_approve": org.kind in (Kind.DISTRICT, Kind.SUB),
        }
        context |= forms or {}
    return render(request, "orgadmin/detail.html", context, status=422 if refused else 200)


@readers_only
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_org_for_user(request.user, pk))


@district_only
def create(request: AuthenticatedHttpRequest) -> HttpResponse:
    parents = Organization.objects.visible_to(request.user)
    refused: list[Reason] = []
    if request.method == "POST":
        form = CreateOrgForm(request.POST, parents=parents)
        if form.is_valid():
            data = form.cleaned_data
            parent = get_org_for_user(request.user, data["parent"])
            new = NewOrg(
                code=data["code"],
                name=data["name"],
                short_name=data["short_name"],
                level=data["level"],
                parent=parent,
                org_type=data["org_type"],
                can_approve=data["can_approve"],
                secretary=data["secretary"],
            )
            try:
                org = do_create_org(request.user, new, on=dates.today())
            except ActionRefused as error:
                refused = error.reasons
            else:
                messages.success(request, _("已新建「%(name)s」。") % {"name": org.name})
                return redirect("orgadmin:detail", pk=org.pk)
    else:
        initial = {"level": "branch"}
        if request.GET.get("parent", "").isdigit():
            initial["parent"] = request.GET["parent"]
        form = CreateOrgForm(initial=initial, parents=parents)
    return render(
        request,
        "orgadmin/create.html",
        {"form": form, "refused": refused},
        status=422 if refused else 200,
    )


def _act(request: AuthenticatedHttpRequest, org: Organization, act: Any) -> HttpResponse:
    try:
        with transaction.atomic():  # the edit page's two actions: both or neither
            act()
    except ActionRefused as error:
        return _detail(request, org, refused=error.reasons)
    messages.success(request, _("已保存。"))
    return redirect("orgadmin:detail", pk=org.pk)


@require_POST
@district_only
def edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Name, short name and secretary: each changed one is its own action and event."""
    org = get_org_for_user(request.user, pk)
    rename = RenameForm(request.POST)
    secretary = SecretaryForm(request.POST)
    if not rename.is_valid() or not secretary.is_valid():
        forms = {"rename_form": rename, "secretary_form": secretary}
        return _detail(request, org, refused=[Reason(_("请检查填写的内容"))], forms=forms)
    today = dates.today()

    def act() -> None:
        name, short = rename.cleaned_data["name"].strip(), rename.cleaned_data["short_name"].strip()
        changed = False
        if (name, short) != (org.name, org.short_name):
            do_rename(request.user, org, name=name, short_name=short, on=today)
            changed = True
        if secretary.cleaned_data["secretary"].strip() != org.secretary:
            do_set_secretary(
                request.user, org, secretary=secretary.cleaned_data["secretary"], on=today
            )
            changed = True
        if not changed:
            raise ActionRefused(_("没有变化"))

    return _act(request, org, act)


@require_POST
@district_only
def set_type(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    org = get_org_for_user(request.user, pk)
    form = TypeForm(request.POST)
    if not form.is_valid():
        return _detail(request, org, refused=[Reason(_("请选择单位类型"))])
    value = form.cleaned_data["org_type"]
    return _act(
        request, org, lambda: do_set_type(request.user, org, org_type=value, on=dates.today())
    )


@require_POST
@district_only
def set_approval(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    org = get_org_for_user(request.user, pk)
    form = ApprovalForm(request.POST)
    form.is_valid()  # a checkbox: always valid
    value = bool(form.cleaned_data.get("can_approve"))
    return _act(
        request,
        org,
        lambda: do_set_approval(request.user, org, can_approve=value, on=dates.today()),
    )


@require_POST
@district_only
def close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    org = get_org_for_user(request.user, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _detail(
            request,
            org,
            refused=[Reason(_("请填写撤销日期（不晚于今天）"))],
            forms={"close_form": form},
        )
    on = form.cleaned_data["on"]
    return _act(request, org, lambda: do_close(request.user, org, on=on))


def _target_page(request: AuthenticatedHttpRequest, pk: int, *, merge: bool) -> HttpResponse:
    org = get_org_for_user(request.user, pk)
    visible = Organization.objects.visible_to(request.user)
    subtree = Organization.objects.subtree_ids([org.pk])
    if merge:
        targets = visible.exclude(pk__in=subtree)
        label = _("并入（存续组织）")
    else:
        targets = visible.exclude(pk__in=subtree).exclude(kind=Kind.BRANCH)
        label = _("新的上级组织")
    refused: list[Reason] = []
    confirm: dict[str, Any] | None = None
    if request.method == "POST":
        form = TargetForm(request.POST, targets=targets, label=label)
        if form.is_valid():
            target = get_org_for_user(request.user, form.cleaned_data["target"])
            on = form.cleaned_data["on"]
            refused = merge_refusals(org, target) if merge else move_refusals(org, target)
            if not refused and form.cleaned_data["confirm"]:
                try:
                    if merge:
                        done = do_merge(request.user, org, into=target, on=on)
                        messages.success(
                            request,
                            _("已撤并：%(f)d 份档案、%(m)d 名党员转入「%(name)s」。")
                            % {"f": done.files, "m": done.members, "name": target.name},
                        )
                        return redirect("orgadmin:detail", pk=target.pk)
                    do_move(request.user, org, parent=target, on=on)
                except ActionRefused as error:
                    refused = error.reasons
                else:
                    messages.success(request, _("已移动。"))
                    return redirect("orgadmin:detail", pk=org.pk)
            if not refused:
                confirm = _confirmation(org, target, merge=merge)
                form = TargetForm(
                    initial={"target": target.pk, "on": on, "confirm": True},
                    targets=targets,
                    label=label,
                )
                form.lock()
    else:
        form = TargetForm(initial={"on": dates.today()}, targets=targets, label=label)
    return render(
        request,
        "orgadmin/target.html",
        {"org": org, "form": form, "merge": merge, "refused": refused, "confirm": confirm},
        status=422 if refused else 200,
    )


def _confirmation(org: Organization, target: Organization, *, merge: bool) -> dict[str, Any]:
    if merge:
        return {
            "target": target,
            "files": open_files([org.pk]).count(),
            "members": active_members(org).count(),
        }
    subtree = Organization.objects.subtree_ids([org.pk])
    after = org if org.can_approve else nearest_approver(target)
    return {
        "target": target,
        "old_parent": org.parent,
        "before": nearest_approver(org),
        "after": after,
        "files": open_files(subtree).count(),
        "orgs": len(subtree),
    }


@district_only
def move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _target_page(request, pk, merge=False)


@district_only
def merge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _target_page(request, pk, merge=True)


@require_POST
@district_only
def set_contact(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The telephone and address printed on the notices of the organizations below."""
    from fazhan.orgadmin.actions import do_set_contact
    from fazhan.orgadmin.forms import ContactForm

    org = get_org_for_user(request.user, pk)
    form = ContactForm(request.POST)
    if not form.is_valid():
        return _detail(request, org, refused=[Reason(_("请检查填写的内容"))])
    data = form.cleaned_data
    return _act(
        request,
        org,
        lambda: do_set_contact(
            request.user, org, phone=data["phone"], address=data["address"], on=dates.today()
        ),
    )
