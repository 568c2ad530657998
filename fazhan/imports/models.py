"""An upload parsed into a batch that waits for confirmation (docs/import.md).

The preview stores exactly what the confirmation will create, so that what was seen is what is
applied. A row's data never holds an ID number in clear (DESIGN principle 8): the number is kept
as the Fernet token of `fazhan.people.crypto` plus its masked copy, and the token is dropped once
the batch is applied or discarded.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhan.accounts.authority import authority

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    UserLike = AbstractBaseUser | AnonymousUser


class BatchKind(models.TextChoices):
    ROSTER = "roster", _("人员名册")
    FILES = "files", _("档案文件")
    # contracts.md §7: the organization tree and the party-member roster (district staff only).
    ORGS = "orgs", _("组织树")
    MEMBERS = "members", _("党员名册")


SHEET_KINDS = frozenset({BatchKind.ORGS, BatchKind.MEMBERS})


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("待确认")
    APPLIED = "applied", _("已导入")
    DISCARDED = "discarded", _("已放弃")


class JobState(models.TextChoices):
    """A confirmation run by the worker (fazhan.imports.tasks): queued, preparing the rows
    outside any transaction, writing them in one short transaction, or failed (the batch stays a
    draft). Blank: no confirmation asked for, or done."""

    NONE = "", _("无")
    QUEUED = "queued", _("排队中")
    PREPARING = "preparing", _("准备中")
    WRITING = "writing", _("写入中")
    FAILED = "failed", _("失败")


class ImportBatchQuerySet(models.QuerySet["ImportBatch"]):
    def visible_to(self, user: UserLike) -> Self:
        """A batch holds personal data of people not yet in any file, so only its uploader sees
        it, and district staff, who answer for every import (DESIGN principle 6)."""
        auth = authority(user)
        if auth.is_sysadmin or auth.is_read_only or not auth.roles:
            # 三员分立: neither the system administrator nor the auditor handles imports.
            return self.none()
        if auth.is_district_staff:
            return self.all()
        return self.filter(uploaded_by_id=user.pk)


class ImportBatch(models.Model):
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_batches"
    )
    # The scope chosen at upload: the branch the files go to, or the organization whose subtree a
    # roster's branches must lie in.
    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="import_batches"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=BatchKind.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.DRAFT
    )
    source_name = models.CharField(_("文件"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    row_count = models.PositiveIntegerField(_("行数"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    error_rows = models.PositiveIntegerField(_("有错误的行"), default=0)
    finding_count = models.PositiveIntegerField(_("发现数"), default=0)
    # Problems of the file as a whole (no header, unreadable workbook), columns ignored, and the
    # counts per stage and per finding id shown at the top of the preview.
    file_errors = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    # A confirmation queued for the worker: its state, the rows prepared so far, and why it
    # failed (Chinese), shown by the progress fragment of the batch page.
    job = models.CharField(
        _("导入任务"), max_length=16, choices=JobState.choices, default="", blank=True
    )
    job_done = models.PositiveIntegerField(default=0)
    job_total = models.PositiveIntegerField(default=0)
    job_message = models.TextField(blank=True)
    # When the job last said something: a job silent for FAZHAN_IMPORT_JOB_STALE_MINUTES (its
    # worker killed) no longer blocks the batch (`job_running`), which may be confirmed again.
    job_at = models.DateTimeField(null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["uploaded_by", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} {self.source_name}"

    @property
    def problem_count(self) -> int:
        """Errors of the rows and of the file as a whole."""
        return self.error_count + len(self.file_errors or [])

    @property
    def has_errors(self) -> bool:
        return self.problem_count > 0

    @property
    def can_apply(self) -> bool:
        return (
            self.status == BatchStatus.DRAFT
            and not self.has_errors
            and self.row_count > 0
            and not self.job_running
        )

    @property
    def job_running(self) -> bool:
        if self.job not in (JobState.QUEUED, JobState.PREPARING, JobState.WRITING):
            return False
        stale = timedelta(minutes=settings.FAZHAN_IMPORT_JOB_STALE_MINUTES)
        return self.job_at is None or timezone.now() - self.job_at < stale

    @property
    def job_percent(self) -> int:
        """How far the queued confirmation is (the write phase counts as the last tenth)."""
        if self.job == JobState.WRITING:
            return 95
        if not self.job_total:
            return 0
        return min(90, self.job_done * 90 // self.job_total)


class ImportRow(models.Model):
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    # The Excel row as the user sees it (header row included), or the file's position in the
    # upload for candidate files.
    number = models.PositiveIntegerField(_("行号"))
    label = models.CharField(_("来源"), max_length=255, blank=True)
    # What will be created: person fields, masked ID number and its ciphertext, branch, events,
    # and the engine's stage and findings for them (fazhan.imports.preview).
    data = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    has_errors = models.BooleanField(default=False, db_index=True)
    finding_count = models.PositiveIntegerField(default=0)
    candidate = models.ForeignKey(
        "people.Candidate", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("导入行")
        verbose_name_plural = _("导入行")
        ordering = ["batch", "number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "number"], name="import_row_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.number}"

    @property
    def person(self) -> dict[str, Any]:
        value = self.data.get("person", {})
        return value if isinstance(value, dict) else {}


def get_batch_for_user(user: UserLike, pk: Any) -> ImportBatch:
    """The batch, if the user may see it; otherwise 404 (existence is not revealed)."""
    try:
        return ImportBatch.objects.visible_to(user).select_related("org", "uploaded_by").get(pk=pk)
    except (ImportBatch.DoesNotExist, ValueError, TypeError):
        raise Http404(_("没有找到该导入批次。")) from None


class ImportPlan(models.Model):
    """What the preview prepared for a roster or candidate-file batch (`fazhan.imports.kept`):
    the people, files, projections and encoded chain events, so that the confirmation only
    writes them. `key` is the digest of everything the plan was made from (the rows, the user,
    the day, the policy and holiday table, the branches); `sealed` is the plan encrypted under
    the field-encryption keys (DESIGN principle 8: nothing in it is readable without them). It is
    deleted when the batch is applied or discarded."""

    batch = models.OneToOneField(
        ImportBatch, on_delete=models.CASCADE, primary_key=True, related_name="kept_plan"
    )
    key = models.CharField(max_length=64)
    head_seq = models.BigIntegerField()
    sealed = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("导入准备")
        verbose_name_plural = _("导入准备")

    def __str__(self) -> str:
        return f"plan of batch {self.batch_id}"
