"""JSON from outside is refused past MAX_DEPTH levels, never with RecursionError (Step 8)."""

from __future__ import annotations

import json

import pytest

from fazhan.policy.jsontext import MAX_DEPTH, TooDeep, depth, loads
from fazhan.policy.parse import Unreadable, parse_text


def nested(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


def test_it_reads_json_up_to_the_limit():
    assert depth(loads(nested(MAX_DEPTH))) == MAX_DEPTH
    assert loads('["[[[[", "{"]') == ["[[[[", "{"]  # brackets inside strings are text


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 900, 100_000])
def test_it_refuses_deeper_json_with_the_position(levels):
    with pytest.raises(TooDeep) as raised:
        loads(nested(levels).encode())
    assert isinstance(raised.value, json.JSONDecodeError)
    assert raised.value.pos == 5 * MAX_DEPTH  # the `{` that passes the limit


def test_it_names_a_deep_candidate_file_unreadable():
    with pytest.raises(Unreadable) as raised:
        parse_text("[" * 100_000 + "]" * 100_000)
    assert raised.value.field is None and "嵌套超过 64 层" in raised.value.problem


def test_it_refuses_a_deep_plan_in_the_form():
    from fazhan.plans.forms import PlanJsonForm

    form = PlanJsonForm({"document": "[" * 100_000 + "]" * 100_000})
    assert not form.is_valid() and "嵌套超过 64 层" in str(form.errors)
