"""Errors an action raises, shared by every app (Step 7): refusals with their reasons, and the
not-visible error that the view edge turns into a 404 so that existence is not revealed
(DESIGN principle 6)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Reason:
    message: str
    basis: str = ""
    # The engine's finding id when the reason is a finding: pages then show its message in the
    # reader's language (fazhan.core.i18n_data); the message itself stays the engine's Chinese.
    finding: str = ""

    def __str__(self) -> str:
        if not self.basis:
            return self.message
        return _("%(message)s（依据：%(basis)s）") % {"message": self.message, "basis": self.basis}


class ActionRefused(Exception):
    """The action was not carried out; `reasons` say why, in Chinese, with the article."""

    def __init__(self, reasons: Sequence[Reason] | Reason | str) -> None:
        if isinstance(reasons, str):
            reasons = [Reason(reasons)]
        elif isinstance(reasons, Reason):
            reasons = [reasons]
        self.reasons = list(reasons)
        super().__init__("；".join(str(r) for r in self.reasons))


class NotVisible(Exception):
    """The object is outside the user's reach, or does not exist: the same answer for both.
    Actions raise it; `fazhan.core.middleware.NotVisibleMiddleware` answers 404 at the view edge."""
