"""Staff pages for notices and their feedback (/notices/): typed function views, scoped reads."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fazhan.accounts.authority import authority
from fazhan.accounts.http import AuthenticatedHttpRequest
from fazhan.accounts.models import User
from fazhan.core import dates
from fazhan.core.errors import ActionRefused, Reason
from fazhan.notices.actions import (
    can_manage,
    do_assign_feedback,
    do_cancel_notice,
    do_close_feedback,
    do_create_notice,
    do_publish_notice,
    do_record_consent,
    do_remove_entry,
    handler_choices,
    minimum_working_days,
    notice_end,
    offered_kinds,
)
from fazhan.notices.decision import decision_blockers
from fazhan.notices.forms import (
    AssignForm,
    CancelForm,
    CloseForm,
    ConsentForm,
    DecisionForm,
    NoticeForm,
    PublishForm,
)
from fazhan.notices.models import (
    STAGE_FOR_KIND,
    Feedback,
    FeedbackState,
    Notice,
    NoticeEntry,
    NoticeKind,
    NoticeStatus,
)
from fazhan.notices.pdf import notice_pdf_response, public_url
from fazhan.orgs.models import Organization
from fazhan.people.actions import do_record_step
from fazhan.people.models import Candidate


def _get_notice(user: Any, pk: int) -> Notice:
    try:
        return Notice.objects.visible_to(user).select_related("org").get(pk=pk)
    except Notice.DoesNotExist:
        raise Http404(_("没有找到该公示。")) from None


def _get_feedback(user: Any, pk: int) -> Feedback:
    try:
        return (
            Feedback.objects.visible_to(user)
            .select_related("notice__org", "entry__candidate__person", "handler")
            .get(pk=pk)
        )
    except Feedback.DoesNotExist:
        raise Http404(_("没有找到该反馈。")) from None


def _writable_orgs(user: Any) -> list[Organization]:
    writable = authority(user).writable_ids()  # one subtree query, not one walk per organization
    return [
        o
        for o in Organization.objects.visible_to(user).open().order_by("code")
        if writable is None or o.pk in writable
    ]


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = dates.today()
    notices = (
        Notice.objects.visible_to(request.user)
        .select_related("org")
        .annotate(
            n=Count("entries", distinct=True),
            open_items=Count(
                "feedback", filter=Q(feedback__state=FeedbackState.PENDING), distinct=True
            ),
        )
    )
    show = request.GET.get("show", "")
    if show == "running":
        notices = notices.filter(status=NoticeStatus.PUBLISHED, end__gte=today)
    elif show == "draft":
        notices = notices.filter(status=NoticeStatus.DRAFT)
    return render(
        request,
        "notices/index.html",
        {
            "notices": notices.order_by("-created_at")[:200],
            "today": today,
            "show": show,
            "can_create": bool(_writable_orgs(request.user)),
        },
    )


@login_required
def create(request: AuthenticatedHttpRequest) -> HttpResponse:
    orgs = _writable_orgs(request.user)
    if not orgs:
        raise Http404(_("没有可以发布公示的组织"))
    kinds = offered_kinds()
    kind = request.POST.get("kind") or request.GET.get("kind") or NoticeKind.TARGET.value
    if kind not in kinds:
        kind = kinds[0].value
    org_param = request.POST.get("org") or request.GET.get("org") or str(orgs[0].pk)
    org = next((o for o in orgs if str(o.pk) == org_param), orgs[0])
    pool = (
        Candidate.objects.visible_to(request.user)
        .filter(
            org_id__in=Organization.objects.subtree_ids([org.pk]),
            stage=STAGE_FOR_KIND[NoticeKind(kind)],
            suspended=False,
        )
        .select_related("person", "org")
        .order_by("org_id", "person__name_pinyin")[:300]
    )
    choices = [(c.pk, f"{c.person.name}（{c.org.name}）") for c in pool]
    refused: list[Reason] = []
    form = NoticeForm(
        request.POST if request.method == "POST" else None,
        orgs=[(o.pk, o.name) for o in orgs],
        kinds=kinds,
        candidates=choices,
        minimum=minimum_working_days(),
        initial={"org": org.pk, "kind": kind},
    )
    if request.method == "POST" and "create" in request.POST and form.is_valid():
        try:
            notice = do_create_notice(
                request.user,
                org=org,
                kind=form.cleaned_data["kind"],
                candidates=form.cleaned_data["candidates"],
                contact=form.cleaned_data["contact"],
                working_days=form.cleaned_data["working_days"],
            )
        except ActionRefused as error:
            refused = error.reasons
        else:
            messages.success(request, _("公示已建立。请登记每名对象本人同意公示，然后发布。"))
            return redirect("notices:detail", pk=notice.pk)
    today = dates.today()
    return render(
        request,
        "notices/create.html",
        {
            "form": form,
            "refused": refused,
            "pool": pool,
            "org": org,
            "kind": kind,
            "preview_end": notice_end(today, minimum_working_days()),
            "today": today,
        },
        status=422 if refused else 200,
    )


def _entry_rows(notice: Notice, today: Any) -> list[dict[str, Any]]:
    rows = []
    decision = notice.decision
    entries = notice.entries.select_related("candidate__person", "candidate__org", "consent_by")
    items = list(notice.feedback.all())
    for entry in entries.order_by("position", "pk"):
        concerning = [i for i in items if i.entry_id in (None, entry.pk)]
        row: dict[str, Any] = {
            "entry": entry,
            "candidate": entry.candidate,
            "feedback": concerning,
            "open_items": sum(1 for i in concerning if i.blocks),
        }
        if notice.status == NoticeStatus.PUBLISHED and notice.end is not None:
            # Judge the decision on the first day it could be taken: today, or the day after
            # the end while the notice runs (contracts §3: the notice ends before the decision).
            day = max(today, notice.end + timedelta(days=1))
            row["decide_on"] = day
            row["blockers"] = decision_blockers(entry.candidate, decision, day)
            row["decided"] = entry.candidate.stage != STAGE_FOR_KIND[NoticeKind(notice.kind)]
        rows.append(row)
    return rows


@login_required
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    notice = _get_notice(request.user, pk)
    today = dates.today()
    context = _detail_context(request, notice, today)
    return render(request, "notices/detail.html", context)


def _detail_context(
    request: AuthenticatedHttpRequest, notice: Notice, today: Any, **extra: Any
) -> dict[str, Any]:
    public = ""
    if notice.status == NoticeStatus.PUBLISHED:
        public = public_url(request, f"/gongshi/{notice.token}/")
    return {
        "notice": notice,
        "rows": _entry_rows(notice, today),
        "today": today,
        "can_manage": can_manage(request.user, notice),
        "consent_form": ConsentForm(),
        "publish_form": PublishForm(),
        "cancel_form": CancelForm(),
        "decision_form": DecisionForm(),
        "preview_end": notice_end(today, notice.working_days),
        "public_url": public,
        "running": notice.is_open(today),
        "ended": notice.end is not None and notice.end < today,
        "all_consented": all(e.consent_at for e in notice.entries.all()),
        **extra,
    }


def _refused_page(
    request: AuthenticatedHttpRequest, notice: Notice, refused: list[Reason], **extra: Any
) -> HttpResponse:
    context = _detail_context(request, notice, dates.today(), refused=refused, **extra)
    return render(request, "notices/detail.html", context, status=422)


def _entry(notice: Notice, entry_pk: int) -> NoticeEntry:
    entry = notice.entries.filter(pk=entry_pk).first()
    if entry is None:
        raise Http404(_("公示中没有这名对象"))
    return entry


@login_required
@require_POST
def consent(request: AuthenticatedHttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    notice = _get_notice(request.user, pk)
    entry = _entry(notice, entry_pk)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        return _refused_page(request, notice, [Reason(_("请填写同意日期"))])
    try:
        do_record_consent(request.user, entry, consented_on=form.cleaned_data["consented_on"])
    except ActionRefused as error:
        return _refused_page(request, notice, error.reasons)
    messages.success(request, _("已登记本人同意公示。"))
    return redirect("notices:detail", pk=notice.pk)


@login_required
@require_POST
def remove(request: AuthenticatedHttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    notice = _get_notice(request.user, pk)
    try:
        do_remove_entry(request.user, _entry(notice, entry_pk))
    except ActionRefused as error:
        return _refused_page(request, notice, error.reasons)
    return redirect("notices:detail", pk=notice.pk)


@login_required
@require_POST
def publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    notice = _get_notice(request.user, pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        return _refused_page(request, notice, [Reason(_("请填写公示首日"))])
    try:
        do_publish_notice(request.user, notice, first_day=form.cleaned_data["first_day"])
    except ActionRefused as error:
        return _refused_page(request, notice, error.reasons)
    messages.success(request, _("公示已发布。"))
    return redirect("notices:detail", pk=notice.pk)


@login_required
@require_POST
def cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    notice = _get_notice(request.user, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _refused_page(request, notice, [Reason(_("撤销须说明理由"))])
    try:
        do_cancel_notice(request.user, notice, reason=form.cleaned_data["reason"])
    except ActionRefused as error:
        return _refused_page(request, notice, error.reasons)
    return redirect("notices:index")


@login_required
@require_POST
def decide(request: AuthenticatedHttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    """Record the decision the notice serves (S03, S07) live: the engine refuses it while the
    notice runs or an item is open or upheld, and the page shows its reason and article."""
    notice = _get_notice(request.user, pk)
    entry = _entry(notice, entry_pk)
    if notice.decision not in ("S03", "S07"):
        return redirect("meetings:index")  # S15 and S23 are the branch meeting's (one owner)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _refused_page(request, notice, [Reason(_("请填写决定日期"))])
    payload: dict[str, Any] = {}
    if notice.decision == "S03":
        payload["nomination"] = form.cleaned_data.get("nomination") or "member"
    try:
        do_record_step(
            request.user,
            entry.candidate_id,
            step=notice.decision,
            happened_on=form.cleaned_data["happened_on"],
            payload=payload,
        )
    except ActionRefused as error:
        return _refused_page(
            request,
            notice,
            error.reasons,
            refused_entry=entry.pk,
            refused_title=_("不能记录决定"),
        )
    messages.success(request, _("已记录决定。"))
    return redirect("notices:detail", pk=notice.pk)


@login_required
def notice_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    notice = _get_notice(request.user, pk)
    if notice.status != NoticeStatus.PUBLISHED:
        raise Http404(_("公示发布后才能打印"))
    return notice_pdf_response(request, notice)


# -- feedback -------------------------------------------------------------------------------------


@login_required
def feedback_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    items = Feedback.objects.visible_to(request.user).select_related(
        "notice__org", "entry__candidate__person", "handler"
    )
    show = request.GET.get("show", "open")
    if show == "open":
        items = items.filter(state=FeedbackState.PENDING)
    elif show == "closed":
        items = items.exclude(state=FeedbackState.PENDING)
    return render(
        request,
        "notices/feedback_list.html",
        {
            "items": items.order_by("received_on", "pk")[:300],
            "show": show,
            "today": dates.today(),
        },
    )


def _handlers(item: Feedback) -> list[tuple[int, str]]:
    return [(u.pk, u.display_name or u.username) for u in handler_choices(item.notice)]


@login_required
def feedback_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _get_feedback(request.user, pk)
    refused: list[Reason] = []
    today = dates.today()
    assign_form = AssignForm(
        initial={"handler": item.handler_id or request.user.pk, "deadline": item.deadline},
        handlers=_handlers(item),
    )
    close_form = CloseForm()
    if request.method == "POST":
        try:
            if "assign" in request.POST:
                assign_form = AssignForm(request.POST, handlers=_handlers(item))
                if assign_form.is_valid():
                    handler = User.objects.get(pk=assign_form.cleaned_data["handler"])
                    do_assign_feedback(
                        request.user,
                        item,
                        handler=handler,
                        deadline=assign_form.cleaned_data["deadline"],
                    )
                    messages.success(request, _("已指定承办人和办理期限。"))
                    return redirect("notices:feedback_detail", pk=item.pk)
            elif "close" in request.POST:
                close_form = CloseForm(request.POST)
                if close_form.is_valid():
                    do_close_feedback(
                        request.user,
                        item,
                        state=close_form.cleaned_data["state"],
                        finding=close_form.cleaned_data["finding"],
                        reply=close_form.cleaned_data["reply"],
                        closed_on=close_form.cleaned_data["closed_on"],
                    )
                    messages.success(request, _("已办结。"))
                    return redirect("notices:feedback_detail", pk=item.pk)
        except ActionRefused as error:
            refused = error.reasons
    concerned = [
        e.candidate.person.name
        for e in NoticeEntry.objects.filter(
            pk__in=[e.pk for e in item.concerned_entries()]
        ).select_related("candidate__person")
    ]
    if not assign_form.initial.get("deadline"):
        assign_form.initial["deadline"] = max(today, item.notice.end or today)
    return render(
        request,
        "notices/feedback_detail.html",
        {
            "item": item,
            "notice": item.notice,
            "concerned": concerned,
            "whole": item.entry_id is None,
            "additions": item.additions.all(),
            "assign_form": assign_form,
            "close_form": close_form,
            "refused": refused,
            "can_manage": can_manage(request.user, item.notice),
            "today": today,
        },
        status=422 if refused else 200,
    )
