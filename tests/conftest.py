from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=200)
# CI is reproducible: the same examples every run, and no examples saved from earlier runs.
settings.register_profile(
    "ci",
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.getenv("HYPOTHESIS_PROFILE", "dev"))

DB_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_server"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that touches the database `db`, so the suite can rerun them on PostgreSQL."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("django_db") or fixtures & DB_FIXTURES:
            item.add_marker(pytest.mark.db)


@pytest.fixture(autouse=True, scope="session")
def _flush_bypasses_chain():
    """Let transactional tests empty the append-only chain tables (and only the flush may)."""
    from fazhan.audit.testing import flushes_bypass_chain

    with flushes_bypass_chain():
        yield


@pytest.fixture(autouse=True, scope="session")
def _no_session_limits():
    """Tests travel in time with a signed-in client: the session's idle and absolute limits
    (fazhan/ops/middleware.py) would sign it out. tests/ops turns them back on to test them."""
    from django.test import override_settings

    # Django's own expiry of the stored session too (12 hours in production): a browser test
    # that travels days ahead must stay signed in.
    with override_settings(
        SESSION_IDLE_SECONDS=0, SESSION_ABSOLUTE_SECONDS=0, SESSION_COOKIE_AGE=1_209_600
    ):
        yield


@pytest.fixture(autouse=True, scope="session")
def _tasks_run_immediately():
    """Queued work (django-tasks) runs in the test's own process and transaction; the tests of
    the queue itself (tests/imports/test_queue.py) switch the database backend back on."""
    from django.test import override_settings

    immediate = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with override_settings(TASKS=immediate):
        yield


@pytest.fixture
def cast(db):
    """The fixed cast of DESIGN.md Conventions: a small district, one user per role, an outsider."""
    from fazhan.testing.cast import build_cast

    return build_cast()


@pytest.fixture(autouse=True)
def _second_factor_off_unless_asked(request, settings):
    """Most tests sign in with `force_login` and test something else than signing in: they run
    without the second factor, as the demo does. Tests marked `second_factor` run as production
    (tests/accounts/test_signin.py)."""
    settings.FAZHAN_SECOND_FACTOR = request.node.get_closest_marker("second_factor") is not None


@pytest.fixture(scope="session")
def _attachments_root(tmp_path_factory):
    return tmp_path_factory.mktemp("attachments")


@pytest.fixture(autouse=True)
def _attachments_outside_the_tree(settings, _attachments_root):
    """Scans stored by tests (fazhan.attachments) go to a temporary folder, not var/."""
    settings.FAZHAN_ATTACHMENTS_ROOT = _attachments_root


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts and ends in the default language: a test that activates another one
    (the i18n tests) would otherwise leave it active for the next test in the same worker."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()
