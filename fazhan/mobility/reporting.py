"""The mobile picture's counts in the report campaigns (Issue 16 item 4): registered with the
reports app (fazhan.reports.figures.register_figures) when this app is ready."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from fazhan.mobility.models import AgreementType
from fazhan.mobility.picture import figures
from fazhan.reports.figures import ExtraFigures


def columns() -> list[str]:
    kinds = [str(label) for _value, label in AgreementType.choices]
    return [_("按协作协议在外"), *kinds, _("从区外转入"), _("转出区外"), _("联系逾期")]


def row(counts: dict[str, Any]) -> list[int]:
    """Away, by agreement kind, came in, sent out, overdue contacts."""
    kinds = counts.get("away_by_kind") or {}
    return [
        int(counts.get("away", 0)),
        *[int(kinds.get(value, 0)) for value, _label in AgreementType.choices],
        int(counts.get("came_in", 0)),
        int(counts.get("sent_out", 0)),
        int(counts.get("overdue_contacts", 0)),
    ]


MOBILE_FIGURES = ExtraFigures(
    key="mobility",
    compute=figures,
    title=lambda: _("流动人员"),
    columns=columns,
    row=row,
)
