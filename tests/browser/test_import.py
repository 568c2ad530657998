"""The judged flow in a real browser: import a roster with one bad row and see it named, then
the clean roster imported (Debian's chromium through Playwright; never `playwright install`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fazhan.people.models import Candidate
from fazhan.testing.factories import BranchFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
ROSTERS = ROOT / "examples" / "rosters"


def test_it_names_the_bad_row_then_imports_the_clean_roster(page, cast, shot):
    # The samples name the demo's zhibu branch by its code; here it sits in dangwei's subtree.
    branch = BranchFactory.create(
        parent=cast.general_branch_a, code="DEMO-01-01-01", name="示例社区第一党支部"
    )
    cast.dangwei.set_password("fazhan-demo")
    cast.dangwei.save()
    page.goto("/accounts/login/")
    page.fill("#id_username", "dangwei")
    page.fill("#id_password", "fazhan-demo")
    page.click("form.login button[type=submit]")
    page.wait_for_url("**/")

    page.click("text=导入导出")
    page.wait_for_url("**/imports/")
    page.select_option("form.upload-roster select[name=org]", str(cast.sub_a.pk))
    page.set_input_files(
        "form.upload-roster input[type=file]", str(ROSTERS / "roster-one-bad-row.xlsx")
    )
    page.click("form.upload-roster button[type=submit]")
    page.wait_for_url("**/imports/*/")
    errors = page.locator("section#errors")
    assert "有 1 处错误" in errors.inner_text()
    row = errors.locator("tbody tr").first.inner_text()
    assert "第 7 行" in row and "确定积极分子日期" in row and "Q7" in row and "不存在的日期" in row
    assert page.locator("form.confirm button").is_disabled()
    shot(page, "zh-hans-import-bad-row")

    page.goto("/imports/")
    page.select_option("form.upload-roster select[name=org]", str(cast.sub_a.pk))
    page.set_input_files("form.upload-roster input[type=file]", str(ROSTERS / "roster-clean.xlsx"))
    page.click("form.upload-roster button[type=submit]")
    page.wait_for_url("**/imports/*/")
    assert page.locator("section#errors").count() == 0
    confirm = page.locator("form.confirm button")
    assert confirm.is_enabled()
    shot(page, "zh-hans-import-preview")
    confirm.click()
    page.wait_for_load_state()
    assert "已导入 24 份档案" in page.content()
    assert Candidate.objects.filter(org=branch).count() == 24
    shot(page, "zh-hans-import-applied")


def test_it_names_a_bad_tree_row_then_imports_the_tree(page, cast, shot, tmp_path):
    from fazhan.orgs.models import Organization

    header = "组织编码,组织名称,简称,上级组织编码,组织层级,单位类型,审批权限"
    bad = tmp_path / "tree-bad.csv"
    bad.write_text(
        f"{header}\nN-1,新党委,,D,党委,国有企业,是\nN-2,新支部,,N-1,支部,,\n", "utf-8-sig"
    )
    good = tmp_path / "tree.csv"
    good.write_text(
        f"{header}\nN-2,新支部,,N-1,党支部,,\nN-1,新党委,,D,党委,国有企业,是\n", "utf-8"
    )
    cast.qu.set_password("fazhan-demo")
    cast.qu.save()
    page.goto("/accounts/login/")
    page.fill("#id_username", "qu")
    page.fill("#id_password", "fazhan-demo")
    page.click("form.login button[type=submit]")
    page.wait_for_url("**/")

    page.goto("/imports/")
    page.set_input_files("form.upload-orgs input[type=file]", str(bad))
    page.click("form.upload-orgs button[type=submit]")
    page.wait_for_url("**/imports/*/")
    row = page.locator("section#errors tbody tr").first.inner_text()
    assert "第 3 行" in row and "组织层级" in row and "E3" in row and "支部" in row
    assert page.locator("form.confirm button").is_disabled()
    shot(page, "zh-hans-import-tree-bad-row")

    page.goto("/imports/")
    page.set_input_files("form.upload-orgs input[type=file]", str(good))
    page.click("form.upload-orgs button[type=submit]")
    page.wait_for_url("**/imports/*/")
    assert page.locator("section#errors").count() == 0
    shot(page, "zh-hans-import-tree-preview")
    page.locator("form.confirm button").click()
    page.wait_for_load_state()
    assert "已导入，共 2 行" in page.content()
    assert Organization.objects.get(code="N-2").parent.code == "N-1"
