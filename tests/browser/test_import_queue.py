"""A large confirmation queued for the worker, in a real browser: the batch page shows the
progress fragment (htmx polling, no inline script), the worker applies the batch, and the page
reloads itself to the result. Screenshots at 390 and 1366 px wide."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from fazhan.imports.models import BatchStatus, ImportBatch, JobState
from fazhan.people.models import Candidate
from fazhan.testing.factories import BranchFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROSTERS = Path(__file__).resolve().parents[2] / "examples" / "rosters"


def test_it_queues_a_large_confirmation_and_shows_its_progress(page, cast, shot, settings):
    settings.FAZHAN_IMPORT_QUEUE_ROWS = 10
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    branch = BranchFactory.create(
        parent=cast.general_branch_a, code="DEMO-01-01-01", name="示例社区第一党支部"
    )
    cast.dangwei.set_password("fazhan-demo")
    cast.dangwei.save()
    page.goto("/accounts/login/")
    page.fill("#id_username", "dangwei")
    page.fill("#id_password", "fazhan-demo")
    page.click("form.login button[type=submit]")
    page.wait_for_url("**/")
    page.goto("/imports/")
    page.select_option("form.upload-roster select[name=org]", str(cast.sub_a.pk))
    page.set_input_files("form.upload-roster input[type=file]", str(ROSTERS / "roster-clean.xlsx"))
    page.click("form.upload-roster button[type=submit]")
    page.wait_for_url("**/imports/*/")
    page.locator("form.confirm button").click()
    page.wait_for_load_state()
    job = page.locator("#job")
    assert "已排队，等待后台导入" in job.inner_text()
    assert page.locator("form.confirm button").is_disabled()
    batch = ImportBatch.objects.latest("pk")
    assert batch.job == JobState.QUEUED and not Candidate.objects.filter(org=branch).exists()
    for width in (390, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        # The progress fragment fits the narrow screen (the rows table below scrolls apart, and
        # so does the header's menu, one row that scrolls inside itself on a phone).
        box = job.bounding_box()
        assert box is not None and box["x"] + box["width"] <= width
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => "
            "e.getBoundingClientRect().right > innerWidth + 1 && !e.closest('table')"
            " && !e.closest('header.top nav'))"
            ".map(e => e.tagName + '.' + e.className).slice(0, 8)"
        )
        assert wide == [], wide
        shot(page, f"zh-hans-import-queued-{width}")

    call_command("worker", batch=True, verbosity=0)
    # The fragment polls every 2 s; once done it asks htmx to reload the whole page.
    page.wait_for_selector("#job", state="detached", timeout=20_000)
    page.wait_for_load_state()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPLIED
    assert Candidate.objects.filter(org=branch).count() == 24
    assert "已导入" in page.locator("h1 + p").inner_text()
    shot(page, "zh-hans-import-queued-done-1366")
