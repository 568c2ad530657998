from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest

from fazhan.web.models import Installation


def installation(request: HttpRequest) -> dict[str, Any]:
    """Every page of a demo database says 演示数据 (contracts.md §6); the sign-in page of a
    database without any account says how to create the first one (Step 9 item 2)."""
    context: dict[str, Any] = {"is_demo": Installation.is_demo()}
    if request.path == settings.LOGIN_URL:
        context["no_account"] = not get_user_model().objects.exists()
    return context


def nav_menu(request: HttpRequest) -> dict[str, Any]:
    """The header menu of the signed-in user (fazhan.web.menu), computed when a template uses it."""
    from django.utils.functional import SimpleLazyObject

    from fazhan.web.menu import menu_for

    return {"nav_menu": SimpleLazyObject(lambda: menu_for(request.user))}
