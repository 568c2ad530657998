"""What a file is, read from its first bytes (its magic number), never from its name or the type
the browser claims: only PDF, JPEG and PNG scans are kept (Issue 14 item 1)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# The first bytes of each accepted type: ISO 32000 (%PDF-), JFIF/Exif (SOI + a marker), PNG.
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
TYPE_LABELS = {
    "application/pdf": _("PDF 文件"),
    "image/jpeg": _("JPEG 图片"),
    "image/png": _("PNG 图片"),
}
HEAD_BYTES = 8


def sniff(head: bytes) -> str | None:
    """The content type the bytes begin with, or None when it is none of the accepted ones."""
    for magic, content_type in MAGIC:
        if head.startswith(magic):
            return content_type
    return None
