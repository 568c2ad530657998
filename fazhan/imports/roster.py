"""Reading an Excel or CSV roster of people at any stage into candidate-file events.

One row per person (docs/import.md): who they are, their branch, and the dates of the steps taken
so far. Each row becomes the person's fields and a list of events in the contract's shape
(contracts.md §1), which the preview judges with the same engine as `fazhan check` and the apply
step records as past facts (DESIGN principle 4). This module only reads and checks cells; what the
database knows (branches, existing ID numbers) is checked in `fazhan.imports.preview`.

Every problem names the Excel row as the user sees it, the column header as written in the file
and the cell (`D7`), in Chinese.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from fazhan.lib.tabular import (
    FileRefused,
    Limits,
    open_workbook,
    read_csv,
    sheet_rows,
    upload_limits,
)
from fazhan.people import idnumber

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

MAX_ROWS = 50_000  # a district's whole pool is a few thousand; more is a mistaken file
HEADER_SEARCH_ROWS = 10  # a title row or two above the header is common in hand-made sheets


@dataclass(frozen=True)
class Column:
    key: str  # the English key (docs/import.md); also accepted as a header
    header: str  # the Chinese header of the template
    aliases: tuple[str, ...] = ()
    required: bool = False
    note: str = ""


# The roster's columns (docs/import.md). Only 姓名, 性别 and 出生日期 are required; every date
# column is optional, so a row can stand at any stage.
COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", required=True, note="必填"),
    Column("sex", "性别", required=True, note="男 / 女"),
    Column("birth_date", "出生日期", ("出生年月日",), required=True, note="日期"),
    Column(
        "id_number",
        "身份证号",
        ("身份证号码", "公民身份号码", "身份证"),
        note="选填；18位，请用文本格式（数字格式会丢失末几位）",
    ),
    Column("ethnicity", "民族", note="如 汉族"),
    Column("education", "学历", ("文化程度",), note="初中/高中/中专/大专/本科/硕士/博士…"),
    Column("occupations", "职业", ("职业类别",), note="可多项，用、或,分隔"),
    Column("frontline", "一线", ("是否一线",), note="是 / 否（空白为否）"),
    Column("unit", "工作单位", ("单位",), note="选填"),
    Column("branch", "党支部", ("所在党支部", "党组织", "所在党组织"), note="名称或组织代码"),
    Column("ref", "档案编号", ("编号",), note="选填"),
    Column("graduation_date", "毕业日期", note="学生选填"),
    Column("leaving_date", "离校日期", ("离职日期", "离开单位日期"), note="选填"),
    Column("applied_on", "申请日期", ("申请入党日期",), note="S01"),
    Column("talked_on", "谈话日期", note="S02"),
    Column("activist_notice", "积极分子公示", ("积极分子公示期",), note="起～止（公示首日～末日）"),
    Column("activist_on", "确定积极分子日期", ("确定为积极分子日期",), note="S03"),
    Column("nomination", "推荐方式", note="党员推荐/共青团推优/妇联推优/工会推优/工商联推优"),
    Column("target_notice", "发展对象公示", ("发展对象公示期",), note="起～止"),
    Column("target_on", "确定发展对象日期", ("确定为发展对象日期",), note="S07"),
    Column("review_on", "政审日期", ("政治审查日期",), note="S10"),
    Column("review_result", "政审结论", note="合格 / 不合格（空白为合格）"),
    Column("training_on", "培训日期", ("集中培训日期",), note="S11"),
    Column("training_days", "培训天数", note="整数"),
    Column("training_hours", "培训学时", note="整数"),
    Column("prereview_on", "预审日期", ("预审通过日期",), note="S13（预审通过）"),
    Column("admitted_on", "支部大会日期", ("接收预备党员日期",), note="S15（通过）"),
    Column("admission_vote", "支部大会表决", note="应到/实到/赞成/反对/弃权，如 18/15/13/1/1"),
    Column("approved_on", "审批日期", ("上级党委审批日期",), note="S17（批准）"),
    Column("conversion_notice", "转正公示", ("转正公示期",), note="起～止"),
    Column("converted_on", "转正日期", note="S23 转正 + S24 批准"),
    Column("conversion_vote", "转正表决", note="应到/实到/赞成/反对/弃权"),
)
BY_KEY = {column.key: column for column in COLUMNS}

SEX = {"男": "M", "女": "F", "m": "M", "f": "F", "男性": "M", "女性": "F"}
# contracts.md §1 education, highest completed; 中专/职高/技校 count as senior (高中).
EDUCATION = {
    "无": "none",
    "文盲": "none",
    "小学": "primary",
    "初中": "junior",
    "高中": "senior",
    "中专": "senior",
    "职高": "senior",
    "技校": "senior",
    "中技": "senior",
    "大专": "associate",
    "专科": "associate",
    "大学专科": "associate",
    "本科": "bachelor",
    "大学本科": "bachelor",
    "大学": "bachelor",
    "硕士": "master",
    "研究生": "master",
    "硕士研究生": "master",
    "博士": "doctor",
    "博士研究生": "doctor",
}
OCCUPATION = {
    "工人": "worker",
    "营业员": "worker",
    "服务员": "worker",
    "农民": "farmer",
    "农牧渔民": "farmer",
    "管理人员": "manager",
    "专业技术人员": "technician",
    "农村致富能人": "rural_entrepreneur",
    "学生": "student",
    "公务员": "civil_servant",
    "军人": "military",
    "离退休": "retired",
    "离退休人员": "retired",
    "其他": "other",
}
NOMINATION = {
    "党员推荐": "member",
    "共青团推优": "youth_league",
    "团组织推优": "youth_league",
    "妇联推优": "women_federation",
    "工会推优": "trade_union",
    "工商联推优": "federation_of_industry",
}
# The contract's own values are read too (a roster exported from another system may use them).
EDUCATION_LOOKUP = EDUCATION | {value: value for value in EDUCATION.values()}
OCCUPATION_LOOKUP = OCCUPATION | {value: value for value in OCCUPATION.values()}
NOMINATION_LOOKUP = NOMINATION | {value: value for value in NOMINATION.values()}
YES = {"是", "y", "yes", "true", "1", "√", "✓"}
NO = {"否", "n", "no", "false", "0", "×", ""}
PASS = {"合格": "pass", "通过": "pass", "": "pass", "不合格": "fail", "不通过": "fail"}

# A roster carries a meeting's counts (the 入党志愿书 records 应到/实到/赞成/反对/弃权), not the
# conduct of the ballot that the contract also requires on a decided S15/S23. The import records
# the district's 票决制 procedure for those fields and names them in the event's `assumed` key
# (readers ignore unknown keys, contracts.md §1), so the file says which facts were not on paper.
ASSUMED_VOTE = ("secret", "candidates", "issued", "returned", "tellers", "monitors")

_DATE_FORMS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"),
)
_MIDNIGHT = re.compile(r"\s+0{1,2}:00(:00)?\Z")  # "2019-03-04 00:00:00" from a CSV export
_TAG_SPLIT = re.compile(r"[、,，;；/\s]+")
_VOTE_SPLIT = re.compile(r"[/,，、;；\s]+")
_RANGE_SPLIT = re.compile(r"\s*(?:～|~|至|到|—|–)\s*")


class TableError(Exception):
    """The file as a whole cannot be read as a roster; `problem` says why, in Chinese."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


class CellError(ValueError):
    """One cell cannot be read; the message is the Chinese problem."""


@dataclass(frozen=True)
class Located:
    """Where a column sits in the file: its index, its header as written, its letter."""

    index: int
    header: str
    letter: str


@dataclass
class Table:
    header_row: int
    columns: dict[str, Located]
    ignored: list[str]
    rows: list[tuple[int, tuple[Any, ...]]]


@dataclass
class RosterRow:
    """One parsed row: what will be created, or the problems that stop it."""

    number: int
    errors: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    person: dict[str, Any] = field(default_factory=dict)
    id_number: idnumber.IdNumber | None = None
    branch: str = ""
    events: list[dict[str, Any]] = field(default_factory=list)


# -- the file -------------------------------------------------------------------------------------


def normalize_header(text: Any) -> str:
    """NFKC (full-width to half-width), no spaces, no trailing `*` or `(…)` hint."""
    value = unicodedata.normalize("NFKC", str(text or ""))
    value = "".join(value.split())
    value = re.sub(r"\(.*\)\Z", "", value.rstrip("*")).rstrip("*")
    return value.lower() if value.isascii() else value


@dataclass(frozen=True)
class Schema:
    """The columns of one kind of sheet and the column that marks its header row (a required
    column every file of that kind has: 姓名 for rosters, 组织编码 for the organization tree)."""

    columns: tuple[Column, ...]
    marker: str
    max_rows: int = MAX_ROWS
    lookup: dict[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        for column in self.columns:
            for name in (column.key, column.header, *column.aliases):
                self.lookup[normalize_header(name)] = column.key

    def is_header(self, cells: Iterable[Any]) -> bool:
        return any(self.lookup.get(normalize_header(c)) == self.marker for c in cells if c)

    def header_of(self, key: str) -> str:
        return next(c.header for c in self.columns if c.key == key)


ROSTER = Schema(COLUMNS, "name")
_HEADER_LOOKUP = ROSTER.lookup


def read_table(
    filename: str, data: bytes, schema: Schema = ROSTER, limits: Limits | None = None
) -> Table:
    """The sheet in `data`: .xlsx (openpyxl, read-only) or .csv (UTF-8 with or without BOM).

    Raises FileRefused for a file outside the upload limits or that cannot be parsed at all
    (fazhan.lib.tabular), TableError for a table that is not a sheet of this schema."""
    bounds = limits or upload_limits()
    lower = filename.lower()
    if lower.endswith(".xls"):
        raise TableError(_("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 .csv。"))
    if lower.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        with open_workbook(data, bounds) as book:
            return _locate(_xlsx_rows(book, bounds, schema), schema)
    if lower.endswith((".csv", ".txt")) or not lower.rpartition(".")[1]:
        return _locate(_csv_rows(data, bounds), schema)
    raise TableError(_("只能导入 .xlsx 或 .csv 文件。"))


def _xlsx_rows(
    book: Workbook, limits: Limits, schema: Schema
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    # The first sheet whose first rows hold the header; the template's second sheet is the
    # explanation, and a workbook may have been saved with that one active. Rows are read as
    # they are needed: a sheet beyond the row limit stops at the limit, not after it is read.
    for sheet in book.worksheets:
        rows = enumerate(sheet_rows(sheet, limits), start=1)
        head = list(islice(rows, HEADER_SEARCH_ROWS))
        if any(schema.is_header(cells) for _, cells in head):
            yield from head
            yield from rows
            return


def _csv_rows(data: bytes, limits: Limits) -> Iterator[tuple[int, tuple[Any, ...]]]:
    # Records, not lines, are numbered: a record spanning lines is still one row in Excel.
    for number, record in enumerate(read_csv(data, limits), start=1):
        yield number, tuple(record)


def _is_header(cells: Iterable[Any]) -> bool:
    return ROSTER.is_header(cells)


def _locate(rows: Iterator[tuple[int, tuple[Any, ...]]], schema: Schema = ROSTER) -> Table:
    header_row = 0
    header: tuple[Any, ...] = ()
    for number, cells in rows:
        if schema.is_header(cells):
            header_row, header = number, cells
            break
        if number >= HEADER_SEARCH_ROWS:
            break
    if not header_row:
        names = "、".join(c.header for c in schema.columns if c.required)
        raise TableError(
            _("没有找到表头：前%(n)d行中应有一行列名（%(names)s……）。")
            % {"n": HEADER_SEARCH_ROWS, "names": names}
        )
    columns: dict[str, Located] = {}
    ignored: list[str] = []
    duplicates: list[str] = []
    for index, text in enumerate(header):
        if text is None or not str(text).strip():
            continue
        key = schema.lookup.get(normalize_header(text))
        shown = str(text).strip()
        if key is None:
            ignored.append(shown)
        elif key in columns:
            duplicates.append(shown)
        else:
            columns[key] = Located(index, shown, get_column_letter(index + 1))
    if duplicates:
        raise TableError(_("表头有重复的列：%(names)s") % {"names": "、".join(duplicates)})
    missing = [c.header for c in schema.columns if c.required and c.key not in columns]
    if missing:
        raise TableError(_("缺少必需的列：%(names)s") % {"names": "、".join(missing)})
    body: list[tuple[int, tuple[Any, ...]]] = []
    for number, cells in rows:
        if all(_blank(c) for c in cells):
            continue
        body.append((number, cells))
        if len(body) > schema.max_rows:
            raise FileRefused(_("行数超过 %(n)d 行，请分批导入。") % {"n": schema.max_rows})
    return Table(header_row, columns, ignored, body)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# -- cells ----------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def parse_date(value: Any) -> date | None:
    """A real date cell, or text YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD or YYYY年M月D日."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise CellError(_("应为日期，不应带时刻：%(value)s") % {"value": value})
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise CellError(
            _("应为日期，实为数字 %(value)s：请把单元格设为日期格式，或写成 YYYY-MM-DD")
            % {"value": _text(value)}
        )
    text = _MIDNIGHT.sub("", _text(value))
    if not text:
        return None
    for form in _DATE_FORMS:
        match = form.fullmatch(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return date(year, month, day)
            except ValueError:
                raise CellError(_("不存在的日期：%(value)s") % {"value": text}) from None
    raise CellError(
        _("日期格式应为 YYYY-MM-DD、YYYY/MM/DD、YYYY.MM.DD 或 YYYY年M月D日：%(value)s")
        % {"value": text}
    )


def _choice(value: Any, table: Mapping[str, str], allowed: str) -> str | None:
    text = _text(value)
    if not text:
        return None
    found = table.get(text) or table.get(text.lower())
    if found is None:
        raise CellError(
            _("不能识别「%(value)s」，可填：%(allowed)s") % {"value": text, "allowed": allowed}
        )
    return found


def _count(value: Any) -> int:
    if isinstance(value, bool):
        raise CellError(_("应为整数"))
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("应为整数：%(value)s") % {"value": value})
        value = int(value)
    text = _text(value)
    if not text:
        return 0
    if not text.isdigit():
        raise CellError(_("应为不小于 0 的整数：%(value)s") % {"value": text})
    return int(text)


def _vote(value: Any) -> dict[str, Any] | None:
    text = _text(value)
    if not text:
        return None
    parts = [p for p in _VOTE_SPLIT.split(text) if p]
    if len(parts) != 5 or not all(p.isdigit() for p in parts):
        raise CellError(
            _("应为 应到/实到/赞成/反对/弃权 五个整数，如 18/15/13/1/1：%(value)s")
            % {"value": text}
        )
    expected, present, in_favour, against, abstain = (int(p) for p in parts)
    if present > expected:
        raise CellError(_("实到人数 %(p)d 多于应到人数 %(e)d") % {"p": present, "e": expected})
    if in_favour + against + abstain > present:
        raise CellError(_("赞成、反对、弃权合计多于实到人数 %(p)d") % {"p": present})
    return {
        "expected": expected,
        "present": present,
        "for": in_favour,
        "against": against,
        "abstain": abstain,
        "written_for": 0,
        "written_against": 0,
        "written_abstain": 0,
        "secret": True,
        "candidates": 1,
        "issued": present,
        "returned": present,
        "tellers": 1,
        "monitors": 1,
    }


def _range(value: Any) -> tuple[date, date] | None:
    text = _text(value)
    if not text:
        return None
    parts = _RANGE_SPLIT.split(text)
    if len(parts) != 2:
        raise CellError(
            _("应为 首日～末日，如 2019-04-15～2019-04-19：%(value)s") % {"value": text}
        )
    start, end = parse_date(parts[0]), parse_date(parts[1])
    if start is None or end is None:
        raise CellError(_("应写明首日和末日：%(value)s") % {"value": text})
    if end < start:
        raise CellError(_("公示末日 %(end)s 早于首日 %(start)s") % {"end": end, "start": start})
    return start, end


# -- a row ----------------------------------------------------------------------------------------


class _Row:
    """Reads the cells of one row, collecting every problem rather than stopping at the first."""

    def __init__(self, number: int, cells: tuple[Any, ...], columns: Mapping[str, Located]):
        self.number = number
        self.cells = cells
        self.columns = columns
        self.result = RosterRow(number)

    def raw(self, key: str) -> Any:
        where = self.columns.get(key)
        if where is None or where.index >= len(self.cells):
            return None
        value = self.cells[where.index]
        return None if _blank(value) else value

    def error(self, key: str, problem: str) -> None:
        where = self.columns.get(key)
        self.result.errors.append(
            {
                "column": where.header if where else BY_KEY[key].header,
                "cell": f"{where.letter}{self.number}" if where else "",
                "problem": problem,
            }
        )

    def read(self, key: str, reader: Any, *args: Any) -> Any:
        try:
            return reader(self.raw(key), *args)
        except CellError as problem:
            self.error(key, str(problem))
            return None


def _occupations(value: Any) -> list[str]:
    tags: list[str] = []
    unknown: list[str] = []
    for part in _TAG_SPLIT.split(_text(value)):
        if not part:
            continue
        tag = OCCUPATION_LOOKUP.get(part)
        if tag is None:
            unknown.append(part)
        elif tag not in tags:
            tags.append(tag)
    if unknown:
        raise CellError(
            _("不能识别的职业：%(names)s（可填：%(allowed)s）")
            % {"names": "、".join(unknown), "allowed": "、".join(dict.fromkeys(OCCUPATION))}
        )
    return tags


def _bool(value: Any) -> bool:
    text = _text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError(_("应为「是」或「否」：%(value)s") % {"value": text})


def _limited(limit: int) -> Any:
    def read(value: Any) -> str:
        text = _text(value)
        if len(text) > limit:
            raise CellError(_("不能超过 %(n)d 个字") % {"n": limit})
        return text

    return read


def _id_number(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A number cell holds 15 significant digits: the 18-digit number is already damaged.
        raise CellError(_("身份证号存成了数字，末几位已丢失：请把该列设为文本格式后重新填写"))
    return idnumber.normalize(str(value))


def parse_row(
    number: int, cells: tuple[Any, ...], columns: Mapping[str, Located], today: date
) -> RosterRow:
    """Read one roster row: the person, the branch as written, and the events of its dates."""
    row = _Row(number, cells, columns)
    result = row.result
    name = row.read("name", _limited(64))
    if not name:
        row.error("name", _("姓名不能为空"))
    sex = row.read("sex", _choice, SEX, "男、女")
    if sex is None and row.raw("sex") is None:
        row.error("sex", _("性别不能为空"))
    born = row.read("birth_date", parse_date)
    if born is None and row.raw("birth_date") is None:
        row.error("birth_date", _("出生日期不能为空"))
    elif born is not None and (born > today or born.year < 1900):
        row.error("birth_date", _("出生日期不可能：%(day)s") % {"day": born})
        born = None
    education = row.read(
        "education", _choice, EDUCATION_LOOKUP, "、".join(dict.fromkeys(EDUCATION))
    )
    result.person = {
        "name": name or "",
        "sex": sex or "",
        "birth_date": born,
        "ethnicity": row.read("ethnicity", _limited(32)) or "",
        "education": education or "",
        "occupations": row.read("occupations", _occupations) or [],
        "frontline": bool(row.read("frontline", _bool)),
        "unit": row.read("unit", _limited(128)) or "",
        "ref": row.read("ref", _limited(64)) or "",
        "graduation_date": row.read("graduation_date", parse_date),
        "leaving_date": row.read("leaving_date", parse_date),
    }
    result.branch = row.read("branch", _limited(128)) or ""

    raw_id = row.read("id_number", _id_number)
    if raw_id:
        try:
            parsed = idnumber.parse(raw_id, today=today)
        except idnumber.IdNumberError as invalid:
            row.error("id_number", str(invalid))
        else:
            result.id_number = parsed
            for mismatch in idnumber.check_against(parsed.value, born, sex):
                row.error("id_number", mismatch)

    _events(row, born, today)
    return result


def _events(row: _Row, born: date | None, today: date) -> None:
    """The contract events of the row's dates (docs/import.md, the step columns)."""
    events = row.result.events

    def day(key: str) -> date | None:
        value: date | None = row.read(key, parse_date)
        return _check_day(row, key, value, born, today)

    def companion(key: str, owner: str) -> Any:
        if row.raw(key) is not None and row.raw(owner) is None:
            row.error(
                key,
                _("填写了「%(this)s」，但没有填写「%(owner)s」")
                % {"this": _header(row, key), "owner": _header(row, owner)},
            )
        return row.raw(key)

    def notice(key: str, kind: str) -> None:
        span = row.read(key, _range)
        if span is not None and _check_day(row, key, span[0], born, today) is not None:
            events.append(
                {
                    "type": kind,
                    "date": span[0].isoformat(),
                    "end": span[1].isoformat(),
                    "feedback": [],
                }
            )

    def step(kind: str, when: date | None, **extra: Any) -> None:
        if when is not None:
            events.append({"type": kind, "date": when.isoformat(), **extra})

    step("S01", day("applied_on"))
    step("S02", day("talked_on"))
    notice("activist_notice", "N-ACT")
    companion("nomination", "activist_on")
    nomination = row.read("nomination", _choice, NOMINATION_LOOKUP, "、".join(NOMINATION))
    step("S03", day("activist_on"), nomination=nomination)
    notice("target_notice", "N-TGT")
    step("S07", day("target_on"))
    companion("review_result", "review_on")
    review = row.read("review_result", _choice, PASS, "合格、不合格")
    step("S10", day("review_on"), result=review or "pass")
    companion("training_days", "training_on")
    companion("training_hours", "training_on")
    days = row.read("training_days", _count) or 0
    hours = row.read("training_hours", _count) or 0
    step("S11", day("training_on"), days=days, hours=hours)
    step("S13", day("prereview_on"), result="pass")
    meeting = day("admitted_on")
    companion("admission_vote", "admitted_on")
    vote = row.read("admission_vote", _vote)
    if meeting is not None and vote is None and row.raw("admission_vote") is None:
        row.error(
            "admission_vote",
            _("填写了支部大会日期，须填写表决情况（应到/实到/赞成/反对/弃权，见入党志愿书）"),
        )
    if meeting is not None and vote is not None:
        step("S15", meeting, result="pass", vote=vote, assumed=list(ASSUMED_VOTE))
    step("S17", day("approved_on"), result="approved")
    notice("conversion_notice", "N-CONV")
    converted = day("converted_on")
    companion("conversion_vote", "converted_on")
    conversion_vote = row.read("conversion_vote", _vote)
    if converted is not None and conversion_vote is None and row.raw("conversion_vote") is None:
        row.error(
            "conversion_vote",
            _("填写了转正日期，须填写转正表决情况（应到/实到/赞成/反对/弃权）"),
        )
    if converted is not None and conversion_vote is not None:
        step(
            "S23",
            converted,
            result="pass",
            outcome="convert",
            vote=conversion_vote,
            assumed=list(ASSUMED_VOTE),
        )
        # One 转正日期: the branch meeting and the committee's approval are recorded on the same
        # day, the S24 after the S23 by the order within a day (contracts.md §1).
        step("S24", converted, result="approved")


def _header(row: _Row, key: str) -> str:
    where = row.columns.get(key)
    return where.header if where else BY_KEY[key].header


def _check_day(
    row: _Row, key: str, value: date | None, born: date | None, today: date
) -> date | None:
    """A step cannot be recorded before it happened, nor before the person was born."""
    if value is None:
        return None
    if value > today:
        row.error(key, _("日期 %(day)s 晚于今天：只能导入已经发生的事") % {"day": value})
        return None
    if born is not None and value < born:
        row.error(key, _("日期 %(day)s 早于出生日期 %(born)s") % {"day": value, "born": born})
        return None
    return value
