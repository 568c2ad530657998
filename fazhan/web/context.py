from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from fazhan.web.models import Installation


def installation(request: HttpRequest) -> dict[str, Any]:
    """Every page of a demo database says 演示数据 (contracts.md §6)."""
    return {"is_demo": Installation.is_demo()}
