"""The register's pages: who sees which rows, who explains, who concludes, and the export."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from fazhan.accountability.actions import do_close_irregularity, do_explain_irregularity
from fazhan.accountability.models import ClosedBecause, Irregularity, State
from fazhan.audit.models import Event
from fazhan.core.errors import ActionRefused, NotVisible
from fazhan.people.actions import Mode, do_record_step

pytestmark = pytest.mark.django_db

EXPLANATION = "申请人外出务工，支部书记二月初无法联系本人，返乡后即谈话。"
CONCLUSION = "经核实情况属实，已对支部书记进行批评教育，今后按期谈话。"


@pytest.fixture
def row(cast):
    candidate = cast.candidates["cand_a"]
    zhibu = cast.users["zhibu"]
    do_record_step(zhibu, candidate, step="S01", happened_on=date(2026, 1, 5), mode=Mode.PAST)
    do_record_step(zhibu, candidate, step="S02", happened_on=date(2026, 2, 6), mode=Mode.PAST)
    return Irregularity.objects.get(candidate=candidate, state=State.OPEN, step="S02")


@pytest.mark.parametrize("username", ["qu", "dangwei", "zhibu", "shenji"])
def test_it_lists_the_row_for_everyone_above_it(client, cast, row, username):
    client.force_login(cast.users[username])
    page = client.get("/register/")
    assert page.status_code == 200
    assert f"/register/{row.pk}/" in page.content.decode()


@pytest.mark.parametrize("username", ["zhibu2", "outsider"])
def test_it_hides_the_row_from_other_branches(client, cast, row, username):
    client.force_login(cast.users[username])
    assert f"/register/{row.pk}/" not in client.get("/register/").content.decode()
    assert client.get(f"/register/{row.pk}/").status_code == 404
    assert client.post(f"/register/{row.pk}/explain/", {"text": EXPLANATION}).status_code == 404


def test_it_refuses_the_system_administrator_every_page(client, cast, row):
    client.force_login(cast.users["admin"])
    assert client.get("/register/").status_code == 404
    assert client.get("/register/register.xlsx").status_code == 404


def test_it_lets_the_branch_explain_and_the_committee_conclude(cast, row):
    explained = do_explain_irregularity(cast.users["zhibu"], row, text=EXPLANATION)
    assert explained.state == State.EXPLAINED
    with pytest.raises(ActionRefused, match="上级党委"):
        do_close_irregularity(cast.users["zhibu"], row, conclusion=CONCLUSION)
    closed = do_close_irregularity(cast.users["dangwei"], row, conclusion=CONCLUSION)
    assert (closed.state, closed.closed_because) == (State.CLOSED, ClosedBecause.DECIDED)
    kinds = list(
        Event.objects.filter(candidate_id=row.candidate_id, kind__startswith="irregularity.")
        .order_by("seq")
        .values_list("kind", flat=True)
    )
    assert kinds == ["irregularity.explained", "irregularity.closed"]
    # The text stays in the register, never in the chain (DESIGN principle 8).
    assert not Event.objects.filter(payload__icontains="外出务工").exists()


def test_it_refuses_a_conclusion_of_nine_characters_and_takes_ten(cast, row):
    with pytest.raises(ActionRefused, match="至少 10 个字"):
        do_close_irregularity(cast.users["qu"], row, conclusion="一二三四五六七八九")
    assert do_close_irregularity(cast.users["qu"], row, conclusion="一二三四五六七八九十").closed_on


def test_it_keeps_the_auditor_reading_only(cast, row):
    with pytest.raises(ActionRefused):
        do_explain_irregularity(cast.users["shenji"], row, text=EXPLANATION)
    with pytest.raises(NotVisible):
        do_explain_irregularity(cast.users["zhibu2"], row, text=EXPLANATION)


def test_it_shows_forms_only_to_those_who_may_use_them(client, cast, row):
    client.force_login(cast.users["zhibu"])
    page = client.get(f"/register/{row.pk}/").content.decode()
    assert "explain-text" in page and "close-conclusion" not in page
    client.force_login(cast.users["dangwei"])
    assert "close-conclusion" in client.get(f"/register/{row.pk}/").content.decode()


def test_it_exports_exactly_the_filtered_list(client, cast, row):
    client.force_login(cast.users["qu"])
    response = client.get("/register/register.xlsx?severity=late")
    assert response["Cache-Control"] == "no-store"
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    names = [r[0] for r in rows[1:]]
    assert cast.candidates["cand_a"].person.name in names
    assert all(r[2] == "逾期" for r in rows[1:])
    empty = client.get("/register/register.xlsx?severity=violation&state=open")
    assert len(list(load_workbook(BytesIO(empty.content)).active.iter_rows())) == 1


def test_it_hides_closed_rows_unless_asked(client, cast, row):
    do_close_irregularity(cast.users["qu"], row, conclusion=CONCLUSION)
    client.force_login(cast.users["qu"])
    assert f"/register/{row.pk}/" not in client.get("/register/").content.decode()
    assert f"/register/{row.pk}/" in client.get("/register/?state=closed").content.decode()
    assert f"/register/{row.pk}/" in client.get("/register/?state=all").content.decode()
