"""What each step records besides its date (Issue 14 item 1), as data.

The 细则 and its paper forms say what a step leaves on file: the talk's 谈话人, place and summary
(S02 art. 7, S16), the assessment opinion and who gave it (S06 art. 11, S21), the political
review's conclusion and its sources (S10 arts. 16–17), the training's provider, dates and
certificate (S11 art. 18), and the members named as contacts (S05 art. 9) or introducers (S09
art. 14). The list lives in fazhan/policies/step-content.json; this module reads it and checks a
step's `content` (the event payload's `content` object) for shape only: the rules about it stay
the engine's, so a past fact is never refused for a breach (DESIGN principle 4).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

KINDS = frozenset({"member", "text", "longtext", "date", "sources"})
SOURCE_KINDS = ("letter", "visit", "talk")  # 函调, 外调, 谈话
SOURCE_TEXT_MAX = 100


@dataclass(frozen=True)
class ContentField:
    key: str
    kind: str
    required: bool = False
    max_length: int = 0  # text and longtext
    rows: int = 0  # sources


@dataclass(frozen=True)
class MemberList:
    key: str  # "contacts" or "introducers": the payload's own lists (contracts.md §1)
    min: int
    max: int


@dataclass(frozen=True)
class StepContent:
    step: str
    basis: str
    fields: tuple[ContentField, ...]
    members: MemberList | None = None

    def field(self, key: str) -> ContentField | None:
        return next((f for f in self.fields if f.key == key), None)


@cache
def load_step_content() -> dict[str, StepContent]:
    raw = json.loads(
        resources.files("fazhan.policies").joinpath("step-content.json").read_text(encoding="utf-8")
    )
    found: dict[str, StepContent] = {}
    for step, spec in raw["steps"].items():
        fields = tuple(
            ContentField(
                key=str(f["key"]),
                kind=str(f["kind"]),
                required=bool(f.get("required", False)),
                max_length=int(f.get("max", 0)),
                rows=int(f.get("rows", 0)),
            )
            for f in spec.get("fields", ())
        )
        unknown = [f.kind for f in fields if f.kind not in KINDS]
        if unknown:
            raise ValueError(f"step-content.json: {step}: unknown kind {unknown}")
        members = spec.get("members")
        found[step] = StepContent(
            step=step,
            basis=str(spec["basis"]),
            fields=fields,
            members=MemberList(str(members["key"]), int(members["min"]), int(members["max"]))
            if members
            else None,
        )
    return found


def content_of(step: str) -> StepContent | None:
    return load_step_content().get(step)


def _is_date(value: Any) -> bool:
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return isinstance(value, str)


def content_problems(step: str, content: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(key, problem in Chinese) for each part of `content` the step does not take or cannot read.
    Member values are ids (int) or snapshots ({"member_id": int, ...}); their roster is checked
    by the caller, which knows the database."""
    spec = content_of(step)
    if spec is None:
        return [("content", "该步骤不记录内容")]
    problems: list[tuple[str, str]] = []
    for key, value in content.items():
        field = spec.field(key)
        if field is None:
            problems.append((key, "该步骤没有这一项"))
        elif value is None:
            continue
        elif field.kind == "member":
            member = value.get("member_id") if isinstance(value, Mapping) else value
            if not isinstance(member, int) or isinstance(member, bool):
                problems.append((key, "应为党员名册中的党员"))
        elif field.kind in ("text", "longtext"):
            if not isinstance(value, str):
                problems.append((key, "应为文字"))
            elif len(value) > field.max_length:
                problems.append((key, f"不能超过 {field.max_length} 个字"))
        elif field.kind == "date":
            if not _is_date(value):
                problems.append((key, "日期无法读取"))
        elif field.kind == "sources":
            problems += _source_problems(key, value, field.rows)
    for field in spec.fields:
        if field.required and content.get(field.key) in (None, "", []):
            problems.append((field.key, "必须填写"))
    return problems


def _source_problems(key: str, value: Any, rows: int) -> list[tuple[str, str]]:
    if not isinstance(value, list) or len(value) > rows:
        return [(key, f"应为至多 {rows} 条来源")]
    problems: list[tuple[str, str]] = []
    for i, item in enumerate(value):
        where = f"{key}[{i}]"
        if not isinstance(item, Mapping) or set(item) - {"kind", "unit", "date"}:
            problems.append((where, "应为来源（方式、单位、日期）"))
            continue
        if item.get("kind") not in SOURCE_KINDS:
            problems.append((where, "方式应为函调、外调或谈话"))
        unit = item.get("unit")
        if not isinstance(unit, str) or not unit.strip() or len(unit) > SOURCE_TEXT_MAX:
            problems.append((where, f"单位应为不超过 {SOURCE_TEXT_MAX} 个字的文字"))
        if not _is_date(item.get("date")):
            problems.append((where, "日期无法读取"))
    return problems
