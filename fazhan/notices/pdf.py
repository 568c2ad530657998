"""Printing: a notice as an A4 PDF for the notice board, with a QR code to its feedback form.

WeasyPrint with Debian's `fonts-wqy-zenhei` (DESIGN "Dependencies": not Noto CJK, ten times
slower); segno draws the QR code as SVG, inlined as a data URI so that nothing is fetched.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from fazhan.notices.disclosure import leaks, public_notice
from fazhan.notices.models import Notice


def public_url(request: HttpRequest | None, path: str) -> str:
    """An absolute public address: settings.PUBLIC_BASE_URL where the public reaches the server
    under another name than staff do, else the request's own host."""
    base = str(getattr(settings, "PUBLIC_BASE_URL", "") or "").rstrip("/")
    if base:
        return base + path
    if request is not None:
        return request.build_absolute_uri(path)
    return "http://127.0.0.1:8000" + path


def qr_data_uri(url: str) -> str:
    import segno

    # Error correction M survives a creased or sun-bleached print on a notice board.
    return str(segno.make(url, error="m").svg_data_uri(scale=4, border=2, dark="#000"))


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    from weasyprint import HTML

    data: bytes = HTML(string=html, base_url=base_url).write_pdf()
    return data


def notice_print_html(request: HttpRequest | None, notice: Notice) -> str:
    shown = public_notice(notice)
    feedback = public_url(request, reverse("public:feedback", args=[notice.token]))
    context: dict[str, Any] = {
        "notice": shown,
        "feedback_url": feedback,
        "qr": qr_data_uri(feedback),
        "head_code": notice.head_code,
    }
    return render_to_string("notices/notice_print.html", context)


def notice_pdf_response(request: HttpRequest, notice: Notice) -> HttpResponse:
    html = notice_print_html(request, notice)
    if leaks(html):
        # Defence in depth (DESIGN principle 8): the whitelist never passes an ID number; if one
        # ever reached the print, refuse to print rather than post it on a board.
        return HttpResponse(_("打印内容未通过个人信息检查"), status=500, content_type="text/plain")
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="gongshi-{notice.token[:8]}.pdf"'
    return response
