"""Reading a candidate file (contracts.md §1) into the model, or saying exactly what is wrong.

An unreadable file is named by a JSON path with 0-based indexes (`events[3].date`) and a Chinese
problem; the first problem found is reported. Unknown keys are ignored, and so are events whose type
starts with `x-` (readers ignore them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from fazhan.policy import jsontext
from fazhan.policy.model import (
    CHANGEABLE,
    CORRECT,
    DISCIPLINES,
    EDUCATIONS,
    EVENT_TYPES,
    FEEDBACK_OUTCOMES,
    FORMAT,
    MEMBER_STATUSES,
    NOMINATIONS,
    NOTICE_TYPES,
    OCCUPATIONS,
    POLICIES,
    RESULTS,
    S23_OUTCOMES,
    SEXES,
    CandidateFile,
    Event,
    Feedback,
    PartyMember,
    Person,
    PersonChange,
    Vote,
)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_MISSING = object()


class Unreadable(Exception):
    """The file cannot be judged: `field` is a JSON path (None when the text is not JSON)."""

    def __init__(self, field: str | None, problem: str) -> None:
        super().__init__(f"{field}: {problem}" if field else problem)
        self.field = field
        self.problem = problem


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "布尔值"
    if isinstance(value, int | float):
        return "数字"
    if isinstance(value, str):
        return "字符串"
    if isinstance(value, list):
        return "列表"
    return "对象"


def _object(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise Unreadable(path, f"应为对象，实为{_type_name(value)}")
    return value


def _required(obj: Mapping[str, Any], key: str, path: str) -> Any:
    value = obj.get(key, _MISSING)
    if value is _MISSING:
        raise Unreadable(path, "缺少必填字段")
    return value


@lru_cache(maxsize=16384)
def _iso_date(value: str) -> date | None:
    """The date a strict YYYY-MM-DD text names, or None (cached: files share their dates)."""
    if not _ISO_DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def parse_date(value: Any, path: str) -> date:
    if not isinstance(value, str):
        raise Unreadable(path, f"应为日期（YYYY-MM-DD），实为{_type_name(value)}")
    parsed = _iso_date(value)
    if parsed is None:
        if not _ISO_DATE.match(value):
            raise Unreadable(path, f"日期格式应为 YYYY-MM-DD：{value!r}")
        raise Unreadable(path, f"不存在的日期：{value}")
    return parsed


def _optional_date(obj: Mapping[str, Any], key: str, path: str) -> date | None:
    value = obj.get(key)
    return None if value is None else parse_date(value, f"{path}.{key}")


def _optional_str(obj: Mapping[str, Any], key: str, path: str) -> str | None:
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    raise Unreadable(f"{path}.{key}", f"应为字符串，实为{_type_name(value)}")


def _org_id(value: Any) -> int | None:
    # Not a contract field: a value that is not an id is ignored like any unknown key.
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _bool(obj: Mapping[str, Any], key: str, path: str, default: bool = False) -> bool:
    value = obj.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise Unreadable(f"{path}.{key}", f"应为 true 或 false，实为{_type_name(value)}")
    return value


def _count(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Unreadable(path, f"应为整数，实为{_type_name(value)}")
    if value < 0:
        raise Unreadable(path, f"不能为负数：{value}")
    return int(value)


def _optional_count(obj: Mapping[str, Any], key: str, path: str, default: int = 0) -> int:
    value = obj.get(key)
    return default if value is None else _count(value, f"{path}.{key}")


def _enum(value: Any, allowed: frozenset[str] | tuple[str, ...], path: str) -> str:
    if not isinstance(value, str):
        raise Unreadable(path, f"应为字符串，实为{_type_name(value)}")
    if value not in allowed:
        choices = "、".join(sorted(allowed))
        raise Unreadable(path, f"未知取值 {value!r}（可选：{choices}）")
    return value


def _optional_enum(
    obj: Mapping[str, Any], key: str, allowed: frozenset[str] | tuple[str, ...], path: str
) -> str | None:
    value = obj.get(key)
    return None if value is None else _enum(value, allowed, f"{path}.{key}")


def _person(raw: Any) -> Person:
    obj = _object(raw, "person")
    sex = _enum(_required(obj, "sex", "person.sex"), SEXES, "person.sex")
    birth = parse_date(_required(obj, "birth_date", "person.birth_date"), "person.birth_date")
    occupations_raw = obj.get("occupations")
    occupations: frozenset[str] = frozenset()
    if occupations_raw is not None:
        if not isinstance(occupations_raw, list):
            raise Unreadable("person.occupations", f"应为列表，实为{_type_name(occupations_raw)}")
        occupations = frozenset(
            _enum(tag, OCCUPATIONS, f"person.occupations[{i}]")
            for i, tag in enumerate(occupations_raw)
        )
    return Person(
        sex=sex,
        birth_date=birth,
        ref=_optional_str(obj, "ref", "person"),
        name=_optional_str(obj, "name", "person"),
        ethnicity=_optional_str(obj, "ethnicity", "person"),
        education=_optional_enum(obj, "education", EDUCATIONS, "person"),
        occupations=occupations,
        frontline=_bool(obj, "frontline", "person"),
        graduation_date=_optional_date(obj, "graduation_date", "person"),
        leaving_date=_optional_date(obj, "leaving_date", "person"),
        changes=_changes(obj.get("changes")),
    )


def _changes(raw: Any) -> tuple[PersonChange, ...]:
    """The optional `person.changes`: [{"date", and any of CHANGEABLE}] (docs/intake.md)."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise Unreadable("person.changes", f"应为列表，实为{_type_name(raw)}")
    changes = []
    for index, item in enumerate(raw):
        path = f"person.changes[{index}]"
        obj = _object(item, path)
        day = parse_date(_required(obj, "date", f"{path}.date"), f"{path}.date")
        values: list[tuple[str, Any]] = []
        for key in CHANGEABLE:
            if key not in obj:
                continue
            if key == "education":
                values.append((key, _optional_enum(obj, key, EDUCATIONS, path)))
            elif key == "occupations":
                tags = obj[key] if obj[key] is not None else []
                if not isinstance(tags, list):
                    raise Unreadable(f"{path}.{key}", f"应为列表，实为{_type_name(tags)}")
                found = (_enum(t, OCCUPATIONS, f"{path}.{key}[{i}]") for i, t in enumerate(tags))
                values.append((key, frozenset(found)))
            elif key == "frontline":
                values.append((key, _bool(obj, key, path)))
            else:
                values.append((key, _optional_date(obj, key, path)))
        changes.append(PersonChange(day, tuple(values)))
    return tuple(changes)


def _members(obj: Mapping[str, Any], key: str, path: str) -> tuple[PartyMember, ...]:
    raw = obj.get(key)
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise Unreadable(f"{path}.{key}", f"应为列表，实为{_type_name(raw)}")
    members = []
    for i, item in enumerate(raw):
        item_path = f"{path}.{key}[{i}]"
        member = _object(item, item_path)
        members.append(
            PartyMember(
                name=_optional_str(member, "name", item_path),
                status=_optional_enum(member, "status", MEMBER_STATUSES, item_path),
                discipline=_optional_enum(member, "discipline", DISCIPLINES, item_path),
                rights_restored=_bool(member, "rights_restored", item_path),
            )
        )
    return tuple(members)


def _feedback(obj: Mapping[str, Any], path: str) -> tuple[Feedback, ...]:
    raw = obj.get("feedback")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise Unreadable(f"{path}.feedback", f"应为列表，实为{_type_name(raw)}")
    items = []
    for i, entry in enumerate(raw):
        item_path = f"{path}.feedback[{i}]"
        item = _object(entry, item_path)
        received = parse_date(_required(item, "date", f"{item_path}.date"), f"{item_path}.date")
        resolved_raw = _required(item, "resolved", f"{item_path}.resolved")
        outcome = _enum(
            _required(item, "outcome", f"{item_path}.outcome"),
            FEEDBACK_OUTCOMES,
            f"{item_path}.outcome",
        )
        resolved = (
            None if resolved_raw is None else parse_date(resolved_raw, f"{item_path}.resolved")
        )
        if resolved is None and outcome != "pending":
            raise Unreadable(f"{item_path}.resolved", f"结论为 {outcome} 的反馈须有办结日期")
        if resolved is not None and outcome == "pending":
            raise Unreadable(f"{item_path}.resolved", "待处理（pending）的反馈不应有办结日期")
        items.append(Feedback(received, resolved, outcome))
    return tuple(items)


_VOTE_REQUIRED = (
    ("expected", "expected"),
    ("present", "present"),
    ("for", "in_favour"),
    ("against", "against"),
    ("abstain", "abstain"),
    ("candidates", "candidates"),
    ("issued", "issued"),
    ("returned", "returned"),
    ("tellers", "tellers"),
    ("monitors", "monitors"),
)


def _vote(raw: Any, path: str, required: bool) -> Vote:
    obj = _object(raw, path)
    values: dict[str, Any] = {}
    for key, attribute in _VOTE_REQUIRED:
        value = obj.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required:
                raise Unreadable(f"{path}.{key}", "缺少必填字段")
            continue
        values[attribute] = _count(value, f"{path}.{key}")
    secret = obj.get("secret", _MISSING)
    if secret is _MISSING or secret is None:
        if required:
            raise Unreadable(f"{path}.secret", "缺少必填字段")
    elif not isinstance(secret, bool):
        raise Unreadable(f"{path}.secret", f"应为 true 或 false，实为{_type_name(secret)}")
    else:
        values["secret"] = secret
    for key in ("written_for", "written_against", "written_abstain"):
        values[key] = _optional_count(obj, key, path)
    return Vote(**values)


def _event(raw: Any, path: str, index: int) -> Event | None:
    obj = _object(raw, path)
    kind = _required(obj, "type", f"{path}.type")
    if not isinstance(kind, str):
        raise Unreadable(f"{path}.type", f"应为字符串，实为{_type_name(kind)}")
    if kind.startswith("x-"):
        return None
    if kind not in EVENT_TYPES:
        raise Unreadable(f"{path}.type", f"未知的事件类型 {kind!r}")
    when = parse_date(_required(obj, "date", f"{path}.date"), f"{path}.date")
    event_id = obj.get("id")
    if event_id is not None and not isinstance(event_id, str):
        raise Unreadable(f"{path}.id", f"应为字符串，实为{_type_name(event_id)}")
    event = Event(type=kind, date=when, index=index, id=event_id)
    if kind in NOTICE_TYPES:
        end = parse_date(_required(obj, "end", f"{path}.end"), f"{path}.end")
        if end < when:
            raise Unreadable(f"{path}.end", f"公示末日 {end} 早于首日 {when}")
        event.end = end
        event.feedback = _feedback(obj, path)
    elif kind == "S03":
        event.nomination = _optional_enum(obj, "nomination", NOMINATIONS, path)
    elif kind == "S05":
        event.contacts = _members(obj, "contacts", path)
    elif kind == "S09":
        event.introducers = _members(obj, "introducers", path)
    elif kind == "S11":
        event.days = _optional_count(obj, "days", path)
        event.hours = _optional_count(obj, "hours", path)
        event.exception = _bool(obj, "exception", path)
    elif kind in ("transfer-out", "transfer-in"):
        event.from_org = _optional_str(obj, "from_org", path)
        event.to_org = _optional_str(obj, "to_org", path)
        event.from_org_id = _org_id(obj.get("from_org_id"))
        event.to_org_id = _org_id(obj.get("to_org_id"))
    elif kind == CORRECT:
        target = _required(obj, "supersedes", f"{path}.supersedes")
        if not isinstance(target, str):
            raise Unreadable(
                f"{path}.supersedes", f"应为事件 id（字符串），实为{_type_name(target)}"
            )
        event.supersedes = target
        event.void = _bool(obj, "void", path)
        replacement = obj.get("replacement")
        if replacement is not None:
            replaced = _event(replacement, f"{path}.replacement", index)
            if replaced is not None and replaced.type == CORRECT:
                raise Unreadable(f"{path}.replacement.type", "更正的替换事件不能再是更正")
            event.replacement = replaced
        elif not event.void:
            raise Unreadable(f"{path}.replacement", "更正须给出 replacement 或 void: true")
    if kind in RESULTS:
        event.result = _optional_enum(obj, "result", RESULTS[kind], path)
    if kind in ("S15", "S23"):
        vote = obj.get("vote")
        if vote is not None:
            event.vote = _vote(vote, f"{path}.vote", required=event.result is not None)
        elif event.result is not None:
            raise Unreadable(f"{path}.vote", "有表决结果的支部大会须有表决情况（vote）")
    if kind == "S23":
        outcome = obj.get("outcome")
        if outcome is None:
            if event.result is not None:
                raise Unreadable(f"{path}.outcome", "缺少必填字段")
        else:
            event.outcome = _enum(outcome, S23_OUTCOMES, f"{path}.outcome")
        months = obj.get("extension_months")
        if months is not None:
            event.extension_months = _count(months, f"{path}.extension_months")
        elif event.result is not None and event.outcome == "extend":
            raise Unreadable(f"{path}.extension_months", "延长预备期须写明延长月数")
    if kind in ("S17", "S24"):
        approver = obj.get("approver")
        if approver is not None:
            approver_obj = _object(approver, f"{path}.approver")
            can = approver_obj.get("can_approve")
            if can is not None and not isinstance(can, bool):
                raise Unreadable(
                    f"{path}.approver.can_approve", f"应为 true 或 false，实为{_type_name(can)}"
                )
            event.can_approve = can
    return event


def parse_document(raw: Any) -> CandidateFile:
    """Validate a decoded JSON document and build the candidate file."""
    doc = _object(raw, "$")
    fmt = _required(doc, "format", "format")
    if fmt != FORMAT:
        raise Unreadable("format", f"应为 {FORMAT!r}，实为 {fmt!r}")
    policy = None if doc.get("policy") is None else _enum(doc["policy"], POLICIES, "policy")
    as_of = None if doc.get("as_of") is None else parse_date(doc["as_of"], "as_of")
    person = _person(_required(doc, "person", "person"))
    events_raw = _required(doc, "events", "events")
    if not isinstance(events_raw, list):
        raise Unreadable("events", f"应为列表，实为{_type_name(events_raw)}")
    events: list[Event] = []
    seen_ids: dict[str, int] = {}
    for index, raw_event in enumerate(events_raw):
        path = f"events[{index}]"
        event = _event(raw_event, path, index)
        # An `x-` event is ignored altogether (contracts §1), its id too.
        if event is not None and isinstance(raw_event.get("id"), str):
            event_id = raw_event["id"]
            if event_id in seen_ids:
                raise Unreadable(
                    f"{path}.id", f"事件 id {event_id!r} 与 events[{seen_ids[event_id]}] 重复"
                )
            seen_ids[event_id] = index
        if event is not None:
            events.append(event)
    for event in events:
        if event.type == CORRECT and event.supersedes not in seen_ids:
            raise Unreadable(
                f"events[{event.index}].supersedes", f"文件中没有 id 为 {event.supersedes!r} 的事件"
            )
    return CandidateFile(person=person, events=events, policy=policy, as_of=as_of)


def parse_text(text: str | bytes) -> CandidateFile:
    try:
        raw = jsontext.loads(text)
    except jsontext.TooDeep as error:
        raise Unreadable(
            None,
            f"JSON 嵌套超过 {error.limit} 层（第 {error.lineno} 行第 {error.colno} 列），"
            "不是候选人档案",
        ) from None
    except UnicodeDecodeError as error:
        raise Unreadable(
            None, f"不是有效的 JSON：文件不是 UTF-8 编码的文本（第 {error.start} 字节）"
        ) from None
    except json.JSONDecodeError as error:
        raise Unreadable(
            None, f"不是有效的 JSON：第 {error.lineno} 行第 {error.colno} 列（{error.msg}）"
        ) from None
    except ValueError:  # a number of thousands of digits, beyond Python's conversion limit
        raise Unreadable(None, "不是有效的 JSON：数字过长") from None
    return parse_document(raw)
