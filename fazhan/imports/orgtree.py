"""The organization tree from a sheet (contracts.md §7 `orgs`): read, checked, applied.

One row per organization, in any order (a child may come before its parent). `plan_orgs` reads
every row and checks it against the file and the database without writing anything; `apply_orgs`
writes a plan without errors, parents before children, and records every change on the chain by
the account given (None: the server's operator). The command line (`fazhan import orgs`) and the
pages use these two functions, so both judge a file alike.

Errors name the Excel row, the column header as written and the cell, in Chinese. A row whose
parent row has an error is not itself in error (contracts.md §7): only the row that holds a
mistake is named, so fixing the named rows is enough.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fazhan.audit.chain import NewEvent, append_events_bulk
from fazhan.imports.roster import Column, Schema, Table, _text
from fazhan.orgs.models import (
    Kind,
    Level,
    Member,
    Organization,
    OrgType,
    level_kind,
)
from fazhan.people.models import Candidate

COLUMNS: tuple[Column, ...] = (
    Column(
        "code", "组织编码", ("组织代码", "编码", "代码"), required=True, note="必填；字母、数字、-"
    ),
    Column("name", "组织名称", ("名称", "组织全称"), required=True, note="必填"),
    Column("short_name", "简称", ("组织简称",), note="选填"),
    # The column is required; its cell may be blank on the root's row only.
    Column(
        "parent",
        "上级组织编码",
        ("上级组织代码", "上级编码", "上级组织"),
        required=True,
        note="根组织（区委）空白",
    ),
    Column("level", "组织层级", ("层级",), required=True, note="党委/党工委/党组/党总支/党支部"),
    Column("org_type", "单位类型", ("类型",), note="空白：同上级组织"),
    Column("can_approve", "审批权限", ("具有审批权限",), note="是 / 否（空白为否）"),
)
SCHEMA = Schema(COLUMNS, "code", max_rows=20_000)

CODE_RE = re.compile(r"[A-Za-z0-9-]{1,32}")
NAME_LIMIT = 100
SHORT_LIMIT = 64  # Organization.short_name
LEVELS = {str(label): str(value) for value, label in Level.choices}
TYPES = {str(label): str(value) for value, label in OrgType.choices}
APPROVE = {"是": True, "否": False, "": False}
FIELDS = ("org_name", "short_name", "parent", "level", "kind", "org_type", "can_approve")


@dataclass
class OrgRow:
    number: int
    cells: tuple[Any, ...]
    code: str = ""
    name: str = ""
    short_name: str = ""
    parent: str = ""
    level: str | None = None
    org_type: str | None = None  # None: blank, the parent's
    can_approve: bool | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    duplicate: bool = False


@dataclass
class OrgPlan:
    """What a file would do: every row's problems, and the organizations to create or change."""

    rows: list[OrgRow]
    errors: list[dict[str, Any]]
    created: list[dict[str, Any]] = field(default_factory=list)
    updated: list[tuple[dict[str, Any], dict[str, list[Any]]]] = field(default_factory=list)
    unchanged: int = 0


class _Reader:
    def __init__(self, table: Table) -> None:
        self.columns = table.columns

    def raw(self, row: OrgRow, key: str) -> str:
        where = self.columns.get(key)
        if where is None or where.index >= len(row.cells):
            return ""
        value = row.cells[where.index]
        if key in ("name", "short_name"):
            # A name is kept as written (its full-width brackets are part of it); codes and
            # list values are read through NFKC, so full-width letters and digits match.
            return "" if value is None else str(value).strip()
        return _text(value)

    def error(self, row: OrgRow, key: str, problem: str) -> None:
        where = self.columns.get(key)
        row.errors.append(
            {
                "row": row.number,
                "column": where.header if where else SCHEMA.header_of(key),
                "cell": f"{where.letter}{row.number}" if where else "",
                "problem": problem,
            }
        )

    def parse(self, number: int, cells: tuple[Any, ...]) -> OrgRow:
        row = OrgRow(number, cells)
        row.code = self.raw(row, "code")
        if not row.code:
            self.error(row, "code", _("组织编码不能为空"))
        elif not CODE_RE.fullmatch(row.code):
            self.error(
                row,
                "code",
                _("组织编码「%(code)s」只能由字母、数字和“-”组成，不超过32个字符")
                % {"code": row.code},
            )
        row.name = self.raw(row, "name")
        if not row.name:
            self.error(row, "name", _("组织名称不能为空"))
        elif len(row.name) > NAME_LIMIT:
            self.error(row, "name", _("组织名称不能超过 %(n)d 个字") % {"n": NAME_LIMIT})
        row.short_name = self.raw(row, "short_name")
        if len(row.short_name) > SHORT_LIMIT:
            self.error(row, "short_name", _("简称不能超过 %(n)d 个字") % {"n": SHORT_LIMIT})
        row.parent = self.raw(row, "parent")
        level = self.raw(row, "level")
        if not level:
            self.error(row, "level", _("组织层级不能为空"))
        elif level not in LEVELS:
            self.error(row, "level", _not_listed(level, LEVELS))
        else:
            row.level = LEVELS[level]
        kind = self.raw(row, "org_type")
        if kind and kind not in TYPES:
            self.error(row, "org_type", _not_listed(kind, TYPES))
        elif kind:
            row.org_type = TYPES[kind]
        approve = self.raw(row, "can_approve")
        if approve not in APPROVE:
            self.error(row, "can_approve", _not_listed(approve, {"是": 1, "否": 0}))
        else:
            row.can_approve = APPROVE[approve]
            if row.can_approve and row.level in (Level.GENERAL_BRANCH, Level.BRANCH):
                self.error(
                    row,
                    "can_approve",
                    _("%(level)s不能具有审批权限（细则第二十三条）：只有党委、党工委、党组可以")
                    % {"level": level},
                )
        return row


def _not_listed(value: str, allowed: Mapping[str, Any]) -> str:
    return _("不能识别「%(value)s」，可填：%(allowed)s") % {
        "value": value,
        "allowed": "、".join(allowed),
    }


@dataclass(frozen=True)
class _Known:
    """An organization already in the database, as the comparison needs it."""

    pk: int
    code: str
    parent: str
    org_name: str
    short_name: str
    level: str
    kind: str
    org_type: str
    can_approve: bool

    def values(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in FIELDS}


def _known() -> dict[str, _Known]:
    rows = list(
        Organization.objects.values_list(
            "pk", "code", "parent_id", "name", "short_name", "level", "kind", "org_type",
            "can_approve",
        )
    )  # fmt: skip
    codes = {pk: code for pk, code, *_rest in rows}
    return {
        code: _Known(pk, code, codes.get(parent) or "", name, short, level, kind, kind_of, approve)
        for pk, code, parent, name, short, level, kind, kind_of, approve in rows
    }


def plan_orgs(table: Table) -> OrgPlan:
    """Every row of the sheet read and checked against the file and the database."""
    reader = _Reader(table)
    rows = [reader.parse(number, cells) for number, cells in table.rows]
    known = _known()
    db_root = next((k for k in known.values() if not k.parent), None)

    # A code written twice: the later row is in error, the first one stands.
    by_code: dict[str, OrgRow] = {}
    for row in rows:
        if not row.code:
            continue
        first = by_code.get(row.code)
        if first is not None:
            row.duplicate = True
            reader.error(
                row,
                "code",
                _("组织编码「%(code)s」与第 %(n)d 行重复") % {"code": row.code, "n": first.number},
            )
        else:
            by_code[row.code] = row

    def bad(code: str) -> bool:
        found = by_code.get(code)
        return found is not None and bool(found.errors)

    # The root: the database's, or the file's first row without a parent.
    root_code = db_root.code if db_root else ""
    for row in by_code.values():
        if row.parent or not row.code:
            continue
        if root_code and row.code != root_code:
            reader.error(
                row,
                "parent",
                _("上级组织编码为空，但根组织已是「%(root)s」：只能有一个根组织（区委）")
                % {"root": root_code},
            )
        elif not root_code:
            root_code = row.code
    if root_code in by_code and by_code[root_code].parent:
        reader.error(
            by_code[root_code],
            "parent",
            _("「%(code)s」是根组织（区委），不能设上级组织") % {"code": root_code},
        )

    def parent_of(code: str) -> str:
        row = by_code.get(code)
        if row is not None:
            return row.parent
        found = known.get(code)
        return found.parent if found else ""

    def level_of(code: str) -> str | None:
        row = by_code.get(code)
        if row is not None:
            return row.level
        found = known.get(code)
        return found.level if found else None

    # Parents: known, not a 党支部, not closed (撤销/撤并 on the organization pages).
    closed = set(
        Organization.objects.filter(closed_on__isnull=False).values_list("code", flat=True)
    )
    for row in by_code.values():
        if not row.parent or not row.code:
            continue
        stays = row.code in known and known[row.code].parent == row.parent
        if row.parent in closed and not stays:  # a closed child may stay under a closed parent
            reader.error(
                row,
                "parent",
                _("上级组织「%(code)s」已撤销，不能再设下级组织") % {"code": row.parent},
            )
        elif row.parent not in by_code and row.parent not in known:
            reader.error(
                row,
                "parent",
                _("上级组织编码「%(code)s」在文件和系统中都不存在") % {"code": row.parent},
            )
        elif (
            row.parent != row.code and not bad(row.parent) and level_of(row.parent) == Level.BRANCH
        ):
            reader.error(
                row,
                "parent",
                _("上级组织「%(code)s」是党支部，党支部下不能再设组织") % {"code": row.parent},
            )

    # Loops of parents: each row on the loop holds a parent code that closes it.
    done: set[str] = set()
    for start in by_code:
        path: list[str] = []
        code = start
        while code and code not in done and code not in path:
            path.append(code)
            code = parent_of(code)
        if code in path:
            loop = path[path.index(code) :]
            shown = " → ".join([*loop, loop[0]])
            for member in loop:
                if member in by_code:
                    reader.error(
                        by_code[member],
                        "parent",
                        _("上级组织形成循环：%(loop)s") % {"loop": shown},
                    )
        done.update(path)

    _existing_changes(reader, by_code, known, root_code)

    # Unit type: blank is the parent's (resolved from the root down).
    types: dict[str, str] = {}

    def type_of(code: str, depth: int = 0) -> str:
        if code in types:
            return types[code]
        row = by_code.get(code)
        if row is None:
            found = known.get(code)
            return found.org_type if found else ""
        if row.org_type is not None or depth > len(by_code):
            value = row.org_type or ""
        else:
            value = type_of(row.parent, depth + 1) if row.parent else ""
        types[code] = value
        return value

    plan = OrgPlan(rows, [e for row in rows for e in row.errors])
    for row in by_code.values():
        if row.errors:
            continue
        target = {
            "code": row.code,
            "org_name": row.name,
            "short_name": row.short_name,
            "parent": row.parent,
            "level": row.level or "",
            "kind": level_kind(row.level or "", root=row.code == root_code),
            "org_type": type_of(row.code),
            "can_approve": bool(row.can_approve),
            "depth": _depth(row.code, parent_of),
        }
        current = known.get(row.code)
        if current is None:
            plan.created.append(target)
            continue
        before = current.values()
        changes = {key: [before[key], target[key]] for key in FIELDS if before[key] != target[key]}
        if changes:
            plan.updated.append((target | {"pk": current.pk}, changes))
        else:
            plan.unchanged += 1
    return plan


def _depth(code: str, parent_of: Any) -> int:
    depth = 0
    seen: set[str] = set()
    while (code := parent_of(code)) and code not in seen:
        seen.add(code)
        depth += 1
    return depth


def _existing_changes(
    reader: _Reader, by_code: Mapping[str, OrgRow], known: Mapping[str, _Known], root: str
) -> None:
    """What the database holds that a new level would strand: organizations left under a node
    that becomes a 党支部, candidate files or members of a 党支部 that becomes something else."""
    becoming_branch = {
        code
        for code, row in by_code.items()
        if row.level == Level.BRANCH and code in known and known[code].level != Level.BRANCH
    }
    if becoming_branch:
        for child in known.values():
            if child.code in by_code or child.parent not in becoming_branch:
                continue
            row = by_code[child.parent]
            if not row.errors:
                reader.error(
                    row,
                    "level",
                    _("「%(code)s」下还有下级组织「%(child)s」，不能改为党支部")
                    % {"code": row.code, "child": child.code},
                )
    leaving = {
        known[code].pk: code
        for code, row in by_code.items()
        if code in known
        and known[code].kind == Kind.BRANCH
        and row.level is not None
        and level_kind(row.level, root=code == root) != Kind.BRANCH
    }
    if not leaving:
        return
    held = set(Candidate.objects.filter(org_id__in=leaving).values_list("org_id", flat=True))
    held |= set(Member.objects.filter(org_id__in=leaving).values_list("org_id", flat=True))
    for pk in sorted(held):
        row = by_code[leaving[pk]]
        reader.error(
            row,
            "level",
            _("「%(code)s」是有档案或党员的党支部，不能改为其他层级") % {"code": row.code},
        )


def _event_values(target: Mapping[str, Any], pk: int, parent_id: int | None) -> dict[str, Any]:
    return {
        "org_id": pk,
        "code": target["code"],
        "org_name": target["org_name"],
        "short_name": target["short_name"],
        "parent_id": parent_id,
        "level": target["level"],
        "kind": target["kind"],
        "org_type": target["org_type"],
        "can_approve": target["can_approve"],
    }


def apply_orgs(plan: OrgPlan, *, recorded_by_id: int | None, today: date) -> None:
    """Write a plan without errors in one transaction: new organizations level by level (a
    parent before its children), changed ones in place (a moved node takes its subtree along:
    the tree is an adjacency list), and one chain event per organization created or changed."""
    if plan.errors:
        raise ValueError("a plan with errors is never applied")
    with transaction.atomic():
        pks = dict(Organization.objects.values_list("code", "pk"))
        events: list[NewEvent] = []
        created = sorted(plan.created, key=lambda t: t["depth"])
        for depth in sorted({t["depth"] for t in created}):
            level = [t for t in created if t["depth"] == depth]
            orgs = [
                Organization(
                    code=t["code"],
                    name=t["org_name"],
                    short_name=t["short_name"],
                    parent_id=pks[t["parent"]] if t["parent"] else None,
                    level=t["level"],
                    kind=t["kind"],
                    org_type=t["org_type"],
                    can_approve=t["can_approve"],
                )
                for t in level
            ]
            Organization.objects.bulk_create(orgs, batch_size=500)
            for target, org in zip(level, orgs, strict=True):
                pks[target["code"]] = org.pk
                events.append(
                    NewEvent(
                        kind="org.created",
                        candidate_id=None,
                        happened_on=today,
                        payload=_event_values(target, org.pk, org.parent_id),
                        recorded_by_id=recorded_by_id,
                    )
                )
        changed: list[Organization] = []
        for target, changes in plan.updated:
            parent_id = pks[target["parent"]] if target["parent"] else None
            changed.append(
                Organization(
                    pk=target["pk"],
                    code=target["code"],
                    name=target["org_name"],
                    short_name=target["short_name"],
                    parent_id=parent_id,
                    level=target["level"],
                    kind=target["kind"],
                    org_type=target["org_type"],
                    can_approve=target["can_approve"],
                )
            )
            payload: dict[str, Any] = {
                "org_id": target["pk"],
                "code": target["code"],
                "changes": {
                    ("parent_id" if key == "parent" else key): (
                        [pks.get(old) if old else None, parent_id]
                        if key == "parent"
                        else [old, new]
                    )
                    for key, (old, new) in changes.items()
                },
            }
            events.append(
                NewEvent(
                    kind="org.updated",
                    candidate_id=None,
                    happened_on=today,
                    payload=payload,
                    recorded_by_id=recorded_by_id,
                )
            )
        if changed:
            Organization.objects.bulk_update(
                changed,
                ["name", "short_name", "parent", "level", "kind", "org_type", "can_approve"],
                batch_size=500,
            )
        append_events_bulk(events)


def counts(plan: OrgPlan) -> dict[str, int]:
    return {
        "created": len(plan.created),
        "updated": len(plan.updated),
        "unchanged": plan.unchanged,
    }


def template_rows() -> Sequence[Sequence[str]]:
    """The template's header and two example rows (a root and a branch under it)."""
    return (
        tuple(column.header + ("*" if column.required else "") for column in COLUMNS),
        ("D", "中共某某区委员会", "某某区委", "", "党委", "", "是"),
        ("D-01", "某某街道党工委", "", "D", "党工委", "社区", "是"),
    )
