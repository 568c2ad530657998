"""Rosters: a clean one imports at every stage; a bad row is named and nothing is written;
past breaches become findings (DESIGN principle 4); a branch sees only its own branches."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.http import Http404
from hypothesis import given
from hypothesis import strategies as st

from fazhan.audit.chain import events_of, verify_chain
from fazhan.audit.models import Event
from fazhan.core.errors import ActionRefused
from fazhan.imports.actions import do_apply_batch, do_discard_batch, do_preview_roster
from fazhan.imports.models import BatchStatus, ImportRow
from fazhan.imports.roster import CellError, parse_date
from fazhan.lib.tabular import FileRefused
from fazhan.people.idnumber import make_demo_id
from fazhan.people.models import Candidate, Person
from tests.imports.helpers import (
    ACTIVIST,
    APPLICANT,
    HEADERS,
    MEMBER,
    PROBATIONARY,
    TARGET,
    csv_bytes,
    on,
    person,
    xlsx,
)

pytestmark = pytest.mark.django_db

CLEAN = [
    person("示例甲", serial=1, **APPLICANT),
    person("示例乙", sex="女", serial=2, **ACTIVIST),
    person("示例丙", serial=3, **TARGET),
    person("示例丁", sex="女", serial=4, **PROBATIONARY),
    person("示例戊", serial=5, branch="城关社区第一党支部", **MEMBER),
]


def preview(user, org, data: bytes, name: str = "名册.xlsx"):
    with on():
        return do_preview_roster(user, org=org, filename=name, data=data)


def errors_of(batch) -> set[tuple[int, str, str]]:
    return {
        (row.number, error["column"], error["cell"])
        for row in batch.rows.all()
        for error in row.errors
    }


def test_it_imports_a_clean_roster_and_projects_each_stage(cast):
    batch = preview(cast.zhibu, cast.branch_a, xlsx(CLEAN))
    assert not batch.has_errors, [r.errors for r in batch.rows.all()]
    rows = {row.number: row for row in batch.rows.all()}
    assert sorted(rows) == [2, 3, 4, 5, 6]  # the header is row 1, as Excel shows it
    expected = ["applicant", "activist", "target", "probationary", "member"]
    assert [rows[n].data["stage"] for n in sorted(rows)] == expected
    assert batch.summary["stages"] == dict.fromkeys(expected, 1)

    with on():
        do_apply_batch(cast.zhibu, batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPLIED
    created = {c.person.name: c for c in Candidate.objects.filter(org=cast.branch_a)}
    assert [
        created[n].stage for n in ("示例甲", "示例乙", "示例丙", "示例丁", "示例戊")
    ] == expected
    member = created["示例戊"]
    assert member.converted_on == date(2022, 8, 16)
    assert member.person.decrypt_id_number() == make_demo_id(date(1990, 5, 17), "M", 5)
    assert member.person.occupations == ["worker", "technician"]
    kinds = [e.kind for e in events_of(member.pk)]
    assert kinds[0] == "candidate.opened"
    assert kinds.count("S24") == 1 and "N-CONV" in kinds
    opened = events_of(member.pk)[0]
    assert opened.payload == {
        "org_id": cast.branch_a.pk,
        "person_id": member.person_id,
        "mode": "past",
        "source": "roster",
    }
    assert all(e.payload.get("mode") == "past" for e in events_of(member.pk))
    assert verify_chain().ok


def test_it_never_keeps_a_clear_id_number_in_the_batch(cast):
    batch = preview(cast.zhibu, cast.branch_a, xlsx(CLEAN))
    clear = make_demo_id(date(1990, 5, 17), "M", 1)
    stored = json.dumps([row.data for row in batch.rows.all()])
    assert clear not in stored
    assert "999999" + "*" * 12 in stored  # the area code only (docs/privacy.md)
    with on():
        do_apply_batch(cast.zhibu, batch)
    assert all("token" not in (row.data.get("id") or {}) for row in batch.rows.all())
    # Applied, the row keeps the birth year only: the date is sealed in the people table.
    assert "1990-05-17" not in json.dumps([row.data for row in batch.rows.all()])
    assert {row.data["person"]["birth_date"] for row in batch.rows.all()} >= {"1990"}
    assert all(clear not in json.dumps(e.payload) for e in Event.objects.all())


def test_it_names_the_bad_row_and_its_columns_and_writes_nothing(cast):
    bad = person("示例坏", serial=9, **ACTIVIST)
    bad.update(
        {
            "申请日期": "2019-02-30",
            "党支部": "不存在的支部",
            "学历": "幼儿园",
            "身份证号": make_demo_id(date(1990, 5, 17), "M", 9)[:-1] + "0",
        }
    )
    if bad["身份证号"] == make_demo_id(date(1990, 5, 17), "M", 9):
        bad["身份证号"] = bad["身份证号"][:-1] + "1"
    people, events = Person.objects.count(), Event.objects.count()
    batch = preview(cast.zhibu, cast.branch_a, xlsx(CLEAN[:2] + [bad] + CLEAN[2:]))

    assert batch.error_rows == 1
    assert errors_of(batch) == {
        (4, "申请日期", "N4"),
        (4, "党支部", "J4"),
        (4, "学历", "F4"),
        (4, "身份证号", "D4"),
    }
    problems = {e["column"]: e["problem"] for e in batch.rows.get(number=4).errors}
    assert "不存在的日期" in problems["申请日期"] and "2019-02-30" in problems["申请日期"]
    assert "校验位" in problems["身份证号"]
    assert "幼儿园" in problems["学历"]
    assert not batch.can_apply
    # A row that will not be created gets no stage and no findings, nor counts in the summary.
    assert "stage" not in batch.rows.get(number=4).data
    assert sum(batch.summary["stages"].values()) == 5
    with on(), pytest.raises(ActionRefused, match="错误"):
        do_apply_batch(cast.zhibu, batch)
    assert (Person.objects.count(), Event.objects.count()) == (people, events)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DRAFT


def test_it_records_past_rule_breaches_as_findings_not_refusals(cast):
    early = person(
        "示例早",
        serial=11,
        **(ACTIVIST | {"确定发展对象日期": date(2023, 5, 15), "推荐方式": None}),
    )
    batch = preview(cast.zhibu, cast.branch_a, xlsx([early]))
    assert not batch.has_errors
    row = batch.rows.get()
    found = {f["id"] for f in row.data["findings"]}
    # S07 six months after S03 (细则 art. 13), and no nomination (art. 8): shown, not refused.
    assert {"target.too_early", "activist.not_nominated"} <= found
    assert batch.summary["findings"]["target.too_early"] == 1
    with on():
        do_apply_batch(cast.zhibu, batch)
    candidate = Candidate.objects.get(person__name="示例早")
    assert candidate.stage == "target"
    assert {"target.too_early", "activist.not_nominated"} <= {
        f["id"] for f in candidate.projection["findings"]
    }
    assert candidate.violations >= 2


def test_it_refuses_a_branch_secretary_any_other_branch_row_by_row(cast):
    rows = [
        person("示例本支部", serial=21, **APPLICANT),
        person("示例外支部", serial=22, branch=cast.branch_b.code, **APPLICANT),
        person("示例同党委", serial=23, branch=cast.branch_a2.name, **APPLICANT),
    ]
    batch = preview(cast.zhibu, cast.branch_a, xlsx(rows))
    assert {(n, col) for n, col, _ in errors_of(batch)} == {(3, "党支部"), (4, "党支部")}
    # A branch outside the scope reads exactly like one that does not exist (principle 6).
    message = batch.rows.get(number=3).errors[0]["problem"]
    assert "找不到党支部" in message and cast.branch_b.name not in message
    with pytest.raises(Http404):
        preview(cast.zhibu, cast.branch_b, xlsx(rows))
    with pytest.raises(Http404):
        preview(cast.shenji, cast.branch_a, xlsx(rows))
    # The sub-organization reaches both of its branches (and not the other sub-organization's).
    mine = preview(cast.dangwei, cast.sub_a, xlsx(rows))
    assert {(n, col) for n, col, _ in errors_of(mine)} == {(3, "党支部")}


def test_it_fills_a_blank_branch_with_the_chosen_branch_only(cast):
    row = person("示例空白", serial=31, branch=None, **APPLICANT)
    assert not preview(cast.zhibu, cast.branch_a, xlsx([row])).has_errors
    batch = preview(cast.dangwei, cast.sub_a, xlsx([row]))
    assert errors_of(batch) == {(2, "党支部", "J2")}


def test_it_refuses_an_id_number_twice_in_the_file_or_already_on_file(cast):
    twice = [person("示例一", serial=41, **APPLICANT), person("示例二", serial=41, **APPLICANT)]
    batch = preview(cast.zhibu, cast.branch_a, xlsx(twice))
    assert errors_of(batch) == {(3, "身份证号", "D3")}
    assert "第 2 行" in batch.rows.get(number=3).errors[0]["problem"]

    first = preview(cast.zhibu, cast.branch_a, xlsx(twice[:1]))
    with on():
        do_apply_batch(cast.zhibu, first)
    again = preview(cast.zhibu, cast.branch_a, xlsx(twice[1:]))
    assert errors_of(again) == {(2, "身份证号", "D2")}
    assert "已有档案" in again.rows.get().errors[0]["problem"]


def test_it_refuses_an_id_number_that_contradicts_birth_date_or_sex(cast):
    row = person("示例不符", serial=51, **APPLICANT)
    row["性别"] = "女"
    batch = preview(cast.zhibu, cast.branch_a, xlsx([row]))
    [error] = batch.rows.get().errors
    assert error["column"] == "身份证号" and "性别与身份证号码不符" in error["problem"]


def test_it_applies_all_or_nothing_when_a_row_is_refused_at_confirmation(cast):
    rows = [person("示例先", serial=61, **APPLICANT), person("示例后", serial=62, **APPLICANT)]
    batch = preview(cast.zhibu, cast.branch_a, xlsx(rows))
    assert batch.can_apply
    # Meanwhile someone imports the second person: confirmation must refuse the whole batch.
    with on():
        do_apply_batch(cast.zhibu, preview(cast.zhibu, cast.branch_a, xlsx(rows[1:])))
    people, events = Person.objects.count(), Event.objects.count()
    with on(), pytest.raises(ActionRefused, match=r"第 3 行.*本批未导入任何内容"):
        do_apply_batch(cast.zhibu, batch)
    assert (Person.objects.count(), Event.objects.count()) == (people, events)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DRAFT and not batch.can_apply
    assert "已有档案" in batch.rows.get(number=3).errors[-1]["problem"]


def test_it_lets_only_the_uploader_confirm_or_discard_once(cast):
    batch = preview(cast.zhibu, cast.branch_a, xlsx(CLEAN[:1]))
    with pytest.raises(Http404):
        do_apply_batch(cast.dangwei, batch)
    with pytest.raises(ActionRefused, match="上传人"):
        do_apply_batch(cast.qu, batch)  # district staff see every batch but apply their own
    do_discard_batch(cast.zhibu, batch)
    assert not ImportRow.objects.filter(batch=batch).exists()
    with pytest.raises(ActionRefused, match="已放弃"):
        do_apply_batch(cast.zhibu, batch)


def test_it_reads_csv_with_or_without_bom_and_every_date_form(cast):
    rows = [person("示例表格", serial=71, **MEMBER)]
    for data in (
        csv_bytes(rows),
        csv_bytes(rows, bom=False),
        csv_bytes(rows, bom=False, encoding="gb18030"),
    ):
        batch = preview(cast.zhibu, cast.branch_a, data, name="名册.csv")
        assert not batch.has_errors, [r.errors for r in batch.rows.all()]
        assert batch.rows.get().data["stage"] == "member"


def test_it_finds_the_header_below_a_title_and_reports_unknown_columns(cast):
    headers = ["备注", *HEADERS]
    data = xlsx(
        [person("示例标题", serial=81, 备注="x", **APPLICANT)], headers=headers, title="2024年名册"
    )
    batch = preview(cast.zhibu, cast.branch_a, data)
    assert not batch.has_errors
    assert batch.rows.get().number == 3
    assert batch.summary["ignored_columns"] == ["备注"]


def test_it_names_a_file_without_the_required_columns(cast):
    batch = preview(cast.zhibu, cast.branch_a, xlsx([{"姓名": "示例"}], headers=["姓名", "民族"]))
    assert (
        batch.file_errors and "性别" in batch.file_errors[0] and "出生日期" in batch.file_errors[0]
    )
    assert not batch.can_apply
    # A file that is not a workbook at all is refused before anything is stored (Step 8).
    with pytest.raises(FileRefused, match="Excel"):
        preview(cast.zhibu, cast.branch_a, b"not a workbook", name="x.xlsx")


def test_it_requires_the_vote_of_a_branch_meeting(cast):
    row = person("示例无表决", serial=91, **(PROBATIONARY | {"支部大会表决": None}))
    batch = preview(cast.zhibu, cast.branch_a, xlsx([row]))
    assert {col for _, col, _ in errors_of(batch)} == {"支部大会表决"}


def test_it_refuses_a_date_after_today_or_before_birth(cast):
    row = person(
        "示例未来",
        serial=95,
        **(APPLICANT | {"谈话日期": date(2024, 6, 4), "申请日期": date(1980, 1, 1)}),
    )
    batch = preview(cast.zhibu, cast.branch_a, xlsx([row]))
    problems = {e["column"]: e["problem"] for e in batch.rows.get().errors}
    assert "晚于今天" in problems["谈话日期"] and "早于出生日期" in problems["申请日期"]


def test_it_refuses_an_id_number_stored_as_a_number(cast):
    row = person("示例数字", serial=96, **APPLICANT)
    row["身份证号"] = 999999199005170190
    batch = preview(cast.zhibu, cast.branch_a, xlsx([row]))
    assert "文本格式" in batch.rows.get().errors[0]["problem"]


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    st.sampled_from(["{y}-{m:02d}-{d:02d}", "{y}/{m}/{d}", "{y}.{m:02d}.{d}", "{y}年{m}月{d}日"]),
)
def test_it_reads_every_date_form_back_to_the_same_day(day, form):
    text = form.format(y=day.year, m=day.month, d=day.day)
    assert parse_date(text) == day


@pytest.mark.parametrize("text", ["2019-02-30", "2019-13-01", "2019年2月29日"])
def test_it_names_an_impossible_date(text):
    with pytest.raises(CellError, match="不存在的日期"):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("出生日期（必填）*", "birth_date"),
        (" 姓 名 ", "name"),
        ("birth_date", "birth_date"),
        ("身份证号码(选填)", "id_number"),
    ],
)
def test_it_matches_headers_with_hints_spaces_and_english_keys(text, key):
    from fazhan.imports.roster import _HEADER_LOOKUP, normalize_header

    assert _HEADER_LOOKUP[normalize_header(text)] == key


def test_it_reads_the_contracts_own_values_too(cast):
    row = person("示例英文", serial=97, **ACTIVIST)
    row.update({"学历": "bachelor", "职业": "worker, technician", "推荐方式": "youth_league"})
    batch = preview(cast.zhibu, cast.branch_a, xlsx([row]))
    assert not batch.has_errors
    data = batch.rows.get().data
    assert data["person"]["education"] == "bachelor"
    assert data["person"]["occupations"] == ["worker", "technician"]
    assert data["events"][3]["nomination"] == "youth_league"
