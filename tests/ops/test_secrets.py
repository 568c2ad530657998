"""Secrets (issue 11, H3): missing or public secrets stop `check --deploy` and `fazhan serve` on
any database but the demo; other commands warn; `NAME_FILE` is read."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError

from fazhan import settings as source
from fazhan.ops import checks as ops_checks
from fazhan.ops.secrets import weak_secrets
from fazhan.web.models import Installation
from tests.ops.helpers import child_env, run, strong_secrets


def conf(**values: object) -> SimpleNamespace:
    base = {
        name: getattr(source, name)
        for name in (
            "BUILTIN_SECRET_KEY",
            "BUILTIN_FIELD_ENCRYPTION_KEY",
            "BUILTIN_BLIND_INDEX_KEY",
        )
    }
    strong = strong_secrets()
    base.update(
        SECRET_KEY=strong["SECRET_KEY"],
        FIELD_ENCRYPTION_KEYS=[strong["FIELD_ENCRYPTION_KEYS"]],
        BLIND_INDEX_KEY=strong["BLIND_INDEX_KEY"],
    )
    base.update(values)
    return SimpleNamespace(**base)


def test_it_accepts_secrets_from_outside_the_source() -> None:
    assert weak_secrets(conf()) == []


@pytest.mark.parametrize(
    ("values", "name"),
    [
        ({"SECRET_KEY": source.BUILTIN_SECRET_KEY}, "SECRET_KEY"),
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"FIELD_ENCRYPTION_KEYS": [source.BUILTIN_FIELD_ENCRYPTION_KEY]}, "FIELD_ENCRYPTION"),
        # An old key kept for rotation is still public if it is the source's.
        (
            {
                "FIELD_ENCRYPTION_KEYS": [
                    Fernet.generate_key().decode(),
                    source.BUILTIN_FIELD_ENCRYPTION_KEY,
                ]
            },
            "FIELD_ENCRYPTION",
        ),
        ({"FIELD_ENCRYPTION_KEYS": ["not-a-fernet-key"]}, "Fernet"),
        ({"FIELD_ENCRYPTION_KEYS": []}, "FIELD_ENCRYPTION"),
        ({"BLIND_INDEX_KEY": source.BUILTIN_BLIND_INDEX_KEY}, "BLIND_INDEX_KEY"),
        ({"BLIND_INDEX_KEY": "x" * 31}, "至少 32"),
    ],
)
def test_it_names_a_secret_that_is_missing_public_or_malformed(values, name) -> None:
    problems = weak_secrets(conf(**values))
    assert len(problems) == 1 and name in problems[0]


def test_it_reads_a_secret_from_the_file_its_name_file_variable_names(
    tmp_path, monkeypatch
) -> None:
    secret = tmp_path / "blind"
    secret.write_text("from-the-file-" + "k" * 32 + "\n", encoding="utf-8")
    monkeypatch.setenv("BLIND_INDEX_KEY", "from-the-environment")
    monkeypatch.setenv("BLIND_INDEX_KEY_FILE", str(secret))
    assert source.env_secret("BLIND_INDEX_KEY", "default") == "from-the-file-" + "k" * 32
    monkeypatch.delenv("BLIND_INDEX_KEY_FILE")
    assert source.env_secret("BLIND_INDEX_KEY", "default") == "from-the-environment"
    monkeypatch.delenv("BLIND_INDEX_KEY")
    assert source.env_secret("BLIND_INDEX_KEY", "default") == "default"


def test_it_fails_loudly_when_a_secret_file_is_missing(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "absent"))
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY_FILE"):
        source.env_secret("SECRET_KEY", "default")


@pytest.fixture
def outside_tests(monkeypatch):
    """The checks as a production process runs them (the test runner is exempt)."""
    monkeypatch.setattr(ops_checks, "in_test_environment", lambda: False)


@pytest.mark.django_db
def test_it_errs_on_builtin_secrets_on_a_database_that_is_not_the_demo(outside_tests) -> None:
    found = ops_checks.check_secrets_deploy()
    assert [(m.level, m.id) for m in found] == [(checks.ERROR, "fazhan.E001")]
    assert "SECRET_KEY" in found[0].msg and "BLIND_INDEX_KEY" in found[0].msg
    Installation.objects.create(demo=False, district_name="某区")
    assert [m.id for m in ops_checks.check_secrets_deploy()] == ["fazhan.E001"]


@pytest.mark.django_db
def test_it_lets_the_demo_database_keep_the_demo_keys(outside_tests) -> None:
    Installation.objects.create(demo=True, district_name="演示区")
    assert ops_checks.check_secrets_deploy() == []
    assert ops_checks.check_secrets() == []


@pytest.mark.django_db
def test_it_passes_with_secrets_from_outside_the_source(outside_tests, settings) -> None:
    strong = strong_secrets()
    settings.SECRET_KEY = strong["SECRET_KEY"]
    settings.FIELD_ENCRYPTION_KEYS = [strong["FIELD_ENCRYPTION_KEYS"]]
    settings.BLIND_INDEX_KEY = strong["BLIND_INDEX_KEY"]
    assert ops_checks.check_secrets_deploy() == []


def test_it_warns_other_commands_once_the_database_holds_data(outside_tests, cast) -> None:
    found = ops_checks.check_secrets()
    assert [(m.level, m.id) for m in found] == [(checks.WARNING, "fazhan.W001")]


@pytest.mark.django_db
def test_it_keeps_quiet_in_the_test_runner() -> None:
    assert ops_checks.check_secrets_deploy() == []


@pytest.mark.django_db
def test_it_refuses_to_serve_with_builtin_secrets(outside_tests, monkeypatch) -> None:
    def execv(*args: object) -> None:
        raise AssertionError("gunicorn must not start")

    monkeypatch.setattr("os.execv", execv)
    with pytest.raises(CommandError, match="拒绝启动") as refused:
        call_command("serve", "--no-collectstatic")
    assert "fazhan.E001" in str(refused.value)


def test_the_deploy_check_fails_on_a_fresh_database_without_secrets(tmp_path) -> None:
    env = child_env(tmp_path / "fresh.sqlite3")
    done = run(["-m", "django", "check", "--deploy", "--fail-level", "ERROR"], env)
    assert done.returncode == 1
    assert "fazhan.E001" in done.stderr


def test_the_deploy_check_passes_with_secrets_in_files(tmp_path) -> None:
    extra = {}
    for name, value in strong_secrets().items():
        path = tmp_path / name.lower()
        path.write_text(value + "\n", encoding="utf-8")
        extra[f"{name}_FILE"] = str(path)
    env = child_env(tmp_path / "fresh.sqlite3", **extra)
    done = run(["-m", "django", "check", "--deploy", "--fail-level", "ERROR"], env)
    assert done.returncode == 0, done.stderr
    assert "fazhan.E001" not in done.stderr


def test_fazhan_serve_refuses_to_start_without_secrets(tmp_path) -> None:
    env = child_env(tmp_path / "fresh.sqlite3")
    done = run(["-m", "fazhan.cli", "serve", "--port", "1", "--no-collectstatic"], env)
    assert done.returncode == 1
    assert "拒绝启动" in done.stderr and "fazhan.E001" in done.stderr
