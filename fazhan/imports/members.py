"""The party-member roster from a sheet (contracts.md §7 `members`): read, checked, applied.

One row per member of a branch: the roster that supplies contacts, introducers and the electorate
of branch meetings (细则 arts. 9, 14; 党章 art. 7). `plan_members` reads and checks every row
against the file and the database without writing; `apply_members` creates the new members in one
transaction with one chain event each. A row matching a member already in that branch (by ID
number, or without one by name and birth date) is unchanged and never written.

Cells are read as the candidate roster reads them (fazhan.imports.roster): the same dates, the
same 学历 and 职业 values, the same ID-number checks (GB 11643), the same Chinese problems.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fazhan.audit.chain import NewEvent, append_events_bulk
from fazhan.imports.roster import (
    EDUCATION,
    EDUCATION_LOOKUP,
    SEX,
    CellError,
    Column,
    Schema,
    Table,
    _choice,
    _id_number,
    _occupations,
    _text,
    parse_date,
)
from fazhan.lib.bulkinsert import Prepared
from fazhan.orgs.models import Kind, Member, MemberStatus, Organization
from fazhan.people import crypto, idnumber

COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", required=True, note="必填"),
    Column("sex", "性别", required=True, note="男 / 女"),
    Column("birth_date", "出生日期", ("出生年月日",), required=True, note="日期"),
    Column(
        "branch", "党支部", ("所在党支部", "党组织", "所在党组织"), required=True, note="名称或编码"
    ),
    Column("status", "人员类别", ("党员类别", "类别"), required=True, note="正式党员 / 预备党员"),
    Column("joined_on", "入党日期", ("入党时间",), required=True, note="日期"),
    Column(
        "id_number", "身份证号", ("身份证号码", "公民身份号码", "身份证"), note="选填；文本格式"
    ),
    Column("converted_on", "转正日期", ("转正时间",), note="正式党员必填；预备党员空白"),
    Column("discipline", "党纪处分", note="空白或 留党察看"),
    Column("rights_restored", "恢复党员权利", note="是 / 否"),
    Column("education", "学历", ("文化程度",), note="选填"),
    Column("occupations", "职业", ("职业类别",), note="选填"),
)
SCHEMA = Schema(COLUMNS, "name", max_rows=200_000)

STATUS = {
    "正式党员": MemberStatus.FULL,
    "预备党员": MemberStatus.PROBATIONARY,
    "正式": MemberStatus.FULL,
    "预备": MemberStatus.PROBATIONARY,
}
# Truthy values: fazhan.imports.roster._choice treats a falsy one as not found.
DISCIPLINE = {"留党察看": "yes"}
RIGHTS = {"是": "yes", "否": "no"}
NAME_LIMIT = 64
EDUCATION_LIST = "、".join(EDUCATION)


@dataclass
class MemberRow:
    number: int
    cells: tuple[Any, ...]
    errors: list[dict[str, Any]] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    id_value: str = ""  # the number in clear, kept in memory only until it is encrypted
    index: str | None = None  # its blind index


@dataclass
class MemberPlan:
    rows: list[MemberRow]
    errors: list[dict[str, Any]]
    created: list[MemberRow] = field(default_factory=list)
    unchanged: int = 0
    # What the plan read of the roster on file, to check again in the write transaction.
    on_file: dict[str, tuple[int, int]] = field(default_factory=dict)
    by_name: set[tuple[int, str, date | None]] = field(default_factory=set)


class _Branches:
    """Every 党支部 of the tree, by code and by exact name (or short name)."""

    def __init__(self) -> None:
        branches = list(
            Organization.objects.filter(kind=Kind.BRANCH).only(
                "pk", "code", "name", "short_name", "closed_on"
            )
        )
        branches.sort(key=lambda b: b.code)
        self.by_code = {b.code: b for b in branches}
        self.by_name: dict[str, list[Organization]] = {}
        for branch in branches:
            for name in {branch.name, branch.short_name} - {""}:
                self.by_name.setdefault(name, []).append(branch)

    def find(self, text: str) -> Organization:
        found = self._find(text)
        if found.closed_on is not None:  # 撤销 or 撤并 on the organization pages
            raise CellError(
                _("党支部「%(name)s」已于 %(date)s 撤销，不能再接收党员")
                % {"name": text, "date": found.closed_on.isoformat()}
            )
        return found

    def _find(self, text: str) -> Organization:
        found = self.by_code.get(text)
        if found is not None:
            return found
        named = self.by_name.get(text, [])
        if len(named) == 1:
            return named[0]
        if named:
            raise CellError(
                _("有多个党支部叫「%(name)s」，请填写组织编码（%(codes)s）")
                % {"name": text, "codes": "、".join(b.code for b in named)}
            )
        raise CellError(_("找不到党支部「%(name)s」（应填写党支部的编码或全称）") % {"name": text})


class _Reader:
    def __init__(self, table: Table, today: date) -> None:
        self.columns = table.columns
        self.today = today

    def raw(self, row: MemberRow, key: str) -> Any:
        where = self.columns.get(key)
        if where is None or where.index >= len(row.cells):
            return None
        value = row.cells[where.index]
        return None if value is None or (isinstance(value, str) and not value.strip()) else value

    def error(self, row: MemberRow, key: str, problem: str) -> None:
        where = self.columns.get(key)
        row.errors.append(
            {
                "row": row.number,
                "column": where.header if where else SCHEMA.header_of(key),
                "cell": f"{where.letter}{row.number}" if where else "",
                "problem": problem,
            }
        )

    def read(self, row: MemberRow, key: str, reader: Callable[..., Any], *args: Any) -> Any:
        try:
            return reader(self.raw(row, key), *args)
        except CellError as problem:
            self.error(row, key, str(problem))
            return None

    def required(self, row: MemberRow, key: str) -> bool:
        if self.raw(row, key) is None:
            # Translated only when needed: gettext per cell costs more than reading the cell.
            label = SCHEMA.header_of(key)
            self.error(row, key, _("%(label)s不能为空") % {"label": label})
            return False
        return True

    def day(self, row: MemberRow, key: str, after: date | None, after_key: str) -> date | None:
        value: date | None = self.read(row, key, parse_date)
        if value is None:
            return None
        if value > self.today:
            self.error(row, key, _("日期 %(day)s 晚于今天") % {"day": value})
            return None
        if after is not None and value < after:
            self.error(
                row,
                key,
                _("日期 %(day)s 早于%(label)s %(after)s")
                % {"day": value, "label": SCHEMA.header_of(after_key), "after": after},
            )
            return None
        return value

    def parse(self, number: int, cells: tuple[Any, ...], branches: _Branches) -> MemberRow:
        row = MemberRow(number, cells)
        values = row.values
        if self.required(row, "name"):
            name = _text(self.raw(row, "name"))
            if len(name) > NAME_LIMIT:
                self.error(row, "name", _("姓名不能超过 %(n)d 个字") % {"n": NAME_LIMIT})
            values["name"] = name
        if self.required(row, "sex"):
            values["sex"] = self.read(row, "sex", _choice, SEX, "男、女")
        born = None
        if self.required(row, "birth_date"):
            born = self.read(row, "birth_date", parse_date)
            if born is not None and (born > self.today or born.year < 1900):
                self.error(row, "birth_date", _("出生日期不可能：%(day)s") % {"day": born})
                born = None
        values["birth_date"] = born
        if self.required(row, "branch"):
            branch = self.read(row, "branch", lambda v: branches.find(_text(v)))
            values["org"] = branch
        status = None
        if self.required(row, "status"):
            status = self.read(row, "status", _choice, STATUS, "正式党员、预备党员")
        values["status"] = status
        joined = None
        if self.required(row, "joined_on"):
            joined = self.day(row, "joined_on", born, "birth_date")
        values["joined_on"] = joined
        converted = self.day(row, "converted_on", joined, "joined_on")
        values["converted_on"] = converted
        if status == MemberStatus.FULL and self.raw(row, "converted_on") is None:
            self.error(row, "converted_on", _("正式党员须填写转正日期"))
        if status == MemberStatus.PROBATIONARY and self.raw(row, "converted_on") is not None:
            self.error(row, "converted_on", _("预备党员不应填写转正日期"))
        discipline = self.read(row, "discipline", _choice, DISCIPLINE, "留党察看（或空白）")
        values["under_discipline"] = discipline == "yes"
        restored = self.read(row, "rights_restored", _choice, RIGHTS, "是、否") == "yes"
        if restored and discipline != "yes":
            self.error(row, "rights_restored", _("没有留党察看处分，不应填写恢复党员权利"))
        values["rights_restored"] = restored
        values["education"] = (
            self.read(row, "education", _choice, EDUCATION_LOOKUP, EDUCATION_LIST) or ""
        )
        values["occupations"] = self.read(row, "occupations", _occupations) or []
        raw_id = self.read(row, "id_number", _id_number)
        if raw_id:
            try:
                parsed = idnumber.parse(raw_id, today=self.today)
            except idnumber.IdNumberError as invalid:
                self.error(row, "id_number", str(invalid))
            else:
                for mismatch in idnumber.check_against(parsed.value, born, values.get("sex")):
                    self.error(row, "id_number", mismatch)
                row.id_value = parsed.value
                row.index = crypto.blind_index(parsed.value)
        return row


def plan_members(table: Table, *, today: date) -> MemberPlan:
    """Every row read and checked against the file, the tree's branches and the roster on file."""
    reader = _Reader(table, today)
    branches = _Branches()
    rows = [reader.parse(number, cells, branches) for number, cells in table.rows]

    first: dict[str, MemberRow] = {}
    for row in rows:
        if row.index is None:
            continue
        if row.index in first:
            reader.error(
                row, "id_number", _("身份证号与第 %(n)d 行重复") % {"n": first[row.index].number}
            )
        else:
            first[row.index] = row
    on_file = _on_file(list(first))
    names: dict[int, str] = {}
    if on_file:
        ids = {org for org, _pk in on_file.values()}
        names = dict(Organization.objects.filter(pk__in=ids).values_list("pk", "name"))
    by_name = _by_name_and_birth({row.values["org"].pk for row in rows if row.values.get("org")})

    plan = MemberPlan(rows, [], on_file=on_file, by_name=by_name)
    for row in rows:
        org = row.values.get("org")
        match = False
        if row.index is not None and row.index in on_file and first.get(row.index) is row:
            org_id, _pk = on_file[row.index]
            if org is not None and org_id == org.pk:
                match = True
            else:
                reader.error(
                    row,
                    "id_number",
                    _("该身份证号已在「%(branch)s」的党员名册中")
                    % {"branch": names.get(org_id, "")},
                )
        elif row.index is None and org is not None:
            match = (org.pk, row.values.get("name"), row.values.get("birth_date")) in by_name
        if row.errors:
            continue
        if match:
            plan.unchanged += 1
        else:
            plan.created.append(row)
    plan.errors = [error for row in rows for error in row.errors]
    return plan


def _on_file(indexes: list[str]) -> dict[str, tuple[int, int]]:
    """Members already holding these ID numbers: blind index → (branch id, member id)."""
    found: dict[str, tuple[int, int]] = {}
    for start in range(0, len(indexes), 500):
        chunk = indexes[start : start + 500]
        for index, org_id, pk in Member.objects.filter(id_number_index__in=chunk).values_list(
            "id_number_index", "org_id", "pk"
        ):
            if index:
                found[index] = (org_id, pk)
    return found


def _by_name_and_birth(org_ids: set[int]) -> set[tuple[int, str, date | None]]:
    if not org_ids:
        return set()
    return {
        (org, name, born)
        for org, name, born in Member.objects.filter(
            org_id__in=org_ids, active=True, birth_date__isnull=False
        ).values_list("org_id", "name", "birth_date")
    }


def plan_is_current(plan: MemberPlan) -> bool:
    """Whether the roster on file still reads as it did for `plan` (ID numbers held, names and
    birth dates per branch): checked inside the write transaction, so that a plan made outside
    it is applied only if nothing it judged by has moved."""
    indexes = sorted({row.index for row in plan.rows if row.index is not None})
    branches = {row.values["org"].pk for row in plan.rows if row.values.get("org")}
    return _on_file(indexes) == plan.on_file and _by_name_and_birth(branches) == plan.by_name


@dataclass
class PreparedMembers:
    """The new members of a plan, built (ID numbers encrypted and indexed) and converted for
    the insert before the write transaction."""

    members: list[Member]
    rows: Prepared
    recorded_by_id: int | None
    today: date


def prepare_members(
    plan: MemberPlan, *, recorded_by_id: int | None, today: date
) -> PreparedMembers:
    """Everything of `apply_members` that needs no lock: the slow part (Fernet, conversions)."""
    if plan.errors:
        raise ValueError("a plan with errors is never applied")
    members = [_member(row.values, row.id_value) for row in plan.created]
    return PreparedMembers(members, Prepared(members), recorded_by_id, today)


def write_members(prepared: PreparedMembers) -> None:
    """Insert prepared members and their `member.created` events (the event names the member
    and branch by id only: DESIGN principle 8), inside the caller's transaction."""
    prepared.rows.insert()
    append_events_bulk(
        NewEvent(
            kind="member.created",
            candidate_id=None,
            happened_on=prepared.today,
            payload={"member_id": m.pk, "org_id": m.org_id, "status": m.status},
            recorded_by_id=prepared.recorded_by_id,
        )
        for m in prepared.members
    )


def apply_members(plan: MemberPlan, *, recorded_by_id: int | None, today: date) -> None:
    """Create the plan's new members in one transaction, one `member.created` event each."""
    prepared = prepare_members(plan, recorded_by_id=recorded_by_id, today=today)
    with transaction.atomic():
        write_members(prepared)


def _member(values: Mapping[str, Any], id_value: str) -> Member:
    member = Member(
        org=values["org"],
        name=values["name"],
        sex=values["sex"],
        birth_date=values["birth_date"],
        status=values["status"],
        joined_on=values["joined_on"],
        converted_on=values["converted_on"],
        under_discipline=values["under_discipline"],
        rights_restored=values["rights_restored"],
        education=values["education"],
        occupations=values["occupations"],
    )
    if id_value:
        member.id_number_encrypted = crypto.encrypt(id_value)
        member.id_number_index = crypto.blind_index(id_value)
        member.id_number_masked = idnumber.mask(id_value)
    return member


def counts(plan: MemberPlan) -> dict[str, int]:
    return {"created": len(plan.created), "updated": 0, "unchanged": plan.unchanged}
