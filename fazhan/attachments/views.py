"""Serving a scan: only to users who may see its candidate (otherwise 404, DESIGN principle 6),
always as a download of its checked type, never sniffed or shown inline by the browser."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseBase
from django.utils.translation import gettext as _

from fazhan.accounts.http import AuthenticatedHttpRequest
from fazhan.attachments.actions import stored_path
from fazhan.attachments.models import Attachment
from fazhan.attachments.sniff import EXTENSIONS


@login_required
def download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    attachment = Attachment.objects.visible_to(request.user).filter(pk=pk).first()
    if attachment is None:
        raise Http404(_("没有这个附件"))
    path = stored_path(attachment.sha256)
    if not path.is_file():
        raise Http404(_("附件文件不在存储中"))
    name = attachment.original_name
    if not name.lower().endswith(EXTENSIONS[attachment.content_type]):
        name += EXTENSIONS[attachment.content_type]
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
