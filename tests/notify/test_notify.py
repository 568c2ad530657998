"""Notifications: produced by the daily job and by events, idempotent, one account's own list,
and the optional gateway (never really sending in tests)."""

from __future__ import annotations

import io
import uuid
from datetime import date

import pytest
from django.core.management import call_command
from django.utils.translation import override

from fazhan.notices.models import Feedback, Notice, NoticeStatus
from fazhan.notify.deliver import deliver
from fazhan.notify.gateway import ConsoleBackend, LocmemBackend, Message
from fazhan.notify.models import Kind, Notification
from fazhan.notify.produce import daily, sync_user
from fazhan.people.actions import do_record_step
from tests.people.test_actions import at, new_candidate

pytestmark = pytest.mark.django_db


def _applied(cast, day: str = "2019-03-04"):
    """An application received on `day`: the talk is due a month later (细则 art. 7)."""
    candidate = new_candidate(cast)
    with at(day):
        do_record_step(cast.zhibu, candidate, step="S01", happened_on=date.fromisoformat(day))
    candidate.refresh_from_db()
    return candidate


def test_it_tells_the_branch_of_an_overdue_talk_once_however_often_the_job_runs(cast):
    candidate = _applied(cast)
    with at("2019-04-21"):
        first = daily()
        second = daily()
    assert first[1] >= 1 and second[1] == 0
    mine = Notification.objects.of(cast.zhibu)
    overdue = mine.filter(kind=Kind.OVERDUE)
    assert overdue.count() == 1
    assert overdue.get().url == f"/candidates/{candidate.pk}/"
    assert overdue.get().deadline == date(2019, 4, 4)
    # The talk is the branch's step: the committee and the district hear nothing of it.
    for other in (cast.dangwei, cast.qu, cast.zhibu2):
        assert not Notification.objects.of(other).filter(url=f"/candidates/{candidate.pk}/")


def test_it_tells_of_a_deadline_within_the_week_and_not_earlier(cast):
    candidate = _applied(cast, "2019-04-20")  # the talk due by 2019-05-20
    assert candidate.next_due == date(2019, 5, 20)
    with at("2019-05-12"):
        daily()
    assert not Notification.objects.of(cast.zhibu).filter(kind=Kind.DUE_SOON)
    with at("2019-05-13"):
        daily()
    soon = Notification.objects.of(cast.zhibu).get(kind=Kind.DUE_SOON)
    assert soon.deadline == date(2019, 5, 20) and "S02" in soon.title


def test_it_runs_as_the_daily_command_twice_without_duplicates(cast):
    _applied(cast)
    out = io.StringIO()
    call_command("notify", "--today", "2019-04-21", stdout=out)
    count = Notification.objects.count()
    call_command("notify", "--today", "2019-04-21", stdout=out)
    assert Notification.objects.count() == count > 0
    assert "新增通知 0 条" in out.getvalue().splitlines()[-1]


def _feedback(cast):
    notice = Notice.objects.create(
        kind="N-TGT",
        org=cast.branch_a,
        token=uuid.uuid4().hex,
        contact="党群服务中心 0851-0000000",
        created_by=cast.zhibu,
        status=NoticeStatus.PUBLISHED,
        first_day=date(2026, 3, 2),
        end=date(2026, 3, 6),
    )
    return Feedback.objects.create(
        notice=notice, text="反映情况", receipt_hash=uuid.uuid4().hex, received_on=date(2026, 3, 3)
    )


def test_it_tells_the_branch_at_once_when_feedback_arrives_on_its_notice(
    cast, django_capture_on_commit_callbacks
):
    with at("2026-03-03"), django_capture_on_commit_callbacks(execute=True):
        feedback = _feedback(cast)
    got = Notification.objects.of(cast.zhibu).get(kind=Kind.FEEDBACK)
    assert got.url == f"/notices/feedback/{feedback.pk}/"
    # Not the committee above, not another branch (issue 14 item 4: what waits for them).
    assert not Notification.objects.of(cast.dangwei).filter(kind=Kind.FEEDBACK)
    assert not Notification.objects.of(cast.zhibu2).filter(kind=Kind.FEEDBACK)


def test_it_lists_only_the_accounts_own_and_marks_them_read(client, cast):
    with at("2026-03-03"):
        _feedback(cast)
        sync_user(cast.zhibu)
        mine = Notification.objects.of(cast.zhibu).get()
        client.force_login(cast.zhibu)
        page = client.get("/notify/").content.decode()
        assert "公示反馈" in page and 'id="bell"' in page and "1 条未读" in page
        client.force_login(cast.qu)  # the district reaches the branch, not its notifications
        assert "反映情况" not in client.get("/notify/").content.decode()
        assert client.post(f"/notify/{mine.pk}/read/").status_code == 404
        client.force_login(cast.zhibu)
        assert client.post(f"/notify/{mine.pk}/read/").status_code == 302
        assert client.get(f"/notify/{mine.pk}/read/").status_code == 405
        assert "0 条未读" in client.get("/notify/").content.decode()
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_it_sends_each_notification_once_through_the_configured_gateway(cast, settings):
    cast.zhibu.email = "zhibu@example.invalid"
    cast.zhibu.save()
    _applied(cast)
    with at("2019-04-21"):
        daily()
    assert deliver() == 0  # no gateway configured: nothing sent, nothing marked
    assert not Notification.objects.filter(sent_at__isnull=False)
    settings.FAZHAN_NOTIFY_BACKEND = "fazhan.notify.gateway.LocmemBackend"
    LocmemBackend.outbox.clear()
    sent = deliver()
    assert sent == Notification.objects.of(cast.zhibu).count() == len(LocmemBackend.outbox)
    assert deliver() == 0
    assert {m.address for m in LocmemBackend.outbox} == {"zhibu@example.invalid"}


def test_it_prints_a_message_on_the_console_backend():
    stream = io.StringIO()
    ConsoleBackend(stream).send([Message(1, "a@example.invalid", "通知", "已逾期：S02")])
    assert "a@example.invalid" in stream.getvalue() and "已逾期：S02" in stream.getvalue()


def test_it_shows_the_same_notification_in_the_readers_language(cast):
    _applied(cast)
    with at("2019-04-21"):
        daily()
    got = Notification.objects.of(cast.zhibu).get(kind=Kind.OVERDUE, url__startswith="/candidates/")
    assert got.code == "file_overdue" and got.params["step"] == "S02"
    assert got.params["due"] == "2019-04-04"
    with override("zh-hans"):
        assert got.text.endswith("S02 党组织派人谈话，期限 2019-04-04 已过")
    with override("en"):
        assert got.text.endswith("S02 Talk with the applicant, deadline 2019-04-04 has passed")
    # The stored title is the default language's line, whatever language made the row.
    assert "期限 2019-04-04 已过" in got.title


def test_it_shows_a_queue_item_in_the_readers_language_whichever_language_made_it(cast):
    with at("2026-03-03"), override("en"):
        _feedback(cast)
        sync_user(cast.zhibu)
    got = Notification.objects.of(cast.zhibu).get(kind=Kind.FEEDBACK)
    assert set(got.params["item"]) == {"zh-hans", "zh-hant", "en"}
    with override("zh-hans"):
        assert got.text.startswith("公示反馈 #")
    with override("en"):
        assert "公示反馈" not in got.text and got.text == got.params["item"]["en"]


def test_it_keeps_an_old_row_without_data_readable_by_its_title(cast):
    old = Notification.objects.create(
        user=cast.zhibu,
        kind=Kind.CASE,
        key="old",
        title="旧通知的文字",
        created_on=date(2026, 3, 3),
    )
    with override("en"):
        assert old.text == "旧通知的文字" == str(old)
    broken = Notification.objects.create(
        user=cast.zhibu,
        kind=Kind.OVERDUE,
        key="broken",
        title="保存时的文字",
        code="file_overdue",
        params={"step": "S02"},
        created_on=date(2026, 3, 3),
    )
    assert broken.text == "保存时的文字"


def test_it_sends_through_the_gateway_in_the_default_language(cast, settings):
    cast.zhibu.email = "zhibu@example.invalid"
    cast.zhibu.save()
    _applied(cast)
    with at("2019-04-21"):
        daily()
    settings.FAZHAN_NOTIFY_BACKEND = "fazhan.notify.gateway.LocmemBackend"
    LocmemBackend.outbox.clear()
    with override("en"):
        deliver()
    bodies = [m.body for m in LocmemBackend.outbox]
    assert any("期限 2019-04-04 已过" in body for body in bodies)
    assert all("has passed" not in body for body in bodies)
    assert all(m.subject.startswith("发展党员工作通知：") for m in LocmemBackend.outbox)


def test_it_lists_the_lines_in_the_language_the_reader_chose(client, cast):
    _applied(cast)
    with at("2019-04-21"):
        daily()
        client.force_login(cast.zhibu)
        english = client.get("/notify/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        chinese = client.get("/notify/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "S02 Talk with the applicant, deadline 2019-04-04 has passed" in english
    assert "期限 2019-04-04 已过" not in english
    assert "S02 党组织派人谈话，期限 2019-04-04 已过" in chinese
