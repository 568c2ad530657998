"""The public notice page kept rendered (fazhan.public.pagecache): a change shows at once, a closed
or flooded notice is never served from what was kept, nothing of a visitor is kept, and an
anonymous visit writes nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fazhan.audit.chain import events_of
from fazhan.notices.disclosure import chinese_date
from fazhan.notices.models import Notice, NoticeStatus
from fazhan.people.actions import do_correct_event
from fazhan.public import pagecache, ratelimit
from fazhan.public.models import RateCounter
from tests.public.test_public import at, notice  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
FORM = re.compile(r'name="form_token" value="([^"]+)"')
WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


@pytest.fixture(autouse=True)
def _nothing_kept():
    """Each test starts with no kept page (the cache lives as long as the process)."""
    caches[pagecache.CACHE_ALIAS].clear()


def page_url(running: Notice) -> str:
    return f"/gongshi/{running.token}/"


def kept_pages() -> list[str]:
    cache = caches[pagecache.CACHE_ALIAS]
    return [v for v in (cache.get(k) for k in _keys()) if isinstance(v, str)]


def _keys() -> list[str]:
    # LocMemCache keeps its keys in `_cache` (made keys): read them back as stored.
    cache = caches[pagecache.CACHE_ALIAS]
    return [key.split(":", 2)[2] for key in cache._cache]  # type: ignore[attr-defined]


def test_it_serves_a_kept_page_with_one_query(notice):  # noqa: F811
    client = Client()
    with at("2026-03-03"):
        first = client.get(page_url(notice))
        with CaptureQueriesContext(connection) as queries:
            again = client.get(page_url(notice))
    assert first.status_code == again.status_code == 200
    assert len(queries.captured_queries) == 1, [q["sql"] for q in queries.captured_queries]
    assert "林一" in again.content.decode() and "王二" in again.content.decode()


def test_it_shows_the_new_text_at_once_after_a_correction(cast, notice):  # noqa: F811
    client = Client()
    candidate = notice.entries.get(candidate__person__name="林一").candidate
    old_day = candidate.applied_on
    new_day = old_day - timedelta(days=7)
    with at("2026-03-03"):
        before = client.get(page_url(notice)).content.decode()
        client.get(page_url(notice))  # served from the kept page
        s01 = next(e for e in events_of(candidate.pk) if e.kind == "S01")
        do_correct_event(
            cast.zhibu,
            candidate,
            seq=s01.seq,
            replacement={"date": new_day.isoformat()},
            reason="纸质档案日期为一周前",
        )
        after = client.get(page_url(notice)).content.decode()
    assert chinese_date(new_day) not in before
    assert chinese_date(new_day) in after
    # The other candidate applied on the same day: one mention fewer, not none.
    assert after.count(chinese_date(old_day)) == before.count(chinese_date(old_day)) - 1


def test_it_stops_showing_a_notice_and_taking_feedback_at_once_when_it_closes(notice):  # noqa: F811
    client = Client()
    with at("2026-03-03"):
        assert client.get(page_url(notice)).status_code == 200
        # Whatever closes it (here the status itself, changed behind the chain's back), the next
        # request is a 404: open or not is read on every request, never kept.
        Notice.objects.filter(pk=notice.pk).update(status=NoticeStatus.CANCELLED)
        gone = client.get(page_url(notice))
        refused = client.post(f"/gongshi/{notice.token}/feedback/", {"text": "请核实。"})
    assert gone.status_code == 404 and "林一" not in gone.content.decode()
    assert refused.status_code == 404
    with at("2026-03-06"):  # the last day, kept again, then the day after
        Notice.objects.filter(pk=notice.pk).update(status=NoticeStatus.PUBLISHED)
        assert client.get(page_url(notice)).status_code == 200
    with at("2026-03-07"):
        assert client.get(page_url(notice)).status_code == 404
        assert client.post(f"/gongshi/{notice.token}/feedback/", {"text": "x"}).status_code == 404


def test_it_asks_the_question_at_once_when_the_notice_is_flooded(notice):  # noqa: F811
    client = Client()
    with at("2026-03-03"):
        calm = client.get(page_url(notice)).content.decode()
        limit = ratelimit.NOTICE_DAY
        RateCounter.objects.create(
            scope=limit.scope,
            key=f"{ratelimit.NOTICE_KEY_PREFIX}{notice.pk}",
            window=ratelimit.current_window(limit),
            hits=limit.count,
        )
        flooded = [client.get(page_url(notice)).content.decode() for _ in range(2)]
    assert "请先计算" not in calm
    assert all("请先计算" in page for page in flooded)
    questions = [re.search(r'name="challenge_token" value="([^"]+)"', p) for p in flooded]
    assert questions[0] and questions[1] and questions[0].group(1) != questions[1].group(1)


def tamper(token: str) -> str:
    """The token with its last character changed (to another one, whatever it was)."""
    return token[:-1] + ("B" if token.endswith("A") else "A")


def test_it_keeps_no_token_and_each_visitor_gets_a_working_one(notice):  # noqa: F811
    client = Client(enforce_csrf_checks=True)
    other = Client(enforce_csrf_checks=True)
    with at("2026-03-03"):
        mine = client.get(page_url(notice))
        theirs = other.get(page_url(notice))
        kept = kept_pages()
        body = mine.content.decode()
        csrf = CSRF.findall(body)
        form = FORM.search(body)
        assert form is not None and len(csrf) == 2  # the language form and the feedback form
        tampered = client.post(
            f"/gongshi/{notice.token}/feedback/",
            {"csrfmiddlewaretoken": tamper(csrf[1]), "form_token": form.group(1), "text": "x"},
        )
        sent = client.post(
            f"/gongshi/{notice.token}/feedback/",
            {"csrfmiddlewaretoken": csrf[1], "form_token": form.group(1), "text": "请核实。"},
        )
    assert len(kept) == 1
    assert pagecache.CSRF_PLACEHOLDER in kept[0] and pagecache.FORM_PLACEHOLDER in kept[0]
    for token in [*csrf, *CSRF.findall(theirs.content.decode()), form.group(1)]:
        assert token not in kept[0]
    assert mine.cookies["csrftoken"].value != theirs.cookies["csrftoken"].value
    assert tampered.status_code == 403
    assert sent.status_code == 200 and 'id="receipt-code"' in sent.content.decode()


def test_it_writes_nothing_on_an_anonymous_visit(notice):  # noqa: F811
    client = Client()
    sessions = Session.objects.count()
    with at("2026-03-03"), CaptureQueriesContext(connection) as queries:
        responses = [client.get(page_url(notice)) for _ in range(3)]
        responses.append(client.get(f"/gongshi/{notice.token}/feedback/"))
        responses.append(client.get("/gongshi/"))
    assert all(r.status_code == 200 for r in responses)
    writes = [q["sql"] for q in queries.captured_queries if WRITES.match(q["sql"])]
    assert writes == []
    assert Session.objects.count() == sessions
    assert all("sessionid" not in r.cookies for r in responses)


def test_it_keeps_one_page_per_language_and_none_for_an_address_with_a_query(notice):  # noqa: F811
    client = Client()
    with at("2026-03-03"):
        chinese = client.get(page_url(notice)).content.decode()
        client.cookies["django_language"] = "en"
        english = client.get(page_url(notice)).content.decode()
        del client.cookies["django_language"]
        odd = client.get(page_url(notice) + "?from=elsewhere").content.decode()
        plain = client.get(page_url(notice)).content.decode()
    assert 'lang="zh-hans"' in chinese and 'lang="en"' in english
    assert "from=elsewhere" in odd and "from=elsewhere" not in plain
    assert sorted(key.rsplit(":", 1)[1] for key in _keys()) == ["en", "zh-hans"]
