"""Organization management in a real browser (Issue 12 item 3): create, move, merge, at 1366 and
390 px wide, without horizontal scrolling on the phone."""

from __future__ import annotations

import pytest

from fazhan.audit.models import Event
from fazhan.orgs.models import Member, Organization
from tests.browser.conftest import sign_in
from tests.browser.test_flows import with_password

pytestmark = pytest.mark.django_db(transaction=True)
WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def both_widths(page, shot, name: str) -> None:
    """Screenshots at both widths; on the phone nothing is wider than the screen."""
    page.set_viewport_size(WIDE)
    shot(page, f"zh-hans-{name}-1366")
    page.set_viewport_size(PHONE)
    shot(page, f"zh-hans-{name}-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    page.set_viewport_size(WIDE)


def test_district_staff_create_move_and_merge_organizations(page, cast, shot):
    with_password(cast)
    Member.objects.create(org=cast.branch_a2, name="党员乙")
    cast.branch_a.secretary = "赵书记"
    cast.branch_a.save()
    sign_in(page, cast.qu.username)
    page.goto("/orgs/")
    assert "赵书记" in page.content()
    both_widths(page, shot, "orgs-tree")

    # Create a branch under sub_a.
    page.goto(f"/orgs/{cast.sub_a.pk}/")
    both_widths(page, shot, "orgs-detail")
    page.click(f"a[href='/orgs/new/?parent={cast.sub_a.pk}']")
    page.fill("#id_code", "D-A-3")
    page.fill("#id_name", "城关街道新建党支部")
    page.select_option("#id_level", "branch")
    page.fill("#id_secretary", "钱书记")
    both_widths(page, shot, "orgs-create")
    page.click("form.stepform button[type=submit]")
    created = Organization.objects.get(code="D-A-3")
    page.wait_for_url(f"**/orgs/{created.pk}/")
    assert created.parent_id == cast.sub_a.pk and created.secretary == "钱书记"

    # Move the 党总支 (with its branch) under sub_b: the confirm page says who approves after.
    page.goto(f"/orgs/{cast.general_branch_a.pk}/move/")
    page.select_option("#id_target", str(cast.sub_b.pk))
    page.click("form.stepform button[type=submit]")
    assert f"变为「{cast.sub_b.name}」" in page.content()
    both_widths(page, shot, "orgs-move-confirm")
    page.click("form.stepform button[type=submit]")
    page.wait_for_url(f"**/orgs/{cast.general_branch_a.pk}/")
    assert Organization.objects.get(pk=cast.general_branch_a.pk).parent_id == cast.sub_b.pk

    # Merge branch_a2 (one open file, one member) into the new branch.
    page.goto(f"/orgs/{cast.branch_a2.pk}/merge/")
    page.select_option("#id_target", str(created.pk))
    page.click("form.stepform button[type=submit]")
    assert "1 份在办档案和名册上的 1 名党员将转入" in page.content()
    both_widths(page, shot, "orgs-merge-confirm")
    page.click("form.stepform button[type=submit]")
    page.wait_for_url(f"**/orgs/{created.pk}/")
    assert "已撤并" in page.content()
    both_widths(page, shot, "orgs-after-merge")
    assert Organization.objects.get(pk=cast.branch_a2.pk).closed_on is not None
    assert Event.objects.filter(kind="org.merged").count() == 1
    page.goto("/orgs/")
    assert cast.branch_a2.name not in page.content()
    page.goto("/orgs/?closed=1")
    assert cast.branch_a2.name in page.content()
    both_widths(page, shot, "orgs-tree-closed")
