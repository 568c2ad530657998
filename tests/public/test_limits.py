"""Step 8 item 5: the feedback limit counts valid items per client, a flood from one client never
blocks another, a flooded notice asks a question instead of refusing, and nothing kept links an
item to a client once the day is over."""

from __future__ import annotations

import re

import pytest
from django.db import models
from django.test import Client

from fazhan.notices.models import Feedback, FeedbackAddition
from fazhan.public import ratelimit
from fazhan.public.models import DaySalt
from tests.public.test_public import IP, at, notice, post_feedback  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db
QUESTION = re.compile(r"(\d+) \+ (\d+) = \?")


def test_it_does_not_count_invalid_posts_against_the_notice_or_other_clients(notice):  # noqa: F811
    flooder, other = Client(), Client()
    with at("2026-03-03"):
        for _n in range(59):  # stale forms: never valid
            junk = flooder.post(
                f"/gongshi/{notice.token}/feedback/",
                {"text": "x", "form_token": "stale"},
                REMOTE_ADDR=IP,
            )
            assert junk.status_code == 200
        assert not ratelimit.exceeded(ratelimit.NOTICE_DAY, f"notice:{notice.pk}")
        assert post_feedback(flooder, notice).status_code == 200  # the 60th POST, valid
        assert post_feedback(flooder, notice).status_code == 429  # its own burst is spent
        assert post_feedback(other, notice, ip="198.51.100.9").status_code == 200
    assert Feedback.objects.count() == 2


def _answer(page: str) -> tuple[str, str]:
    a, b = QUESTION.search(page).groups()  # type: ignore[union-attr]
    token = re.search(r'name="challenge_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    return str(int(a) + int(b)), token


def test_a_flooded_notice_asks_a_question_instead_of_refusing(notice, monkeypatch):  # noqa: F811
    monkeypatch.setattr(ratelimit, "NOTICE_DAY", ratelimit.Limit("notice-day", 2, 86_400))
    client = Client()
    with at("2026-03-03"):
        for ip in ("198.51.100.1", "198.51.100.2"):
            assert post_feedback(client, notice, ip=ip).status_code == 200
        page = client.get(f"/gongshi/{notice.token}/").content.decode()
        assert "请先计算" in page
        answer, token = _answer(page)
        missing = post_feedback(client, notice, ip="198.51.100.3")
        assert missing.status_code == 200 and 'id="receipt-code"' not in missing.content.decode()
        wrong = post_feedback(
            client, notice, ip="198.51.100.3", challenge_token=token, challenge_answer="-1"
        )
        assert "计算结果不对" in wrong.content.decode()
        right = post_feedback(
            client, notice, ip="198.51.100.3", challenge_token=token, challenge_answer=answer
        )
        assert 'id="receipt-code"' in right.content.decode()
        again = post_feedback(
            client, notice, ip="198.51.100.4", challenge_token=token, challenge_answer=answer
        )
        assert "计算结果不对" in again.content.decode()  # a question is answered once
    assert Feedback.objects.count() == 3


def test_nothing_kept_links_an_item_to_a_client_after_the_day(notice):  # noqa: F811
    class Request:
        META = {"REMOTE_ADDR": "203.0.113.77"}

    now = 1_770_000_000.0
    key = ratelimit.client_key(Request(), now)  # type: ignore[arg-type]
    salt = DaySalt.objects.get()
    assert ratelimit.client_key(Request(), now + 60) == key  # stable within the day
    ratelimit.client_key(Request(), now + 86_400)  # the next day's first request
    assert not DaySalt.objects.filter(pk=salt.pk).exists()
    # Feedback keeps its date, never a time of day.
    for model in (Feedback, FeedbackAddition):
        assert not [f for f in model._meta.get_fields() if isinstance(f, models.DateTimeField)]
