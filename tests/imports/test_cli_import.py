"""`fazhan import orgs|members|roster|files` (contracts.md §7): every error on its row, column
and cell with nothing written, exact counts, a second run unchanged, the chain intact after."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from fazhan.audit.chain import verify_chain
from fazhan.audit.models import Event
from fazhan.imports import district_samples
from fazhan.imports.samples import synthetic_rows, write_roster
from fazhan.orgs.models import Kind, Level, Member, MemberStatus, Organization, OrgType
from fazhan.people.idnumber import make_demo_id
from fazhan.people.models import Candidate
from tests.imports.helpers import TODAY, on

pytestmark = pytest.mark.django_db
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ORG_HEADER = "组织编码,组织名称,简称,上级组织编码,组织层级,单位类型,审批权限"
GOOD_TREE = [
    "Q,中共某区委员会,区委,,党委,,是",
    "Q-01,城关街道党工委,,Q,党工委,社区,是",
    "Q-01-01,城关社区党总支,,Q-01,党总支,,",
    "Q-01-01-01,城关社区第一党支部,,Q-01-01,党支部,,",
    "Q-02,区教育局党组,,Q,党组,机关,否",
    "Q-02-01,区教育局机关党支部,,Q-02,党支部,,",
]


def run(capsys, *args: str) -> tuple[int, dict[str, Any]]:
    """The command's exit code and its JSON document."""
    code = 0
    try:
        call_command("import", *args, "--json")
    except SystemExit as stop:
        code = int(stop.code or 0)
    return code, json.loads(capsys.readouterr().out)


def csv_file(tmp_path: Path, lines: list[str], name: str = "tree.csv", *, encoding="utf-8-sig"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return str(path)


def good_tree(tmp_path: Path) -> str:
    return csv_file(tmp_path, [ORG_HEADER, *GOOD_TREE])


def written() -> tuple[int, int, int]:
    return Organization.objects.count(), Member.objects.count(), Event.objects.count()


# -- the organization tree ------------------------------------------------------------------------


def test_it_refuses_a_broken_tree_naming_exactly_its_bad_rows_and_writes_nothing(capsys, tmp_path):
    lines = [
        "某区党组织（2024年）",  # a title row above the header
        ORG_HEADER,
        *GOOD_TREE,  # rows 3-8
        "Q-03,新党委,,Q,党委,工厂,",  # 9: a type not in the list
        "Q-01-01-01-01,支部下的组织,,Q-01-01-01,党支部,,",  # 10: the parent is a 党支部
        "Q-04,某党总支,,Q,党总支,,是",  # 11: approval on a 党总支
        "Q-04,又一个,,Q,党总支,,",  # 12: the code twice, on the later row
        "X-1,环一,,X-2,党总支,,",  # 13 and 14: a loop of parents
        "X-2,环二,,X-1,党总支,,",
        "Y,第二个根,,,党委,,",  # 15: a second root
        "Z-1,孤儿,,NOPE,党支部,,",  # 16: an unknown parent
        "Z-2,孤儿的下级,,Q-05,党支部,,",  # 17: its parent row (18) has an error: not in error
        "Q-05,,,Q,支部,,",  # 18: a blank name, a level not in the list
        "Q-06,某支部,,Q,党支部,,有",  # 19: 审批权限 not 是/否
        "Q-07,某支部,,Q,党支部,,是",  # 20: approval on a 党支部
    ]
    code, doc = run(capsys, "orgs", csv_file(tmp_path, lines), "--confirm")
    assert code == 1
    found = {(e["row"], e["column"], e["cell"]) for e in doc["errors"]}
    assert found == {
        (9, "单位类型", "F9"),
        (10, "上级组织编码", "D10"),
        (11, "审批权限", "G11"),
        (12, "组织编码", "A12"),
        (13, "上级组织编码", "D13"),
        (14, "上级组织编码", "D14"),
        (15, "上级组织编码", "D15"),
        (16, "上级组织编码", "D16"),
        (18, "组织名称", "B18"),
        (18, "组织层级", "E18"),
        (19, "审批权限", "G19"),
        (20, "审批权限", "G20"),
    }
    assert all(e["problem"] for e in doc["errors"])
    assert "第 11 行" in next(e["problem"] for e in doc["errors"] if e["row"] == 12)
    assert doc["written"] is False and doc["rows"] == 18
    # What --confirm would do: nothing, since the file has errors.
    assert (doc["created"], doc["updated"], doc["unchanged"]) == (0, 0, 0)
    assert written() == (0, 0, 0)


def test_it_names_a_second_root_in_the_file_and_one_beside_the_database_root(capsys, tmp_path):
    path = csv_file(tmp_path, [ORG_HEADER, "A,甲区委,,,党委,,", "B,乙区委,,,党委,,"])
    code, doc = run(capsys, "orgs", path)
    assert code == 1
    assert [(e["row"], e["cell"]) for e in doc["errors"]] == [(3, "D3")]
    run(capsys, "orgs", good_tree(tmp_path), "--confirm")
    code, doc = run(capsys, "orgs", csv_file(tmp_path, [ORG_HEADER, "A,甲区委,,,党委,,"]))
    assert code == 1 and doc["errors"][0]["cell"] == "D2"


def test_it_takes_a_child_before_its_parent_and_a_second_run_is_unchanged(capsys, tmp_path):
    path = csv_file(tmp_path, [ORG_HEADER, *reversed(GOOD_TREE)])
    code, doc = run(capsys, "orgs", path)
    assert (code, doc["created"], doc["written"]) == (0, 6, False)
    assert written() == (0, 0, 0)  # a preview writes nothing
    code, doc = run(capsys, "orgs", path, "--confirm")
    assert (code, doc["created"], doc["updated"], doc["unchanged"]) == (0, 6, 0, 0)
    assert doc["written"] is True
    root = Organization.objects.get(code="Q")
    assert (root.kind, root.level, root.can_approve, root.parent) == (
        Kind.DISTRICT,
        Level.COMMITTEE,
        True,
        None,
    )
    branch = Organization.objects.get(code="Q-01-01-01")
    assert branch.kind == Kind.BRANCH
    assert branch.org_type == OrgType.COMMUNITY  # blank: the parent's (Q-01-01, itself Q-01's)
    assert Organization.objects.get(code="Q-02").level == Level.LEADING_GROUP
    events = list(Event.objects.order_by("seq"))
    assert [e.kind for e in events] == ["org.created"] * 6
    assert {e.recorded_by_id for e in events} == {None}
    code, doc = run(capsys, "orgs", path, "--confirm")
    assert (code, doc["created"], doc["updated"], doc["unchanged"]) == (0, 0, 0, 6)
    assert Event.objects.count() == 6
    assert verify_chain().ok


def test_it_updates_a_known_code_and_its_subtree_moves_with_it(capsys, tmp_path):
    run(capsys, "orgs", good_tree(tmp_path), "--confirm")
    # The type written out: left blank it would be the new parent's (机关), a second change.
    old, new = (
        "Q-01-01,城关社区党总支,,Q-01,党总支,,",
        "Q-01-01,城关社区党总支（新）,,Q-02,党总支,社区,",
    )
    moved = [line.replace(old, new) for line in GOOD_TREE]
    code, doc = run(
        capsys, "orgs", csv_file(tmp_path, [ORG_HEADER, *moved], "moved.csv"), "--confirm"
    )
    assert (code, doc["created"], doc["updated"], doc["unchanged"]) == (0, 0, 1, 5)
    general = Organization.objects.get(code="Q-01-01")
    assert general.parent is not None and general.parent.code == "Q-02"
    assert general.name == "城关社区党总支（新）"
    below = Organization.objects.ancestors(Organization.objects.get(code="Q-01-01-01"))
    assert [o.code for o in below] == ["Q", "Q-02", "Q-01-01"]
    change = Event.objects.get(kind="org.updated")
    assert set(change.payload["changes"]) == {"org_name", "parent_id"}
    assert verify_chain().ok


def test_it_reads_header_hints_stars_spaces_and_gb18030(capsys, tmp_path):
    header = "组织 编码*,组织名称（全称）,简称,上级组织编码(根组织空白),组织层级*,单位类型,审批权限"
    path = csv_file(tmp_path, [header, *GOOD_TREE], encoding="gb18030")
    code, doc = run(capsys, "orgs", path)
    assert (code, doc["created"]) == (0, 6)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("tree.json", ORG_HEADER),  # not .xlsx or .csv
        ("tree.csv", "a,b,c\n1,2,3"),  # no header row
        ("tree.csv", "组织编码,组织名称,上级组织编码\nQ,区委,"),  # 组织层级 missing
    ],
)
def test_it_exits_2_on_a_file_it_cannot_read(capsys, tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    code, doc = run(capsys, "orgs", str(path), "--confirm")
    assert code == 2 and doc["errors"] and doc["written"] is False
    assert written() == (0, 0, 0)


def test_it_reads_the_sample_tree_workbook_with_a_title_row(capsys, tmp_path):
    rows = district_samples.org_rows(120)
    path = tmp_path / "orgs.xlsx"
    district_samples.write_sheet(district_samples.ORG_COLUMNS, rows, path, title="演示区党组织")
    code, doc = run(capsys, "orgs", str(path), "--confirm")
    assert (code, doc["rows"], doc["created"]) == (0, 120, 120)


# -- party members --------------------------------------------------------------------------------

MEMBER_HEADER = (
    "姓名,性别,出生日期,党支部,人员类别,入党日期,身份证号,转正日期,党纪处分,恢复党员权利,学历,职业"
)


def test_it_imports_members_with_exact_counts_and_a_second_run_unchanged(capsys, tmp_path):
    run(capsys, "orgs", good_tree(tmp_path), "--confirm")
    ident = make_demo_id(TODAY.replace(year=1980), "M", 300)
    lines = [
        MEMBER_HEADER,
        f"张三,男,1980-06-03,Q-01-01-01,正式党员,2005-07-01,{ident},2006-07-01,,,本科,工人",
        "李四,女,1990-01-02,区教育局机关党支部,预备党员,2024-03-01,,,,,,",
        "王五,男,1970-05-05,Q-01-01-01,正式党员,1995-07-01,,1996-07-01,留党察看,是,,",
    ]
    path = csv_file(tmp_path, lines, "members.csv")
    with on():
        code, doc = run(capsys, "members", path, "--confirm")
        assert (code, doc["rows"], doc["created"], doc["unchanged"]) == (0, 3, 3, 0)
        zhang = Member.objects.get(name="张三")
        assert zhang.org.code == "Q-01-01-01" and zhang.status == MemberStatus.FULL
        assert zhang.id_number_masked and ident not in zhang.id_number_encrypted
        wang = Member.objects.get(name="王五")
        assert wang.under_discipline and wang.rights_restored and wang.may_vote
        assert not Member.objects.get(name="李四").may_vote
        code, doc = run(capsys, "members", path, "--confirm")
        assert (code, doc["created"], doc["unchanged"]) == (0, 0, 3)
    assert Member.objects.count() == 3
    assert Event.objects.filter(kind="member.created").count() == 3
    assert verify_chain().ok


def test_it_names_every_member_error_and_writes_nothing(capsys, tmp_path):
    run(capsys, "orgs", good_tree(tmp_path), "--confirm")
    ident = make_demo_id(TODAY.replace(year=1980), "M", 300)
    lines = [
        MEMBER_HEADER,
        f"甲,男,1980-06-03,Q-01-01-01,正式党员,2005-07-01,{ident},2006-07-01,,,,",  # 2: fine
        f"乙,男,1980-06-03,Q-01-01-01,正式党员,2005-07-01,{ident},2006-07-01,,,,",  # 3: ID twice
        "丙,男,1980-06-03,Q-01-01-01,正式党员,2005-07-01,,,,,,",  # 4: no 转正日期
        "丁,男,1980-06-03,Q-01-01-01,预备党员,2024-01-01,,2024-05-01,,,,",  # 5: 预备 with one
        "戊,男,1980-06-03,不存在的支部,正式党员,2005-07-01,,2006-07-01,,,,",  # 6: unknown branch
        "己,男,1980-06-03,Q-01-01,正式党员,2005-07-01,,2006-07-01,,,,",  # 7: a 党总支
        "庚,男,1980-02-30,Q-01-01-01,党员,2005-07-01,,2006-07-01,警告,否,,",  # 8: three cells
        ",,,,,,,2006-07-01,,,,",  # 9: blank required cells
    ]
    with on():
        code, doc = run(capsys, "members", csv_file(tmp_path, lines, "m.csv"), "--confirm")
    assert code == 1
    found = {(e["row"], e["cell"]) for e in doc["errors"]}
    assert found == {
        (3, "G3"),
        (4, "H4"),
        (5, "H5"),
        (6, "D6"),
        (7, "D7"),
        (8, "C8"),
        (8, "E8"),
        (8, "I8"),
        (9, "A9"),
        (9, "B9"),
        (9, "C9"),
        (9, "D9"),
        (9, "E9"),
        (9, "F9"),
    }
    assert Member.objects.count() == 0 and not Event.objects.filter(kind="member.created")


def test_it_refuses_an_id_number_already_on_another_branchs_roster(capsys, tmp_path):
    run(capsys, "orgs", good_tree(tmp_path), "--confirm")
    ident = make_demo_id(TODAY.replace(year=1980), "M", 300)
    row = "甲,男,1980-06-03,{branch},正式党员,2005-07-01," + ident + ",2006-07-01,,,,"
    with on():
        first = csv_file(tmp_path, [MEMBER_HEADER, row.format(branch="Q-01-01-01")], "a.csv")
        assert run(capsys, "members", first, "--confirm")[0] == 0
        other = csv_file(tmp_path, [MEMBER_HEADER, row.format(branch="Q-02-01")], "b.csv")
        code, doc = run(capsys, "members", other, "--confirm")
    assert code == 1 and doc["errors"][0]["cell"] == "G2"
    assert Member.objects.count() == 1


# -- rosters and candidate files: the import pages' reading and actions ----------------------------


def test_it_imports_a_roster_by_the_operator_on_the_chain(capsys, tmp_path):
    run(capsys, "orgs", good_tree(tmp_path), "--confirm")
    path = tmp_path / "roster.xlsx"
    with on():
        rows = synthetic_rows(12, branches=["Q-01-01-01", "区教育局机关党支部"], today=TODAY)
        write_roster(rows, path)
        code, doc = run(capsys, "roster", str(path), "--scope", "Q")
        assert (code, doc["created"], doc["written"]) == (0, 12, False)
        assert Candidate.objects.count() == 0
        code, doc = run(capsys, "roster", str(path), "--scope", "Q", "--confirm")
        assert (code, doc["rows"], doc["created"], doc["written"]) == (0, 12, 12, True)
        # The same people again: every ID number is already on file, nothing is written.
        code, doc = run(capsys, "roster", str(path), "--scope", "Q", "--confirm")
    assert code == 1 and {e["column"] for e in doc["errors"]} == {"身份证号"}
    assert Candidate.objects.count() == 12
    candidate_events = Event.objects.filter(candidate_id__isnull=False)
    assert candidate_events.exists()
    assert not candidate_events.filter(recorded_by_id__isnull=False).exists()
    assert verify_chain().ok


def test_it_refuses_a_roster_outside_its_scope(capsys, tmp_path):
    run(capsys, "orgs", good_tree(tmp_path), "--confirm")
    path = tmp_path / "roster.xlsx"
    with on():
        write_roster(synthetic_rows(2, branches=["Q-02-01"], today=TODAY), path)
        code, doc = run(capsys, "roster", str(path), "--scope", "Q-01", "--confirm")
    assert code == 1 and {e["cell"][:1] for e in doc["errors"]} == {"J"}  # the 党支部 column
    code, doc = run(capsys, "roster", str(path), "--scope", "NOPE")
    assert code == 2
    assert Candidate.objects.count() == 0


def test_it_imports_candidate_files_into_a_branch(capsys, tmp_path):
    run(capsys, "orgs", good_tree(tmp_path), "--confirm")
    clean = str(EXAMPLES / "clean-full.json")
    bad = str(EXAMPLES / "unreadable-impossible-date.json")
    code, doc = run(capsys, "files", clean, bad, "--branch", "Q-01-01-01", "--confirm")
    assert code == 1 and [e["row"] for e in doc["errors"]] == [2]
    assert Candidate.objects.count() == 0
    code, doc = run(capsys, "files", clean, "--branch", "Q-01-01-01", "--confirm")
    assert (code, doc["created"], doc["written"]) == (0, 1, True)
    assert Candidate.objects.get().org.code == "Q-01-01-01"
    assert run(capsys, "files", clean, "--branch", "Q-01")[0] == 2  # not a 党支部
    assert run(capsys, "files", str(tmp_path / "x.txt"), "--branch", "Q-01-01-01")[0] == 2
    assert verify_chain().ok


def test_it_leaves_nothing_half_written_when_a_confirm_fails_midway(capsys, tmp_path, monkeypatch):
    """The tree, its chain events and the head are one transaction: a failure after the rows
    were inserted (here: the chain refusing the events) leaves the database as it was."""
    from fazhan.audit import chain

    def broken(events, **kwargs):
        list(events)
        raise chain.ChainError("interrupted")

    monkeypatch.setattr("fazhan.imports.orgtree.append_events_bulk", broken)
    with pytest.raises(chain.ChainError):
        call_command("import", "orgs", good_tree(tmp_path), "--confirm", "--json")
    assert written() == (0, 0, 0)
    assert verify_chain().ok


def test_it_survives_a_killed_confirm_process(tmp_path):
    """A confirm killed by the operator (SIGKILL) while writing leaves nothing behind."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the subprocess needs a database file it can open")
    database = tmp_path / "killed.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "PYTHONPATH": str(EXAMPLES.parent),
    }
    cli = [sys.executable, "-m", "fazhan.cli"]
    subprocess.run([*cli, "migrate", "-v0"], env=env, check=True)
    rows = district_samples.org_rows(3000)
    path = tmp_path / "orgs.csv"
    path.write_text(district_samples.write_csv(district_samples.ORG_COLUMNS, rows), "utf-8")
    started = subprocess.Popen([*cli, "import", "orgs", str(path), "--confirm"], env=env)
    time.sleep(3.0)
    started.send_signal(signal.SIGKILL)
    started.wait()
    count = subprocess.run(
        [*cli, "shell", "-c", "from fazhan.orgs.models import Organization as O; print(O.objects.count())"],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    # All or nothing, never a part (the shell prints its auto-imports first).
    assert count.stdout.strip().splitlines()[-1] in {"0", "3000"}
    verify = subprocess.run(
        [*cli, "audit", "verify"], env=env, capture_output=True, text=True, check=False
    )
    assert verify.returncode == 0, verify.stdout
