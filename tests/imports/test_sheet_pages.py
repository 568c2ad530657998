"""The pages for the organization tree and the party-member roster (contracts.md §7), next to the
roster import: upload, preview with every error by row and cell, confirm, discard, templates.
The same reading and checks as `fazhan import` (fazhan.imports.orgtree, .members)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from fazhan.audit.chain import verify_chain
from fazhan.audit.models import Event
from fazhan.imports.models import BatchStatus, ImportBatch
from fazhan.orgs.models import Member, Organization
from fazhan.people.idnumber import make_demo_id
from tests.imports.helpers import TODAY, on

pytestmark = pytest.mark.django_db
ORG_HEADER = "组织编码,组织名称,简称,上级组织编码,组织层级,单位类型,审批权限"
MEMBER_HEADER = "姓名,性别,出生日期,党支部,人员类别,入党日期,身份证号,转正日期"


def sheet(*lines: str, name: str = "sheet.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode("utf-8-sig"))


def upload(client, what: str, file: SimpleUploadedFile) -> ImportBatch:
    response = client.post(f"/imports/{what}/", {"file": file})
    assert response.status_code == 302, response.content[:500]
    return ImportBatch.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))


def test_it_offers_the_tree_and_members_to_district_staff_only(client, cast):
    client.force_login(cast.qu)
    body = client.get("/imports/").content.decode()
    assert "upload-orgs" in body and "upload-members" in body
    client.force_login(cast.zhibu)
    assert "upload-orgs" not in client.get("/imports/").content.decode()
    assert client.post("/imports/orgs/", {"file": sheet(ORG_HEADER)}).status_code == 404
    assert client.post("/imports/members/", {"file": sheet(MEMBER_HEADER)}).status_code == 404


def test_it_previews_a_broken_tree_by_row_and_cell_and_refuses_to_confirm(client, cast):
    client.force_login(cast.qu)
    before = Organization.objects.count(), Event.objects.count()
    batch = upload(
        client,
        "orgs",
        sheet(ORG_HEADER, "N-1,新党委,,D,党委,工厂,", "N-2,新支部,,D-A-1-1,党支部,,"),
    )
    assert batch.kind == "orgs" and batch.error_count == 2
    body = client.get(f"/imports/{batch.pk}/").content.decode()
    assert "F2" in body and "D3" in body and "工厂" in body
    client.post(f"/imports/{batch.pk}/confirm/")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DRAFT
    assert (Organization.objects.count(), Event.objects.count()) == before


def test_it_confirms_a_tree_recorded_by_the_uploader(client, cast):
    client.force_login(cast.qu)
    batch = upload(
        client,
        "orgs",
        sheet(ORG_HEADER, "N-2,新支部,,N-1,党支部,,", "N-1,新党委,,D,党委,国有企业,是"),
    )
    assert not batch.has_errors and batch.summary["counts"]["created"] == 2
    assert not Organization.objects.filter(code="N-1").exists()  # a preview writes nothing
    client.post(f"/imports/{batch.pk}/confirm/")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPLIED
    branch = Organization.objects.get(code="N-2")
    assert branch.parent is not None and branch.parent.code == "N-1"
    assert branch.org_type == "state_enterprise"
    events = Event.objects.filter(kind="org.created")
    assert events.count() == 2 and {e.recorded_by_id for e in events} == {cast.qu.pk}
    assert verify_chain().ok


def test_it_confirms_members_keeping_no_id_number_in_the_batch(client, cast):
    client.force_login(cast.qu)
    ident = make_demo_id(TODAY.replace(year=1980), "M", 300)
    lines = (
        MEMBER_HEADER,
        f"张三,男,1980-06-03,{cast.branch_a.code},正式党员,2005-07-01,{ident},2006-07-01",
    )
    with on():
        batch = upload(client, "members", sheet(*lines))
        assert not batch.has_errors, list(batch.rows.values_list("errors", flat=True))
        stored = str(list(batch.rows.values_list("data", flat=True)))
        assert ident not in stored  # principle 8: token and mask only
        client.post(f"/imports/{batch.pk}/confirm/")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPLIED
    member = Member.objects.get(name="张三")
    assert member.org == cast.branch_a and member.id_number_masked
    assert "token" not in str(list(batch.rows.values_list("data", flat=True)))


def test_it_discards_a_tree_batch(client, cast):
    client.force_login(cast.qu)
    batch = upload(client, "orgs", sheet(ORG_HEADER, "N-1,新党委,,D,党委,,"))
    client.post(f"/imports/{batch.pk}/discard/")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DISCARDED and not batch.rows.exists()
    assert not Organization.objects.filter(code="N-1").exists()


@pytest.mark.parametrize(
    ("url", "first"),
    [("/imports/orgs-template.xlsx", "组织编码*"), ("/imports/members-template.xlsx", "姓名*")],
)
def test_it_serves_templates_the_importer_reads(client, cast, url, first):
    client.force_login(cast.qu)
    response = client.get(url)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    header = next(book.worksheets[0].iter_rows(values_only=True))
    assert header[0].rstrip("*") == first.rstrip("*")
