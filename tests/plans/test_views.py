"""The dashboards and plan pages: scoped (404 outside), matching a direct count, Excel, htmx."""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from fazhan.orgs.models import Organization
from fazhan.plans.actions import do_load_plan, do_split
from fazhan.plans.models import Plan, PlanShare
from tests.plans.helpers import make, next_steps
from tests.plans.test_indicators import direct_count, random_files

pytestmark = pytest.mark.django_db
TODAY = datetime(2026, 9, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai"))

# Who reaches which dashboard: district and sub staff and the auditor the full board of their
# subtree, branch secretaries their own branch's counts, the rest nothing (404).
PAGES = {
    "qu": {"": 200, "sub_a": 200, "sub_b": 200, "branch_a": 200},
    "dangwei": {"": 200, "sub_a": 200, "sub_b": 404, "branch_a": 200},
    "zhibu": {"": 200, "sub_a": 404, "sub_b": 404, "branch_a": 200},
    "zhibu2": {"": 200, "sub_a": 404, "sub_b": 404, "branch_a": 404},
    "shenji": {"": 200, "sub_a": 200, "sub_b": 200, "branch_a": 200},
    "admin": {"": 404, "sub_a": 404, "sub_b": 404, "branch_a": 404},
    "outsider": {"": 404, "sub_a": 404, "sub_b": 404, "branch_a": 404},
}


def url(cast, name: str) -> str:
    return "/plans/" if not name else f"/plans/org/{getattr(cast, name).pk}/"


@pytest.mark.parametrize("username", sorted(PAGES))
def test_it_scopes_every_dashboard(client, cast, username):
    client.force_login(cast.users[username])
    for name, status in PAGES[username].items():
        response = client.get(url(cast, name))
        assert response.status_code == status, (username, name)


def test_it_shows_branch_secretaries_their_branch_counts_only(client, cast):
    client.force_login(cast.zhibu)
    body = client.get("/plans/").content.decode()
    assert cast.branch_a.name in body
    assert "结构占比" not in body and "下级单位" not in body
    for page in ("forecast/", "export.xlsx"):
        assert client.get(f"/plans/org/{cast.branch_a.pk}/{page}").status_code == 404


def test_it_sends_an_anonymous_visitor_to_sign_in(client, cast):
    response = client.get("/plans/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_it_shows_the_district_the_same_numbers_as_a_direct_count(client, cast):
    random_files(cast, n=120, seed=5)
    client.force_login(cast.qu)
    with time_machine.travel(TODAY, tick=False):
        response = client.get("/plans/?year=2026")
    everyone = set(Organization.objects.values_list("pk", flat=True))
    assert response.context["main"].now.as_dict() == direct_count(2026, everyone)
    units = {u["org"].pk: u for u in response.context["units"]}
    for sub in (cast.sub_a, cast.sub_b):
        subtree = Organization.objects.subtree_ids([sub.pk])
        assert units[sub.pk]["now"] == direct_count(2026, subtree)["developed"]
    body = response.content.decode()
    assert "试算" in body  # no plan loaded for 2026: judged by the seed as a trial
    assert 'id="structure-data"' in body and "vendor/echarts.min.js" in body


def test_it_judges_a_sub_organization_on_its_share(client, cast):
    plan = do_load_plan(cast.qu, year=2026)
    do_split(cast.qu, plan, shares={cast.sub_a.pk: 10, cast.sub_b.pk: 340})
    for _ in range(9):
        make(cast.branch_a, admitted_on=date(2026, 5, 1), approved_on=date(2026, 6, 1))
    client.force_login(cast.dangwei)
    with time_machine.travel(TODAY, tick=False):
        response = client.get(f"/plans/org/{cast.sub_a.pk}/?year=2026")
    main = response.context["main"]
    assert main.plan.total == 10
    assert [j.target.id for j in main.judgements] == ["Q1", "Q2"]
    band = main.band
    assert band.now.required == (9, 11) and band.now.actual == 9 and band.status == "met"
    # The 党工委's staff do not reach the district's page: no link to it.
    assert f"/plans/org/{cast.district.pk}/" not in response.content.decode()


def test_it_exports_the_indicator_tables_to_excel(client, cast):
    random_files(cast, n=30, seed=3)
    do_load_plan(cast.qu, year=2026)
    client.force_login(cast.shenji)
    with time_machine.travel(TODAY, tick=False):
        response = client.get(f"/plans/org/{cast.district.pk}/export.xlsx?year=2026")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["指标", "计数", "各单位", "两年以上未发展"]
    ids = [row[0] for row in book["指标"].iter_rows(min_row=5, values_only=True)]
    assert ids[:3] == ["Q1", "Q2", "A1"] and len(ids) == 15
    counted = {row[1]: row[2] for row in book["计数"].iter_rows(min_row=2, values_only=True)}
    everyone = set(Organization.objects.values_list("pk", flat=True))
    assert counted == direct_count(2026, everyone)


def test_it_lists_who_could_close_a_gap(client, cast):
    make(
        cast.branch_b,
        stage="target",
        sex="F",
        target_on=date(2026, 6, 1),
        projection=next_steps("S15", S15="2026-08-25"),
    )
    client.force_login(cast.qu)
    with time_machine.travel(TODAY, tick=False):
        body = client.get(f"/plans/org/{cast.district.pk}/forecast/?year=2026").content.decode()
    assert "G1" in body and "待支部大会讨论" in body
    client.force_login(cast.zhibu2)
    assert client.get(f"/plans/org/{cast.district.pk}/forecast/").status_code == 404


def test_it_loads_the_seed_plan_from_the_dashboard(client, cast):
    client.force_login(cast.qu)
    response = client.post("/plans/load/", {"year": 2026, "name": "seed"})
    plan = Plan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/plans/plan/{plan.pk}/"
    body = client.get(f"/plans/plan/{plan.pk}/").content.decode()
    # The plan's own contradictions, named by the targets (not by the checker's finding ids).
    assert "<strong>D4</strong>：D4（学生）" in body and "350" in body
    assert "plan.cap_conflict" not in body
    client.force_login(cast.dangwei)
    assert client.get(f"/plans/plan/{plan.pk}/").status_code == 404


def test_it_refuses_a_split_page_sum_in_chinese(client, cast):
    plan = do_load_plan(cast.qu, year=2026)
    client.force_login(cast.qu)
    response = client.post(
        f"/plans/plan/{plan.pk}/split/",
        {f"org_{cast.sub_a.pk}": 100, f"org_{cast.sub_b.pk}": 200},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "各单位分配数合计300名，与示范区委的计划数350名不符（少50名）" in body
    assert not PlanShare.objects.exists()
    response = client.post(
        f"/plans/plan/{plan.pk}/split/",
        {f"org_{cast.sub_a.pk}": 150, f"org_{cast.sub_b.pk}": 200},
    )
    assert response.status_code == 302
    assert PlanShare.objects.count() == 2


def test_it_edits_the_targets_on_a_page(client, cast):
    plan = do_load_plan(cast.qu, year=2026)
    client.force_login(cast.qu)
    form = client.get(f"/plans/plan/{plan.pk}/edit/").context["numbers"]
    data = {"mode": "numbers", "total": 360}
    for row in form.rows:
        for key in ("abs", "pct"):
            value = row["target"].get(key)
            data[row[key]] = "" if value is None else value
    response = client.post(f"/plans/plan/{plan.pk}/edit/", data)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.total == 360 and plan.parsed().target("Q1").absolute == 360
    bad = client.post(f"/plans/plan/{plan.pk}/edit/", {"mode": "json", "document": "{}"})
    assert "format" in bad.content.decode()


def test_it_checks_an_adjusted_split_live(client, cast):
    plan = do_load_plan(cast.qu, year=2026)
    for org in (cast.branch_a, cast.branch_b):
        for _ in range(3):
            make(org, stage="target", projection=next_steps("S15", S15="2026-08-25"))
    client.force_login(cast.qu)
    with time_machine.travel(TODAY, tick=False):
        page = client.get(f"/plans/plan/{plan.pk}/allocate/")
        assert page.status_code == 200 and "hx-post" in page.content.decode()
        partial = client.post(
            f"/plans/plan/{plan.pk}/allocate/check/",
            {f"org_{cast.sub_a.pk}": 100, f"org_{cast.sub_b.pk}": 200},
            HTTP_HX_REQUEST="true",
        )
    body = partial.content.decode()
    assert partial.status_code == 200 and "<html" not in body
    assert "合计300名，与计划总数350名不符（少50名）" in body
