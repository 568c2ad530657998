"""The public pages under /gongshi/: no login, not indexed, nothing after a notice's end.

Seed 三（四）公示制 ("畅通反馈渠道") and DESIGN principle 8: a notice is readable from its first day
to its end (inclusive) and is a 404 before and after; only the whitelist of
`fazhan.notices.disclosure` reaches a template. Feedback may be anonymous; the sender gets a receipt
code (≥ 128 bits) shown once, to follow the item and add information (background §C.5). No IP
address is stored: bursts are limited by `fazhan.public.ratelimit` with a keyed hash.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fazhan.core import dates
from fazhan.core.errors import ActionRefused
from fazhan.notices.actions import do_add_feedback_info, do_submit_feedback, find_by_receipt
from fazhan.notices.disclosure import leaks, public_notice
from fazhan.notices.models import Feedback, FeedbackState, Notice, NoticeStatus
from fazhan.notices.pdf import notice_pdf_response
from fazhan.public import fastpage, pagecache, ratelimit
from fazhan.public.forms import AddInfoForm, FeedbackForm, ReceiptForm

log = logging.getLogger(__name__)
View = Callable[..., HttpResponse]


def public(view: View) -> View:
    """Headers every public response carries, and a last check that no ID number leaves."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            response = render(request, "public/gone.html", status=404)
        # Not indexed (robots meta in the pages too), not kept by shared caches, and the notice's
        # address is not passed on to other sites as a Referer ("same-origin", not "no-referrer":
        # with no-referrer Chromium posts forms with `Origin: null`, which CSRF refuses).
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "same-origin"
        response.setdefault("Cache-Control", "no-cache, private")
        content_type = response.get("Content-Type", "")
        text = content_type.startswith("text/") and not getattr(response, "streaming", False)
        # A kept notice page was checked once, when it was kept (pagecache.CheckedPage).
        checked = isinstance(response, pagecache.CheckedPage)
        if (
            text
            and not checked
            and leaks(response.content.decode(response.charset or "utf-8", "replace"))
        ):
            log.error("public response withheld: an ID number pattern in %s", request.path)
            return HttpResponse(_("页面暂时无法显示"), status=500, content_type="text/plain")
        return response

    return wrapped


def _open_notice(token: str) -> Notice:
    notice = Notice.objects.select_related("org").filter(token=token).first()
    if notice is None or not notice.is_open(dates.today()):
        raise Http404(_("公示不存在或已结束"))
    return notice


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "public/too_many.html", status=429)
    response["Retry-After"] = str(ratelimit.FEEDBACK_BURST.seconds)
    return response


@public
@require_http_methods(["GET"])
def notice_list(request: HttpRequest) -> HttpResponse:
    today = dates.today()
    notices = (
        Notice.objects.open_on(today)
        .select_related("org")
        .annotate(n=Count("entries"))
        .order_by("end", "pk")
    )
    return render(request, "public/list.html", {"notices": notices, "today": today})


@public
@require_http_methods(["GET"])
def notice_detail(request: HttpRequest, token: str) -> HttpResponse:
    """The page the public loads: kept rendered per (notice, chain head, language) and filled
    with this request's tokens (fazhan.public.pagecache); open and flooded are read every time."""
    state = pagecache.open_notice_state(token, dates.today())
    if state is None:
        raise Http404(_("公示不存在或已结束"))
    if state.flooded or request.META.get("QUERY_STRING"):
        return _notice_page(request, token, challenge=state.flooded)
    key = pagecache.page_key(token, state.head_seq, get_language())
    page = pagecache.kept_page(key)
    if page is None:
        rendered = _notice_page(request, token, challenge=False, keep=True)
        page = rendered.content.decode(rendered.charset or "utf-8")
        if leaks(page):  # never kept: rendered again, the guard in `public` withholds it
            return _notice_page(request, token, challenge=False)
        pagecache.keep_page(key, page)
    response = pagecache.filled(page, request, token)
    if response is None:
        return _notice_page(request, token, challenge=False)
    fastpage.mark_kept(request, token, page)  # the next second's requests (fazhan.public.fastpage)
    return response


def _notice_page(
    request: HttpRequest, token: str, *, challenge: bool, keep: bool = False
) -> HttpResponse:
    notice = _open_notice(token)
    shown = public_notice(notice)
    form = _feedback_form(shown, None, challenge=challenge)
    context: dict[str, Any] = {"notice": shown, "form": form}
    if keep:  # placeholders where the per-request tokens go (pagecache.fill)
        form.fields["form_token"].initial = pagecache.FORM_PLACEHOLDER
        context["csrf_token"] = pagecache.CSRF_PLACEHOLDER
    return render(request, "public/notice.html", context)


def _flooded(notice: Notice) -> bool:
    return ratelimit.exceeded(ratelimit.NOTICE_DAY, f"{ratelimit.NOTICE_KEY_PREFIX}{notice.pk}")


def _feedback_form(shown: Any, data: Any, *, challenge: bool = False) -> FeedbackForm:
    entries = [(e.entry_id, e.name) for e in shown.entries]
    # A form shown again after a refusal carries a new question: each is answered once.
    return FeedbackForm(data, notice_token=shown.token, entries=entries, challenge=challenge)


@public
@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, token: str) -> HttpResponse:
    notice = _open_notice(token)
    shown = public_notice(notice)
    flooded = _flooded(notice)
    if request.method == "POST":
        # Only valid items count against a client's and a notice's limits; any POST counts
        # against the client's own burst, so a flood of junk stops only its sender.
        key = ratelimit.client_key(request)
        if not ratelimit.hit(ratelimit.POST_BURST, key) or any(
            ratelimit.exceeded(limit, key)
            for limit in (ratelimit.FEEDBACK_BURST, ratelimit.FEEDBACK_DAY)
        ):
            return _too_many(request)
        form = _feedback_form(shown, request.POST, challenge=flooded)
        if form.is_valid():
            ratelimit.hit(ratelimit.FEEDBACK_BURST, key)
            ratelimit.hit(ratelimit.FEEDBACK_DAY, key)
            ratelimit.hit(ratelimit.NOTICE_DAY, f"{ratelimit.NOTICE_KEY_PREFIX}{notice.pk}")
            entry = None
            wanted = form.cleaned_data.get("concerns") or 0
            if wanted:
                entry = notice.entries.filter(pk=wanted).first()
                if entry is None:
                    raise Http404(_("公示中没有这名对象"))
            try:
                _item, code = do_submit_feedback(
                    notice,
                    text=form.cleaned_data["text"],
                    entry=entry,
                    sender_name=form.cleaned_data.get("sender_name", ""),
                    sender_contact=form.cleaned_data.get("sender_contact", ""),
                )
            except ActionRefused as refused:
                form.add_error(None, str(refused))
            else:
                # The code is shown once and kept nowhere but as a hash: never cached, never in a
                # URL (a URL ends up in logs and browser history).
                response = render(request, "public/received.html", {"code": code, "notice": shown})
                response["Cache-Control"] = "no-store"
                return response
    else:
        form = _feedback_form(shown, None, challenge=flooded)
    return render(request, "public/feedback.html", {"notice": shown, "form": form})


@public
@require_http_methods(["GET"])
def notice_pdf(request: HttpRequest, token: str) -> HttpResponse:
    return notice_pdf_response(request, _open_notice(token))


PUBLIC_STATUS = {
    "received": gettext_lazy("已受理，等待核查"),
    "checking": gettext_lazy("核查中"),
    "closed": gettext_lazy("已办结"),
}


def _status(item: Feedback) -> dict[str, Any]:
    if item.state == FeedbackState.PENDING:
        phase = "checking" if item.handler_id else "received"
    else:
        phase = "closed"
    notice = item.notice
    return {
        "phase": phase,
        "phase_label": PUBLIC_STATUS[phase],
        "outcome": item.get_state_display() if phase == "closed" else "",
        "reply": item.reply if phase == "closed" else "",
        "received_on": item.received_on,
        "closed_on": item.closed_on,
        "notice_title": notice.title,
        "additions": item.additions.count(),
        "open": item.is_open,
        # After the notice's end the page names no candidate (nothing is shown after the end).
        "notice_running": notice.status == NoticeStatus.PUBLISHED and notice.is_open(dates.today()),
    }


@public
@require_http_methods(["GET", "POST"])
def receipt(request: HttpRequest) -> HttpResponse:
    """Follow an item with its code (sent in the body, never in the URL) and add information."""
    context: dict[str, Any] = {"form": ReceiptForm(), "item": None}
    if request.method == "POST":
        if not ratelimit.hit(ratelimit.RECEIPT_BURST, ratelimit.client_key(request)):
            return _too_many(request)
        adding = "text" in request.POST
        form: ReceiptForm | AddInfoForm = (
            AddInfoForm(request.POST) if adding else ReceiptForm(request.POST)
        )
        item = find_by_receipt(request.POST.get("code", "")) if form.is_valid() else None
        if form.is_valid() and item is None:
            form.add_error("code" if not adding else None, _("没有找到这个回执码，请核对后再试。"))
        if item is not None and isinstance(form, AddInfoForm):
            if not ratelimit.hit(ratelimit.FEEDBACK_BURST, ratelimit.client_key(request)):
                return _too_many(request)
            try:
                do_add_feedback_info(item, text=form.cleaned_data["text"])
            except ActionRefused as refused:
                context["refused"] = str(refused)
            else:
                context["added"] = True
            item.refresh_from_db()
        context["form"] = form if item is None else ReceiptForm()
        if item is not None:
            context["item"] = _status(item)
            context["add_form"] = AddInfoForm(initial={"code": request.POST.get("code", "")})
    response = render(request, "public/receipt.html", context)
    response["Cache-Control"] = "no-store"
    return response
