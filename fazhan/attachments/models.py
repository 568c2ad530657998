"""Scans kept with a candidate's record: the 入党申请书, 谈话记录, 政审 letters, the party-school
certificate (Issue 14 item 1).

The file lives outside the chain, under FAZHAN_ATTACHMENTS_ROOT, named by its SHA-256; the chain
event of the step it belongs to carries that SHA-256 (and the type and size), so the file can be
checked against the record but the record holds no file and no name. The original file name stays
in this table only (it may name a person: DESIGN principle 8).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fazhan.people.models import Candidate

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    UserLike = AbstractBaseUser | AnonymousUser


class AttachmentQuerySet(models.QuerySet["Attachment"]):
    def visible_to(self, user: UserLike) -> AttachmentQuerySet:
        """The attachments of the files the user may see (DESIGN principle 6)."""
        return self.filter(candidate__in=Candidate.objects.visible_to(user).values("pk"))


class Attachment(models.Model):
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="attachments")
    # The chain event (its seq) whose payload names this file's SHA-256.
    event_seq = models.BigIntegerField(_("事件序号"), db_index=True)
    step = models.CharField(_("步骤"), max_length=16)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=32)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        constraints = [
            models.UniqueConstraint(
                fields=["event_seq", "sha256"], name="attachment_once_per_event"
            )
        ]

    def __str__(self) -> str:
        return self.original_name
