"""Recording a step with its scans (Issue 14 item 1), and reading a scan back.

`check_upload` reads an uploaded file once: its size against FAZHAN_ATTACHMENT_MAX_BYTES, its
type from its first bytes (fazhan.attachments.sniff) and its SHA-256. `do_record_step_with_files`
records the step through `do_record_step` (the one door for a step, DESIGN principle 5) with
`attachments: [{"sha256", "type", "size"}]` in the event payload, stores each file under
FAZHAN_ATTACHMENTS_ROOT named by its SHA-256, and keeps its row, all in one transaction.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from fazhan.attachments.models import Attachment
from fazhan.attachments.sniff import HEAD_BYTES, sniff
from fazhan.audit.models import Event as ChainEvent
from fazhan.core.errors import ActionRefused
from fazhan.people.actions import Mode, do_record_step
from fazhan.people.models import Candidate

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    User = AbstractBaseUser

NAME_MAX = 200


@dataclass(frozen=True)
class Upload:
    name: str
    content_type: str
    size: int
    sha256: str
    file: UploadedFile

    def meta(self) -> dict[str, Any]:
        """What the chain keeps of the file: no name (DESIGN principle 8)."""
        return {"sha256": self.sha256, "type": self.content_type, "size": self.size}


def max_bytes() -> int:
    return int(settings.FAZHAN_ATTACHMENT_MAX_BYTES)


def check_upload(upload: UploadedFile) -> Upload:
    """The upload read once, or ActionRefused: too large, empty, or not a PDF, JPEG or PNG by its
    content (its name and the browser's stated type are not believed)."""
    name = os.path.basename(upload.name or "")[-NAME_MAX:] or "file"
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise ActionRefused(_too_large(name, limit))
    digest = hashlib.sha256()
    head = b""
    size = 0
    upload.seek(0)
    for chunk in upload.chunks():
        if len(head) < HEAD_BYTES:
            head += chunk[: HEAD_BYTES - len(head)]
        digest.update(chunk)
        size += len(chunk)
        if size > limit:
            raise ActionRefused(_too_large(name, limit))
    if size == 0:
        raise ActionRefused(_("「%(name)s」是空文件") % {"name": name})
    content_type = sniff(head)
    if content_type is None:
        raise ActionRefused(
            _("「%(name)s」不是 PDF、JPEG 或 PNG 文件（按文件内容判断，不看扩展名）")
            % {"name": name}
        )
    return Upload(name, content_type, size, digest.hexdigest(), upload)


def _too_large(name: str, limit: int) -> str:
    return _("「%(name)s」超过 %(mb)s MB，不能上传") % {
        "name": name,
        "mb": f"{limit / 1024 / 1024:g}",
    }


def stored_path(sha256: str) -> Path:
    return Path(settings.FAZHAN_ATTACHMENTS_ROOT) / sha256[:2] / sha256


def _store(upload: Upload) -> None:
    """Write the file under its SHA-256 (once: the same scan twice is one file)."""
    target = stored_path(upload.sha256)
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    upload.file.seek(0)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as out:
        for chunk in upload.file.chunks():
            out.write(chunk)
    os.replace(out.name, target)


def checked_uploads(files: Sequence[UploadedFile]) -> list[Upload]:
    """Each file checked by content and size (refused with its name), the same scan once."""
    return list({u.sha256: u for u in (check_upload(f) for f in files)}.values())


def with_scans(payload: Mapping[str, Any] | None, uploads: Sequence[Upload]) -> dict[str, Any]:
    """The step's payload naming its scans by SHA-256, type and size."""
    full = dict(payload or {})
    if uploads:
        full["attachments"] = [u.meta() for u in uploads]
    return full


def keep_uploads(user: User, event: ChainEvent, step: str, uploads: Sequence[Upload]) -> None:
    """Store the scans outside the chain and tie them to the step's event (in its transaction)."""
    assert event.candidate_id is not None
    for upload in uploads:
        _store(upload)
        Attachment.objects.get_or_create(
            event_seq=event.seq,
            sha256=upload.sha256,
            defaults={
                "candidate_id": event.candidate_id,
                "step": step,
                "original_name": upload.name,
                "content_type": upload.content_type,
                "size": upload.size,
                "uploaded_by_id": user.pk,
            },
        )


def do_record_step_with_files(
    user: User,
    candidate: Candidate | int,
    *,
    step: str,
    happened_on: date,
    payload: Mapping[str, Any] | None = None,
    files: Sequence[UploadedFile] = (),
    mode: Mode = Mode.LIVE,
) -> ChainEvent:
    """`do_record_step` with scans: each checked by content and size, named by its SHA-256 in the
    event, stored outside the chain and kept with the step."""
    uploads = checked_uploads(files)
    with transaction.atomic():
        event = do_record_step(
            user,
            candidate,
            step=step,
            happened_on=happened_on,
            payload=with_scans(payload, uploads),
            mode=mode,
        )
        keep_uploads(user, event, step, uploads)
    return event
