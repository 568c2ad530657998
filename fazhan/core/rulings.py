"""The rules' refusals (fazhan.policy.texts.Refusal) as the actions' Reason, in the reader's
language (fazhan.core.i18n_data.rule_text); the basis stays the cited Chinese, as before."""

from __future__ import annotations

from fazhan.core.errors import Reason
from fazhan.core.i18n_data import rule_text
from fazhan.policy.texts import Refusal


def reason(refusal: Refusal) -> Reason:
    return Reason(rule_text(refusal.text), refusal.basis)


def reasons(refusals: list[Refusal]) -> list[Reason]:
    return [reason(r) for r in refusals]
