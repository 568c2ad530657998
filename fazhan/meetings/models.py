"""The branch general meeting (支部大会) that votes on admission (S15) and on conversion, extension
or revocation (S23): its electorate, roll call, written opinions, the two ballot channels (paper
counted by two tellers, in-room electronic ballots cast with one-time codes) and the tally.

Every change goes through `fazhan.meetings.actions` (DESIGN principle 5). Secret ballots stay
secret (principle 7): `CastBallot` has a random id, a choice and the agenda item, and nothing else —
no timestamp, no user, member, session or code; who took part is `Attendance`/`ElectorateEntry`,
kept apart. Migration 0002 installs database triggers: a cast ballot is never updated or deleted,
a used code never changes again, and the electorate frozen at the opening never changes.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from fazhan.accounts.scope import reach
from fazhan.orgs.models import Member, Organization
from fazhan.people.models import Candidate

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    UserLike = AbstractBaseUser | AnonymousUser


class AppendOnlyError(Exception):
    """A cast ballot or a frozen electorate row was to be changed through the ORM."""


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    OPEN = "open", _("会议进行中")
    CLOSED = "closed", _("已结束")


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def visible_to(self, user: UserLike) -> Self:
        """DESIGN principle 6: the meetings of the user's subtrees; the auditor sees all, the
        system administrator none."""
        scope = reach(user)
        if scope.everything:
            return self.all()
        if not scope.org_ids:
            return self.none()
        return self.filter(org_id__in=scope.org_ids)


class Meeting(models.Model):
    """One 支部大会 of one branch. A live meeting is opened in the system on the day it is held
    (the denominator freezes at that moment); a meeting held on paper while the system was
    unavailable is entered afterwards as a flagged late entry (补录) with a reason and a second
    approver (background §A.2 threat 2)."""

    org = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("党支部")
    )
    held_on = models.DateField(_("会议日期"))
    place = models.CharField(_("地点"), max_length=128, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # Frozen at the opening (细则 arts. 20–21): 应到会有表决权人数 and 有表决权的到会人数.
    expected = models.PositiveIntegerField(_("应到"), null=True, blank=True)
    present = models.PositiveIntegerField(_("实到"), null=True, blank=True)
    opened_seq = models.BigIntegerField(null=True, blank=True)
    late_entry = models.BooleanField(_("补录"), default=False)
    late_reason = models.TextField(_("补录原因"), blank=True)
    late_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    late_approved_at = models.DateTimeField(null=True, blank=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("支部大会")
        verbose_name_plural = _("支部大会")
        ordering = ("-held_on", "-pk")
        constraints = (
            models.CheckConstraint(
                condition=Q(late_entry=False) | ~Q(late_reason=""),
                name="meeting_late_entry_has_reason",
            ),
        )

    def __str__(self) -> str:
        return f"{self.org} {self.held_on:%Y-%m-%d}"

    @property
    def is_draft(self) -> bool:
        return self.status == MeetingStatus.DRAFT

    @property
    def is_open(self) -> bool:
        return self.status == MeetingStatus.OPEN


def get_meeting_for_user(user: UserLike, pk: Any) -> Meeting:
    """The meeting if inside the user's scope, otherwise 404 (existence is not revealed)."""
    try:
        return Meeting.objects.visible_to(user).select_related("org").get(pk=pk)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404(_("没有找到该支部大会。")) from None


class ItemKind(models.TextChoices):
    ADMISSION = "admission", _("接收预备党员")
    CONVERSION = "conversion", _("预备党员按期转正")
    EXTENSION = "extension", _("延长预备期")
    REVOCATION = "revocation", _("取消预备党员资格")


# The candidate-file step each motion becomes, and the S23 outcome (contracts §1).
STEP_OF = {
    ItemKind.ADMISSION: "S15",
    ItemKind.CONVERSION: "S23",
    ItemKind.EXTENSION: "S23",
    ItemKind.REVOCATION: "S23",
}
OUTCOME_OF = {
    ItemKind.CONVERSION: "convert",
    ItemKind.EXTENSION: "extend",
    ItemKind.REVOCATION: "revoke",
}


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("待表决")
    VOTING = "voting", _("投票中")
    COUNTING = "counting", _("计票中")
    CLOSED = "closed", _("已宣布结果")
    VOID = "void", _("表决无效")
    WITHDRAWN = "withdrawn", _("撤出议程")


# Items whose ballots are closed and covered by a `meeting.tally` chain event.
TALLIED = (ItemStatus.CLOSED, ItemStatus.VOID)


class AgendaItem(models.Model):
    """One motion about one candidate (细则 art. 21: 逐个讨论和表决, never bundled): its own
    ballots, its own tally, its own result sheet."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveSmallIntegerField(default=1)
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="meeting_items")
    kind = models.CharField(_("表决事项"), max_length=16, choices=ItemKind.choices)
    extension_months = models.PositiveSmallIntegerField(_("延长月数"), null=True, blank=True)
    electronic = models.BooleanField(_("使用会场电子票"), default=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.PENDING
    )
    # One-time codes printed so far (only their HMACs are kept, in BallotCode).
    codes_generated = models.PositiveIntegerField(default=0)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    confirmed_round = models.PositiveSmallIntegerField(null=True, blank=True)
    # The monitor (a member chosen for the meeting) whose confirmation `confirmed_by` entered.
    confirmed_monitor = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # The tally as announced, frozen at the close and witnessed by the `meeting.tally` event: the
    # verifier compares these columns with the event and recomputes the ballots' hash.
    result = models.CharField(max_length=8, blank=True)
    tally = models.JSONField(default=dict, blank=True)
    ballots_sha256 = models.CharField(max_length=64, blank=True)
    tally_seq = models.BigIntegerField(null=True, blank=True)
    step_seq = models.BigIntegerField(null=True, blank=True)
    head_hash = models.CharField(max_length=64, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("表决事项")
        verbose_name_plural = _("表决事项")
        ordering = ("meeting", "position", "pk")
        constraints = (
            models.CheckConstraint(
                condition=Q(kind="extension", extension_months__gte=6, extension_months__lte=12)
                | (~Q(kind="extension") & Q(extension_months__isnull=True)),
                name="meeting_item_extension_6_to_12",
            ),
        )

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.candidate.person}"

    @property
    def step(self) -> str:
        return STEP_OF[ItemKind(self.kind)]

    @property
    def outcome(self) -> str | None:
        return OUTCOME_OF.get(ItemKind(self.kind))


class ExclusionReason(models.TextChoices):
    # rules-reference §2: the only grounds on which a voting member may be left out of 应到会人数,
    # each with the superior organization's consent and the meeting's adoption [L: 360doc].
    ILLNESS = "illness", _("患有精神病或其他疾病而不能表达本人意志")
    ABROAD = "abroad", _("自费出国半年以上")
    DETAINED = "detained", _("虽未受到留党察看以上处分，但正在服刑或被拘留")
    BEDRIDDEN = "bedridden", _("年老体弱、卧床不起、生活不能自理")
    AWAY = "away", _("外出学习或工作半年以上，未按规定转移组织关系")


class Exclusion(models.Model):
    """A voting member proposed to be left out of the expected number. Takes effect only with the
    superior organization's consent (recorded by an account of that organization) and the
    meeting's adoption (decided when the meeting opens); frozen from then on."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="exclusions")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("原因"), max_length=16, choices=ExclusionReason.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    consent_on = models.DateField(_("上级同意日期"), null=True, blank=True)
    consent_org = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # None until the meeting opens; then True (adopted) or False (not adopted: the member counts).
    adopted = models.BooleanField(null=True, blank=True)
    withdrawn = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("不计入应到人数")
        verbose_name_plural = _("不计入应到人数")
        constraints = (
            models.UniqueConstraint(
                fields=("meeting", "member"),
                condition=Q(withdrawn=False),
                name="meeting_exclusion_once",
            ),
        )

    def __str__(self) -> str:
        return f"{self.member} ({self.get_reason_display()})"


class Absence(models.TextChoices):
    """Why a member on the roster is not at the meeting (the roll call's exceptions)."""

    LEAVE = "leave", _("请假")
    ABSENT = "absent", _("缺席")


class Attendance(models.Model):
    """The roll call (签到): one row per member of the branch roster, present or not (then on
    leave or absent, with the reason given). Editable until the meeting opens, then frozen into
    ElectorateEntry."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(default=False)
    absence = models.CharField(_("未到会"), max_length=8, choices=Absence.choices, blank=True)
    absence_note = models.CharField(_("未到会原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("签到")
        verbose_name_plural = _("签到")
        constraints = (
            models.UniqueConstraint(fields=("meeting", "member"), name="meeting_attendance_once"),
        )

    def __str__(self) -> str:
        status = _("到会") if self.present else _("缺席")
        return f"{self.member} {status}"


class ElectorateEntry(models.Model):
    """The electorate frozen when the meeting opens: every member on the branch roster with the
    status the rules read at that moment. 应到 = may_vote and not excluded; 实到 = those of them
    present (细则 art. 20; 党章 art. 7: probationary members have no vote; art. 40: none under
    留党察看 until rights are restored). A trigger refuses UPDATE and DELETE."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="electorate")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16)
    under_discipline = models.BooleanField(default=False)
    rights_restored = models.BooleanField(default=False)
    may_vote = models.BooleanField()
    excluded = models.BooleanField(default=False)
    present = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("应到会人员")
        verbose_name_plural = _("应到会人员")
        constraints = (
            models.UniqueConstraint(fields=("meeting", "member"), name="meeting_electorate_once"),
        )

    def __str__(self) -> str:
        return f"{self.member} @ {self.meeting_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("会议开始后应到会人员名单不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("会议开始后应到会人员名单不能删除")

    @property
    def expected(self) -> bool:
        return self.may_vote and not self.excluded


class Choice(models.TextChoices):
    FOR = "for", _("赞成")
    AGAINST = "against", _("反对")
    ABSTAIN = "abstain", _("弃权")


class WrittenOpinion(models.Model):
    """细则 art. 21: a voting member who cannot attend and hands in a written opinion before the
    meeting is counted in the tally (not in the quorum). Named, unlike a ballot. Whether it counts
    is settled when the meeting opens: only for an expected member who is absent."""

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="opinions")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(_("意见"), max_length=8, choices=Choice.choices)
    received_on = models.DateField(_("收到日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    counted = models.BooleanField(null=True, blank=True)

    class Meta:
        verbose_name = _("书面意见")
        verbose_name_plural = _("书面意见")
        constraints = (
            models.UniqueConstraint(fields=("item", "member"), name="meeting_opinion_once"),
        )

    def __str__(self) -> str:
        return f"{self.member}：{self.get_choice_display()}"


class OfficerRole(models.TextChoices):
    TELLER = "teller", _("计票人")
    MONITOR = "monitor", _("监票人")


class MeetingOfficer(models.Model):
    """A teller (计票人) or the monitor (监票人) of the meeting: a member of the branch present at
    the meeting, proposed by the branch committee and approved by the meeting (rules-reference
    §2 "Tellers and monitors"). Printed by name on the result sheet. One role per person, and
    never a person being voted on at this meeting (by analogy with 《中国共产党基层组织选举工作
    条例》: 监票人从不是候选人的党员中推选)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="officers")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("职责"), max_length=8, choices=OfficerRole.choices)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("计票人、监票人")
        verbose_name_plural = _("计票人、监票人")
        ordering = ("role", "pk")
        constraints = (
            models.UniqueConstraint(fields=("meeting", "member"), name="meeting_officer_once"),
        )

    def __str__(self) -> str:
        return f"{self.member} ({self.get_role_display()})"


class TellerCount(models.Model):
    """One teller's count of the paper ballots (and of the electronic cards handed out). The
    teller is a member chosen for the meeting; the count is entered from a branch account
    (`entered_by`), each teller's without seeing the other's. Two tellers per round; a mismatch
    starts a new round in which both count again."""

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="teller_counts")
    round = models.PositiveSmallIntegerField(default=1)
    # NULL only on counts entered before tellers were members (the account was the teller then).
    teller = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)
    issued = models.PositiveIntegerField(_("发出纸质选票"))
    returned = models.PositiveIntegerField(_("收回纸质选票"))
    valid = models.PositiveIntegerField(_("有效票"))
    invalid = models.PositiveIntegerField(_("无效票"))
    votes_for = models.PositiveIntegerField(_("赞成"))
    against = models.PositiveIntegerField(_("反对"))
    abstain = models.PositiveIntegerField(_("弃权"))
    e_issued = models.PositiveIntegerField(_("发出电子票卡"), default=0)

    COUNT_FIELDS = (
        "issued",
        "returned",
        "valid",
        "invalid",
        "votes_for",
        "against",
        "abstain",
        "e_issued",
    )

    class Meta:
        verbose_name = _("计票")
        verbose_name_plural = _("计票")
        constraints = (
            models.UniqueConstraint(
                fields=("item", "round", "teller"), name="meeting_teller_once_per_round"
            ),
        )

    def __str__(self) -> str:
        return f"#{self.item_id} 第{self.round}轮 {self.teller}"

    def counts(self) -> tuple[int, ...]:
        return tuple(int(getattr(self, name)) for name in self.COUNT_FIELDS)


class BallotCode(models.Model):
    """A one-time code printed on a card (background §A.3 Tier 1). Only its HMAC is stored: the
    server printed the cards and then forgot them; the cards are shuffled before the monitors and
    drawn after sign-in, so nobody, the server included, knows who holds which. No link to a
    member, an account, a session or a cast ballot."""

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="codes")
    code_hash = models.CharField(max_length=64)
    used = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("票卡")
        verbose_name_plural = _("票卡")
        constraints = (
            # code_hash first: the kiosk looks a code up by its hash alone.
            models.UniqueConstraint(fields=("code_hash", "item"), name="meeting_code_unique"),
        )

    def __str__(self) -> str:
        return f"票卡 #{self.pk}"


class BallotBoxEntry(models.Model):
    """A ballot in the box while its motion is being voted on. Rows of a table keep the order
    they were written in (SQLite's rowid, PostgreSQL's ctid and xmin, all readable through SQL),
    so a ballot stays here only until balloting ends: then `do_end_balloting` moves every ballot
    of the motion to `CastBallot` in one statement, sorted by its random id, and empties the box
    (Step 8 item 5: after the close, nothing readable tells the order of casting). Never updated;
    deleted only once its motion is no longer being voted on (a trigger holds both)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="box")
    choice = models.CharField(max_length=8, choices=Choice.choices)

    class Meta:
        verbose_name = _("投票箱中的选票")
        verbose_name_plural = _("投票箱中的选票")

    def __str__(self) -> str:
        return f"选票 {self.pk}"


class CastBallot(models.Model):
    """A secret ballot (DESIGN principle 7): a random id, the motion and the choice. No timestamp
    (the meeting's date is the finest), no user, member, session or code; never a chain event,
    never updated or deleted (a trigger refuses both). Written when balloting ends, all ballots of
    the motion at once in the order of their random ids (`BallotBoxEntry`). At the close, one
    chain event records the tally and the SHA-256 of the sorted (ballot id, choice) list."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="ballots")
    choice = models.CharField(max_length=8, choices=Choice.choices)

    class Meta:
        verbose_name = _("电子选票")
        verbose_name_plural = _("电子选票")

    def __str__(self) -> str:
        return f"选票 {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("选票一经投出不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("选票一经投出不能删除")
