"""The meeting pages: typed function views reading through `visible_to(user)`, writing through
`fazhan.meetings.actions`. A refusal comes back to the page with its reasons and articles.

The casting page (`vote`) is the exception: no login, no session, no cookie, no CSRF token, no
log line, no user or request data passed on (DESIGN principle 7; docs/meetings.md, threat model).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from fazhan.accounts.authority import authority
from fazhan.accounts.http import AuthenticatedHttpRequest
from fazhan.accounts.scope import reach
from fazhan.core import dates
from fazhan.core.errors import ActionRefused, Reason
from fazhan.meetings import actions as act
from fazhan.meetings.forms import (
    CodesForm,
    ConsentForm,
    CountForm,
    ExclusionForm,
    ItemForm,
    LateMeetingForm,
    MeetingForm,
    OpenForm,
    OpinionForm,
    RollCallForm,
    VoteForm,
)
from fazhan.meetings.gates import candidate_gates
from fazhan.meetings.models import (
    Absence,
    AgendaItem,
    Attendance,
    ElectorateEntry,
    Exclusion,
    ItemKind,
    ItemStatus,
    Meeting,
    MeetingStatus,
    OfficerRole,
    TellerCount,
    WrittenOpinion,
    get_meeting_for_user,
)
from fazhan.meetings.roll import officer_context, posted_ids, roll_absences
from fazhan.meetings.sheet import (
    cards_pdf,
    motion,
    revocation_grounds,
    sheet_context,
    sheet_pdf,
)
from fazhan.meetings.tally import outcome
from fazhan.members.history import roster_on
from fazhan.orgs.models import Kind, Member, Organization
from fazhan.people.models import Candidate, Stage
from fazhan.public import ratelimit

REFUSED_TAG = "refused"


def _refused(request: HttpRequest, reasons: list[Reason]) -> None:
    for reason in reasons:
        messages.error(request, str(reason), extra_tags=REFUSED_TAG)


def _run(request: HttpRequest, action: Callable[[], Any], done: str) -> bool:
    """Call one action; on refusal put its reasons on the next page. True when it ran."""
    try:
        action()
    except ActionRefused as refused:
        _refused(request, refused.reasons)
        return False
    messages.success(request, done)
    return True


def _item_for_user(user: Any, pk: int) -> AgendaItem:
    item = (
        AgendaItem.objects.select_related("meeting", "meeting__org", "candidate__person")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404(_("没有找到该表决事项。"))
    get_meeting_for_user(user, item.meeting_id)  # 404 outside the user's scope
    return item


def _branches(user: Any) -> list[tuple[int, str]]:
    scope = reach(user)
    orgs = (
        Organization.objects.open().filter(kind=Kind.BRANCH, pk__in=scope.org_ids).order_by("code")
    )
    writable = authority(user).writable_ids()  # one subtree query, not one walk per branch
    return [(o.pk, o.name) for o in orgs if writable is None or o.pk in writable]


def _roster(meeting: Meeting) -> list[Member]:
    """The branch's roster on the meeting's date (fazhan.members.history.roster_on)."""
    return roster_on(meeting.org_id, meeting.held_on)


def _voter_choices(meeting: Meeting) -> list[tuple[int, str]]:
    return [(m.pk, m.name) for m in _roster(meeting) if m.may_vote]


def _candidate_choices(meeting: Meeting) -> list[tuple[int, str]]:
    pool = Candidate.objects.filter(
        org_id=meeting.org_id, stage__in=(Stage.TARGET, Stage.PROBATIONARY)
    ).select_related("person")
    return [(c.pk, f"{c.person.name}（{c.get_stage_display()}）") for c in pool]


# -- the list and a new meeting ---------------------------------------------------------------


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    meetings = (
        Meeting.objects.visible_to(request.user)
        .select_related("org")
        .prefetch_related("items__candidate__person")[:200]
    )
    return render(
        request,
        "meetings/index.html",
        {"meetings": meetings, "can_create": bool(_branches(request.user))},
    )


@login_required
def create(request: AuthenticatedHttpRequest, late: bool = False) -> HttpResponse:
    orgs = _branches(request.user)
    if not orgs:
        raise Http404(_("没有可以召开支部大会的党支部。"))
    form_class = LateMeetingForm if late else MeetingForm
    refused: list[Reason] = []
    if request.method == "POST":
        form = form_class(request.POST, orgs=orgs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                meeting = act.do_create_meeting(
                    request.user,
                    org=Organization.objects.get(pk=data["org"]),
                    held_on=data["held_on"],
                    place=data.get("place", ""),
                    late_entry=late,
                    late_reason=data.get("late_reason", ""),
                )
            except ActionRefused as error:
                refused = error.reasons
            else:
                return redirect("meetings:detail", pk=meeting.pk)
    else:
        form = form_class(orgs=orgs)
    return render(
        request,
        "meetings/create.html",
        {"form": form, "late": late, "refused": refused},
        status=422 if refused else 200,
    )


# -- the meeting page ----------------------------------------------------------------------------


def _item_rows(meeting: Meeting, today: date) -> list[dict[str, Any]]:
    rows = []
    items = meeting.items.select_related("candidate__person").order_by("position", "pk")
    for item in items:
        gates: list[Reason] = []
        if item.status == ItemStatus.PENDING and not meeting.late_entry:
            gates = candidate_gates(item.candidate, item.step, today, item.outcome)
        grounds = revocation_grounds(item)
        rows.append({"item": item, "motion": motion(item), "gates": gates, "grounds": grounds})
    return rows


@login_required
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk)
    today = dates.today()
    can_write = act.may_write(request.user, meeting)
    roster = _roster(meeting)
    exclusions = list(
        Exclusion.objects.filter(meeting=meeting).select_related("member", "consent_org")
    )
    context: dict[str, Any] = {
        "meeting": meeting,
        "can_write": can_write,
        "items": _item_rows(meeting, today),
        "exclusions": exclusions,
        "superior": act.superior_org(request.user, meeting),
        "opinions": WrittenOpinion.objects.filter(item__meeting=meeting).select_related(
            "member", "item__candidate__person"
        ),
        "today": today,
        "excluded_count": ElectorateEntry.objects.filter(meeting=meeting, excluded=True).count(),
    }
    context.update(officer_context(meeting))
    context["counting_started"] = TellerCount.objects.filter(item__meeting=meeting).exists()
    if meeting.is_draft:
        taken = {a.member_id: a for a in Attendance.objects.filter(meeting=meeting)}
        context["preview"] = act.electorate_preview(meeting)
        context["roll_taken"] = bool(taken)
        # Before the roll is taken every member is shown present (全部到会, the usual case).
        context["roll"] = [
            {
                "member": m,
                "present": m.pk not in taken or taken[m.pk].present,
                "absence": taken[m.pk].absence if m.pk in taken else "",
                "note": taken[m.pk].absence_note if m.pk in taken else "",
                "may_vote": m.may_vote,
            }
            for m in roster
        ]
        context["absence_choices"] = Absence.choices
        context["exclusion_form"] = ExclusionForm(members=_voter_choices(meeting))
        context["item_form"] = ItemForm(
            candidates=_candidate_choices(meeting), late=meeting.late_entry
        )
        context["opinion_form"] = OpinionForm(members=_voter_choices(meeting))
        consented = [
            (e.pk, e.member.name) for e in exclusions if e.consent_by_id and not e.withdrawn
        ]
        context["open_form"] = OpenForm(exclusions=consented, initial={"adopted": []})
        context["consent_form"] = ConsentForm()
    else:
        context["electorate"] = list(
            ElectorateEntry.objects.filter(meeting=meeting).select_related("member")
        )
        voids = meeting.items.filter(status=ItemStatus.VOID)
        revote = [
            (i.candidate_id, f"{i.candidate.person.name}（{i.get_kind_display()}）")
            for i in voids.select_related("candidate__person")
            if not meeting.items.filter(candidate_id=i.candidate_id)
            .exclude(status__in=(ItemStatus.VOID, ItemStatus.WITHDRAWN))
            .exists()
        ]
        context["revote"] = revote
        context["revote_form"] = ItemForm(candidates=revote, late=meeting.late_entry)
    return render(request, "meetings/detail.html", context)


@login_required
@require_POST
def roll(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The roll call: the ticked members are present; "全部到会" (all_present) makes everyone
    present but the rows marked 请假 or 缺席 (the server-side default of the JS behaviour)."""
    meeting = get_meeting_for_user(request.user, pk)
    members = _roster(meeting)
    form = RollCallForm(request.POST, members=[(m.pk, m.name) for m in members])
    if form.is_valid():
        all_present = bool(request.POST.get("all_present"))
        present = set(form.cleaned_data["present"])
        absences = roll_absences(request.POST, [m.pk for m in members])
        if not all_present:  # a ticked row is present whatever its (stale) reason says
            absences = {i: a for i, a in absences.items() if i not in present}
        _run(
            request,
            lambda: act.do_set_roll_call(
                request.user,
                meeting,
                present_ids=present,
                absences=absences,
                all_present=all_present,
            ),
            _("签到已保存。"),
        )
    else:
        _refused(request, [Reason(_("签到名单有误"))])
    return redirect("meetings:detail", pk=meeting.pk)


@login_required
@require_POST
def officers_set(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Choose the tellers and the monitor from the members present."""
    meeting = get_meeting_for_user(request.user, pk)
    tellers = posted_ids(request.POST.getlist("tellers"))
    monitors = posted_ids(request.POST.getlist("monitors"))
    _run(
        request,
        lambda: act.do_set_officers(request.user, meeting, tellers=tellers, monitors=monitors),
        _("计票人、监票人已确定。"),
    )
    return redirect("meetings:detail", pk=meeting.pk)


@login_required
@require_POST
def exclusion_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk)
    form = ExclusionForm(request.POST, members=_voter_choices(meeting))
    if form.is_valid():
        data = form.cleaned_data
        _run(
            request,
            lambda: act.do_propose_exclusion(
                request.user,
                meeting,
                member=data["member"],
                reason=data["reason"],
                note=data["note"],
            ),
            _("已提出，待上级党组织同意。"),
        )
    else:
        _refused(request, [Reason(_("请选择党员和原因"))])
    return redirect("meetings:detail", pk=meeting.pk)


def _exclusion_for_user(user: Any, pk: int) -> Exclusion:
    exclusion = Exclusion.objects.filter(pk=pk).first()
    if exclusion is None:
        raise Http404(_("没有找到该项。"))
    get_meeting_for_user(user, exclusion.meeting_id)
    return exclusion


@login_required
@require_POST
def exclusion_consent(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    exclusion = _exclusion_for_user(request.user, pk)
    form = ConsentForm(request.POST)
    consent_on = form.cleaned_data["consent_on"] if form.is_valid() else None
    _run(
        request,
        lambda: act.do_consent_exclusion(request.user, exclusion, consent_on=consent_on),
        _("已记录上级党组织同意。"),
    )
    return redirect("meetings:detail", pk=exclusion.meeting_id)


@login_required
@require_POST
def exclusion_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    exclusion = _exclusion_for_user(request.user, pk)
    _run(request, lambda: act.do_withdraw_exclusion(request.user, exclusion), _("已撤回。"))
    return redirect("meetings:detail", pk=exclusion.meeting_id)


@login_required
@require_POST
def item_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk)
    choices = _candidate_choices(meeting)
    if meeting.status == MeetingStatus.OPEN:
        choices = [
            (i.candidate_id, str(i.candidate_id))
            for i in meeting.items.filter(status=ItemStatus.VOID)
        ]
    form = ItemForm(request.POST, candidates=choices, late=meeting.late_entry)
    if form.is_valid():
        data = form.cleaned_data
        _run(
            request,
            lambda: act.do_add_item(
                request.user,
                meeting,
                candidate=data["candidate"],
                kind=data["kind"],
                extension_months=data.get("extension_months"),
                electronic=bool(data.get("electronic")),
            ),
            _("已列入议程。"),
        )
    else:
        _refused(request, [Reason(f"{f.label}：{'；'.join(e)}") for f, e in _errors(form)])
    return redirect("meetings:detail", pk=meeting.pk)


def _errors(form: Any) -> list[tuple[Any, list[str]]]:
    return [(form.fields.get(name) or form, errors) for name, errors in form.errors.items()]


@login_required
@require_POST
def item_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _item_for_user(request.user, pk)
    _run(request, lambda: act.do_withdraw_item(request.user, item), _("已撤出议程。"))
    return redirect("meetings:detail", pk=item.meeting_id)


@login_required
@require_POST
def opinion_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _item_for_user(request.user, pk)
    form = OpinionForm(request.POST, members=_voter_choices(item.meeting))
    if form.is_valid():
        data = form.cleaned_data
        _run(
            request,
            lambda: act.do_record_opinion(
                request.user,
                item,
                member=data["member"],
                choice=data["choice"],
                received_on=data["received_on"],
            ),
            _("书面意见已登记。"),
        )
    else:
        _refused(request, [Reason(_("请填写缺席党员、意见和收到日期"))])
    return redirect("meetings:detail", pk=item.meeting_id)


@login_required
@require_POST
def open_meeting(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk)
    ids = [e.pk for e in Exclusion.objects.filter(meeting=meeting, withdrawn=False)]
    form = OpenForm(request.POST, exclusions=[(i, str(i)) for i in ids])
    adopted = form.cleaned_data["adopted"] if form.is_valid() else []
    _run(
        request,
        lambda: act.do_open_meeting(request.user, meeting, adopted_exclusion_ids=adopted),
        _("会议开始：应到、实到人数已确定，不再改动。"),
    )
    return redirect("meetings:detail", pk=meeting.pk)


@login_required
@require_POST
def late_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk)
    _run(request, lambda: act.do_approve_late_entry(request.user, meeting), _("补录已审核。"))
    return redirect("meetings:detail", pk=meeting.pk)


@login_required
@require_POST
def close_meeting(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk)
    _run(request, lambda: act.do_close_meeting(request.user, meeting), _("会议已结束。"))
    return redirect("meetings:detail", pk=meeting.pk)


# -- one motion ----------------------------------------------------------------------------------


@login_required
def item_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _item_for_user(request.user, pk)
    meeting = item.meeting
    state = act.count_state(item)
    previous = [
        t
        for t in item.teller_counts.select_related("teller", "entered_by").order_by("round", "pk")
        if t.round < state.round
    ]
    grounds = revocation_grounds(item)
    preview = None
    if state.agreed is not None:
        preview = outcome(act.item_counts(meeting, item, state.agreed))
    context = {
        "item": item,
        "meeting": meeting,
        "motion": motion(item),
        "can_write": act.may_write(request.user, meeting),
        "state": state,
        "missing": 2 - len(state.entries),
        "entries": [
            t
            for t in item.teller_counts.select_related("teller", "entered_by")
            if t.round == state.round
        ],
        "tellers": act.officers(meeting, OfficerRole.TELLER),
        "monitors": act.officers(meeting, OfficerRole.MONITOR),
        "grounds": grounds,
        "link_case": _case_visible(request.user, grounds),
        "previous": previous,
        "cast": act.ballots_cast(item),
        "codes_form": CodesForm(
            initial={"count": max((meeting.present or 0) - item.codes_generated, 1)}
        ),
        "preview": preview,
        "opinions": WrittenOpinion.objects.filter(item=item, counted=True).select_related("member"),
        "gates": (
            candidate_gates(item.candidate, item.step, dates.today(), item.outcome)
            if item.status in (ItemStatus.PENDING, ItemStatus.VOTING, ItemStatus.COUNTING)
            and not meeting.late_entry
            else []
        ),
        "confirmed": item.confirmed_round is not None and item.confirmed_round == state.round,
    }
    if item.confirmed_monitor_id is not None:
        context["confirmed_monitor"] = Member.objects.get(pk=item.confirmed_monitor_id)
    return render(request, "meetings/item.html", context)


def _case_visible(user: Any, grounds: Any) -> bool:
    """Whether the revocation's case page opens for this user (the link is shown only then)."""
    if grounds is None or grounds.case is None:
        return False
    return bool(type(grounds.case).objects.visible_to(user).filter(pk=grounds.case_id).exists())


@login_required
def item_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """htmx partial: "N of M" only (no per-ballot data, no times: background §A.2 threat 4)."""
    item = _item_for_user(request.user, pk)
    return render(
        request,
        "meetings/_progress.html",
        {"item": item, "cast": act.ballots_cast(item)},
    )


def _item_post(
    request: AuthenticatedHttpRequest, pk: int, action: Callable[[AgendaItem], Any], done: str
) -> HttpResponse:
    item = _item_for_user(request.user, pk)
    _run(request, lambda: action(item), done)
    return redirect("meetings:item", pk=item.pk)


@login_required
@require_POST
def item_start(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def start(item: AgendaItem) -> None:
        act.do_start_voting(request.user, item)
        if item.meeting.late_entry:
            act.do_end_balloting(request.user, item)

    return _item_post(request, pk, start, _("开始表决。"))


@login_required
@require_POST
def item_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _item_post(
        request, pk, lambda item: act.do_end_balloting(request.user, item), _("投票结束，请计票。")
    )


@login_required
@require_POST
def item_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    chosen = posted_ids(request.POST.getlist("monitor"))
    monitor = chosen[0] if chosen else None
    return _item_post(
        request,
        pk,
        lambda item: act.do_confirm_count(request.user, item, monitor=monitor),
        _("监票人已确认。"),
    )


@login_required
@require_POST
def item_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _item_for_user(request.user, pk)
    if _run(
        request, lambda: act.do_close_item(request.user, item), _("表决结果已宣布并记入档案。")
    ):
        return redirect("meetings:sheet", pk=item.pk)
    return redirect("meetings:item", pk=item.pk)


@login_required
def item_count(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _item_for_user(request.user, pk)
    refused: list[Reason] = []
    state = act.count_state(item)
    tellers = [
        (m.pk, m.name)
        for m in act.officers(item.meeting, OfficerRole.TELLER)
        if m.pk not in state.tellers
    ]
    if request.method == "POST":
        form = CountForm(request.POST, electronic=item.electronic, tellers=tellers)
        if form.is_valid():
            try:
                act.do_enter_count(
                    request.user, item, teller=form.cleaned_data["teller"], **form.counts()
                )
            except ActionRefused as error:
                refused = error.reasons
            else:
                messages.success(request, _("计票结果已录入。"))
                return redirect("meetings:item", pk=item.pk)
    else:
        initial = {"teller": tellers[0][0]} if tellers else {}
        form = CountForm(electronic=item.electronic, tellers=tellers, initial=initial)
    return render(
        request,
        "meetings/count.html",
        {
            "item": item,
            "meeting": item.meeting,
            "motion": motion(item),
            "form": form,
            "refused": refused,
            "state": state,
        },
        status=422 if refused else 200,
    )


@login_required
@require_POST
@never_cache
def item_codes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Print the cards: the codes exist in plain only in this response (not stored, not cached)."""
    item = _item_for_user(request.user, pk)
    form = CodesForm(request.POST)
    if not form.is_valid():
        _refused(request, [Reason(_("请填写印制张数"))])
        return redirect("meetings:item", pk=item.pk)
    try:
        codes = act.do_issue_codes(request.user, item, count=form.cleaned_data["count"])
    except ActionRefused as refused:
        _refused(request, refused.reasons)
        return redirect("meetings:item", pk=item.pk)
    pdf = cards_pdf(item, codes, request.build_absolute_uri("/meetings/vote/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="cards-{item.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def sheet(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _item_for_user(request.user, pk)
    if item.tally_seq is None:
        raise Http404(_("该事项尚未宣布结果。"))
    context = sheet_context(item)
    context["link_case"] = _case_visible(request.user, context["grounds"])
    return render(request, "meetings/sheet.html", context)


@login_required
def sheet_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _item_for_user(request.user, pk)
    if item.tally_seq is None:
        raise Http404(_("该事项尚未宣布结果。"))
    response = HttpResponse(sheet_pdf(item), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="result-{item.pk}.pdf"'
    return response


# -- the casting page ------------------------------------------------------------------------------


def _quiet(response: HttpResponse) -> HttpResponse:
    # A 4xx would make django.request log a warning carrying the request (address, cookies,
    # session): mark the response as logged so that nothing about the voter reaches a log.
    response._has_been_logged = True  # type: ignore[attr-defined]
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@csrf_exempt
def vote(request: HttpRequest) -> HttpResponse:
    """The in-room kiosk (or a phone on the room's QR code). No login: the one-time code is the
    only credential, so there is no ambient authority for CSRF to abuse, and no cookie is set.
    Nothing from the request but the posted code and choice is read or passed on."""
    accepted = False
    error = ""
    status = 200
    # A room shares one kiosk: only refused codes count against the client (someone guessing
    # codes), keyed like the public pages' limits (no address is stored).
    key = ratelimit.client_key(request) if request.method == "POST" else ""
    if key and ratelimit.exceeded(ratelimit.VOTE_REFUSED, key):
        error, status = _("尝试次数过多，请十分钟后再试，或请监票人协助。"), 429
        form = VoteForm()
    elif request.method == "POST":
        form = VoteForm(request.POST)
        if form.is_valid():
            try:
                act.do_cast_ballot(form.cleaned_data["code"], form.cleaned_data["choice"])
            except act.BallotRefused as refused:
                ratelimit.hit(ratelimit.VOTE_REFUSED, key)
                error, status = str(refused), 422
                form = (
                    VoteForm()
                )  # a shared kiosk: the next person must not see this code or choice
            else:
                accepted = True
                form = VoteForm()
        else:
            error, status = _("请填写票卡号码并选择赞成、反对或弃权"), 422
            form = VoteForm()
    else:
        form = VoteForm()
    response = render(
        request,
        "meetings/vote.html",
        {"form": form, "accepted": accepted, "error": error, "kinds": ItemKind},
        status=status,
    )
    return _quiet(response)
