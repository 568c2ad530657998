"""The register of irregularities and a case (issue 15), in a real browser: a late talk enters the
register, the committee opens a case from it, finds the recorder responsible and concludes."""

from __future__ import annotations

from datetime import date

import pytest

from fazhan.accountability.models import CaseState, Irregularity, State
from fazhan.accounts.models import Role
from fazhan.people.actions import Mode, do_record_step
from tests.browser.conftest import sign_in
from tests.browser.test_flows import with_password

pytestmark = pytest.mark.django_db(transaction=True)

TEXT = "经调查，支部书记未在一个月内安排谈话，情况属实。"


def test_a_late_talk_goes_from_the_register_to_a_concluded_case(page, cast, shot):
    with_password(cast)
    Role.objects.update(created_on=date(2020, 1, 1))
    candidate = cast.candidates["cand_a"]
    candidate.person.birth_date = date(1990, 5, 1)
    candidate.person.save()
    zhibu = cast.users["zhibu"]
    do_record_step(zhibu, candidate, step="S01", happened_on=date(2026, 1, 5), mode=Mode.PAST)
    do_record_step(zhibu, candidate, step="S02", happened_on=date(2026, 2, 6), mode=Mode.PAST)
    row = Irregularity.objects.get(candidate=candidate, step="S02", state=State.OPEN)

    sign_in(page, cast.dangwei.username)
    page.goto("/register/")
    assert candidate.person.name in page.inner_text("table")
    shot(page, "zh-hans-register")
    page.check(f"input[name=rows][value='{row.pk}']")
    page.fill("#case-title", "谈话逾期")
    page.click("#open-case button[type=submit]")
    page.wait_for_url("**/register/cases/*/")
    assert str(zhibu) in page.inner_text("body")
    page.fill("#case-investigation", TEXT)
    page.click("form[action$='/investigation/'] button[type=submit]")
    page.check("input[name=responsible][value=yes]")
    page.select_option("select[name=outcome]", "criticism")
    page.fill("textarea[name=note]", TEXT)
    page.click("form[action*='/parties/'] button[type=submit]")
    page.fill("#case-remedy", "已补正谈话记录并归档，无需其他补救。")
    page.fill("#case-conclusion", TEXT)
    page.click("form[action$='/conclude/'] button[type=submit]")
    page.wait_for_load_state()
    assert "已结案" in page.inner_text("body")
    shot(page, "zh-hans-case-concluded")
    row.refresh_from_db()
    assert row.state == State.CLOSED and row.case is not None
    assert row.case.state == CaseState.CONCLUDED
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "zh-hans-case-390")
    page.goto("/register/")
    shot(page, "zh-hans-register-390")
