"""A plan file's keys in words (Step 11 item 7): the page shows "35岁以下", never `le35`; "D1",
never `D1.aspiration`; the issuing document, never a file path."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from fazhan.core import i18n_data
from fazhan.plans.board import KIND_LABELS, display_id
from fazhan.policy.targets import CATEGORY_LABELS, DEVELOPED, PLAN, LintFinding

register = template.Library()


@register.filter
def target_id(value: str) -> str:
    """`D1.aspiration` → `D1` (its label and kind say 力争)."""
    return display_id(str(value or ""))


@register.filter
def target_kind(value: str) -> str:
    """`floor` → 下限, `aspiration` → 力争."""
    return str(KIND_LABELS.get(str(value), value))


@register.filter
def count_name(key: str | None) -> str:
    """A count key or a target's base in words: `le35` → 35岁以下, `plan` → 计划数; no base is the
    number developed."""
    if key == PLAN:
        return _("计划数")
    return i18n_data.text(CATEGORY_LABELS.get(str(key or DEVELOPED), str(key)))


@register.filter
def plan_source(source: str) -> str:
    """Where a plan comes from, unless that is a file of the installation (a path, not a name)."""
    text = str(source or "")
    return "" if "/" in text or text.endswith((".txt", ".json")) else i18n_data.text(text)


@register.filter
def lint_message(finding: LintFinding) -> str:
    """A plan lint finding's headline in the reader's language (the policy writes both)."""
    if i18n_data.active() == i18n_data.EN and finding.message_en:
        return finding.message_en
    return i18n_data.text(finding.message)


@register.filter
def lint_detail(finding: LintFinding) -> str:
    """A plan lint finding's working, in the reader's language."""
    if i18n_data.active() == i18n_data.EN and finding.detail_en:
        return finding.detail_en
    return i18n_data.text(finding.detail)
