"""The account's notification list (the bell in the header leads here)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from fazhan.accounts.http import AuthenticatedHttpRequest
from fazhan.core import dates
from fazhan.core.errors import NotVisible
from fazhan.notify.actions import do_mark_all_read, do_mark_read
from fazhan.notify.models import Notification


@login_required
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    mine = Notification.objects.of(request.user)
    only_unread = request.GET.get("show") == "unread"
    rows = mine.unread() if only_unread else mine
    page = Paginator(rows.order_by("read_at", "-created_on", "-pk"), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notify/list.html",
        {
            "page": page,
            "unread": mine.unread().count(),
            "only_unread": only_unread,
            "today": dates.today(),
        },
    )


@login_required
@require_POST
def mark_read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        found = do_mark_read(request.user, pk)
    except NotVisible:
        raise Http404 from None
    # "Open" marks it read and goes to the page it is about (a path of this site only).
    if request.POST.get("open") and url_has_allowed_host_and_scheme(found.url, allowed_hosts=None):
        return redirect(found.url or "notify:list")
    return redirect("notify:list")


@login_required
@require_POST
def mark_all_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    do_mark_all_read(request.user)
    return redirect("notify:list")
