"""The preview: every row of an upload read, checked against the database and judged.

A row is what the confirmation will create (the person, the branch, the events, the stage the
engine projects and the findings the past facts produce) or the problems that stop the batch,
each with the Excel row, the column and the cell. Nothing is written here; the actions store the
result in an ImportBatch (fazhan.imports.actions).
"""

from __future__ import annotations

import json
import zipfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from fazhan.accounts.authority import COMMITTEE_KINDS, authority
from fazhan.imports import document
from fazhan.imports.roster import BY_KEY, Table, parse_row
from fazhan.lib.tabular import (
    FileRefused,
    Limits,
    check_size,
    open_zip,
    read_member,
    upload_limits,
)
from fazhan.orgs.models import Kind, Member, Organization
from fazhan.people import crypto, idnumber
from fazhan.people.models import CLOSED_STAGES as CLOSED
from fazhan.people.models import Candidate, Person
from fazhan.policy.engine import Evaluation
from fazhan.policy.jsontext import TooDeep, loads
from fazhan.policy.parse import Unreadable, parse_text

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    User = AbstractBaseUser

MAX_FILES = 5_000
MAX_UNZIPPED = 200 * 1024 * 1024  # a candidate file is a few kB; this stops a zip bomb
WHOLE_FILE = "（整个文件）"  # the field of a file that is not JSON at all (fazhan check's null)


@dataclass
class DraftRow:
    number: int
    label: str
    data: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    index: str | None = None  # the ID number's blind index, for the duplicate checks
    # The index under the previous key too, while `fazhan keys rotate` re-indexes the table.
    indexes: list[str] = field(default_factory=list)

    @property
    def finding_count(self) -> int:
        return len(self.data.get("findings", ()))


def _judged(row: DraftRow, result: Evaluation) -> None:
    row.data["stage"] = result.stage
    row.data["suspended"] = result.suspended
    row.data["findings"] = document.findings_of(result)
    nxt = result.next[0] if result.next else None
    row.data["next"] = (
        {"step": nxt.step, "latest": nxt.latest.isoformat() if nxt.latest else None}
        if nxt
        else None
    )


def _jsonable_person(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: (value.isoformat() if isinstance(value, date) else value)
        for key, value in fields.items()
    }


def _id_data(row: DraftRow, parsed: idnumber.IdNumber) -> None:
    # Principle 8: the batch keeps the Fernet token and the masked copy, never the clear number.
    row.data["id"] = {"token": crypto.encrypt(parsed.value), "masked": idnumber.mask(parsed.value)}
    row.indexes = crypto.blind_indexes(parsed.value)
    row.index = row.indexes[0]


def _duplicates(rows: Sequence[DraftRow], column: str, cell_letter: str | None) -> None:
    """An ID number twice in the file, or already in the people table, is an error."""
    first: dict[str, int] = {}
    for row in rows:
        if row.index is None:
            continue
        if row.index in first:
            row.errors.append(
                {
                    "column": column,
                    "cell": f"{cell_letter}{row.number}" if cell_letter else "",
                    "problem": _("身份证号与%(other)s重复")
                    % {"other": _where(rows, first[row.index])},
                }
            )
        else:
            first[row.index] = row.number
    indexes = sorted({i for row in rows if row.index in first for i in row.indexes} | set(first))
    known: set[str] = set()
    # A person whose every file has ended (withdrawn, rejected, revoked) may apply again: the
    # row then opens a new file for the same person (docs/intake.md), not a duplicate.
    ended: set[str] = set()
    for start in range(0, len(indexes), 500):
        chunk = indexes[start : start + 500]
        known.update(
            i
            for i in Candidate.objects.filter(person__id_number_index__in=chunk)
            .exclude(stage__in=CLOSED)
            .values_list("person__id_number_index", flat=True)
            if i
        )
        ended.update(
            i
            for i in Person.objects.filter(id_number_index__in=chunk).values_list(
                "id_number_index", flat=True
            )
            if i
        )
    for row in rows:
        if row.index is not None and known.intersection(row.indexes or [row.index]):
            row.errors.append(
                {
                    "column": column,
                    "cell": f"{cell_letter}{row.number}" if cell_letter else "",
                    "problem": _("该身份证号码已有档案（重复录入）"),
                }
            )
        elif row.index is not None and ended.intersection(row.indexes or [row.index]):
            row.warnings.append(_("此人以前的档案已经结束：作为再次申请导入，与以前的档案关联"))


def _where(rows: Sequence[DraftRow], number: int) -> str:
    for row in rows:
        if row.number == number:
            return row.label
    return str(number)


def _committee_warning(
    row: DraftRow, user: User | None, org_id: int, cache: dict[int, set[str]]
) -> None:
    """A branch secretary may digitise the committee's past steps, but the committee should know
    (rules-reference §1: S13, S16, S17, S24 are the superior committee's). The operator (no
    account, `fazhan import`) is not a branch secretary."""
    if user is None:
        return
    kinds = cache.get(org_id)
    if kinds is None:
        kinds = cache[org_id] = authority(user).writer_kinds(org_id)
    steps = document.committee_steps(row.data.get("events", ()))
    if steps and kinds and not kinds & COMMITTEE_KINDS:
        row.warnings.append(
            _("%(steps)s 由上级党委办理，由支部导入：请上级党委核对") % {"steps": "、".join(steps)}
        )


# -- rosters --------------------------------------------------------------------------------------


class _Branches:
    """The branches a roster may name: those in the batch's scope, by code or by name. A branch
    outside the scope is reported exactly like one that does not exist (DESIGN principle 6)."""

    def __init__(self, scope: Organization) -> None:
        self.scope = scope
        ids = Organization.objects.subtree_ids([scope.pk])
        branches = list(Organization.objects.filter(pk__in=ids, kind=Kind.BRANCH))
        self.by_code = {b.code: b for b in branches}
        self.by_name: dict[str, list[Organization]] = {}
        for branch in branches:
            for name in {branch.name, branch.short_name} - {""}:
                self.by_name.setdefault(name, []).append(branch)

    def find(self, text: str) -> tuple[Organization | None, str]:
        if not text:
            if self.scope.kind == Kind.BRANCH:
                return self.scope, ""
            return None, _("请填写党支部（名称或组织代码）")
        found = self.by_code.get(text)
        if found is not None:
            return found, ""
        named = self.by_name.get(text, [])
        if len(named) == 1:
            return named[0], ""
        if len(named) > 1:
            codes = "、".join(b.code for b in named)
            return None, _("有多个党支部叫「%(name)s」，请填写组织代码（%(codes)s）") % {
                "name": text,
                "codes": codes,
            }
        return None, _("找不到党支部「%(name)s」，或它不在%(scope)s的范围内") % {
            "name": text,
            "scope": self.scope.name,
        }


def roster_rows(
    user: User | None, scope: Organization, table: Table, today: date
) -> list[DraftRow]:
    """Read, check and judge every row of a roster."""
    branches = _Branches(scope)
    kinds: dict[int, set[str]] = {}
    rows: list[DraftRow] = []
    seen_people: dict[tuple[str, str], int] = {}
    branch_column = table.columns.get("branch")
    for number, cells in table.rows:
        parsed = parse_row(number, cells, table.columns, today)
        row = DraftRow(number, _("第 %(n)d 行") % {"n": number}, errors=parsed.errors)
        row.warnings.extend(parsed.warnings)
        org, problem = branches.find(parsed.branch)
        if problem:
            row.errors.append(
                {
                    "column": branch_column.header if branch_column else BY_KEY["branch"].header,
                    "cell": f"{branch_column.letter}{number}" if branch_column else "",
                    "problem": problem,
                }
            )
        person = parsed.person
        row.data = {
            "person": _jsonable_person(person),
            "id": None,
            "org_id": org.pk if org else None,
            "org_name": org.name if org else parsed.branch,
            "policy": None,
            "events": parsed.events,
        }
        if parsed.id_number is not None:
            _id_data(row, parsed.id_number)
        if not row.errors:  # see _drop_verdicts
            try:
                _judged(row, document.judge(person, parsed.events, policy=None, as_of=today))
            except Unreadable as error:  # the roster builds valid events; a guard, not a path
                row.errors.append(
                    {"column": error.field or "", "cell": "", "problem": error.problem}
                )
        if person.get("name") and person.get("birth_date"):
            key = (person["name"], person["birth_date"].isoformat())
            if key in seen_people and not parsed.id_number:
                row.warnings.append(
                    _("与第 %(n)d 行姓名、出生日期相同，是否重复？") % {"n": seen_people[key]}
                )
            seen_people.setdefault(key, number)
        if org is not None:
            _committee_warning(row, user, org.pk, kinds)
        rows.append(row)
    id_column = table.columns.get("id_number")
    _duplicates(
        rows,
        id_column.header if id_column else BY_KEY["id_number"].header,
        id_column.letter if id_column else None,
    )
    _drop_verdicts(rows)
    return rows


def _drop_verdicts(rows: Sequence[DraftRow]) -> None:
    """A row with an error is not created: no stage and no findings are shown for it (they would
    describe a file that will never exist) and none are counted in the summary."""
    for row in rows:
        if row.errors:
            for key in ("stage", "suspended", "findings", "next"):
                row.data.pop(key, None)


# -- candidate files ------------------------------------------------------------------------------


def expand_uploads(
    uploads: Iterable[tuple[str, bytes]], limits: Limits | None = None
) -> tuple[list[tuple[str, bytes]], list[str]]:
    """The candidate files of the upload: each .json as it is, each .zip's .json members.

    Bounded before anything is parsed (fazhan.lib.tabular): a .zip by its directory (members,
    sizes, ratio), every file by its size and its JSON nesting depth. A file outside the bounds
    or a damaged zip refuses the whole upload (FileRefused); a file within them that is not a
    candidate file becomes a row with its error, as `fazhan check` reports it. The second value,
    problems that do not stop the upload, is empty since every such problem now refuses it."""
    bounds = limits or upload_limits()
    entries: list[tuple[str, bytes]] = []
    total = 0
    for name, data in uploads:
        if not (name.lower().endswith(".zip") or data[:4] == b"PK\x03\x04"):
            entries.append(_bounded_json(name, data, bounds))
            continue
        try:
            archive = open_zip(data, bounds, what="zip")
        except FileRefused as refused:
            raise FileRefused(f"{name}：{refused.problem}") from None
        with archive:
            for info in archive.infolist():
                inner = _zip_name(info)
                base = inner.rsplit("/", 1)[-1]
                if info.is_dir() or inner.startswith("__MACOSX/") or base.startswith("."):
                    continue
                if not base.lower().endswith(".json"):
                    continue
                total += info.file_size
                if total > MAX_UNZIPPED or len(entries) >= MAX_FILES:
                    raise FileRefused(_("%(name)s：文件过多或过大，请分批导入") % {"name": name})
                try:
                    content = read_member(archive, info, what="zip")
                except FileRefused as refused:
                    raise FileRefused(f"{name}：{refused.problem}") from None
                entries.append(_bounded_json(f"{name}/{inner}", content, bounds))
    return entries, []


def _bounded_json(name: str, data: bytes, limits: Limits) -> tuple[str, bytes]:
    """A candidate file no larger than the upload limit and no deeper than MAX_DEPTH."""
    try:
        check_size(data, limits)
        loads(data)
    except FileRefused as refused:
        raise FileRefused(f"{name}：{refused.problem}") from None
    except TooDeep as deep:
        raise FileRefused(
            _("%(name)s：JSON 嵌套超过 %(n)d 层，不是候选人档案") % {"name": name, "n": deep.limit}
        ) from None
    except (ValueError, UnicodeDecodeError):
        pass  # not JSON at all: the row says so, as `fazhan check` does (file_rows)
    return name, data


def _zip_name(info: zipfile.ZipInfo) -> str:
    # Zips made on Chinese Windows store GBK names without the UTF-8 flag; Python reads those as
    # cp437. Decode them back so that the preview names the file the user knows.
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _file_error(row: DraftRow, error: Unreadable) -> None:
    row.errors.append({"column": error.field or WHOLE_FILE, "cell": "", "problem": error.problem})


def file_rows(
    user: User | None, branch: Organization, entries: Sequence[tuple[str, bytes]], today: date
) -> list[DraftRow]:
    """Read, check and judge every candidate file, as `fazhan check` reads it."""
    roster = set(Member.objects.filter(org=branch, active=True).values_list("name", flat=True))
    kinds: dict[int, set[str]] = {}
    rows: list[DraftRow] = []
    for number, (name, data) in enumerate(entries, start=1):
        row = DraftRow(number, name[:255])
        rows.append(row)
        try:
            # The same reader and the same field/problem as `fazhan check` (check_cli.check_one).
            parse_text(data)
        except Unreadable as error:
            _file_error(row, error)
            continue
        raw: dict[str, Any] = json.loads(data)
        person_raw = raw["person"]
        fields = document.person_fields(person_raw)
        events_raw = raw["events"]
        try:
            events = [
                {"type": e["type"], "date": e["date"], **document.clean_event(e, f"events[{i}]")}
                | ({"id": e["id"]} if isinstance(e.get("id"), str) else {})
                for i, e in enumerate(events_raw)
            ]
            result = document.judge(fields, events, policy=raw.get("policy"), as_of=today)
        except Unreadable as error:
            _file_error(row, error)
            continue
        row.data = {
            "person": _jsonable_person(fields),
            "id": None,
            "org_id": branch.pk,
            "org_name": branch.name,
            "policy": raw.get("policy") or None,
            "events": events,
        }
        _judged(row, result)
        _person_checks(row, person_raw, fields, today)
        missing = [n for n in document.member_names(events) if n not in roster]
        if missing:
            row.warnings.append(
                _("%(names)s 不在%(branch)s的党员名册中，导入时将补建（标记为导入补建）")
                % {"names": "、".join(missing), "branch": branch.name}
            )
        _committee_warning(row, user, branch.pk, kinds)
    _duplicates(rows, "person.id_number", None)
    _drop_verdicts(rows)
    return rows


def _person_checks(
    row: DraftRow, person: Mapping[str, Any], fields: Mapping[str, Any], today: date
) -> None:
    """What the people table needs beyond the contract: a name, lengths; and the optional
    `person.id_number` this project accepts on import (never written on export)."""
    if not fields["name"]:
        row.errors.append({"column": "person.name", "cell": "", "problem": _("导入须有姓名")})
    for key, limit in (("name", 64), ("ethnicity", 32), ("ref", 64)):
        if len(str(fields[key])) > limit:
            row.errors.append(
                {
                    "column": f"person.{key}",
                    "cell": "",
                    "problem": _("不能超过 %(n)d 个字") % {"n": limit},
                }
            )
    raw = person.get("id_number")
    if raw is None:
        return
    if not isinstance(raw, str):
        row.errors.append({"column": "person.id_number", "cell": "", "problem": _("应为字符串")})
        return
    try:
        parsed = idnumber.parse(raw, today=today)
    except idnumber.IdNumberError as error:
        row.errors.append({"column": "person.id_number", "cell": "", "problem": str(error)})
        return
    for problem in idnumber.check_against(parsed.value, fields["birth_date"], fields["sex"]):
        row.errors.append({"column": "person.id_number", "cell": "", "problem": problem})
    _id_data(row, parsed)


def summarize(rows: Sequence[DraftRow]) -> dict[str, Any]:
    """Counts for the top of the preview: per stage, per finding id, per severity."""
    stages: Counter[str] = Counter()
    findings: Counter[str] = Counter()
    severities: Counter[str] = Counter()
    for row in rows:
        if row.data.get("stage"):
            stages[row.data["stage"]] += 1
        for finding in row.data.get("findings", ()):
            findings[finding["id"]] += 1
            severities[finding["severity"]] += 1
    return {
        "stages": dict(stages),
        "findings": dict(findings.most_common()),
        "severities": dict(severities),
    }
