"""Policy data in the reader's language: step and notice names, finding messages, bases and the
reasons for next steps, which are stored in Simplified Chinese (fazhan/policies/*.json and the
projections the engine writes) and are not in the gettext catalogues.

- zh-hans: as stored.
- zh-hant: OpenCC `s2t` of the stored text at render time, with a few character fixes. Never
  `s2twp`: its phrase table turns 发展对象 into 發展物件 (DESIGN.md, Dependencies).
- en: `fazhan/policies/i18n/en.json`, by step code or finding id; a basis by its Chinese text
  (patterns with `{placeholders}` for the ones the engine fills in). An English finding message
  may leave out the numbers the Chinese one carries: the page shows the finding's date and step.

Anything without an English entry falls back to the stored Chinese, so a new policy file never
breaks a page; `scripts/i18n.py` reports what is missing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from django.utils.translation import get_language

from fazhan.policy.data import DEFAULT_POLICY, load_policy
from fazhan.policy.texts import Name, Text, Value

EN_FILE = Path(__file__).resolve().parent.parent / "policies" / "i18n" / "en.json"

# OpenCC's s2t writes OpenCC's own standard forms; readers expect the common ones (the forms of
# Taiwan's and Hong Kong's standards, which agree here). Characters only: no phrase is rewritten.
TRADITIONAL_FIXES = {
    "裏": "裡",  # 这里 → 這裡 (s2t: 這裏); 里 as a unit of length stays 里
    "爲": "為",
    "羣": "群",
    "衆": "眾",
    "啓": "啟",
    "覈": "核",  # 核查 → 核查 (s2t: 覈查)
    "祕": "秘",
    "臺": "台",  # 工作台, 平台
    "賬": "帳",  # 账号 → 帳號
    "僞": "偽",
    "峯": "峰",
    "綫": "線",
    "吿": "告",
    "眞": "真",
    "槪": "概",
    "溼": "濕",
    "着": "著",
    "牀": "床",
}
ZH_HANS = "zh-hans"
ZH_HANT = "zh-hant"
EN = "en"


def active() -> str:
    """The active language as one of zh-hans, zh-hant, en."""
    language = (get_language() or ZH_HANS).lower()
    if language.startswith("en"):
        return EN
    if language in {ZH_HANT, "zh-tw", "zh-hk", "zh-mo"}:
        return ZH_HANT
    return ZH_HANS


@cache
def _converter() -> Any:
    import opencc

    return opencc.OpenCC("s2t")


@lru_cache(maxsize=8192)
def traditional(text: str) -> str:
    """Simplified → Traditional Chinese: OpenCC s2t, then TRADITIONAL_FIXES."""
    if not text:
        return text
    converted: str = _converter().convert(text)
    for old, new in TRADITIONAL_FIXES.items():
        converted = converted.replace(old, new)
    return converted


@cache
def english() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EN_FILE.read_text(encoding="utf-8"))
    return data


@cache
def _basis_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    patterns = []
    for chinese, english_text in english().get("basis", {}).items():
        parts = re.split(r"\{(\w+)\}", chinese)
        regex = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
        )
        patterns.append((re.compile(regex), english_text))
    return tuple(patterns)


def _english_basis(chinese: str) -> str:
    for pattern, english_text in _basis_patterns():
        match = pattern.fullmatch(chinese)
        if match is not None:
            return english_text.format(**match.groupdict())
    return chinese


def text(chinese: str) -> str:
    """Any stored Chinese text: converted for zh-hant, from en.json's `text` table for English."""
    if not chinese:
        return chinese
    language = active()
    if language == ZH_HANT:
        return traditional(chinese)
    if language == EN:
        return str(english().get("text", {}).get(chinese, chinese))
    return chinese


def basis(chinese: str) -> str:
    """The article or clause a rule or a refusal cites."""
    if not chinese:
        return chinese
    language = active()
    if language == ZH_HANT:
        return traditional(chinese)
    if language == EN:
        return _english_basis(chinese)
    return chinese


def _chinese_step_name(code: str, policy: str | None) -> str | None:
    loaded = load_policy(policy or DEFAULT_POLICY)
    step = loaded.steps.get(code)
    if step is not None:
        return step.name
    notice = loaded.notices.get(code)
    return notice.name if notice is not None else None


def step_name(code: str, policy: str | None = None) -> str:
    """The name of a step (S01–S25) or a notice (N-ACT …); the code itself if unknown."""
    language = active()
    if language == EN:
        names = english()
        found = names.get("steps", {}).get(code) or names.get("notices", {}).get(code)
        if found:
            return str(found)
    chinese = _chinese_step_name(code, policy)
    if chinese is None:
        return code
    return traditional(chinese) if language == ZH_HANT else chinese


def step_label(code: str, policy: str | None = None) -> str:
    """`S07` → `S07 确定发展对象`; a code without a name stays the code."""
    if not code:
        return ""
    name = step_name(code, policy)
    return code if name == code else f"{code} {name}"


def _get(item: Any, key: str) -> Any:
    if isinstance(item, Mapping):
        return item.get(key, "")
    return getattr(item, key, "")


def _finding_id(item: Any) -> str:
    return str(_get(item, "finding") or _get(item, "id") or "")


def _english_finding(finding_id: str) -> str | None:
    messages = english().get("findings", {})
    while finding_id:
        if finding_id in messages:
            return str(messages[finding_id])
        # `order.S07` is the catalogue's `order` (the engine suffixes the step).
        finding_id = finding_id.rpartition(".")[0]
    return None


def finding_message(item: Any) -> str:
    """A finding's (or a refusal reason's) message: a mapping or an object with `message` and
    `id` (a finding) or `finding` (a people.actions.Reason)."""
    message = str(_get(item, "message") or "")
    language = active()
    if language == EN:
        found = _english_finding(_finding_id(item))
        return found if found is not None else message
    if language == ZH_HANT:
        return traditional(message)
    return message


def finding_basis(item: Any) -> str:
    return basis(str(_get(item, "basis") or ""))


def next_reason(item: Any) -> str:
    """Why a next step is due (the engine's `why`), by the step's code in English."""
    why = str(_get(item, "why") or "")
    language = active()
    if language == EN:
        found = english().get("next", {}).get(str(_get(item, "step") or ""))
        return str(found) if found else why
    if language == ZH_HANT:
        return traditional(why)
    return why


def _english_value(value: Value) -> str:
    if isinstance(value, Name):
        found = english().get(value.table, {}).get(value.key)
        return str(found) if found else value.zh
    if isinstance(value, Text):
        return _english_text(value)
    if isinstance(value, tuple):
        return ", ".join(_english_text(item) for item in value)
    return value


def _english_text(message: Text) -> str:
    template = english().get("rules", {}).get(message.id)
    if not template:
        return message.zh
    return str(template).format_map({key: _english_value(v) for key, v in message.params})


def rule_text(message: Text) -> str:
    """A message of the rules (fazhan.policy.texts) in the reader's language: English from
    en.json's `rules` by id with its values in English too, else the Chinese as for findings."""
    language = active()
    if language == EN:
        return _english_text(message)
    if language == ZH_HANT:
        return traditional(message.zh)
    return message.zh
