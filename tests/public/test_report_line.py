"""Every notice, on its page and its PDF, carries the 12380 reporting line and the superior
committee's telephone and address, and ends with the issuing organization and the date (落款)
(Issue 14 item 9; fazhan.notices.reportline)."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date

import pytest

from fazhan.audit.models import Event
from fazhan.core.errors import ActionRefused
from fazhan.notices.models import Notice
from fazhan.notices.pdf import notice_print_html
from fazhan.orgadmin.actions import do_set_contact
from tests.public.test_public import MONDAY, at, notice  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db
PHONE = "0851-2860999"
ADDRESS = "示范区城关街道人民路1号"


def _signature(html: str) -> str:
    found = re.search(r'id="signature">(.*?)</', html, re.S)
    assert found, html
    return found.group(1)


def test_it_prints_the_12380_line_the_superior_contact_and_the_signature(cast, notice):  # noqa: F811
    superior = notice.org.parent
    with at(MONDAY):
        do_set_contact(cast.qu, superior, phone=PHONE, address=ADDRESS, on=notice.first_day)
        from django.test import Client

        page = Client().get(f"/gongshi/{notice.token}/").content.decode()
        pdf = Client().get(f"/gongshi/{notice.token}/notice.pdf")
    html = notice_print_html(None, Notice.objects.get(pk=notice.pk))
    for text in (page, html):
        assert "举报电话 12380" in text and "www.12380.gov.cn" in text
        assert superior.name in text and PHONE in text and ADDRESS in text
        signature = _signature(text)
        assert notice.org.name in signature and "2026" in signature
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True
        ).stdout.decode()
        assert "12380" in text.replace(" ", "") and PHONE in text.replace(" ", "")


def test_it_keeps_the_contact_with_its_event_and_refuses_a_bad_phone(cast):
    org = cast.sub_a
    with pytest.raises(ActionRefused, match="联系电话只能包含数字"):
        do_set_contact(cast.qu, org, phone="call me", address="", on=date(2026, 3, 2))
    do_set_contact(cast.qu, org, phone=PHONE, address=ADDRESS, on=date(2026, 3, 2))
    org.refresh_from_db()
    assert (org.phone, org.address) == (PHONE, ADDRESS)
    event = Event.objects.filter(kind="org.updated").latest("seq")
    assert event.payload["changes"] == {"contact_tel": [False, True], "contact_post": [False, True]}
    assert PHONE not in str(event.payload) and ADDRESS not in str(event.payload)
    with pytest.raises(ActionRefused, match="没有变化"):
        do_set_contact(cast.qu, org, phone=PHONE, address=ADDRESS, on=date(2026, 3, 2))


def test_it_edits_the_contact_on_the_organization_page(cast, client):
    client.force_login(cast.qu)
    page = client.get(f"/orgs/{cast.sub_a.pk}/").content.decode()
    assert 'id="contact-form"' in page
    client.post(f"/orgs/{cast.sub_a.pk}/contact/", {"phone": PHONE, "address": ADDRESS})
    cast.sub_a.refresh_from_db()
    assert cast.sub_a.phone == PHONE
