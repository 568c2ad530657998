"""The back office pages: typed function views reading through `visible_to(user)`."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhan.accounts.actions import is_security_admin
from fazhan.accounts.authority import authority
from fazhan.accounts.http import AuthenticatedHttpRequest
from fazhan.accounts.models import Role, RoleKind, User
from fazhan.attachments.actions import do_record_step_with_files
from fazhan.audit.chain import events_of, read_head
from fazhan.content_forms import uploads
from fazhan.core import dates, i18n_data
from fazhan.core.errors import ActionRefused, Reason
from fazhan.members.history import rosters_up_from
from fazhan.orgs.models import Member, Organization
from fazhan.paperwork.models import print_links
from fazhan.people.actions import (
    COMMITTEE_STEPS,
    Mode,
    do_record_step_batch,
)
from fazhan.people.models import (
    Candidate,
    CandidateOrgLink,
    LinkRole,
    Stage,
    get_candidate_for_user,
)
from fazhan.people.record import is_record_kind
from fazhan.people.signals import irregular_q, late_q, overdue_now, overdue_q
from fazhan.policy.data import load_policy
from fazhan.policy.guidance import load_guidance
from fazhan.web.content import step_contents
from fazhan.web.dossier_forms import PastFactForm, record_past_fact_from
from fazhan.web.filters import filter_candidates, open_files
from fazhan.web.forms import BatchForm, StepForm
from fazhan.web.intake import earlier_files, writable_branches
from fazhan.web.queues import queue_for

LIST_ROWS = 12
# Where an owned step is recorded live (DESIGN principle 5): the owner's page, and the link text.
OWNER_PAGES = {
    "prereview": ("reviews:index", False, gettext_lazy("到预审办理")),
    "meeting": ("meetings:index", False, gettext_lazy("到支部大会办理")),
    "approval": ("reviews:candidate", True, gettext_lazy("到审批办理")),
    "notice": ("notices:create", False, gettext_lazy("到公示办理")),
}
PHASES = {
    1: gettext_lazy("申请入党"),
    2: gettext_lazy("入党积极分子的确定和培养教育"),
    3: gettext_lazy("发展对象的确定和考察"),
    4: gettext_lazy("预备党员的接收"),
    5: gettext_lazy("预备党员的教育考察和转正"),
}


def _role_summary(user: Any) -> list[dict[str, Any]]:
    labels = dict(RoleKind.choices)
    roles = authority(user).roles
    names = dict(
        Organization.objects.filter(pk__in=[o for _, o in roles if o]).values_list("pk", "name")
    )
    return [
        {"kind": labels.get(kind, kind), "org": names.get(org) if org else ""}
        for kind, org in roles
    ]


def _home_counts(user: Any, candidates: QuerySet[Candidate], today: date) -> dict[str, Any]:
    """The home page's figures from the indexes, never per person and never reading the files'
    rows: files per stage for each responsible organization (the (org, stage) index), summed
    here over every visible file and over each organization directly under the user's own (a
    district sees its sub-organizations, a committee its branches); and the three signals
    (overdue now, was late, irregular: the candidate list's own filters, fazhan.people.signals),
    each counted on its index."""
    position = {value: index for index, (value, _) in enumerate(Stage.choices)}
    grouped = candidates.order_by().values_list("org_id", "stage").annotate(n=Count("id"))
    # Thousands of (organization, stage) rows at a city's size: read as plain tuples.
    rows: list[tuple[int, str, int]] = []
    try:
        sql, params = grouped.query.sql_with_params()
    except EmptyResultSet:  # no organization in reach: nothing to count
        pass
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    by_org: dict[int, list[int]] = {}
    sums = [0] * len(position)
    unlisted = 0  # a stage no card shows: in the total only, as the page always counted it
    for org_id, stage, n in rows:
        index = position.get(stage)
        if index is None:
            unlisted += n
            continue
        counts = by_org.get(org_id)
        if counts is None:
            counts = by_org[org_id] = [0] * len(position)
        counts[index] += n
        sums[index] += n
    # A file sent out of the district (fazhan.mobility) is in no stage card, as the stage list
    # leaves it out; it stays in the total and its organization's row, as their lists keep it.
    # The few such files are read one by one on the departed_on partial index (a GROUP BY would
    # lead SQLite to scan the stage index of every file instead).
    departed = candidates.filter(departed_on__isnull=False).order_by()
    for stage in departed.values_list("stage", flat=True):
        index = position.get(stage)
        if index is not None:
            sums[index] -= 1
            unlisted += 1
    totals = dict(zip(position, sums, strict=True))
    return {
        "stages": [
            {"value": value, "label": label, "n": totals.get(value, 0)}
            for value, label in Stage.choices
        ],
        "total": sum(sums) + unlisted,
        "overdue_count": candidates.filter(overdue_q(today)).count(),
        "with_lates": candidates.filter(late_q()).count(),
        "with_violations": candidates.filter(irregular_q()).count(),
        "by_child": _counts_by_child(user, by_org),
    }


_PK_MARK = 987654321  # a route's id, replaced by each row's own


def _counts_by_child(user: Any, by_org: dict[int, list[int]]) -> list[dict[str, Any]]:
    """Files per stage for each organization directly under the user's own, summed over the
    per-organization rows of `_home_counts` (each organization walked up the tree's parent
    links, read as one list of id pairs)."""
    roots = authority(user).roots()
    if len(roots) != 1:
        return []
    children = list(Organization.objects.filter(parent_id=roots[0]).order_by("code", "pk"))
    if not children:
        return []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, parent_id FROM {Organization._meta.db_table}")
        parent_of: dict[int, int | None] = dict(cursor.fetchall())
    child_ids = {child.pk for child in children}
    owner: dict[int, int | None] = {}

    def owner_of(org_id: int) -> int | None:
        """The child of our own organization above `org_id` (itself included), or None."""
        seen: list[int] = []
        current: int | None = org_id
        found: int | None = None
        while current is not None and current not in owner:
            if current in child_ids:
                found = current
                break
            seen.append(current)
            current = parent_of.get(current)
        else:
            found = owner.get(current) if current is not None else None
        for node in seen:
            owner[node] = found
        owner[org_id] = found
        return found

    totals: dict[int, list[int]] = {child.pk: [0] * len(Stage.choices) for child in children}
    for org_id, row in by_org.items():
        child = owner_of(org_id)
        if child is not None:
            target = totals[child]
            for index, n in enumerate(row):
                target[index] += n
    # Each row links to its list and its 备案表: the routes reversed once, not once per row.
    listed = reverse("candidates")
    filing = reverse("paperwork:filing", args=[_PK_MARK])
    return [
        {
            "org": child,
            "counts": totals[child.pk],
            "total": sum(totals[child.pk]),
            "list_url": f"{listed}?org={child.pk}",
            "filing_url": filing.replace(str(_PK_MARK), str(child.pk)),
            # The row's numbers as table cells at once (hundreds of cells at a district's size).
            "cells": format_html_join("", "<td>{}</td>", ((n,) for n in totals[child.pk])),
        }
        for child in children
    ]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    auth = authority(user)
    if is_security_admin(user):  # 三员分立: grants and second factors, no records
        return redirect("accounts:security")
    if auth.is_sysadmin:
        return render(
            request,
            "web/home_admin.html",
            {
                "roles": _role_summary(user),
                "accounts": User.objects.filter(is_active=True).count(),
                "by_kind": Role.objects.filter(active=True).values("kind").annotate(n=Count("id")),
            },
        )
    today = dates.today()
    candidates = Candidate.objects.visible_to(user)
    committee = auth.is_committee
    pending = open_files(candidates).select_related("person", "org")
    mine = (
        pending.filter(next_step__in=COMMITTEE_STEPS)
        if committee
        else pending.exclude(next_step__in=COMMITTEE_STEPS)
    )
    context = {
        "roles": _role_summary(user),
        **_home_counts(user, candidates, today),
        "due_week": pending.filter(
            next_due__gte=today, next_due__lte=today + timedelta(days=7)
        ).order_by("next_due")[:LIST_ROWS],
        "overdue": overdue_now(pending, today).order_by("next_due")[:LIST_ROWS],
        "waiting": mine.order_by("next_due")[:LIST_ROWS],
        "queue": queue_for(user)[: LIST_ROWS * 2],
        "read_only": auth.is_read_only,
        "head": read_head() if auth.is_read_only else None,
        "today": today,
        "committee": committee,
        # Committee steps wait for the committees, not for the district (issue 14 item 4).
        "district_only": auth.is_district_staff
        and not auth.roots(RoleKind.SUB_STAFF, RoleKind.BRANCH_SECRETARY),
        "guidance": _guidance_for(auth),
        "home_org": auth.home,
    }
    return render(request, "web/home.html", context)


def _guidance_for(auth: Any) -> list[Any]:
    """The seed's guidance for the unit types the user works in (区委意见二（二）分类指导)."""
    types = Organization.objects.filter(pk__in=auth.roots()).exclude(org_type="")
    book = load_guidance()
    found = [book.of(t) for t in sorted(set(types.values_list("org_type", flat=True)))]
    return [g for g in found if g is not None]


@login_required
def candidate_list(request: HttpRequest) -> HttpResponse:
    today = dates.today()
    stage = request.GET.get("stage", "")
    query = request.GET.get("q", "").strip()
    show = request.GET.get("show", "")
    candidates = filter_candidates(request.user, request.GET)
    page = Paginator(candidates.order_by("next_due", "pk"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "web/candidate_list.html",
        {
            "can_register": bool(writable_branches(request.user)),
            "page": page,
            "stage": stage,
            "q": query,
            "show": show,
            "org": request.GET.get("org", ""),
            "stages": Stage.choices,
            "today": today,
        },
    )


@login_required
def candidate_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    candidate = get_candidate_for_user(request.user, pk)
    policy = load_policy(candidate.policy)
    recorded: dict[str, list[Any]] = {}
    for event in events_of(candidate.pk):
        if is_record_kind(event.kind):
            recorded.setdefault(event.kind, []).append(event)
    timeline: list[dict[str, Any]] = []
    phase = 0
    for step in policy.steps.values():
        if step.phase != phase:
            phase = step.phase
            timeline.append(
                {"phase": _("第%(n)s阶段 %(name)s") % {"n": phase, "name": PHASES[phase]}}
            )
        notice = policy.notice_for_step(step.code)
        if notice is not None:
            timeline.append(
                {
                    "code": notice.type,
                    "name": i18n_data.step_name(notice.type, candidate.policy),
                    "events": recorded.get(notice.type, []),
                }
            )
        timeline.append(
            {
                "code": step.code,
                "name": i18n_data.step_name(step.code, candidate.policy),
                "events": recorded.get(step.code, []),
            }
        )
    projection = candidate.projection or {}
    next_steps = [
        dict(n) | _next_link(candidate, policy.owner_of(n["step"]), n["step"])
        for n in projection.get("next", [])
        if candidate.departed_on is None  # sent out of the district: nothing is due here
    ]
    return render(
        request,
        "web/candidate_detail.html",
        {
            "candidate": candidate,
            "person": candidate.person,
            "timeline": timeline,
            "next": next_steps,
            # Import gaps (fazhan.policy.gaps) apart from the breaches.
            "findings": [f for f in projection.get("findings", []) if not f.get("gap")],
            "gaps": [f for f in projection.get("findings", []) if f.get("gap")],
            "steps": [code for code in policy.steps if policy.owner_of(code) is None],
            "past_steps": [*policy.steps, *policy.notices],
            "today": dates.today(),
            # A file sent out of the district takes no more records (fazhan.people.actions).
            "can_write": authority(request.user).may_write(candidate.org_id)
            and candidate.departed_on is None,
            "accept": pending_transfer(request.user, candidate) is not None,
            # A re-application's earlier files, or the later one (docs/intake.md).
            "other_files": earlier_files(request.user, candidate),
            "paperwork": print_links(candidate.pk),
            **step_contents(candidate.pk, events_of(candidate.pk)),  # fazhan.web.content
        },
    )


def _next_link(candidate: Candidate, owner: str | None, step: str) -> dict[str, str]:
    """The page that records a next step: the generic step page, or its owner's page."""
    if owner is None:
        return {"href": reverse("record_step", args=[candidate.pk, step]), "via": ""}
    if owner not in OWNER_PAGES:
        return {"href": "", "via": ""}
    name, with_pk, via = OWNER_PAGES[owner]
    return {"href": reverse(name, args=[candidate.pk] if with_pk else []), "via": str(via)}


def _members_for(candidate: Candidate, day: date | None = None) -> list[Member]:
    """The rosters a candidate's contacts and introducers come from: its branch and the
    organizations above it (a committee member may introduce), as they stand on `day` (today);
    the action checks the roster again on the step's own date."""
    return rosters_up_from(candidate.org_id, day or dates.today())


def _posted_day(request: HttpRequest) -> date | None:
    """The date a step form was posted with: its members are chosen from that day's roster."""
    try:
        return date.fromisoformat(request.POST.get("happened_on", ""))
    except ValueError:
        return None


def _step_page(
    request: AuthenticatedHttpRequest, pk: int, step: str, *, mode: Mode
) -> HttpResponse:
    """One step's form, live (the generic door: unowned steps only) or past (补录: any step of
    the policy, breaches kept as findings, DESIGN principle 4)."""
    candidate = get_candidate_for_user(request.user, pk)
    policy = load_policy(candidate.policy)
    known = policy.steps.get(step) or policy.notices.get(step)
    # Each step has one owner (DESIGN principle 5): an owned step has no second live door, and
    # the page does not say whether the step exists.
    if known is None or (mode == Mode.LIVE and policy.owner_of(step) is not None):
        raise Http404(_("没有这个步骤"))
    members = _members_for(candidate, _posted_day(request) if request.method == "POST" else None)
    refused: list[Reason] = []
    # A past fact names its paper and why it is late (fazhan.dossier, principle 4).
    form_class = PastFactForm if mode == Mode.PAST else StepForm
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, step=step, members=members)
        if form.is_valid():
            fact = None
            try:
                if isinstance(form, PastFactForm):
                    fact = record_past_fact_from(request.user, candidate, form, uploads(form))
                else:
                    do_record_step_with_files(
                        request.user,
                        candidate,
                        step=step,
                        happened_on=form.cleaned_data["happened_on"],
                        payload=form.payload(),
                        files=uploads(form),
                        mode=mode,
                    )
            except ActionRefused as error:
                refused = error.reasons
            else:
                if fact is not None and fact.status == "pending":
                    messages.success(request, _("已提交，等待上级党组织另一人确认后记入档案。"))
                else:
                    messages.success(request, _("已记录。"))
                return redirect("candidate", pk=candidate.pk)
    else:
        form = form_class(step=step, members=members)
    return render(
        request,
        "web/record_step.html",
        {
            "candidate": candidate,
            "form": form,
            "step": step,
            "step_name": i18n_data.step_name(step, candidate.policy),
            "refused": refused,
            "basis": getattr(known, "basis", ""),
            "past": mode == Mode.PAST,
        },
        status=422 if refused else 200,
    )


def pending_transfer(user: Any, candidate: Candidate) -> CandidateOrgLink | None:
    """The open inflow link of this file that the user's organizations receive, if any."""
    receiving = Organization.objects.visible_to(user).values("pk")
    return (
        CandidateOrgLink.objects.filter(
            candidate=candidate,
            role=LinkRole.INFLOW,
            ended_on__isnull=True,
            org_id__in=receiving,
        )
        .select_related("org")
        .first()
    )


@login_required
def record_step(request: AuthenticatedHttpRequest, pk: int, step: str) -> HttpResponse:
    return _step_page(request, pk, step, mode=Mode.LIVE)


@login_required
def past_step(request: AuthenticatedHttpRequest, pk: int, step: str) -> HttpResponse:
    return _step_page(request, pk, step, mode=Mode.PAST)


@login_required
def batch(request: AuthenticatedHttpRequest) -> HttpResponse:
    visible = Candidate.objects.visible_to(request.user).here().select_related("person", "org")
    stage = request.GET.get("stage", "target")
    org = request.GET.get("org", "")
    pool = visible.filter(stage=stage) if stage in Stage.values else visible
    if org.isdigit():
        pool = pool.filter(org_id__in=Organization.objects.subtree_ids([int(org)]))
    pool = pool.order_by("org_id", "person__name_pinyin")[:500]
    choices = [(c.pk, f"{c.person.name}（{c.org.name}）") for c in pool]
    results: list[dict[str, Any]] = []
    if request.method == "POST":
        form = BatchForm(request.POST, choices=choices)
        if form.is_valid():
            outcome = do_record_step_batch(
                request.user,
                form.cleaned_data["candidates"],
                step=form.cleaned_data["step"],
                happened_on=form.cleaned_data["happened_on"],
                payload=form.payload(),
            )
            names = dict(choices)
            results = [
                {
                    "name": names.get(r.candidate_id, r.candidate_id),
                    "ok": r.ok,
                    "reasons": r.reasons,
                    "pk": r.candidate_id,
                }
                for r in outcome
            ]
    else:
        form = BatchForm(choices=choices)
    orgs = Organization.objects.visible_to(request.user).exclude(kind="branch").order_by("pk")
    return render(
        request,
        "web/batch.html",
        {
            "form": form,
            "pool": pool,
            "results": results,
            "stage": stage,
            "org": org,
            "stages": Stage.choices,
            "orgs": orgs,
            "ok_count": sum(1 for r in results if r["ok"]),
        },
    )
