"""The 补录 page asks for the paper and the reason; the committee confirms from its home page; the
candidate page shows who recorded and who confirmed; the 思想汇报 log page."""

from __future__ import annotations

import pytest

from fazhan.audit.chain import events_of
from fazhan.dossier.models import PastFact, PastStatus
from tests.dossier.test_actions import activist, at

pytestmark = pytest.mark.django_db
PAPER = {
    "source_kind": "certificate",
    "source_ref": "党校结业证书第12号",
    "late_reason": "系统启用前的纸质档案",
}


def test_it_refuses_a_past_fact_without_its_reason_with_a_clear_message(client, cast):
    candidate = activist(cast)
    client.force_login(cast.zhibu)
    with at("2026-11-20"):
        response = client.post(
            f"/candidates/{candidate.pk}/past/S06/",
            {
                "happened_on": "2026-08-01",
                "source_kind": "assessment",
                "source_ref": "考察表",
                "content_opinion": "表现良好",
                "content_assessor": "支部委员会",
            },
        )
    body = response.content.decode()
    assert response.status_code == 422
    assert "补录须说明当时为何没有及时记录" in body
    assert "S06" not in [e.kind for e in events_of(candidate.pk)]


def test_it_takes_an_exception_to_the_committee_and_shows_both_people(client, cast):
    candidate = activist(cast)
    client.force_login(cast.zhibu)
    with at("2026-11-20"):
        response = client.post(
            f"/candidates/{candidate.pk}/past/S11/",
            {
                "happened_on": "2026-09-01",
                "days": 1,
                "hours": 8,
                "exception": "on",
                "content_provider": "区委党校",
            }
            | PAPER,
        )
    assert response.status_code == 302
    fact = PastFact.objects.get()
    assert fact.status == PastStatus.PENDING
    with at("2026-11-20"):
        page = client.get(f"/candidates/{candidate.pk}/").content.decode()
    assert "党校结业证书第12号" in page and "待上级党组织确认" in page
    # The recorder sees no confirm button on the fact's page.
    assert "confirm-past-fact" not in client.get(f"/past-facts/{fact.pk}/").content.decode()

    client.force_login(cast.dangwei)
    with at("2026-11-21"):
        home = client.get("/").content.decode()
        assert f"/past-facts/{fact.pk}/" in home and "待确认的补录特殊情况" in home
        assert "confirm-past-fact" in client.get(f"/past-facts/{fact.pk}/").content.decode()
        done = client.post(f"/past-facts/{fact.pk}/", {"decision": "confirm"})
    assert done.status_code == 302
    assert [e.kind for e in events_of(candidate.pk)][-2:] == ["pastfact.confirmed", "S11"]
    with at("2026-11-21"):
        page = client.get(f"/candidates/{candidate.pk}/").content.decode()
    assert cast.zhibu.display_name in page and cast.dangwei.display_name in page
    assert "特殊情况，已确认" in page


def test_it_keeps_the_thought_log_inside_the_branch(client, cast):
    candidate = activist(cast)
    client.force_login(cast.zhibu)
    with at("2026-10-10"):
        home = client.get("/").content.decode()
        assert "缺思想汇报" in home and f"/candidates/{candidate.pk}/thoughts/" in home
        page = client.get(f"/candidates/{candidate.pk}/thoughts/").content.decode()
        assert "2026Q2、2026Q3" in page
        response = client.post(
            f"/candidates/{candidate.pk}/thoughts/",
            {"received_on": "2026-06-30", "period_year": 2026, "period_quarter": 2, "note": "体会"},
        )
        assert response.status_code == 302
        page = client.get(f"/candidates/{candidate.pk}/thoughts/").content.decode()
        assert "2026Q2、" not in page and "2026Q3" in page
    client.force_login(cast.dangwei)  # the committee reads, and writes, for its branches
    assert client.get(f"/candidates/{candidate.pk}/thoughts/").status_code == 200
    client.force_login(cast.shenji)  # the auditor reads only
    with at("2026-10-10"):
        refused = client.post(
            f"/candidates/{candidate.pk}/thoughts/",
            {"received_on": "2026-07-30", "period_year": 2026, "period_quarter": 3},
        )
    assert refused.status_code == 404
    client.force_login(cast.zhibu2)
    assert client.get(f"/candidates/{candidate.pk}/thoughts/").status_code == 404


def test_it_points_a_live_refusal_to_the_past_fact_page_and_its_paper(client, cast):
    candidate = activist(cast)
    client.force_login(cast.zhibu)
    with at("2026-11-20"):
        response = client.post(
            f"/candidates/{candidate.pk}/record/S06/",
            {
                "happened_on": "2026-11-21",
                "content_opinion": "表现良好",
                "content_assessor": "支部委员会",
            },
        )
    body = response.content.decode()
    assert response.status_code == 422
    assert "注明依据的材料和当时未记录的原因" in body
    assert f"/candidates/{candidate.pk}/past/S06/" in body
