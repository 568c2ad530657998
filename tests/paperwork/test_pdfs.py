"""The official forms render as PDF with their key texts, the chain head code and the 志愿书 number
(read back with pdftotext), and only inside the reader's scope."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from fazhan.audit.chain import read_head
from fazhan.paperwork.actions import do_use_form
from fazhan.people.actions import do_record_step
from fazhan.reviews.actions import do_approve, do_record_talk
from fazhan.reviews.models import Approval, PrereviewRequest
from tests.notices.files import VOTE, today
from tests.paperwork.helpers import passed, stock

pytestmark = pytest.mark.django_db


def text(response) -> str:
    """The PDF's text in reading order with all whitespace removed (a cell's line breaks vary
    with the font's metrics); compare with `flat(expected)`."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    if os.getenv("PAPERWORK_DUMP"):
        dump = Path(os.environ["PAPERWORK_DUMP"])
        dump.mkdir(parents=True, exist_ok=True)
        name = response["Content-Disposition"].split('"')[1]
        (dump / name).write_bytes(response.content)
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext (poppler-utils) is missing")
    out = subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    )
    return flat(out.stdout.decode())


def flat(value: str) -> str:
    return "".join(value.split())


@pytest.fixture
def approved(cast):
    """林一: pre-review passed, form 00001001, admitted by the branch, talked to and approved."""
    forms = stock(cast)
    candidate = passed(cast, name="林一", serial=1)
    do_use_form(cast.dangwei, candidate, forms[1001].pk, used_on=today())
    do_record_step(
        cast.zhibu,
        candidate,
        step="S15",
        happened_on=today(),
        payload={"result": "pass", "vote": VOTE},
    )
    do_record_talk(cast.dangwei, candidate, talked_on=today(), talker="王组织员（组织委员）")
    do_approve(
        cast.dangwei,
        candidate,
        step="S17",
        meeting_on=today(),
        members_total=7,
        members_present=6,
        members_for=6,
        opinion="同意接收。",
    )
    candidate.refresh_from_db()
    return candidate


def test_it_prints_the_whole_record_with_people_documents_number_and_head_code(
    cast, client, approved
):
    client.force_login(cast.zhibu)
    page = client.get(f"/candidates/{approved.pk}/").content.decode()
    assert f"/paperwork/candidates/{approved.pk}/record.pdf" in page
    code = read_head().code
    body = text(client.get(f"/paperwork/candidates/{approved.pk}/record.pdf"))
    for expected in (
        "发展党员全程纪实表",
        "林一",
        cast.branch_a.name,
        "00001001",  # the 志愿书 number, in the head and on the S14 line
        "入党申请书",  # S01's document
        "培养联系人：李四",  # S05, a name resolved at print time from the member id
        "介绍人0",  # S09
        "王组织员",  # S16's talker
        "委员 7 名，到会 6 名，同意 6 名",  # S17
        "应到 10 人，实到 9 人",  # S15
        code,
    ):
        assert flat(expected) in body, expected
    assert body.count("00001001") >= 2


def test_it_prints_the_pre_review_opinion_and_the_approval_notice(cast, client, approved):
    request = PrereviewRequest.objects.get(candidate=approved, state="pass")
    approval = Approval.objects.get(candidate=approved)
    client.force_login(cast.dangwei)
    page = client.get(f"/candidates/{approved.pk}/").content.decode()
    assert f"/paperwork/prereview/{request.pk}/opinion.pdf" in page
    assert f"/paperwork/approvals/{approval.pk}/notice.pdf" in page
    body = text(client.get(f"/paperwork/prereview/{request.pk}/opinion.pdf"))
    for expected in ("发展党员预审意见", "林一", "预审同意", "同意，发给入党志愿书。", "00001001"):
        assert flat(expected) in body, expected
    assert request.head_code and request.head_code in body
    body = text(client.get(f"/paperwork/approvals/{approval.pk}/notice.pdf"))
    for expected in ("同意接收林一同志为中共预备党员", "委员 7 名", "00001001", approval.head_code):
        assert flat(expected) in body, expected
    assert approved.probation_end is not None
    assert approved.probation_end.strftime("%Y年") in body


def test_it_prints_a_batch_filing_form_for_the_date_range(cast, client):
    one = passed(cast, name="林一", serial=1)
    two = passed(cast, name="王二", serial=2, sex="M")
    from fazhan.audit.models import Event

    on = Event.objects.get(candidate_id=one.pk, kind="S04").happened_on
    client.force_login(cast.zhibu)
    home = client.get("/").content.decode()
    assert f"/paperwork/org/{cast.branch_a.pk}/filing/" in home
    assert client.get(f"/paperwork/org/{cast.branch_a.pk}/filing/").status_code == 200
    url = f"/paperwork/org/{cast.sub_a.pk}/filing.pdf"
    client.force_login(cast.dangwei)
    body = text(client.get(url, {"step": "S04", "start": on.isoformat(), "end": on.isoformat()}))
    assert "入党积极分子备案表" in body and cast.sub_a.name in body
    assert "林一" in body and "王二" in body and "李四" in body
    assert read_head().code in body
    body = text(
        client.get(
            url,
            {
                "step": "S04",
                "start": (on + timedelta(days=1)).isoformat(),
                "end": today().isoformat(),
            },
        )
    )
    assert "林一" not in body and flat("该期间没有备案记录") in body
    s08 = Event.objects.get(candidate_id=two.pk, kind="S08").happened_on
    body = text(client.get(url, {"step": "S08", "start": s08.isoformat(), "end": s08.isoformat()}))
    assert "发展对象备案表" in body and "王二" in body and "介绍人" in body
    response = client.get(url, {"step": "S04", "start": "2026-02-01", "end": "2026-01-01"})
    assert response.status_code == 400 and "开始日期不能晚于结束日期" in response.content.decode()


def test_the_pdfs_are_served_only_inside_the_scope(cast, client, approved):
    request = PrereviewRequest.objects.get(candidate=approved, state="pass")
    approval = Approval.objects.get(candidate=approved)
    urls = [
        f"/paperwork/candidates/{approved.pk}/record.pdf",
        f"/paperwork/prereview/{request.pk}/opinion.pdf",
        f"/paperwork/approvals/{approval.pk}/notice.pdf",
        f"/paperwork/org/{cast.branch_a.pk}/filing/",
        f"/paperwork/org/{cast.branch_a.pk}/filing.pdf",
    ]
    for user in (cast.zhibu2, cast.outsider, cast.admin):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
    client.logout()
    assert client.get(urls[0]).status_code == 302
    # A pre-review not yet answered has no written opinion to print.
    pending = PrereviewRequest.objects.create(
        candidate=approved,
        from_org=cast.branch_a,
        to_org=cast.sub_a,
        batch="x",
        s12_on=today(),
        s12_seq=1,
        sent_on=today(),
        sent_by=cast.zhibu,
        state="pending",
    )
    client.force_login(cast.qu)
    assert client.get(f"/paperwork/prereview/{pending.pk}/opinion.pdf").status_code == 404


def test_a_corrected_filing_date_prints_as_corrected(cast, client):
    from fazhan.audit.models import Event
    from fazhan.people.actions import do_correct_event

    one = passed(cast, name="林一", serial=1)
    old = Event.objects.get(candidate_id=one.pk, kind="S04")
    new_day = old.happened_on + timedelta(days=2)
    do_correct_event(
        cast.qu,
        one,
        seq=old.seq,
        replacement={"type": "S04", "date": new_day},
        reason="纸质档案日期核对",
    )
    client.force_login(cast.dangwei)
    url = f"/paperwork/org/{cast.branch_a.pk}/filing.pdf"
    before = text(
        client.get(url, {"step": "S04", "start": old.happened_on, "end": old.happened_on})
    )
    assert "林一" not in before
    after = text(client.get(url, {"step": "S04", "start": new_day, "end": new_day}))
    assert "林一" in after and new_day.isoformat() in after
    record = text(client.get(f"/paperwork/candidates/{one.pk}/record.pdf"))
    assert new_day.isoformat() in record
    # The superseded date is gone; what remains of that day is the other steps taken on it (S05).
    same_day = Event.objects.filter(candidate_id=one.pk, happened_on=old.happened_on)
    assert record.count(old.happened_on.isoformat()) == same_day.exclude(seq=old.seq).count()
