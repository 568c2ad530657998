"""A request body beyond settings.FAZHAN_UPLOAD_MAX_BODY_BYTES is refused before it is parsed.

Django's multipart parser spools every uploaded file to a temporary file, whatever its size; the
forms refuse a file over their limit only after the disk took it. This upload handler, first in
settings.FILE_UPLOAD_HANDLERS, refuses from the Content-Length alone (HTTP 400, templates/400.html)
a body larger than any upload page accepts. nginx's client_max_body_size does the same in front of
a production server.
"""

from __future__ import annotations

from typing import IO

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler

DEFAULT_MAX_BODY = 110 * 1024 * 1024  # the 50 MB of candidate files, twice, and some margin


class BoundedUploadHandler(FileUploadHandler):
    def handle_raw_input(
        self,
        input_data: IO[bytes],
        META: dict[str, str],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> None:
        limit = getattr(settings, "FAZHAN_UPLOAD_MAX_BODY_BYTES", DEFAULT_MAX_BODY)
        if content_length > limit:
            raise RequestDataTooBig(f"request body of {content_length} bytes over {limit}")

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        return raw_data  # the next handler keeps it

    def file_complete(self, file_size: int) -> None:
        return None
