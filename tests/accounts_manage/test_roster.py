"""Creating branch-secretary accounts from a roster: read, preview, all or nothing."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.hashers import check_password
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from fazhan.accounts.actions import (
    RosterInvalid,
    check_roster,
    do_create_branch_secretaries,
)
from fazhan.accounts.models import Role, RoleKind, User
from fazhan.accounts.roster import RosterFileError, RosterRow, read_roster
from fazhan.audit.chain import verify_chain
from fazhan.audit.models import Event
from fazhan.testing.factories import RoleFactory, UserFactory
from tests.accounts_manage.conftest import csv_bytes

pytestmark = pytest.mark.django_db


def test_it_reads_a_gbk_csv_and_drops_the_phone_column():
    data = csv_bytes(
        "姓名,支部,手机",
        "张三,D-A-2,13800000000",
        "",
        "李四,城关社区第一党支部,",
        encoding="gb18030",
    )
    rows, errors = read_roster("名单.csv", data)
    assert errors == []
    assert rows == [
        RosterRow(2, "D-A-2", "张三", ""),
        RosterRow(4, "城关社区第一党支部", "李四", ""),
    ]
    assert "13800000000" not in repr(rows)


def test_it_reads_an_xlsx_roster_with_its_own_row_numbers():
    book = Workbook()
    sheet = book.active
    sheet.append(["支部名称", "姓名", "用户名", "手机号"])
    sheet.append(["D-A-2", "王五", "wangwu", 13800000000])
    sheet.append([None, None, None, None])
    sheet.append([101, "赵六", None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    rows, errors = read_roster("roster.XLSX", buffer.getvalue())
    assert errors == []
    assert rows == [RosterRow(2, "D-A-2", "王五", "wangwu"), RosterRow(4, "101", "赵六", "")]


def test_it_names_a_missing_column_and_refuses_other_files():
    rows, errors = read_roster("a.csv", csv_bytes("支部,手机", "D-A-2,1"))
    assert rows == []
    assert [(e.line, e.column) for e in errors] == [(1, "姓名")]
    with pytest.raises(RosterFileError):
        read_roster("a.xls", b"\xd0\xcf\x11\xe0")
    with pytest.raises(RosterFileError):
        read_roster("a.xlsx", b"not a zip")


def test_it_creates_a_secretary_per_row_with_a_one_time_password(cast):
    rows = [
        RosterRow(2, cast.branch_a2.code, "张三", ""),
        RosterRow(3, cast.branch_b2.name, "李四", "lisi-b2"),
    ]
    created = do_create_branch_secretaries(cast.admin, rows)
    assert [u.username for u, _ in created] == ["zhangsan", "lisi-b2"]
    for (user, password), branch in zip(created, [cast.branch_a2, cast.branch_b2], strict=True):
        user.refresh_from_db()
        assert user.display_name in ("张三", "李四")
        assert user.must_change_password and user.one_time_password_until is not None
        assert check_password(password, user.password)
        role = Role.objects.get(user=user)
        assert (role.org, role.kind, role.active) == (branch, RoleKind.BRANCH_SECRETARY, True)
    events = list(Event.objects.filter(kind="account.created").order_by("seq"))
    assert [e.payload["user_id"] for e in events] == [u.pk for u, _ in created]
    assert {e.recorded_by_id for e in events} == {cast.admin.pk}
    assert all("张三" not in str(e.payload) and "李四" not in str(e.payload) for e in events)
    assert verify_chain().ok


def test_it_names_the_one_bad_row_and_creates_nothing(cast):
    before = (User.objects.count(), Role.objects.count(), Event.objects.count())
    rows = [
        RosterRow(2, cast.branch_a2.code, "张三", ""),
        RosterRow(3, "不存在的支部", "李四", ""),
        RosterRow(4, cast.branch_b2.code, "王五", ""),
    ]
    with pytest.raises(RosterInvalid) as refused:
        do_create_branch_secretaries(cast.qu, rows)
    assert [(e.line, e.column) for e in refused.value.errors] == [(3, "支部")]
    assert "不存在的支部" in refused.value.errors[0].message
    assert (User.objects.count(), Role.objects.count(), Event.objects.count()) == before


def test_it_reports_every_error_by_row_and_column(cast):
    UserFactory.create(username="taken")
    rows = [
        RosterRow(2, cast.branch_a2.code, "张三", "Taken"),
        RosterRow(3, cast.sub_a.code, "李四", ""),  # a 党工委, not a branch
        RosterRow(4, cast.branch_b2.code, "", ""),
        RosterRow(5, cast.branch_b2.code, "王五", "wang wu"),
        RosterRow(6, cast.branch_a.code, "赵六", "same"),
        RosterRow(7, cast.branch_b.code, "钱七", "SAME"),
        RosterRow(8, cast.branch_a.code, "赵六", ""),
    ]
    check = check_roster(cast.admin, rows)
    assert [(e.line, e.column) for e in check.errors] == [
        (2, "用户名"),
        (3, "支部"),
        (4, "姓名"),
        (5, "用户名"),
        (7, "用户名"),
        (8, "姓名"),
    ]


def test_it_generates_unique_user_names_from_pinyin(cast):
    UserFactory.create(username="zhangsan")
    rows = [
        RosterRow(2, cast.branch_a2.code, "张三", ""),
        RosterRow(3, cast.branch_b2.code, "张三", ""),
        RosterRow(4, cast.branch_b.code, "单田", ""),  # the surname 单 reads shan
        RosterRow(5, cast.branch_a.code, "某人", "zhangsan3"),
    ]
    check = check_roster(cast.admin, rows)
    assert check.ok, check.errors
    assert [p.username for p in check.planned] == [
        "zhangsan2",
        "zhangsan4",
        "shantian",
        "zhangsan3",
    ]
    assert [p.generated for p in check.planned] == [True, True, True, False]
    # zhibu already holds branch_a: the preview says so (a 组织委员 is fine, a new 书记 is a handover)
    assert any("zhibu" in h for h in check.planned[3].holders)


def test_it_hides_branches_outside_the_district_staff_subtree(cast):
    staff = UserFactory.create(username="qu_a")
    RoleFactory.create(user=staff, org=cast.sub_a, kind=RoleKind.DISTRICT_STAFF)
    check = check_roster(staff, [RosterRow(2, cast.branch_b2.code, "张三", "")])
    assert [(e.column, e.message) for e in check.errors] == [
        ("支部", f"找不到“{cast.branch_b2.code}”。")
    ]


@pytest.mark.parametrize("who", ["dangwei", "zhibu", "shenji", "outsider"])
def test_it_lets_no_one_else_create_accounts(cast, who):
    with pytest.raises(Http404):
        do_create_branch_secretaries(
            cast.users[who], [RosterRow(2, cast.branch_a2.code, "张三", "")]
        )
    assert not User.objects.filter(username="zhangsan").exists()


NAMES = st.lists(
    st.sampled_from(
        ["张三", "张叁", "章三", "李四", "单于", "欧阳修", "·", "Tom", "阿依古丽·买买提"]
    ),
    min_size=1,
    max_size=12,
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=NAMES)
def test_it_always_generates_distinct_valid_user_names(cast, names):
    # check_roster only reads, so the examples can share one cast.
    rows = [RosterRow(i + 2, cast.branch_a2.code, n, "") for i, n in enumerate(names)]
    usernames = [p.username for p in check_roster(cast.admin, rows).planned]
    assert len(set(usernames)) == len(usernames)
    assert all(u and u.isascii() and u.isalnum() for u in usernames)
    assert not User.objects.filter(username__in=usernames).exists()
