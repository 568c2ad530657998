"""Messages of the rules as plain values: a stable id, the Simplified Chinese text, the values.

The rules speak Simplified Chinese, like the finding catalogue. A page shows a message in the
reader's language through `fazhan.core.i18n_data.rule_text`: Traditional Chinese converted from
`zh`, English from the template `fazhan/policies/i18n/en.json` keeps under `rules` by `id`, filled
with the same values (a `Name` by its table, a nested `Text` in turn).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias


@dataclass(frozen=True, slots=True)
class Name:
    """A name from one of en.json's tables (`steps`, `notices`, `stages`, `outcomes`)."""

    table: str
    key: str
    zh: str


@dataclass(frozen=True, slots=True)
class Text:
    id: str
    zh: str
    params: tuple[tuple[str, Value], ...] = ()

    def __str__(self) -> str:
        return self.zh


# A value filled into a message; a tuple of texts is a list (joined with "，" in Chinese).
Value: TypeAlias = "str | Name | Text | tuple[Text, ...]"
JOIN_ZH = "，"


def zh_of(value: Value) -> str:
    if isinstance(value, Name | Text):
        return value.zh
    if isinstance(value, tuple):
        return JOIN_ZH.join(item.zh for item in value)
    return value


def text(text_id: str, template: str, **params: Value | object) -> Text:
    """A message `text_id` whose Chinese is `template` (str.format placeholders) filled in; values
    other than names and texts (dates, counts) are shown as `str()` gives them."""
    values: dict[str, Value] = {
        key: value if isinstance(value, Name | Text | tuple) else str(value)
        for key, value in params.items()
    }
    zh = template.format_map({key: zh_of(value) for key, value in values.items()})
    return Text(text_id, zh, tuple(values.items()))


EMPTY = Text("", "")


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why the rules refuse something now: a stable id, the message, the article or clause."""

    text: Text
    basis: str = ""

    @property
    def id(self) -> str:
        return self.text.id

    @property
    def message(self) -> str:
        return self.text.zh
