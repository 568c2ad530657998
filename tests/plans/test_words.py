"""The dashboard reads as the department thinks (Step 11 item 7): the structure chart colours each
target by the indicator table's status (never the percentage alone), and the plan pages show
words and the reader's language, not the plan file's keys."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fazhan.plans.actions import do_load_plan
from tests.plans.helpers import make

pytestmark = pytest.mark.django_db
TODAY = datetime(2026, 9, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def dashboard(client, cast, language="zh-hans"):
    do_load_plan(cast.qu, year=2026)
    # Ten approved, all under 35: 100% against A1's 77%, but far from A1's 270 people.
    for _ in range(10):
        make(cast.branch_a, admitted_on=date(2026, 5, 1), approved_on=date(2026, 6, 1))
    client.force_login(cast.qu)
    with time_machine.travel(TODAY, tick=False):
        return client.get("/plans/?year=2026", HTTP_ACCEPT_LANGUAGE=language)


def test_it_colours_the_chart_by_the_status_the_table_shows(client, cast):
    response = dashboard(client, cast)
    table = {row["id"]: row["status"] for row in response.context["rows"]}
    body = response.content.decode()
    chart = json.loads(re.search(r'id="structure-data"[^>]*>(.*?)</script>', body, re.S)[1])
    a1 = next(r for r in chart["rows"] if r["label"].startswith("A1 "))
    assert a1["now"] == 100.0 and a1["required"] == 77  # the percentage alone would be green
    assert a1["status"] == table["A1"] == "unmet"
    assert a1["status_label"] == "未达标"
    for row in chart["rows"]:
        assert row["status"] == table[row["label"].split()[0]], row


def test_it_shows_the_soft_half_of_d1_as_d1(client, cast):
    response = dashboard(client, cast)
    ids = [row["id"] for row in response.context["rows"]]
    assert ids.count("D1") == 2 and "D1.aspiration" not in ids
    text = re.sub(r"<script.*?</script>|<[^>]+>", " ", response.content.decode(), flags=re.S)
    assert "aspiration" not in text and "工人力争达到12%" in text


def test_it_translates_the_plan_table_and_its_basis(client, cast):
    plan = do_load_plan(cast.qu, year=2026)
    client.force_login(cast.qu)
    hant = client.get(f"/plans/plan/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
    assert "25歲以下佔35歲以下" in hant or "25歲以下占35歲以下" in hant
    assert "二、工作目標（二）結構目標 1.年齡結構" in hant
    assert "发展35岁以下党员不少于270名" not in hant
    english = client.get(f"/plans/plan/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "At least 270 members under 35, and no less than 77% of all recruited." in english
    assert "II. Targets (2) Structure 1. Age" in english
    for key in ("le35", "hs_plus", "D1.aspiration", "shared/seed", "lint", "plan.cap_conflict"):
        assert key not in english, key


def test_it_names_the_year_before_its_words_in_english(client, cast):
    body = dashboard(client, cast, "en").content.decode()
    assert "2026recruitment" not in body


def test_it_explains_the_plan_s_own_contradictions_in_english(client, cast):
    plan = do_load_plan(cast.qu, year=2026)
    client.force_login(cast.qu)
    english = client.get(f"/plans/plan/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "at least 172 must be both “Farmers, herders and fishers” and" in english
    assert "“within 15” allows 15, “at most 4%” allows only 14" in english
    assert "K1 requires ≥3×385=1155 and K2 requires ≥1200" in english
    # The Chinese working stays for the Chinese pages only.
    assert "350−42=308" in english and "两类合计至多" not in english
    hant = client.get(f"/plans/plan/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
    assert "兩類合計至多" in hant and "at least 172" not in hant


def test_it_separates_the_targets_a_contradiction_names_in_the_reader_s_language(client, cast):
    plan = do_load_plan(cast.qu, year=2026)
    client.force_login(cast.qu)
    english = client.get(f"/plans/plan/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    named = re.findall(r'<div class="refused"><strong>(.*?)</strong>(.)', english)
    assert named, "the plan names no contradiction"
    for targets, after in named:
        assert "、" not in targets and after == ":", (targets, after)
    assert any(", " in targets for targets, _ in named)  # two targets or more: a comma
    chinese = client.get(f"/plans/plan/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert re.search(r'<div class="refused"><strong>[^<]*、[^<]*</strong>：', chinese)
