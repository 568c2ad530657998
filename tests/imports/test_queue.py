"""A large page confirmation goes to the worker (django-tasks, database backend): the page
answers at once with a progress fragment, the worker applies the batch, and a failure is shown
in Chinese with the batch still a draft. The confirmation prepares outside the transaction and
makes the plan again if the chain moved meanwhile."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from fazhan.audit.chain import NewEvent, append_events_bulk, events_of, verify_chain
from fazhan.imports import actions
from fazhan.imports.models import BatchStatus, ImportBatch, ImportPlan, JobState
from fazhan.people.models import Candidate, Person
from tests.imports.helpers import ACTIVIST, APPLICANT, TARGET, on, person, xlsx
from tests.imports.test_views import roster, upload

DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
ROWS = [
    person("示例排队甲", serial=1, **APPLICANT),
    person("示例排队乙", serial=2, **ACTIVIST),
    person("示例排队丙", serial=3, **TARGET),
]


@pytest.mark.django_db(transaction=True)
def test_it_queues_a_large_confirmation_and_the_worker_applies_it(
    client, cast, settings, monkeypatch
):
    settings.FAZHAN_IMPORT_QUEUE_ROWS = 2
    settings.TASKS = DATABASE
    client.force_login(cast.zhibu)
    batch = upload(client, cast, roster(*ROWS))
    with on():
        page = client.post(f"/imports/{batch.pk}/confirm/", follow=True).content.decode()
    batch.refresh_from_db()
    assert (batch.status, batch.job, batch.job_total) == (BatchStatus.DRAFT, JobState.QUEUED, 6)
    # The preview queued the planning ahead (prepare_batch), the page the confirmation.
    assert sorted(
        t.rsplit(".", 1)[-1] for t in DBTaskResult.objects.values_list("task_path", flat=True)
    ) == ["confirm_batch", "prepare_batch"]
    assert "已排队，等待后台导入" in page and f"/imports/{batch.pk}/progress/" in page
    assert "disabled aria-disabled" in page  # no second confirmation while it is queued
    assert not Candidate.objects.filter(person__name__startswith="示例排队").exists()
    with on():
        again = client.post(f"/imports/{batch.pk}/confirm/", follow=True).content.decode()
    assert "这一批已在导入中，请等待完成" in again and DBTaskResult.objects.count() == 2

    plain_plan = actions._plan
    plans: list[int] = []

    def counted(*args, **kwargs):
        plans.append(1)
        return plain_plan(*args, **kwargs)

    monkeypatch.setattr(actions, "_plan", counted)

    with on():
        call_command("worker", batch=True, verbosity=0)
    batch.refresh_from_db()
    assert (batch.status, batch.job) == (BatchStatus.APPLIED, JobState.NONE)
    assert plans == [1]  # planned once, by the prepare task; the confirmation only wrote
    assert not ImportPlan.objects.exists()
    assert Candidate.objects.filter(person__name__startswith="示例排队").count() == 3
    assert verify_chain().ok
    fragment = client.get(f"/imports/{batch.pk}/progress/", headers={"HX-Request": "true"})
    assert fragment["HX-Refresh"] == "true" and "已导入，共 3 行" in fragment.content.decode()


@pytest.mark.django_db
def test_it_shows_progress_while_preparing_to_the_uploader_only(client, cast):
    client.force_login(cast.zhibu)
    batch = upload(client, cast, roster(*ROWS))
    ImportBatch.objects.filter(pk=batch.pk).update(job=JobState.PREPARING, job_done=3, job_total=6)
    response = client.get(f"/imports/{batch.pk}/progress/", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "正在准备档案（45%）" in body and 'value="45"' in body
    assert "HX-Refresh" not in response  # still running: keep polling
    client.force_login(cast.zhibu2)
    assert client.get(f"/imports/{batch.pk}/progress/").status_code == 404


@pytest.mark.django_db
def test_it_shows_a_failed_confirmation_in_chinese_and_keeps_the_draft(client, cast, settings):
    settings.FAZHAN_IMPORT_QUEUE_ROWS = 2  # tests run tasks immediately (tests/conftest.py)
    client.force_login(cast.zhibu)
    batch = upload(client, cast, roster(*ROWS))
    # Between the preview and the confirmation, the second row's person gets a file.
    with on():
        taken = Person(name="他人", sex="M", birth_date=ROWS[1]["出生日期"])
        taken.set_id_number(str(ROWS[1]["身份证号"]))
        taken.fill_derived()
        taken.save()
        # An open file: a person whose every file ended may apply again (docs/intake.md).
        Candidate.objects.create(person=taken, org=cast.branch_a)
        page = client.post(f"/imports/{batch.pk}/confirm/", follow=True).content.decode()
    batch.refresh_from_db()
    assert (batch.status, batch.job) == (BatchStatus.DRAFT, JobState.FAILED)
    assert "第 3 行" in batch.job_message and "该身份证号码已有档案" in batch.job_message
    assert "导入失败，这一批仍是草稿，没有导入任何内容" in page and batch.job_message in page
    assert not Candidate.objects.filter(person__name__startswith="示例排队").exists()
    assert verify_chain().ok


@pytest.mark.django_db
def test_it_moves_the_plan_along_under_the_lock_when_the_chain_moved_since_the_plan(
    cast, monkeypatch
):
    batch = upload_direct(cast)
    ImportPlan.objects.filter(batch=batch).delete()  # no kept plan: planned at confirmation
    plain_plan = actions._plan
    calls: list[int] = []

    def plan_then_someone_appends(*args, **kwargs):
        made = plain_plan(*args, **kwargs)
        calls.append(made.head_seq)
        if len(calls) == 1:  # another writer appends between the plan and the write
            append_events_bulk([NewEvent("x-other", None, None, {"n": 1})])
        return made

    monkeypatch.setattr(actions, "_plan", plan_then_someone_appends)
    with on():
        actions.do_apply_batch(cast.zhibu, batch)
    # Not made again: no event names another by its seq, so the seqs move along by one.
    assert calls == [calls[0]]
    mine = Candidate.objects.filter(person__name__startswith="示例排队")
    assert mine.count() == 3 and verify_chain().ok
    for candidate in mine:
        assert candidate.head_seq == max(e.seq for e in events_of(candidate.pk))


def upload_direct(cast) -> ImportBatch:
    with on():
        return actions.do_preview_roster(
            cast.zhibu, org=cast.branch_a, filename="名册.xlsx", data=xlsx(ROWS)
        )


@pytest.mark.django_db
def test_it_lets_a_batch_whose_worker_died_be_confirmed_again_after_30_minutes(client, cast):
    client.force_login(cast.zhibu)
    batch = upload(client, cast, roster(*ROWS))
    with on():  # the job's silence is measured on the same clock
        silent = timezone.now() - timedelta(minutes=29)
        ImportBatch.objects.filter(pk=batch.pk).update(job=JobState.PREPARING, job_at=silent)
        batch.refresh_from_db()
        assert batch.job_running and not batch.can_apply
        refused = client.post(f"/imports/{batch.pk}/confirm/", follow=True).content.decode()
        assert "这一批已在导入中，请等待完成" in refused and "disabled aria-disabled" in refused
        ImportBatch.objects.filter(pk=batch.pk).update(job_at=silent - timedelta(minutes=2))
        batch.refresh_from_db()
        assert not batch.job_running and batch.can_apply
        actions.do_queue_batch(cast.zhibu, batch)  # tests run the task at once
    batch.refresh_from_db()
    assert (batch.status, batch.job) == (BatchStatus.APPLIED, JobState.NONE)
