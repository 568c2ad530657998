"""The pages: sign-in, upload with the test client, preview, confirm and discard (POST, CSRF),
and who may see a batch."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from fazhan.imports.models import BatchStatus, ImportBatch
from fazhan.people.models import Candidate
from tests.imports.helpers import ACTIVIST, APPLICANT, TARGET, on, person, xlsx

pytestmark = pytest.mark.django_db
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def roster(*rows) -> SimpleUploadedFile:
    return SimpleUploadedFile("名册.xlsx", xlsx(list(rows)), content_type=XLSX)


def bad_roster() -> SimpleUploadedFile:
    bad = person("示例坏行", serial=2, **ACTIVIST)
    bad["确定积极分子日期"] = "2022-02-30"
    return roster(
        person("示例好行", serial=1, **APPLICANT), bad, person("示例三", serial=3, **TARGET)
    )


def upload(client, cast, file, org=None) -> ImportBatch:
    with on():
        response = client.post("/imports/roster/", {"org": (org or cast.branch_a).pk, "file": file})
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = ImportBatch.objects.latest("pk")
    assert response["Location"] == f"/imports/{batch.pk}/"
    return batch


def test_it_sends_an_anonymous_visitor_to_sign_in(client, cast):
    for url in ("/imports/", "/imports/candidates.xlsx", "/imports/template.xlsx"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_it_shows_the_upload_forms_to_writers_and_only_export_to_the_auditor(client, cast):
    client.force_login(cast.zhibu)
    body = client.get("/imports/").content.decode()
    assert "upload-roster" in body and "upload-files" in body and cast.branch_a.name in body
    assert cast.branch_b.name not in body
    client.force_login(cast.shenji)
    body = client.get("/imports/").content.decode()
    assert "upload-roster" not in body and "candidates.xlsx" in body
    assert client.post("/imports/roster/", {}).status_code == 404


def test_it_names_the_bad_row_in_the_preview_and_refuses_confirmation(client, cast):
    client.force_login(cast.zhibu)
    batch = upload(client, cast, bad_roster())
    with on():
        body = client.get(f"/imports/{batch.pk}/").content.decode()
    assert "第 3 行" in body and "确定积极分子日期" in body and "不存在的日期：2022-02-30" in body
    assert "Q3" in body  # the cell, as Excel names it
    assert 'disabled aria-disabled="true"' in body
    candidates = Candidate.objects.count()
    with on():
        response = client.post(f"/imports/{batch.pk}/confirm/", follow=True)
    assert "本批未导入任何内容" in response.content.decode()
    assert Candidate.objects.count() == candidates
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DRAFT
    errors = load_workbook(io.BytesIO(client.get(f"/imports/{batch.pk}/errors.xlsx").content))
    assert list(errors.worksheets[0].iter_rows(values_only=True))[1][:4] == (
        3,
        "第 3 行",
        "确定积极分子日期",
        "Q3",
    )


def test_it_previews_and_confirms_a_clean_roster(client, cast):
    client.force_login(cast.zhibu)
    batch = upload(
        client,
        cast,
        roster(person("示例好行", serial=1, **APPLICANT), person("示例三", serial=3, **TARGET)),
    )
    with on():
        body = client.get(f"/imports/{batch.pk}/").content.decode()
    assert "示例好行" in body and "入党申请人" in body and "发展对象" in body
    assert "999999********" in body and "disabled aria-disabled" not in body
    with on():
        response = client.post(f"/imports/{batch.pk}/confirm/", follow=True)
    assert "已导入 2 份档案" in response.content.decode()
    assert Candidate.objects.filter(person__name__in=["示例好行", "示例三"]).count() == 2
    with on():
        again = client.post(f"/imports/{batch.pk}/confirm/", follow=True)
    assert "这一批的状态是「已导入」，不能再操作" in again.content.decode()
    assert Candidate.objects.filter(person__name="示例好行").count() == 1


def test_it_discards_a_batch(client, cast):
    client.force_login(cast.zhibu)
    batch = upload(client, cast, bad_roster())
    response = client.post(f"/imports/{batch.pk}/discard/")
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DISCARDED and batch.rows.count() == 0


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("zhibu", 200),
        ("qu", 200),
        ("dangwei", 404),
        ("zhibu2", 404),
        ("shenji", 404),
        ("admin", 404),
        ("outsider", 404),
    ],
)
def test_it_shows_a_batch_only_to_its_uploader_and_district_staff(client, cast, username, status):
    client.force_login(cast.zhibu)
    batch = upload(client, cast, bad_roster())
    client.force_login(cast.users[username])
    assert client.get(f"/imports/{batch.pk}/").status_code == status
    if status == 404:
        assert client.post(f"/imports/{batch.pk}/confirm/").status_code == 404
        assert client.get(f"/imports/{batch.pk}/errors.xlsx").status_code == 404


def test_it_needs_the_csrf_token_to_confirm(cast):
    plain = Client()
    plain.force_login(cast.zhibu)
    batch = upload(plain, cast, roster(person("示例", serial=1, **APPLICANT)))
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.zhibu)
    assert client.post(f"/imports/{batch.pk}/confirm/").status_code == 403
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DRAFT


def test_it_uploads_candidate_files_and_renders_a_page_of_rows_for_htmx(client, cast):
    client.force_login(cast.dangwei)
    files = [
        SimpleUploadedFile(p.name, p.read_bytes(), content_type="application/json")
        for p in sorted(EXAMPLES.glob("*.json"))
    ]
    response = client.post("/imports/files/", {"org": cast.branch_a.pk, "uploads": files})
    assert response.status_code == 302
    batch = ImportBatch.objects.latest("pk")
    body = client.get(f"/imports/{batch.pk}/").content.decode()
    assert "unreadable-impossible-date.json" in body and "events[6].date" in body
    partial = client.get(f"/imports/{batch.pk}/?show=all", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "clean-full.json" in partial


def test_it_refuses_candidate_files_into_anything_but_a_writable_branch(client, cast):
    client.force_login(cast.zhibu)
    file = SimpleUploadedFile("a.json", (EXAMPLES / "clean-full.json").read_bytes())
    response = client.post("/imports/files/", {"org": cast.branch_b.pk, "uploads": [file]})
    assert response.status_code == 400
    assert not ImportBatch.objects.exists()


def test_it_serves_the_roster_template(client, cast):
    client.force_login(cast.zhibu)
    response = client.get("/imports/template.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    header = [c.value for c in book.worksheets[0][1]]
    assert header[:3] == ["姓名", "性别", "出生日期"] and "支部大会表决" in header
    assert book.worksheets[1].title == "填写说明"
