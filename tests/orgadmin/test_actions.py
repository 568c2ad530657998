"""Organization management actions at their boundaries (Issue 12 item 3)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fazhan.audit.chain import events_of, verify_chain
from fazhan.audit.models import Event
from fazhan.core.errors import ActionRefused, NotVisible
from fazhan.orgadmin.actions import (
    NewOrg,
    do_close,
    do_create_org,
    do_merge,
    do_move,
    do_rename,
    do_set_approval,
    do_set_secretary,
    do_set_type,
)
from fazhan.orgs.models import Kind, Level, Member, Organization, OrgType, nearest_approver
from fazhan.people.actions import do_create_candidate, do_record_step, do_transfer_out
from fazhan.people.models import Candidate, Stage

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 2)
CLEAN = json.loads(
    (Path(__file__).resolve().parents[2] / "examples" / "clean-full.json").read_text("utf-8")
)


def at(day: str):
    return time_machine.travel(
        datetime.fromisoformat(day).replace(hour=10, tzinfo=SHANGHAI), tick=False
    )


def new_file(cast, org, name="测试对象"):
    with at("2019-03-01"):
        candidate = do_create_candidate(
            cast.qu, org=org, name=name, sex="M", birth_date=date(1995, 8, 15)
        )
    with at("2019-03-04"):
        do_record_step(cast.qu, candidate, step="S01", happened_on=date(2019, 3, 4))
    candidate.refresh_from_db()
    return candidate


def roster(org, count):
    return [Member.objects.create(org=org, name=f"党员{i}") for i in range(count)]


def org_events(kind):
    return list(Event.objects.filter(kind=kind).order_by("seq"))


# -- create ---------------------------------------------------------------------------------------


def test_it_creates_a_branch_and_records_it_as_the_import_does(cast):
    org = do_create_org(
        cast.qu,
        NewOrg(code="D-A-3", name="城关街道新党支部", level=Level.BRANCH, parent=cast.sub_a),
        on=DAY,
    )
    assert org.kind == Kind.BRANCH
    assert org.org_type == OrgType.COMMUNITY  # blank: the parent's
    [event] = org_events("org.created")
    assert event.payload == {
        "org_id": org.pk,
        "code": "D-A-3",
        "org_name": "城关街道新党支部",
        "short_name": "",
        "parent_id": cast.sub_a.pk,
        "level": "branch",
        "kind": "branch",
        "org_type": "community",
        "can_approve": False,
    }
    assert event.recorded_by_id == cast.qu.pk
    assert verify_chain().ok


def test_it_refuses_a_used_code_a_parent_branch_and_approval_on_a_branch(cast):
    with pytest.raises(ActionRefused) as refused:
        do_create_org(
            cast.qu,
            NewOrg(
                code="D-A-1-1",
                name="重复",
                level=Level.BRANCH,
                parent=cast.branch_a,
                can_approve=True,
            ),
            on=DAY,
        )
    text = str(refused.value)
    assert "组织编码「D-A-1-1」已被使用" in text
    assert "党支部下不能再设组织" in text
    assert "党支部不能具有审批权限" in text and "细则第二十三条" in text
    assert not org_events("org.created")


def test_it_grants_approval_to_a_new_working_committee(cast):
    org = do_create_org(
        cast.qu,
        NewOrg(
            code="D-C", name="新区党工委", level=Level.WORKING_COMMITTEE, parent=cast.district,
            can_approve=True,
        ),
        on=DAY,
    )  # fmt: skip
    assert org.kind == Kind.SUB and org.can_approve


def test_only_district_staff_manage_organizations(cast):
    new = NewOrg(code="D-A-9", name="某支部", level=Level.BRANCH, parent=cast.sub_a)
    with pytest.raises(ActionRefused, match="只有区委组织部"):
        do_create_org(cast.dangwei, new, on=DAY)
    with pytest.raises(NotVisible):
        do_rename(cast.zhibu2, cast.branch_a, name="x", short_name="", on=DAY)
    with pytest.raises(ActionRefused):
        do_rename(cast.shenji, cast.branch_a, name="x", short_name="", on=DAY)
    assert not Organization.objects.filter(code="D-A-9").exists()


# -- rename, type, secretary, approval ---------------------------------------------------------


def test_it_renames_sets_the_type_and_the_secretary_each_as_an_update(cast):
    do_rename(cast.qu, cast.branch_a, name="城关社区第一党支部委员会", short_name="一支部", on=DAY)
    do_set_type(cast.qu, cast.branch_a, org_type=OrgType.SCHOOL, on=DAY)
    do_set_secretary(cast.qu, cast.branch_a, secretary="王书记", on=DAY)
    cast.branch_a.refresh_from_db()
    assert (cast.branch_a.short_name, cast.branch_a.org_type) == ("一支部", "school")
    assert cast.branch_a.secretary == "王书记"
    changes = [e.payload["changes"] for e in org_events("org.updated")]
    assert changes == [
        {
            "org_name": ["城关社区第一党支部", "城关社区第一党支部委员会"],
            "short_name": ["", "一支部"],
        },
        {"org_type": ["community", "school"]},
        {"secretary": [False, True]},
    ]
    assert "王书记" not in json.dumps([e.payload for e in Event.objects.all()], ensure_ascii=False)
    with pytest.raises(ActionRefused, match="没有变化"):
        do_set_type(cast.qu, cast.branch_a, org_type=OrgType.SCHOOL, on=DAY)


def test_it_refuses_approval_on_a_branch_or_general_branch(cast):
    for org in (cast.branch_a, cast.general_branch_a):
        with pytest.raises(ActionRefused, match="不能具有审批权限") as refused:
            do_set_approval(cast.qu, org, can_approve=True, on=DAY)
        assert refused.value.reasons[0].basis == "细则第二十三条"
    assert not Organization.objects.filter(can_approve=True, kind=Kind.BRANCH).exists()


def test_it_refuses_to_withdraw_approval_while_a_file_waits_for_it(cast):
    candidate = new_file(cast, cast.branch_a)
    from tests.people.test_actions import record_clean_until

    record_clean_until(cast, candidate, "e19")  # S16 done: the S17 waits for sub_a
    with pytest.raises(ActionRefused) as refused:
        do_set_approval(cast.qu, cast.sub_a, can_approve=False, on=DAY)
    assert "还有 1 份档案等待本组织审批（测试对象）" in str(refused.value)
    # sub_b has nothing waiting: it may give its authority up.
    do_set_approval(cast.qu, cast.sub_b, can_approve=False, on=DAY)
    cast.sub_b.refresh_from_db()
    assert not cast.sub_b.can_approve
    [event] = org_events("org.updated")
    assert event.payload["changes"] == {"can_approve": [True, False]}


# -- move -----------------------------------------------------------------------------------------


def test_it_refuses_a_move_under_itself_its_descendant_or_a_branch(cast):
    with pytest.raises(ActionRefused, match="不能移到自身或自己的下级组织"):
        do_move(cast.qu, cast.sub_a, parent=cast.general_branch_a, on=DAY)
    with pytest.raises(ActionRefused, match="不能移到自身"):
        do_move(cast.qu, cast.sub_a, parent=cast.sub_a, on=DAY)
    with pytest.raises(ActionRefused, match="党支部下不能再设组织"):
        do_move(cast.qu, cast.general_branch_a, parent=cast.branch_b2, on=DAY)
    with pytest.raises(ActionRefused, match="根组织"):
        do_move(cast.qu, cast.district, parent=cast.sub_a, on=DAY)
    assert not org_events("org.updated")


def test_it_moves_the_subtree_and_the_approver_follows_the_new_tree(cast):
    assert nearest_approver(cast.branch_a) == cast.sub_a
    do_move(cast.qu, cast.general_branch_a, parent=cast.sub_b, on=DAY)
    assert cast.branch_a.pk in Organization.objects.subtree_ids([cast.sub_b.pk])
    assert nearest_approver(cast.branch_a) == cast.sub_b
    # sub_a's staff no longer reach the moved branch's file.
    file = cast.candidates["cand_a"]
    assert not Candidate.objects.visible_to(cast.dangwei).filter(pk=file.pk).exists()
    [event] = org_events("org.updated")
    assert event.payload == {
        "org_id": cast.general_branch_a.pk,
        "code": "D-A-1",
        "changes": {"parent_id": [cast.sub_a.pk, cast.sub_b.pk]},
    }


# -- close ----------------------------------------------------------------------------------------


def test_it_refuses_to_close_an_organization_with_one_open_file_naming_it(cast):
    branch = do_create_org(
        cast.qu,
        NewOrg(code="D-A-5", name="待撤支部", level=Level.BRANCH, parent=cast.sub_a),
        on=DAY,
    )
    new_file(cast, branch, name="李在办")
    roster(branch, 2)
    with pytest.raises(ActionRefused) as refused:
        do_close(cast.qu, branch, on=DAY)
    text = str(refused.value)
    assert "还有 1 份在办档案（李在办）" in text
    assert "名册上还有 2 名党员" in text
    with pytest.raises(ActionRefused, match="还有 2 个下级组织"):
        do_close(cast.qu, cast.general_branch_b.parent, on=DAY)  # sub_b
    branch.refresh_from_db()
    assert branch.closed_on is None


def test_it_closes_an_empty_organization_and_hides_it_from_transfers(cast):
    branch = do_create_org(
        cast.qu, NewOrg(code="D-A-6", name="空支部", level=Level.BRANCH, parent=cast.sub_a), on=DAY
    )
    Member.objects.create(org=branch, name="已故党员", active=False)  # off the roster
    do_close(cast.qu, branch, on=DAY)
    branch.refresh_from_db()
    assert branch.closed_on == DAY
    assert org_events("org.updated")[-1].payload["changes"] == {"closed_on": [None, "2026-03-02"]}
    assert branch not in Organization.objects.open()
    with pytest.raises(ActionRefused, match="已撤销"):
        do_transfer_out(cast.qu, cast.candidates["cand_a"], to_org=branch, happened_on=DAY)
    with pytest.raises(ActionRefused, match="已撤销"):
        do_create_org(
            cast.qu, NewOrg(code="D-A-6-1", name="x", level=Level.BRANCH, parent=branch), on=DAY
        )
    with pytest.raises(ActionRefused, match="已撤销，不能接收档案"):
        do_create_candidate(
            cast.qu, org=branch, name="新申请人", sex="F", birth_date=date(2000, 1, 1)
        )


# -- merge ----------------------------------------------------------------------------------------


def test_it_merges_files_and_members_into_the_surviving_branch(cast):
    closing = cast.branch_a2
    files = [new_file(cast, closing, name=f"对象{i}") for i in range(3)]
    done_file = cast.candidates["cand_a2"]  # a factory file, no events: left as it is below
    Candidate.objects.filter(pk=done_file.pk).update(stage=Stage.MEMBER)
    members = roster(closing, 4)
    Member.objects.create(org=closing, name="已迁出", active=False)
    result = do_merge(cast.qu, closing, into=cast.branch_a, on=DAY)
    assert (result.files, result.members) == (3, 4)
    for file in files:
        file.refresh_from_db()
        assert file.org == cast.branch_a
        assert file.stage == Stage.APPLICANT  # re-projected, still in process
        last = events_of(file.pk)[-1]
        assert last.kind == "transfer-in"
        assert last.payload["reason"] == "撤并"
        assert last.payload["from_org_id"] == closing.pk
        assert last.payload["to_org_id"] == cast.branch_a.pk
    assert Member.objects.filter(pk__in=[m.pk for m in members], org=cast.branch_a).count() == 4
    closing.refresh_from_db()
    assert closing.closed_on == DAY
    [merged] = org_events("org.merged")
    assert merged.payload == {
        "org_id": closing.pk,
        "code": closing.code,
        "into_org_id": cast.branch_a.pk,
        "into_code": cast.branch_a.code,
        "files": 3,
        "members": 4,
        "closed_on": "2026-03-02",
    }
    assert verify_chain().ok


def test_it_refuses_a_merge_into_a_non_branch_its_child_or_with_open_children(cast):
    new_file(cast, cast.branch_a2)
    with pytest.raises(ActionRefused, match="档案和党员只能并入党支部"):
        do_merge(cast.qu, cast.branch_a2, into=cast.sub_b, on=DAY)
    with pytest.raises(ActionRefused, match="不能并入自己的下级组织"):
        do_merge(cast.qu, cast.general_branch_a, into=cast.branch_a, on=DAY)
    with pytest.raises(ActionRefused, match="还有 1 个下级组织"):
        do_merge(cast.qu, cast.general_branch_a, into=cast.general_branch_b, on=DAY)
    do_close(cast.qu, _emptied(cast), on=DAY)
    with pytest.raises(ActionRefused, match="已撤销，不能接收"):
        do_merge(cast.qu, cast.branch_a2, into=cast.branch_b2, on=DAY)
    assert not org_events("org.merged")


def _emptied(cast):
    """branch_b2 with its factory file closed, ready to be closed."""
    Candidate.objects.filter(org=cast.branch_b2).update(stage=Stage.WITHDRAWN)
    return cast.branch_b2


def test_it_refuses_to_close_or_merge_while_a_transfer_waits_for_the_organization(cast):
    from fazhan.people.models import CandidateOrgLink, LinkRole

    branch = do_create_org(
        cast.qu,
        NewOrg(code="D-A-8", name="接收支部", level=Level.BRANCH, parent=cast.sub_a),
        on=DAY,
    )
    CandidateOrgLink.objects.create(
        candidate=cast.candidates["cand_b"], org=branch, role=LinkRole.INFLOW, started_on=DAY
    )
    with pytest.raises(ActionRefused, match="还有 1 份档案待本组织接收"):
        do_close(cast.qu, branch, on=DAY)
    with pytest.raises(ActionRefused, match="还有 1 份档案待本组织接收"):
        do_merge(cast.qu, branch, into=cast.branch_a, on=DAY)
    CandidateOrgLink.objects.filter(org=branch).update(ended_on=DAY)
    do_close(cast.qu, branch, on=DAY)


def test_the_tree_import_refuses_a_closed_parent_but_keeps_what_stays(cast, tmp_path):
    from fazhan.imports import direct

    branch = do_create_org(
        cast.qu,
        NewOrg(code="D-A-4", name="将撤支部", level=Level.BRANCH, parent=cast.sub_a),
        on=DAY,
    )
    do_close(cast.qu, branch, on=DAY)
    header = "组织编码,组织名称,简称,上级组织编码,组织层级,单位类型,审批权限"
    rows = [
        header,
        "D,示范区委,示范区,,党委,,是",
        "D-A,城关街道党工委,,D,党工委,社区,是",
        "D-A-4,将撤支部,,D-A,党支部,社区,否",
    ]
    same = tmp_path / "same.csv"
    same.write_text("\n".join(rows), encoding="utf-8")
    assert not direct.run_orgs(str(same), confirm=False).errors
    under = tmp_path / "under.csv"
    under.write_text("\n".join([*rows, "D-A-4-1,新支部,,D-A-4,党支部,,否"]), encoding="utf-8")
    [error] = direct.run_orgs(str(under), confirm=False).errors
    assert (error["row"], error["column"]) == (5, "上级组织编码")
    assert error["problem"] == "上级组织「D-A-4」已撤销，不能再设下级组织"


def test_the_member_import_refuses_a_closed_branch(cast, tmp_path):
    from fazhan.imports import direct

    branch = do_create_org(
        cast.qu,
        NewOrg(code="D-A-4", name="将撤支部", level=Level.BRANCH, parent=cast.sub_a),
        on=DAY,
    )
    do_close(cast.qu, branch, on=DAY)
    path = tmp_path / "members.csv"
    path.write_text(
        "姓名,性别,出生日期,党支部,人员类别,入党日期,身份证号,转正日期,党纪处分,恢复党员权利,学历,职业\n"
        "张三,男,1980-06-03,D-A-4,预备党员,2025-07-01,,,,,,\n"
        "李四,男,1980-06-03,D-A-1-1,预备党员,2025-07-01,,,,,,\n",
        encoding="utf-8",
    )
    [error] = direct.run_members(str(path), confirm=False).errors
    assert (error["row"], error["column"]) == (2, "党支部")
    assert error["problem"] == "党支部「D-A-4」已于 2026-03-02 撤销，不能再接收党员"
