"""Registering an application and a re-application after a withdrawal, in a real browser
(docs/intake.md), at 390 px and 1366 px wide."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fazhan.people.actions import do_withdraw
from fazhan.people.idnumber import make_demo_id
from fazhan.people.models import Candidate
from tests.browser.conftest import sign_in
from tests.browser.test_flows import with_password

pytestmark = pytest.mark.django_db(transaction=True)
WIDTHS = (390, 1366)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def fill_application(page, number: str, born, applied_on) -> None:
    page.fill("#id_applied_on", applied_on.isoformat())
    page.fill("#id_name", "赵新申")
    page.select_option("#id_sex", "F")
    page.fill("#id_birth_date", born.isoformat())
    page.fill("#id_ethnicity", "汉族")
    page.select_option("#id_education", "bachelor")
    page.check("input[name=occupations][value=technician]")
    page.fill("#id_unit", "示范区人民医院")
    page.fill("#id_id_number", number)


def test_it_registers_an_application_and_a_reapplication_after_a_withdrawal(page, cast, shot):
    with_password(cast)
    page.set_default_timeout(60_000)  # a shared machine: the live server may answer slowly
    today = timezone.localdate()
    born = today.replace(year=today.year - 30) - timedelta(days=40)
    number = make_demo_id(born, "F", 21)
    sign_in(page, cast.zhibu.username)
    page.goto("/candidates/")
    page.click("text=登记入党申请")
    page.wait_for_url("**/candidates/new/")
    # A wrong check character is named as the clerk types.
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    fill_application(page, wrong, born, today - timedelta(days=3))
    page.wait_for_selector("#checks li.bad")
    assert "校验位不符" in page.inner_text("#checks")
    page.fill("#id_id_number", number)
    page.wait_for_function(
        "document.querySelector('#checks') && document.querySelector('#checks')"
        ".innerText.includes('校验位正确')"
    )
    assert "已满十八周岁" in page.inner_text("#checks")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert fits(page), width
        shot(page, f"zh-hans-intake-{width}")
    page.click("form.intake button[type=submit]")
    page.wait_for_url("**/candidates/*/")
    first = Candidate.objects.get(person__name="赵新申")
    assert page.url.endswith(f"/candidates/{first.pk}/")
    assert "已登记入党申请" in page.content()

    do_withdraw(cast.zhibu, first, happened_on=today - timedelta(days=2), reason="本人撤回")

    page.goto(f"/candidates/new/?org={cast.branch_a.pk}")
    fill_application(page, number, born, today)
    page.wait_for_function(
        "document.querySelector('#checks') && document.querySelector('#checks')"
        ".innerText.includes('再次申请')"
    )
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert fits(page), width
        shot(page, f"zh-hans-reapply-{width}")
    page.click("form.intake button[type=submit]")
    page.wait_for_url("**/candidates/*/")
    again = Candidate.objects.filter(person__name="赵新申").latest("pk")
    assert again.pk != first.pk and again.person_id == first.person_id
    assert "此人的其他入党申请档案" in page.content()
    assert page.locator(f"a[href='/candidates/{first.pk}/']").count() == 1
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        shot(page, f"zh-hans-reapplied-{width}")
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
            " > window.innerWidth + 1).slice(0, 8).map(e => e.tagName + '.' + e.className)"
        )
        assert fits(page), (width, wide)
