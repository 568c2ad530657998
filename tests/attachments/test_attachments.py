"""Scans with a step (Issue 14 item 1): accepted only as PDF, JPEG or PNG by their content and up
to the size in settings, named in the event by their SHA-256, stored outside the chain, and served
only to those who see the candidate."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fazhan.attachments.actions import stored_path
from fazhan.attachments.models import Attachment
from fazhan.audit.chain import events_of
from fazhan.orgs.models import Member
from tests.people.test_actions import at, new_candidate, record_clean_until

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a scanned talk record\n" + b"0" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
EXE = b"MZ\x90\x00" + b"\x00" * 100  # a Windows program named like a PDF


def upload(name, data, content_type="application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def post_talk(client, cast, candidate, *files):
    talker = Member.objects.create(org=cast.branch_a, name="王谈话")
    client.force_login(cast.zhibu)
    with at("2019-03-20"):
        return client.post(
            f"/candidates/{candidate.pk}/record/S02/",
            {
                "happened_on": "2019-03-20",
                "content_talker": talker.pk,
                "content_summary": "谈话记录见附件。",
                "attachments": list(files),
            },
        )


@pytest.fixture
def applicant(cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e1")
    return candidate


def test_it_keeps_scans_with_the_step_and_their_sha256_in_the_event(client, cast, applicant):
    response = post_talk(
        client,
        cast,
        applicant,
        upload("二〇一九谈话.pdf", PDF),
        upload("签字页.png", PNG, "image/png"),
    )
    assert response.status_code == 302
    event = [e for e in events_of(applicant.pk) if e.kind == "S02"][-1]
    assert event.payload["attachments"] == [
        {"sha256": hashlib.sha256(PDF).hexdigest(), "type": "application/pdf", "size": len(PDF)},
        {"sha256": hashlib.sha256(PNG).hexdigest(), "type": "image/png", "size": len(PNG)},
    ]
    assert "二〇一九" not in str(event.payload) and "签字页" not in str(
        event.payload
    )  # the file's name stays out of the chain
    kept = Attachment.objects.get(sha256=hashlib.sha256(PDF).hexdigest())
    assert (kept.event_seq, kept.step, kept.original_name) == (event.seq, "S02", "二〇一九谈话.pdf")
    assert stored_path(kept.sha256).read_bytes() == PDF
    page = client.get(f"/candidates/{applicant.pk}/").content.decode()
    assert f"/attachments/{kept.pk}/" in page and "二〇一九谈话.pdf" in page


def test_it_refuses_a_file_that_is_not_a_pdf_jpeg_or_png_whatever_its_name(client, cast, applicant):
    response = post_talk(client, cast, applicant, upload("谈话记录.pdf", EXE))
    assert response.status_code == 200
    assert "不是 PDF、JPEG 或 PNG 文件" in response.content.decode()
    assert "S02" not in [e.kind for e in events_of(applicant.pk)]
    assert not Attachment.objects.exists()


def test_it_refuses_a_file_over_the_size_in_settings(client, cast, applicant, settings):
    settings.FAZHAN_ATTACHMENT_MAX_BYTES = 100
    response = post_talk(client, cast, applicant, upload("谈话记录.pdf", PDF))
    assert response.status_code == 200
    assert "超过" in response.content.decode()
    assert "S02" not in [e.kind for e in events_of(applicant.pk)]


def test_it_serves_a_scan_as_a_download_only_inside_the_candidates_scope(client, cast, applicant):
    post_talk(client, cast, applicant, upload("谈话记录.pdf", PDF, "text/html"))
    kept = Attachment.objects.get()
    assert kept.content_type == "application/pdf"  # the content decides, not the browser
    response = client.get(f"/attachments/{kept.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    for outsider in (cast.zhibu2, cast.users["outsider"], cast.users["admin"]):
        client.force_login(outsider)
        assert client.get(f"/attachments/{kept.pk}/").status_code == 404
    client.logout()
    assert client.get(f"/attachments/{kept.pk}/").status_code == 302
