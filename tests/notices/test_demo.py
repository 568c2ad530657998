"""The demo's open notices: published through the actions, with feedback in every state."""

from __future__ import annotations

import pytest
from django.test import Client

from fazhan.accounts.models import User
from fazhan.audit.chain import verify_chain
from fazhan.demo.builder import build_demo
from fazhan.notices.demo import add_demo_notices
from fazhan.notices.models import Feedback, Notice, NoticeStatus
from fazhan.policy.engine import today_in_shanghai
from fazhan.web.queues import queue_for

pytestmark = pytest.mark.django_db


def test_it_adds_open_notices_with_feedback_in_every_state():
    today = today_in_shanghai()
    build_demo(scale=0.05, today=today)
    made = add_demo_notices(today)
    assert made >= 2
    notices = Notice.objects.filter(status=NoticeStatus.PUBLISHED)
    assert notices.count() == made
    assert all(n.is_open(today) for n in notices)
    first = notices.order_by("pk").first()
    assert set(first.feedback.values_list("state", flat=True)) == {
        "pending",
        "unfounded",
        "founded_minor",
        "upheld",
    }
    assert Feedback.objects.filter(state="pending", handler__isnull=True).exists()
    assert verify_chain().ok
    listing = Client().get("/gongshi/").content.decode()
    for notice in notices:
        assert notice.token in listing
    # zhibu's queue shows feedback to handle on its own notice.
    zhibu = User.objects.get(username="zhibu")
    if first.org.roles.filter(user=zhibu).exists():
        assert any(i.kind == "feedback" for i in queue_for(zhibu))
