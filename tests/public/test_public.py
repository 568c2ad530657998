"""The public pages under /gongshi/: whitelist only, not indexed, gone after the end, feedback with
a receipt code, bursts slowed down, and no IP address stored anywhere."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.db import models
from django.test import Client

from fazhan.audit.models import Event
from fazhan.notices.actions import (
    do_close_feedback,
    do_create_notice,
    do_publish_notice,
    do_record_consent,
    receipt_hash,
)
from fazhan.notices.models import Feedback, FeedbackAddition
from fazhan.notices.pdf import notice_print_html
from fazhan.people.models import Person
from fazhan.public import ratelimit
from fazhan.public.forms import form_token
from fazhan.public.models import RateCounter
from tests.notices.files import activist_ready

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = "2026-03-02"
ID_PATTERN = re.compile(r"\d{17}[\dX]")
IP = "203.0.113.77"


def at(day: str | date):
    text = day if isinstance(day, str) else day.isoformat()
    return time_machine.travel(
        datetime.fromisoformat(text).replace(hour=10, tzinfo=SHANGHAI), tick=False
    )


@pytest.fixture
def notice(cast):
    """A running notice (2–6 March 2026) for two candidates with ID numbers and birth dates."""
    with at(MONDAY):
        one = activist_ready(cast, name="林一", serial=11, birth=date(1996, 7, 14))
        two = activist_ready(cast, name="王二", sex="M", serial=12, birth=date(1999, 12, 3))
        made = do_create_notice(
            cast.zhibu,
            org=cast.branch_a,
            kind="N-TGT",
            candidates=[one, two],
            contact="城关社区党委办公室 0851-2860123",
        )
        for entry in made.entries.all():
            do_record_consent(cast.zhibu, entry, consented_on=date(2026, 3, 2))
        return do_publish_notice(cast.zhibu, made)


def post_feedback(client, notice, text="请核实该同志的表现。", concerns="", **extra):
    return client.post(
        f"/gongshi/{notice.token}/feedback/",
        {
            "concerns": concerns,
            "text": text,
            "form_token": form_token(notice.token),
            **extra,
        },
        REMOTE_ADDR=extra.pop("ip", IP),
    )


def receipt_code(response) -> str:
    found = re.search(r'<code id="receipt-code">([^<]+)</code>', response.content.decode())
    assert found, response.content.decode()[:500]
    return found.group(1)


def birth_dates() -> list[date]:
    return list(Person.objects.values_list("birth_date", flat=True))


def assert_clean(body: str, births: list[date]) -> None:
    assert not ID_PATTERN.search(body), ID_PATTERN.search(body)
    for born in births:
        assert born.isoformat() not in body
        assert f"{born.year}年{born.month}月{born.day}日" not in body


def test_no_public_response_holds_an_id_number_or_a_full_birth_date(notice):
    people = Person.objects.filter(candidacies__notice_entries__notice=notice)
    assert people.count() == 2 and all(p.has_id_number for p in people)
    births = birth_dates()  # every person's, those on the notice included
    client = Client()
    entry = notice.entries.first()
    responses = []
    with at("2026-03-03"):
        responses.append(client.get("/gongshi/"))
        responses.append(client.get(f"/gongshi/{notice.token}/"))
        responses.append(client.get(f"/gongshi/{notice.token}/feedback/"))
        sent = post_feedback(client, notice, concerns=str(entry.pk))
        responses.append(sent)
        code = receipt_code(sent)
        responses.append(client.get("/gongshi/receipt/"))
        responses.append(client.post("/gongshi/receipt/", {"code": code}))
        responses.append(client.post("/gongshi/receipt/", {"code": code, "text": "补充情况。"}))
        responses.append(client.post("/gongshi/receipt/", {"code": "wrong-code"}))
        pdf = client.get(f"/gongshi/{notice.token}/notice.pdf")
        html = notice_print_html(None, notice)
    with at("2026-03-09"):
        responses.append(client.get(f"/gongshi/{notice.token}/"))  # gone
        responses.append(client.post("/gongshi/receipt/", {"code": code}))
    for response in responses:
        assert response.status_code in (200, 404), response.status_code
        assert_clean(response.content.decode(), births)
    # The names are there (the whitelist works), the birth YEAR only.
    page = responses[1].content.decode()
    assert "林一" in page and "1996年" in page and "大学本科" in page
    assert "城关社区党委办公室 0851-2860123" in page
    for person in Person.objects.all():
        assert person.id_number_masked not in page
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    # The raw bytes are compressed streams and font data where any 18 digits may occur by chance
    # ("929292929292929292" once did): look for the people's own numbers there, for any number
    # in the text pdftotext reads.
    raw = pdf.content.decode("latin-1")
    assert not any(p.decrypt_id_number() in raw for p in Person.objects.all())
    assert_clean(html, births)
    assert "林一" in html
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True
        ).stdout.decode()
        assert "林一" in text and "王二" in text and "扫码反映意见" in text
        assert not ID_PATTERN.search(text.replace(" ", ""))
        assert_clean(text.replace(" ", ""), births)


def test_public_pages_are_not_indexed(notice):
    client = Client()
    with at("2026-03-03"):
        for url in ("/gongshi/", f"/gongshi/{notice.token}/", f"/gongshi/{notice.token}/feedback/"):
            response = client.get(url)
            assert response["X-Robots-Tag"] == "noindex, nofollow"
            assert '<meta name="robots" content="noindex' in response.content.decode()
        assert client.get(f"/gongshi/{notice.token}/notice.pdf")["X-Robots-Tag"].startswith(
            "noindex"
        )


def test_a_notice_is_public_from_its_first_day_to_its_end_and_gone_after(cast, notice):
    client = Client()
    urls = [f"/gongshi/{notice.token}/", f"/gongshi/{notice.token}/feedback/"]
    with at("2026-03-06"):  # the last day counts
        assert all(client.get(u).status_code == 200 for u in urls)
        assert notice.token in client.get("/gongshi/").content.decode()
    with at("2026-03-07"):
        for url in [*urls, f"/gongshi/{notice.token}/notice.pdf"]:
            gone = client.get(url)
            assert gone.status_code == 404
            assert "林一" not in gone.content.decode()
        assert post_feedback(client, notice).status_code == 404
        listing = client.get("/gongshi/").content.decode()
        assert notice.token not in listing and "目前没有正在进行的公示" in listing
    with at("2026-03-01"):
        assert client.get(urls[0]).status_code == 404
    # A draft is never public.
    with at(MONDAY):
        draft = do_create_notice(
            cast.zhibu,
            org=cast.branch_a,
            kind="N-TGT",
            candidates=[activist_ready(cast, name="草稿", serial=19)],
            contact="x",
        )
        assert client.get(f"/gongshi/{draft.token}/").status_code == 404


def test_feedback_gets_a_receipt_code_to_follow_it_and_add_information(cast, notice):
    client = Client(enforce_csrf_checks=True)
    with at("2026-03-03"):
        form = client.get(f"/gongshi/{notice.token}/feedback/")
        token = form.cookies["csrftoken"].value
        sent = client.post(
            f"/gongshi/{notice.token}/feedback/",
            {
                "text": "该同志在单位有时迟到早退。",
                "sender_name": "",
                "form_token": form_token(notice.token),
                "csrfmiddlewaretoken": token,
            },
            REMOTE_ADDR=IP,
        )
        assert sent.status_code == 200
        assert sent["Cache-Control"] == "no-store"
        code = receipt_code(sent)
        assert len(code) >= 22  # token_urlsafe: ≥ 128 bits of randomness
        item = Feedback.objects.get()
        assert item.receipt_hash == receipt_hash(code) and code not in str(
            Feedback.objects.values().get()
        )
        assert (item.sender_name, item.entry_id, item.state) == ("", None, "pending")
        status = client.post("/gongshi/receipt/", {"code": code, "csrfmiddlewaretoken": token})
        assert "已受理，等待核查" in status.content.decode()
        client.post(
            "/gongshi/receipt/",
            {"code": code, "text": "补充：有证人。", "csrfmiddlewaretoken": token},
        )
        assert FeedbackAddition.objects.get().text == "补充：有证人。"
        do_close_feedback(
            cast.zhibu, item, state="unfounded", finding="内部核查记录。", reply="经核查不属实。"
        )
    with at("2026-03-20"):  # after the end the sender can still follow the item
        status = client.post(
            "/gongshi/receipt/", {"code": code, "csrfmiddlewaretoken": token}
        ).content.decode()
        assert "已办结" in status and "经核查不属实。" in status
        assert "内部核查记录" not in status  # the finding stays inside
        assert "林一" not in status  # no candidate named after the end
        refused = client.post(
            "/gongshi/receipt/", {"code": code, "text": "再补充。", "csrfmiddlewaretoken": token}
        ).content.decode()
        assert "已办结" in refused and FeedbackAddition.objects.count() == 1


def test_the_form_refuses_a_missing_csrf_token_a_honeypot_and_a_stale_form(notice):
    with at("2026-03-03"):
        strict = Client(enforce_csrf_checks=True)
        assert post_feedback(strict, notice).status_code == 403
        client = Client()
        assert "提交未成功" in post_feedback(client, notice, website="http://spam").content.decode()
        stale = client.post(
            f"/gongshi/{notice.token}/feedback/",
            {"text": "x", "form_token": form_token("another-notice")},
        )
        assert "页面已过期" in stale.content.decode()
        assert Feedback.objects.count() == 0


def test_a_burst_from_one_client_is_slowed_down(notice):
    client = Client()
    with at("2026-03-03"):
        codes = [post_feedback(client, notice, text=f"第{i}条").status_code for i in range(7)]
        assert codes == [200] * 5 + [429, 429]
        refused = post_feedback(client, notice)
        assert "提交过于频繁" in refused.content.decode() and refused["Retry-After"] == "600"
        assert Feedback.objects.count() == 5
        # Another client is not held up by the first.
        assert post_feedback(client, notice, ip="198.51.100.9").status_code == 200
    with at("2026-03-03") as traveller:
        traveller.shift(timedelta(minutes=11))
        assert post_feedback(client, notice).status_code == 200


def test_counters_are_keyed_without_the_address_and_purged_after_a_day():
    class Request:
        META = {"REMOTE_ADDR": IP}

    now = 1_770_000_000.0
    key = ratelimit.client_key(Request(), now)  # type: ignore[arg-type]
    assert IP not in key and len(key) == 64
    assert ratelimit.client_key(Request(), now + 86_400) != key  # a new key every day
    assert ratelimit.hit(ratelimit.FEEDBACK_BURST, key, now)
    assert RateCounter.objects.count() == 1
    ratelimit.hit(ratelimit.FEEDBACK_BURST, "other", now + 86_400 + 700)
    assert list(RateCounter.objects.values_list("key", flat=True)) == ["other"]
    assert ratelimit.purge(now + 3 * 86_400) == 1


def _own_models():
    for label in ("notices", "public", "reviews"):
        yield from apps.get_app_config(label).get_models()


def test_no_model_field_stores_an_ip_address(notice):
    names = re.compile(r"(^|_)(ip|ips|ip_address|remote|remote_addr|addr|user_agent)(_|$)")
    for model in _own_models():
        for field in model._meta.get_fields():
            if not hasattr(field, "column"):
                continue
            assert not isinstance(field, models.GenericIPAddressField), field
            assert not names.search(field.name), f"{model.__name__}.{field.name}"
    client = Client()
    with at("2026-03-03"):
        sent = post_feedback(client, notice)
        client.post(
            "/gongshi/receipt/", {"code": receipt_code(sent), "text": "补充。"}, REMOTE_ADDR=IP
        )
    assert Feedback.objects.count() == 1 and RateCounter.objects.exists()
    for model in [*_own_models(), Event]:
        for row in model.objects.values():
            assert IP not in str(row), (model.__name__, row)


def test_the_receipt_code_can_be_typed_back_loosely(notice):
    client = Client()
    with at("2026-03-03"):
        code = receipt_code(post_feedback(client, notice))
        assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{1,4})+", code)
        assert len(code.replace("-", "")) * 5 >= 128  # base32: five bits a character
        typed = code.replace("-", " ").lower().replace("o", "0")
        status = client.post("/gongshi/receipt/", {"code": typed}).content.decode()
        assert "已受理" in status
