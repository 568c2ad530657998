"""A password rule Django lacks: the user name must not sit inside the password. Django's
similarity check compares whole strings, so `zhibu2zhibu2` passes it for `zhibu2` (a ratio of
0.67) although anyone who knows the account name guesses it first (Step 8, review finding)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SHORTEST = 3  # shorter names ("qu") are too common as parts of words to refuse


class NoUsernameInsideValidator:
    def validate(self, password: str, user: Any = None) -> None:
        name = str(getattr(user, "username", "") or "").casefold()
        if len(name) >= SHORTEST and name in password.casefold():
            raise ValidationError(_("密码不能包含用户名。"), code="password_contains_username")

    def get_help_text(self) -> str:
        return _("密码不能包含用户名。")
