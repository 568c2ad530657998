"""The auditor verifies the chain from the home page: a queued task (run at once in tests), its
progress, and the same result as `fazhan audit verify`."""

from __future__ import annotations

import pytest
from django.db import transaction

from fazhan.audit import chain
from fazhan.audit.chain import append_event, verify_chain
from fazhan.auditlog.actions import do_request_verify
from fazhan.auditlog.models import RunState, VerifyRun
from fazhan.core.errors import ActionRefused
from tests.audit.helpers import raw

pytestmark = pytest.mark.django_db


def _some_events(n: int = 5) -> None:
    with transaction.atomic():
        for index in range(n):
            append_event(kind="S01", candidate_id=None, happened_on=None, payload={"n": index})


def test_it_finds_the_chain_intact_with_its_head_code(client, cast):
    _some_events()
    client.force_login(cast.shenji)
    response = client.post("/audit/verify/")
    assert response.status_code == 302
    run = VerifyRun.objects.get()
    expected = verify_chain()
    assert run.state == RunState.INTACT
    assert run.events == expected.events and run.head == expected.head
    fragment = client.get("/audit/verify/progress/").content.decode()
    assert "记录链完整" in fragment and expected.head in fragment


def test_it_names_the_first_tampered_event_in_plain_chinese(client, cast):
    _some_events()
    last = chain.read_head().seq
    raw("UPDATE audit_event SET payload = %s WHERE seq = %s", ['{"n": 99}', last - 2])
    client.force_login(cast.shenji)
    client.post("/audit/verify/")
    run = VerifyRun.objects.get()
    assert run.state == RunState.BROKEN
    assert run.broken_seq == last - 2
    fragment = client.get("/audit/verify/progress/").content.decode()
    assert f"第 {last - 2} 号事件不符" in fragment
    assert "内容与哈希不符（记录被修改）" in fragment


def test_it_reports_its_progress_while_it_walks(cast, monkeypatch):
    _some_events(7)
    monkeypatch.setattr(chain, "VERIFY_CHUNK", 2)
    heard: list[int] = []
    result = verify_chain(progress=heard.append)
    assert result.ok
    assert heard == list(range(2, result.events + 1, 2))


def test_it_refuses_a_second_run_while_one_waits(cast):
    VerifyRun.objects.create(
        requested_by=cast.shenji, requested_at=chain.timezone.now(), state=RunState.QUEUED
    )
    with pytest.raises(ActionRefused, match="已有一次校验正在进行"):
        do_request_verify(cast.shenji)


def test_it_shows_the_waiting_run_with_its_progress(client, cast):
    VerifyRun.objects.create(
        requested_by=cast.shenji,
        requested_at=chain.timezone.now(),
        state=RunState.RUNNING,
        done=500,
        total=2000,
    )
    client.force_login(cast.shenji)
    fragment = client.get("/audit/verify/progress/").content.decode()
    assert "已核对 500 / 2000 条事件" in fragment
    assert 'value="25"' in fragment
    assert "every 2s" in fragment


@pytest.mark.parametrize("username", ["qu", "dangwei", "zhibu", "admin", "baomi", "outsider"])
def test_it_lets_nobody_but_the_auditor_verify(client, cast, username):
    client.force_login(cast.users[username])
    assert client.post("/audit/verify/").status_code == 404
    assert client.get("/audit/verify/progress/").status_code == 404
    assert not VerifyRun.objects.exists()


def test_it_puts_the_verification_on_the_auditors_home(client, cast):
    client.force_login(cast.shenji)
    page = client.get("/").content.decode()
    assert 'action="/audit/verify/"' in page
    assert 'hx-get="/audit/verify/progress/"' in page


@pytest.mark.django_db(transaction=True)
def test_it_queues_the_verification_for_the_worker(client, cast, settings):
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _some_events()
    client.force_login(cast.shenji)
    client.post("/audit/verify/")
    run = VerifyRun.objects.get()
    assert run.state == RunState.QUEUED and run.total == chain.read_head().seq
    assert DBTaskResult.objects.count() == 1
    waiting = client.get("/audit/verify/progress/").content.decode()
    assert "已排队，等待后台校验" in waiting
    again = client.post("/audit/verify/", follow=True).content.decode()
    assert "已有一次校验正在进行" in again and VerifyRun.objects.count() == 1

    call_command("worker", batch=True, verbosity=0)
    run.refresh_from_db()
    assert run.state == RunState.INTACT and run.done == run.events == run.total
    done = client.get("/audit/verify/progress/").content.decode()
    assert "记录链完整" in done and "every 2s" not in done
