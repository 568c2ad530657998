"""Decoding JSON from outside (candidate files, plans, counts) with a bound on its nesting.

Python's decoder recurses once per nested array or object: a file of 100,000 `[` raises
RecursionError, which no caller expects (the Step 8 review saw `fazhan check` print a traceback and
the import page answer HTTP 500). No document of the contracts nests deeper than a few levels
(contracts.md §1: events[i].replacement.contacts[j] is the deepest), so anything deeper than
MAX_DEPTH is refused as a decoding error, with the position where the limit is passed.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 64

# A JSON string (skipped whole, brackets inside it do not count) or one bracket.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class TooDeep(json.JSONDecodeError):
    """A JSON text nested deeper than the limit; a JSONDecodeError, so callers that report
    decoding errors with their line and column report this one too."""

    def __init__(self, doc: str, pos: int, limit: int) -> None:
        super().__init__(f"嵌套超过 {limit} 层", doc, pos)
        self.limit = limit


def _text(data: str | bytes) -> str:
    if isinstance(data, str):
        return data
    return data.decode(json.detect_encoding(data), "replace")


def _position(text: str, limit: int) -> int:
    """Where the nesting of `text` first passes `limit` (0 if it never does)."""
    depth = 0
    for token in _TOKENS.finditer(text):
        mark = token.group()
        if mark in "[{":
            depth += 1
            if depth > limit:
                return token.start()
        elif mark in "]}":
            depth -= 1
    return 0


def depth(value: Any) -> int:
    """The nesting of a decoded value: 0 for a scalar, 1 for `[]` or `{}`. Iterative."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        level += 1
        deepest = max(deepest, level)
        # Only containers go on the stack: a long list of numbers costs no memory here.
        stack.extend((child, level) for child in children if isinstance(child, dict | list))
    return deepest


def loads(data: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """`json.loads`, refusing a text nested deeper than `max_depth` with TooDeep (a
    JSONDecodeError, hence a ValueError). Other errors are json's own."""
    try:
        value = json.loads(data)
    except RecursionError:
        text = _text(data)
        raise TooDeep(text, _position(text, max_depth), max_depth) from None
    if depth(value) > max_depth:
        text = _text(data)
        raise TooDeep(text, _position(text, max_depth), max_depth)
    return value
