"""`fazhan demo` (contracts.md §6): builds into an empty database, lists the accounts, serves."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from fazhan.audit.chain import verify_chain
from fazhan.demo.management.commands import demo as demo_command
from fazhan.orgs.models import Organization
from fazhan.people.models import Candidate
from fazhan.web.models import Installation

ACCOUNTS = ("qu", "dangwei", "zhibu", "zhibu2", "shenji", "admin")


@pytest.mark.django_db
def test_it_builds_lists_the_accounts_and_does_not_serve_with_no_serve():
    out = StringIO()
    call_command("demo", "--no-serve", "--scale", "0.05", stdout=out)
    text = out.getvalue()
    assert Installation.is_demo()
    assert Candidate.objects.exists()
    assert verify_chain().ok
    assert "fazhan-demo" in text
    for username in ACCOUNTS:
        assert f"  {username} " in text
    assert "入党积极分子" in text and "链头" in text
    assert "runserver" not in text


@pytest.mark.django_db
def test_it_does_not_build_again_into_a_database_with_organizations():
    call_command("demo", "--no-serve", "--scale", "0.05", stdout=StringIO())
    organizations = Organization.objects.count()
    files = Candidate.objects.count()
    out = StringIO()
    call_command("demo", "--no-serve", stdout=out)
    assert "不再建立" in out.getvalue()
    assert "fazhan-demo" in out.getvalue()
    assert Organization.objects.count() == organizations
    assert Candidate.objects.count() == files


@pytest.mark.django_db
def test_it_serves_on_localhost_without_reloader_and_with_static_files(monkeypatch):
    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
    real = demo_command.call_command

    def recording(name: str, *args: Any, **options: Any) -> None:
        calls.append((name, args, options))
        if name != "runserver":
            real(name, *args, **options)

    monkeypatch.setattr(demo_command, "call_command", recording)
    call_command("demo", "--scale", "0.05", "--port", "8123", stdout=StringIO())
    assert calls[0][0] == "migrate"
    name, args, options = calls[-1]
    assert name == "runserver"
    assert args == ("127.0.0.1:8123",)
    assert options == {"use_reloader": False, "insecure_serving": True}
