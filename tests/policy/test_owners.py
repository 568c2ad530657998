"""Each step has one owner, in the policy data (DESIGN principle 5)."""

from __future__ import annotations

import pytest

from fazhan.policy.data import load_policy, policy_names

OWNERS = {
    "S13": "prereview",
    "S15": "meeting",
    "S23": "meeting",
    "S16": "approval",
    "S17": "approval",
    "S24": "approval",
    "N-ACT": "notice",
    "N-TGT": "notice",
    "N-ADM": "notice",
    "N-CONV": "notice",
    "transfer-out": "transfer",
    "transfer-in": "transfer",
    "suspend": "suspension",
    "resume": "suspension",
    "withdraw": "withdrawal",
    "reject": "rejection",
    "correct": "correction",
}


@pytest.mark.parametrize("name", policy_names())
def test_it_names_the_one_owner_of_each_owned_kind_and_none_for_the_rest(name):
    policy = load_policy(name)
    assert {kind: policy.owner_of(kind) for kind in OWNERS} == OWNERS
    unowned = [code for code in policy.steps if code not in OWNERS]
    assert unowned and all(policy.owner_of(code) is None for code in unowned)
    assert set(policy.notices) <= {k for k, v in OWNERS.items() if v == "notice"}
    assert policy.owner_of("S99") is None
