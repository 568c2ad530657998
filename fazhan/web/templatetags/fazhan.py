"""Filters that show policy data (stored in Simplified Chinese) in the reader's language; see
fazhan.core.i18n_data."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from fazhan.core import i18n_data

register = template.Library()

# The results events record (contracts.md §1), as the candidate page names them.
RESULTS = {
    "pass": _("通过"),
    "fail": _("未通过"),
    "returned": _("退回补充"),
    "approved": _("批准"),
    "rejected": _("不批准"),
}


@register.filter
def step_label(code: str) -> str:
    """`S07` → `S07 确定发展对象` (notices and lifecycle events keep their code)."""
    return i18n_data.step_label(code or "")


@register.filter
def step_name(code: str) -> str:
    """`S07` → `确定发展对象` (`Identification of development targets` in English)."""
    return i18n_data.step_name(code or "")


@register.filter
def finding_message(item: Any) -> str:
    """A finding's or a refusal reason's message."""
    return i18n_data.finding_message(item)


@register.filter
def finding_basis(item: Any) -> str:
    """A finding's or a refusal reason's basis (the article it cites)."""
    return i18n_data.finding_basis(item)


@register.filter
def basis(text: str) -> str:
    """An article or clause, e.g. `细则第七条` → `Rules, Art. 7`."""
    return i18n_data.basis(str(text or ""))


@register.filter
def next_reason(item: Any) -> str:
    """Why a next step is due."""
    return i18n_data.next_reason(item)


@register.filter
def zh(text: Any) -> str:
    """Stored Chinese text (data, not interface): Traditional for zh-hant, English where en.json
    has it, as stored otherwise."""
    return i18n_data.text(str(text or ""))


@register.filter
def result_label(result: str) -> str:
    """An event's result code (`pass`, `approved` …) in words."""
    return str(RESULTS.get(str(result), result))


@register.filter
def is_sysadmin(user: Any) -> bool:
    """Whether the signed-in account is the system administrator (三员分立), for links only the
    administrator can follow."""
    from fazhan.accounts.scope import is_sysadmin as _is_sysadmin

    return _is_sysadmin(user)
