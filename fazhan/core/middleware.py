"""The view edge of `NotVisible`: an action that finds its object outside the user's reach raises
it, and the page answers 404 like any object that does not exist (DESIGN principle 6)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse

from fazhan.core.errors import NotVisible


class NotVisibleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotVisible):
            raise Http404(str(exception) or "not found") from exception
        return None
