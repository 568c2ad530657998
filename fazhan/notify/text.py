"""A notification's line, built in the reader's language when it is shown (issue 14 item 6).

A notification keeps what its line needs as data: a `code` saying which sentence, and `params`
(a step code, dates in ISO form, a campaign's year and kind code, the names the line shows —
never an ID number). `line()` builds the sentence with gettext in the active language; a row
without a code (made before this) or whose data no longer fits shows its stored `title`, which
is the line in the default language (settings.LANGUAGE_CODE).

The home queue's items arrive with their titles already written: for those, `params["item"]`
holds the title in each language of settings.LANGUAGES, written once when the row is made.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from fazhan.core.i18n_data import step_label

FILE_OVERDUE = "file_overdue"
FILE_DUE = "file_due"
CAMPAIGN_OPEN = "campaign_open"
QUEUE_NEWS = "queue_news"
QUEUE_OVERDUE = "queue_overdue"
QUEUE_DUE = "queue_due"


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _item(params: Mapping[str, Any]) -> str:
    """The queue item's title in the active language (else the default one's)."""
    texts = params["item"]
    found = texts.get(get_language() or "") or texts.get(settings.LANGUAGE_CODE)
    if not found:
        raise KeyError("item")
    return str(found)


def _campaign(params: Mapping[str, Any]) -> str:
    from fazhan.reports.models import CampaignKind

    kind = CampaignKind(params["campaign_kind"]).label
    return _("%(year)s年%(kind)s") % {"year": params["campaign_year"], "kind": kind}


def _file_overdue(p: Mapping[str, Any]) -> str:
    return _("%(name)s：%(step)s，期限 %(due)s 已过") % {
        "name": p["name"],
        "step": step_label(p["step"]),
        "due": p["due"],
    }


def _file_due(p: Mapping[str, Any]) -> str:
    return _("%(name)s：%(step)s，期限 %(due)s") % {
        "name": p["name"],
        "step": step_label(p["step"]),
        "due": p["due"],
    }


def _campaign_open(p: Mapping[str, Any]) -> str:
    return _("区委组织部已发起%(campaign)s，请于 %(due)s 前上报：%(org)s") % {
        "campaign": _campaign(p),
        "due": p["due"],
        "org": p["org"],
    }


def _queue_overdue(p: Mapping[str, Any]) -> str:
    return _("期限已过：%(item)s") % {"item": _item(p)}


def _queue_due(p: Mapping[str, Any]) -> str:
    return _("期限将到：%(item)s") % {"item": _item(p)}


SENTENCES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    FILE_OVERDUE: _file_overdue,
    FILE_DUE: _file_due,
    CAMPAIGN_OPEN: _campaign_open,
    QUEUE_NEWS: _item,
    QUEUE_OVERDUE: _queue_overdue,
    QUEUE_DUE: _queue_due,
}


def line(code: str, params: Mapping[str, Any], fallback: str = "") -> str:
    """The sentence for `code` in the active language; `fallback` when it cannot be built."""
    build = SENTENCES.get(code)
    if build is None:
        return fallback
    try:
        return build(params)
    except (KeyError, TypeError, ValueError, AttributeError):
        return fallback


def default_line(code: str, params: Mapping[str, Any]) -> str:
    """The sentence in the default language (the stored title; the gateway's text)."""
    with override(settings.LANGUAGE_CODE):
        return line(code, params)
