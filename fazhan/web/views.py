"""The back office pages: typed function views reading through `visible_to(user)`."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
from fazhan.people import stagecounts
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
from fazhan.people.signals import overdue_now
from fazhan.policy.data import load_policy
from fazhan.policy.guidance import load_guidance
from fazhan.policy.signals import is_overdue
from fazhan.web.content import step_contents
from fazhan.web.dossier_forms import PastFactForm, record_past_fact_from
from fazhan.web.filters import filter_candidates, open_files
from fazhan.web.forms import BatchForm, StepForm
from fazhan.web.intake import earlier_files, writable_branches
from fazhan.web.queues import queue_for

LIST_ROWS = 12
# The columns a list row shows (web/_candidate_rows.html and its signal badges).
ROW_FIELDS = ("stage", "suspended", "next_step", "next_due", "lates", "violations", "person", "org")
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


def _home_counts(user: Any, today: date) -> dict[str, Any]:
    """The home page's figures without counting the files: files per stage read from the
    per-subtree counts the database keeps (fazhan.people.stagecounts) for the top of the user's
    reach and for each organization directly under the user's own (a district sees its
    sub-organizations, a committee its branches), plus the files a cooperating organization
    sees from outside its subtree (mobile candidates); the three signals (the candidate list's
    own filters, fazhan.people.signals) with them: was late and irregular counted per stage,
    overdue summed over the files' nearest deadlines before today."""
    auth = authority(user)
    scope = auth.reach
    tops = (
        Organization.objects.filter(parent__isnull=True).values("pk")
        if scope.everything
        else stagecounts.topmost(auth.reach_roots() & scope.org_ids)
    )
    tally = stagecounts.subtree_tally(tops)
    overdue = stagecounts.overdue(tops, today)
    if not scope.everything and scope.org_ids:
        # Files of organizations outside the reach that an organization inside cooperates on
        # (CandidateQuerySet.in_orgs): few, read one by one.
        shared = CandidateOrgLink.objects.filter(
            org_id__in=scope.org_ids, ended_on__isnull=True
        ).values("candidate_id")
        outside = Candidate.objects.filter(pk__in=shared).exclude(org_id__in=scope.org_ids)
        for stage, departed_on, lates, violations, next_due in outside.values_list(
            "stage", "departed_on", "lates", "violations", "next_due"
        ):
            tally.add(stage, departed_on is not None, 1, int(lates > 0), int(violations > 0))
            overdue += int(is_overdue(next_due, today))
    # A file sent out of the district (fazhan.mobility) is in no stage card, as the stage list
    # leaves it out; it stays in the total and its organization's row, as their lists keep it.
    by_stage = {value: 0 for value, _ in Stage.choices}
    for (stage, departed), n in tally.files.items():
        if not departed and stage in by_stage:
            by_stage[stage] += n
    return {
        "stages": [
            {"value": value, "label": label, "n": by_stage[value]} for value, label in Stage.choices
        ],
        "total": sum(tally.files.values()),
        "overdue_count": overdue,
        "with_lates": tally.late,
        "with_violations": tally.irregular,
        "by_child": _counts_by_child(user),
    }


_PK_MARK = 987654321  # a route's id, replaced by each row's own


def _counts_by_child(user: Any) -> list[dict[str, Any]]:
    """Files per stage (sent out included, as each row's list keeps them) in the subtree of each
    organization directly under the user's own, from the per-subtree counts."""
    roots = authority(user).roots()
    if len(roots) != 1:
        return []
    children = list(
        Organization.objects.filter(parent_id=roots[0]).only("name").order_by("code", "pk")
    )
    if not children:
        return []
    found = stagecounts.per_subtree([child.pk for child in children])
    # Each row links to its list and its 备案表: the routes reversed once, not once per row.
    listed = reverse("candidates")
    filing = reverse("paperwork:filing", args=[_PK_MARK])
    rows = []
    for child in children:
        counts = [found[child.pk].get(value, 0) for value, _ in Stage.choices]
        rows.append(
            {
                "org": child,
                "counts": counts,
                "total": sum(found[child.pk].values()),
                "list_url": f"{listed}?org={child.pk}",
                "filing_url": filing.replace(str(_PK_MARK), str(child.pk)),
                # The row's numbers as table cells at once (hundreds at a district's size).
                # Integers only: nothing to escape.
                "cells": mark_safe("".join(f"<td>{n:d}</td>" for n in counts)),
            }
        )
    return rows


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    auth = authority(user)
    if auth.is_security_admin:  # 三员分立: grants and second factors, no records
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
    # The rows' own columns only (web/_candidate_rows.html): three lists on every home page.
    pending = (
        open_files(candidates)
        .select_related("person", "org")
        .only(*ROW_FIELDS, "person__name", "org__name")
    )
    mine = (
        pending.filter(next_step__in=COMMITTEE_STEPS)
        if committee
        else pending.exclude(next_step__in=COMMITTEE_STEPS)
    )
    context = {
        "roles": _role_summary(user),
        **_home_counts(user, today),
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
