"""Mobile candidates (Issue 16): transfers through the pages, cooperation agreements and their
scopes through the one authority, outside organizations and their reports, contacts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.http import Http404

from fazhan.accounts.authority import cooperation_for
from fazhan.audit.chain import events_of, verify_chain
from fazhan.core import dates
from fazhan.core.errors import ActionRefused
from fazhan.mobility import picture
from fazhan.mobility.actions import (
    do_end_cooperation,
    do_open_cooperation,
    do_record_contact,
    do_record_outside_report,
    do_register_outside_org,
)
from fazhan.people.actions import _check_writer, do_record_step
from fazhan.people.models import Candidate, CandidateOrgLink, LinkRole
from fazhan.policy import mobility as rules
from tests.people.test_actions import at, new_candidate, record_clean_until

pytestmark = pytest.mark.django_db


def _transfer(client, user, candidate, to_org, day: str) -> None:
    client.force_login(user)
    with at(day):
        response = client.post(
            f"/candidates/{candidate.pk}/transfer/", {"to_org": to_org.pk, "happened_on": day}
        )
    assert response.status_code == 302, response.content.decode()[:2000]


def _accept(client, user, candidate, day: str) -> None:
    client.force_login(user)
    with at(day):
        response = client.post(f"/candidates/{candidate.pk}/accept/", {"happened_on": day})
    assert response.status_code == 302, response.content.decode()[:2000]


def test_it_keeps_the_activist_year_continuous_through_two_transfers_made_on_the_pages(
    client, cast
):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e7")  # activist since 2019-04-23 (S03)
    _transfer(client, cast.zhibu, candidate, cast.branch_b, "2019-12-02")
    _accept(client, cast.zhibu2, candidate, "2019-12-05")
    _transfer(client, cast.zhibu2, candidate, cast.branch_a2, "2020-01-06")
    _accept(client, cast.dangwei, candidate, "2020-01-08")
    candidate.refresh_from_db()
    assert candidate.org == cast.branch_a2
    with at("2020-04-20"):
        do_record_step(cast.dangwei, candidate, step="S06", happened_on=date(2020, 4, 13))
        do_record_step(
            cast.dangwei,
            candidate,
            step="N-TGT",
            happened_on=date(2020, 4, 13),
            payload={"end": "2020-04-17"},
        )
    # The year counts from 2019-04-23 in the first branch: one day short is refused ...
    with at("2020-04-22"), pytest.raises(ActionRefused) as refused:
        do_record_step(cast.dangwei, candidate, step="S07", happened_on=date(2020, 4, 22))
    assert any("第十三条" in r.basis for r in refused.value.reasons), refused.value.reasons
    # ... and the anniversary is accepted: no clock restarted at either move (细则 art. 12).
    with at("2020-04-23"):
        do_record_step(cast.dangwei, candidate, step="S07", happened_on=date(2020, 4, 23))
    candidate.refresh_from_db()
    assert candidate.stage == "target"
    assert candidate.activist_on == date(2019, 4, 23)
    kinds = [e.kind for e in events_of(candidate.pk)]
    assert kinds.count("transfer-in") == 2 and kinds[0] == "candidate.opened"
    assert verify_chain().ok


def test_it_refuses_a_transfer_on_its_page_with_a_reason_and_keeps_the_file(client, cast):
    candidate = cast.candidates["cand_a"]
    today = dates.today().isoformat()
    client.force_login(cast.zhibu)
    response = client.post(
        f"/candidates/{candidate.pk}/transfer/", {"to_org": cast.branch_b.pk, "happened_on": today}
    )
    assert response.status_code == 302
    url = f"/mobility/candidates/{candidate.pk}/refuse/"
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404
    client.force_login(cast.zhibu)  # the outflow branch has nothing to refuse
    assert client.get(url).status_code == 404
    client.force_login(cast.zhibu2)
    assert client.get(url).status_code == 200
    response = client.post(url, {"happened_on": today, "reason": "  "})
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    response = client.post(url, {"happened_on": today, "reason": "材料不全，缺少思想汇报"})
    assert response.status_code == 302
    link = CandidateOrgLink.objects.get(candidate=candidate, role=LinkRole.INFLOW)
    assert link.ended_on == dates.today()
    candidate.refresh_from_db()
    assert candidate.org == cast.branch_a
    assert client.get(f"/candidates/{candidate.pk}/").status_code == 404
    refused = [e for e in events_of(candidate.pk) if e.kind == "mobility.transfer-refused"]
    assert refused and refused[0].payload["to_org_id"] == cast.branch_b.pk
    # The outflow branch may propose again.
    client.force_login(cast.zhibu)
    response = client.post(
        f"/candidates/{candidate.pk}/transfer/", {"to_org": cast.branch_b.pk, "happened_on": today}
    )
    assert response.status_code == 302


STEPS = ("S02", "S03", "S05", "S06", "S07", "S10", "S11", "S12", "S15", "S17", "S21")


@pytest.mark.parametrize("kind", rules.AGREEMENT_TYPES)
def test_it_lets_the_cooperating_side_record_exactly_its_scope(cast, kind):
    """The Step 7 matrix with a cooperating organization: zhibu2 (branch_b) on branch_a's file."""
    candidate = cast.candidates["cand_a"]
    day = dates.today()
    agreement = do_open_cooperation(
        cast.zhibu,
        candidate,
        kind=kind,
        cooperating=cast.branch_b,
        started_on=day,
        contact="张联系" if kind == rules.TRACKING else "",
    )
    scope = set(rules.DEFAULT_SCOPE[kind])
    assert set(agreement.steps) == scope
    assert Candidate.objects.visible_to(cast.zhibu2).filter(pk=candidate.pk).exists()
    for step in STEPS:
        right = cooperation_for(cast.zhibu2, candidate.pk, step)
        if step in scope:
            assert right is not None and right.agreement_id == agreement.pk, step
            assert _check_writer(cast.zhibu2, candidate, step) == {"cooperating"}
        else:
            assert right is None, step
            with pytest.raises(ActionRefused) as refused:
                _check_writer(cast.zhibu2, candidate, step)
            assert "协作协议的范围" in refused.value.reasons[0].message, step
    with pytest.raises(ActionRefused):  # corrections stay with the responsible side
        _check_writer(cast.zhibu2, candidate, None)
    # Nobody else gains anything: the outsider still meets a 404, the auditor writes nothing.
    with pytest.raises(Http404):
        _check_writer(cast.outsider, candidate, "S06")
    with pytest.raises(ActionRefused):
        _check_writer(cast.shenji, candidate, "S06")
    assert cooperation_for(cast.shenji, candidate.pk, "S06") is None
    # The other committee's branch keeps its own rights, and the responsible side all of its.
    assert _check_writer(cast.zhibu, candidate, "S03")
    do_end_cooperation(cast.zhibu2, agreement, ended_on=day, reason="已返回原单位")
    assert cooperation_for(cast.zhibu2, candidate.pk, "S06") is None
    with pytest.raises(Http404):
        _check_writer(cast.zhibu2, candidate, "S06")


def test_it_refuses_a_scope_the_agreement_type_cannot_give(cast):
    candidate = cast.candidates["cand_a"]
    with pytest.raises(ActionRefused) as refused:
        do_open_cooperation(
            cast.zhibu,
            candidate,
            kind=rules.TRACKING,
            cooperating=cast.branch_b,
            steps=["S06", "S10"],
            started_on=dates.today(),
            contact="张联系",
        )
    assert "S10" in refused.value.reasons[0].message
    with pytest.raises(ActionRefused) as refused:
        do_open_cooperation(
            cast.zhibu,
            candidate,
            kind=rules.TRACKING,
            cooperating=cast.branch_b,
            started_on=dates.today(),
        )
    assert "联系人" in refused.value.reasons[0].message
    with pytest.raises(Http404):  # a file one does not see does not exist
        do_open_cooperation(
            cast.zhibu2,
            candidate,
            kind=rules.JOINT,
            cooperating=cast.branch_b,
            started_on=dates.today(),
        )
    do_open_cooperation(
        cast.zhibu, candidate, kind=rules.JOINT, cooperating=cast.branch_b, started_on=dates.today()
    )
    with pytest.raises(ActionRefused) as refused:  # the cooperating side sets none up
        do_open_cooperation(
            cast.zhibu2,
            candidate,
            kind=rules.JOINT,
            cooperating=cast.branch_b2,
            started_on=dates.today(),
        )
    assert "负责该档案" in refused.value.reasons[0].message


def test_it_records_which_organization_recorded_under_which_agreement(cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e7")
    with at("2019-11-01"):
        agreement = do_open_cooperation(
            cast.zhibu,
            candidate,
            kind=rules.ENTRUSTED,
            cooperating=cast.branch_b,
            started_on=date(2019, 11, 1),
        )
    with at("2020-04-13"):
        event = do_record_step(cast.zhibu2, candidate, step="S06", happened_on=date(2020, 4, 13))
        with pytest.raises(ActionRefused):  # 委托培养: the responsible side decides
            do_record_step(cast.zhibu2, candidate, step="S07", happened_on=date(2020, 4, 13))
    assert event.payload["recorded_for_org_id"] == cast.branch_b.pk
    assert event.payload["agreement_id"] == agreement.pk
    candidate.refresh_from_db()
    assert candidate.violations == 0
    with at("2020-04-14"):
        mine = do_record_step(cast.zhibu, candidate, step="S06", happened_on=date(2020, 4, 14))
    assert "agreement_id" not in mine.payload


def test_it_records_an_outside_report_as_a_past_fact_with_its_document(client, cast):
    candidate = cast.candidates["cand_a2"]
    outside = do_register_outside_org(
        cast.dangwei,
        registered_for=cast.sub_a,
        name="广东省东莞市某流动党员党支部",
        kind="mobile",
        contact="王书记 0769-0000000",
        region="广东东莞",
    )
    with pytest.raises(Http404):
        do_register_outside_org(
            cast.zhibu2, registered_for=cast.sub_a, name="x", kind="mobile", contact="y"
        )
    agreement = do_open_cooperation(
        cast.dangwei,
        candidate,
        kind=rules.AUTHORIZED,
        outside=outside,
        steps=["S06"],
        started_on=dates.today() - timedelta(days=30),
    )
    with pytest.raises(ActionRefused):
        do_record_outside_report(
            cast.dangwei, agreement, step="S10", happened_on=dates.today(), document="函〔1〕号"
        )
    event = do_record_outside_report(
        cast.dangwei,
        agreement,
        step="S06",
        happened_on=dates.today() - timedelta(days=3),
        document="东流党函〔2026〕3号",
        payload={"content": {"opinion": "表现良好，积极参加组织生活。", "assessor": "王书记"}},
    )
    assert event.kind == "S06" and event.payload["mode"] == "past"
    assert event.payload["document"] == "东流党函〔2026〕3号"
    assert event.payload["outside_org_id"] == outside.pk
    assert event.payload["content"]["assessor"] == "王书记"
    client.force_login(cast.zhibu2)
    assert client.get(f"/mobility/agreements/{agreement.pk}/report/").status_code == 404
    client.force_login(cast.dangwei)
    page = client.get("/mobility/outside/").content.decode()
    assert "广东省东莞市某流动党员党支部" in page


def test_it_lists_an_overdue_contact_until_one_is_recorded(client, cast):
    candidate = cast.candidates["cand_a2"]
    today = dates.today()
    do_open_cooperation(
        cast.dangwei,
        candidate,
        kind=rules.JOINT,
        cooperating=cast.branch_b2,
        started_on=today - timedelta(days=93),
    )
    rows = picture.away(cast.dangwei, today)
    assert [r.overdue for r in rows] == [True]
    assert rows[0].due == today - timedelta(days=1)
    assert picture.away(cast.zhibu2, today) == []
    came = picture.came_in(cast.zhibu2)
    assert [c.candidate.pk for c in came] == []  # branch_b2 is not zhibu2's branch
    do_record_contact(cast.dangwei, candidate, happened_on=today, way="visit")
    rows = picture.away(cast.dangwei, today)
    assert [r.overdue for r in rows] == [False] and rows[0].last_contact == today
    client.force_login(cast.dangwei)
    page = client.get("/mobility/").content.decode()
    assert candidate.person.name in page
    # The interval is the district's setting (policy data), shown with its basis.
    assert rules.contact_interval_days() == 92 and rules.CONTACT_INTERVAL.days == 92
    assert "至少每 92 天联系一次" in page and "本区的设定" in page
    assert "没有规定" in rules.contact_basis() and "policies" not in page
    client.force_login(cast.outsider)
    assert candidate.person.name not in client.get("/mobility/").content.decode()
    assert client.get(f"/mobility/candidates/{candidate.pk}/").status_code == 404


def test_it_lets_the_old_owner_read_what_it_recorded_before_the_file_left(client, cast):
    from fazhan.people.actions import do_transfer_in, do_transfer_out
    from fazhan.people.record import is_record_kind

    candidate = cast.candidates["cand_a"]
    today = dates.today()
    do_transfer_out(cast.zhibu, candidate, to_org=cast.branch_b, happened_on=today)
    moved = do_transfer_in(cast.zhibu2, candidate, happened_on=today)
    do_record_contact(cast.zhibu2, candidate, happened_on=today, way="pair")
    client.force_login(cast.zhibu)
    assert client.get(f"/candidates/{candidate.pk}/").status_code == 404
    overview = client.get("/mobility/").content.decode()
    assert f"/mobility/history/{candidate.pk}/" in overview
    response = client.get(f"/mobility/history/{candidate.pk}/")
    assert response.status_code == 200
    held = [e for e in events_of(candidate.pk) if e.seq <= moved.seq]
    assert len(response.context["rows"]) == len([e for e in held if is_record_kind(e.kind)]) > 0
    for username in ("outsider", "zhibu2"):
        client.force_login(cast.users[username])
        assert client.get(f"/mobility/history/{candidate.pk}/").status_code == 404


def test_it_exports_a_file_with_its_letter_and_imports_it_elsewhere_judged_the_same(cast):
    import copy

    from fazhan.mobility.crossing import do_receive_file, do_transfer_out_of_district
    from fazhan.people.record import evaluate_candidate

    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e7")
    with at("2019-12-01"):
        outside = do_register_outside_org(
            cast.zhibu,
            registered_for=cast.branch_a,
            name="浙江省义乌市某流动党员党委",
            kind="mobile",
            contact="陈书记 0579-0000000",
        )
        departure = do_transfer_out_of_district(
            cast.zhibu, candidate, outside=outside, happened_on=date(2019, 12, 1)
        )
    assert departure.letter_code.count("-") == 2 and departure.head_code
    assert events_of(candidate.pk)[-1].kind == "mobility.departed"
    sent = copy.deepcopy(departure.document)
    tampered = copy.deepcopy(sent)
    tampered["events"][3]["date"] = "2019-03-23"  # an S03 moved back a month
    with at("2019-12-10"):
        with pytest.raises(ActionRefused) as refused:
            do_receive_file(
                cast.zhibu2,
                org=cast.branch_b,
                document=tampered,
                letter_code=departure.letter_code,
                arrived_on=date(2019, 12, 10),
                origin="外区",
            )
        assert "介绍信编码不符" in refused.value.reasons[0].message
        arrived = do_receive_file(
            cast.zhibu2,
            org=cast.branch_b,
            document=sent,
            letter_code=departure.letter_code.lower(),
            arrived_on=date(2019, 12, 10),
            origin="外区",
        )
    assert arrived.pk != candidate.pk and arrived.org == cast.branch_b
    kinds = [e.kind for e in events_of(arrived.pk)]
    assert "transfer-in" in kinds and kinds[-1] == "mobility.arrived"
    # Judged on arrival the same as at home: the same stage, dates and findings.
    home = evaluate_candidate(candidate, as_of=date(2019, 12, 10))
    there = evaluate_candidate(arrived, as_of=date(2019, 12, 10))
    assert (there.stage, there.dates) == (home.stage, home.dates)
    assert {(f.id, f.step, f.date) for f in there.findings} == {
        (f.id, f.step, f.date) for f in home.findings
    }
    assert arrived.stage == "activist" and arrived.activist_on == date(2019, 4, 23)
    assert verify_chain().ok


def test_it_prints_the_letter_and_receives_the_file_through_the_pages(client, cast):
    from fazhan.mobility.models import Departure

    candidate = cast.candidates["cand_a"]
    outside = do_register_outside_org(
        cast.zhibu, registered_for=cast.branch_a, name="区外党委", kind="mobile", contact="某"
    )
    client.force_login(cast.zhibu)
    url = f"/mobility/candidates/{candidate.pk}/"
    assert client.get(url + "letter.pdf").status_code == 404  # not sent out yet
    today = dates.today().isoformat()
    response = client.post(url + "depart/", {"outside": outside.pk, "happened_on": today})
    assert response.status_code == 302
    departure = Departure.objects.get(candidate=candidate)
    pdf = client.get(url + "letter.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    sent = client.get(url + "file.json")
    client.force_login(cast.outsider)
    assert client.get(url + "letter.pdf").status_code == 404
    client.force_login(cast.zhibu2)
    from django.core.files.uploadedfile import SimpleUploadedFile

    def post(code: str):
        upload = SimpleUploadedFile("file.json", sent.content, "application/json")
        return client.post(
            "/mobility/receive/",
            {
                "file": upload,
                "letter_code": code,
                "origin": "外区某党支部",
                "org": cast.branch_b.pk,
                "arrived_on": today,
            },
        )

    wrong = post("AAAA-AAAA-AAAA")
    assert wrong.status_code == 200 and "介绍信编码不符" in wrong.content.decode()
    right = post(departure.letter_code)
    assert right.status_code == 302
    arrived = Candidate.objects.get(pk=int(right["Location"].strip("/").split("/")[-1]))
    assert arrived.org == cast.branch_b and arrived.pk != candidate.pk


PDF = b"%PDF-1.4\n% scanned assessment letter\n" + b"0" * 2048


def test_it_records_an_outside_report_on_its_page_with_the_step_content_and_the_scan(client, cast):
    import hashlib

    from django.core.files.uploadedfile import SimpleUploadedFile

    from fazhan.attachments.models import Attachment

    candidate = cast.candidates["cand_a2"]
    outside = do_register_outside_org(
        cast.dangwei,
        registered_for=cast.sub_a,
        name="东莞某流动党员党支部",
        kind="mobile",
        contact="王",
    )
    agreement = do_open_cooperation(
        cast.dangwei,
        candidate,
        kind=rules.AUTHORIZED,
        outside=outside,
        steps=["S06", "S10"],
        started_on=dates.today() - timedelta(days=30),
    )
    url = f"/mobility/agreements/{agreement.pk}/report/"
    client.force_login(cast.dangwei)
    # The form asks the chosen step's own content (step-content.json): S10's conclusion and
    # sources, S06's opinion and assessor; a step outside the scope has no page.
    assert "content_conclusion" in client.get(url + "?step=S10").content.decode()
    assert client.get(url + "?step=S12").status_code == 404
    page = client.get(url)
    assert "content_opinion" in page.content.decode() and "attachments" in page.content.decode()
    day = (dates.today() - timedelta(days=2)).isoformat()
    missing = client.post(url, {"happened_on": day, "document": "东流党函〔2026〕5号"})
    assert missing.status_code == 200 and "这个字段是必填项" in missing.content.decode()
    assert not [e for e in events_of(candidate.pk) if e.kind == "S06"]
    response = client.post(
        url,
        {
            "happened_on": day,
            "document": "东流党函〔2026〕5号",
            "content_opinion": "在外务工期间表现良好。",
            "content_assessor": "王书记",
            "attachments": SimpleUploadedFile("letter.pdf", PDF, "application/pdf"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    event = [e for e in events_of(candidate.pk) if e.kind == "S06"][-1]
    assert event.payload["content"] == {"opinion": "在外务工期间表现良好。", "assessor": "王书记"}
    assert event.payload["document"] == "东流党函〔2026〕5号" and event.payload["mode"] == "past"
    assert event.payload["attachments"][0]["sha256"] == hashlib.sha256(PDF).hexdigest()
    scan = Attachment.objects.get(candidate=candidate, event_seq=event.seq)
    assert scan.step == "S06" and scan.original_name == "letter.pdf"
    # A file that is not a scan is refused by its content, and nothing is recorded.
    before = len(events_of(candidate.pk))
    bad = client.post(
        url + "?step=S06",
        {
            "happened_on": day,
            "document": "东流党函〔2026〕6号",
            "content_opinion": "x",
            "content_assessor": "y",
            "attachments": SimpleUploadedFile("letter.pdf", b"MZ not a pdf", "application/pdf"),
        },
    )
    assert bad.status_code == 200 and len(events_of(candidate.pk)) == before
    assert verify_chain().ok
