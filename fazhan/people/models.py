"""People and their candidate files.

Personal data lives here and never in the event chain (DESIGN principle 8): events carry a person
id. The ID number is stored encrypted, with a blind index for exact lookup and a masked copy for
the screen; the birth date, the number's middle digits, is encrypted too (docs/privacy.md). The
statistics read plain derived columns so that dashboards never decrypt and never loop in Python.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Self

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fazhan.accounts.scope import can_decrypt_id_number, reach
from fazhan.lib.names import pinyin_and_initials
from fazhan.people import crypto, idnumber
from fazhan.people.fields import EncryptedDateField

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    UserLike = AbstractBaseUser | AnonymousUser


class Sex(models.TextChoices):
    FEMALE = "F", _("女")
    MALE = "M", _("男")


class Education(models.TextChoices):
    # contracts.md §1, highest completed; the order is the rank used by the statistics.
    NONE = "none", _("无")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中/中专/职高/技校")
    ASSOCIATE = "associate", _("大专")
    BACHELOR = "bachelor", _("大学本科")
    MASTER = "master", _("硕士研究生")
    DOCTOR = "doctor", _("博士研究生")


EDUCATION_RANK = {value: rank for rank, value in enumerate(Education.values)}


class Occupation(models.TextChoices):
    # contracts.md §1: a set of tags, because the seed's categories overlap.
    WORKER = "worker", _("工人（营业员、服务员）")
    FARMER = "farmer", _("农牧渔民")
    MANAGER = "manager", _("管理人员")
    TECHNICIAN = "technician", _("专业技术人员")
    RURAL_ENTREPRENEUR = "rural_entrepreneur", _("农村致富能人")
    STUDENT = "student", _("学生")
    CIVIL_SERVANT = "civil_servant", _("公务员")
    MILITARY = "military", _("军人")
    RETIRED = "retired", _("离退休人员")
    OTHER = "other", _("其他")


# The seed's 发展管理、专业技术人员和农村致富能人 target (contracts.md §4 `mgmt_tech_rich`).
MGMT_TECH_RICH = frozenset({"manager", "technician", "rural_entrepreneur"})


class PersonQuerySet(models.QuerySet["Person"]):
    def visible_to(self, user: UserLike) -> Self:
        """People with a candidate file the user may see (DESIGN principle 6); the auditor sees
        everyone, the system administrator no one."""
        scope = reach(user)
        if scope.everything:
            return self.all()
        if not scope.org_ids:
            return self.none()
        # An uncorrelated IN (subquery): evaluated once, not once per person.
        return self.filter(pk__in=Candidate.objects.in_orgs(scope.org_ids).values("person_id"))

    def with_id_number(self, raw: str) -> Self:
        """Exact lookup through the blind index; never decrypts. Not scoped: chain visible_to.

        While `fazhan keys rotate` re-indexes, rows not reached yet carry the previous key's
        index, so both are tried."""
        return self.filter(id_number_index__in=crypto.blind_indexes(idnumber.normalize(raw)))


class Person(models.Model):
    ref = models.CharField(_("外部编号"), max_length=64, blank=True, db_index=True)
    name = models.CharField(_("姓名"), max_length=64)
    name_pinyin = models.CharField(_("姓名拼音"), max_length=255, blank=True, db_index=True)
    name_initials = models.CharField(_("拼音首字母"), max_length=64, blank=True, db_index=True)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    # Encrypted like the ID number, whose eight middle digits it is (docs/privacy.md); the
    # statistics read birth_year and the candidate's age-band flags, never this column.
    birth_date = EncryptedDateField(_("出生日期"))
    ethnicity = models.CharField(_("民族"), max_length=32, blank=True)
    # "" when unknown (contracts.md §1: education may be null).
    education = models.CharField(_("学历"), max_length=16, choices=Education.choices, blank=True)
    occupations = models.JSONField(_("职业"), default=list, blank=True)
    frontline = models.BooleanField(_("一线"), default=False)
    unit = models.CharField(_("工作单位"), max_length=128, blank=True)
    graduation_date = models.DateField(_("毕业日期"), null=True, blank=True)
    leaving_date = models.DateField(_("离校日期"), null=True, blank=True)

    # Derived columns for the statistics (DESIGN principle 8, contracts.md §4): filled by
    # fill_derived() on every save; bulk loaders call it themselves.
    birth_year = models.PositiveSmallIntegerField(editable=False, db_index=True, default=0)
    education_rank = models.PositiveSmallIntegerField(
        editable=False, null=True, blank=True, db_index=True
    )
    occ_worker = models.BooleanField(editable=False, default=False)
    occ_farmer = models.BooleanField(editable=False, default=False)
    occ_mgmt_tech_rich = models.BooleanField(editable=False, default=False)
    occ_student = models.BooleanField(editable=False, default=False)

    # The ID number (DESIGN principle 8): ciphertext, blind index, masked copy. All three are
    # empty (the index NULL) when no number was given or after erasure.
    id_number_encrypted = models.TextField(blank=True, default="", editable=False)
    # NULL, not "", when absent: unique then skips it.
    id_number_index = models.CharField(
        max_length=64,
        null=True,
        blank=True,
        unique=True,  # NULLs never collide, on SQLite and PostgreSQL alike
        editable=False,
        error_messages={"unique": _("该身份证号码已经登记。")},
    )
    id_number_masked = models.CharField(_("身份证号码"), max_length=18, blank=True, editable=False)
    id_number_erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    # The dated attribute history read in bulk, or () for a person just created; None: not read
    # yet (fazhan.people.attributes.history queries it).
    _attribute_changes: Sequence[Any] | None = None

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["name_pinyin", "pk"]
        indexes = [
            models.Index(fields=["sex", "birth_year"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(sex__in=["F", "M"]), name="person_sex_f_or_m"),
        ]

    def __str__(self) -> str:
        return self.name or f"#{self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.fill_derived()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = set(update_fields) | DERIVED_FIELDS
        super().save(*args, **kwargs)

    # --- derived columns -------------------------------------------------------------------

    def fill_derived(self) -> None:
        self.name_pinyin, self.name_initials = pinyin_and_initials(self.name)
        self.birth_year = self.birth_date.year
        self.education_rank = EDUCATION_RANK.get(self.education) if self.education else None
        if isinstance(self.occupations, list):
            self.occupations = list(dict.fromkeys(self.occupations))  # unique, order kept
        tags = set(self.occupations) if isinstance(self.occupations, list) else set()
        self.occ_worker = "worker" in tags
        self.occ_farmer = "farmer" in tags
        self.occ_mgmt_tech_rich = bool(tags & MGMT_TECH_RICH)
        self.occ_student = "student" in tags

    def clean(self) -> None:
        super().clean()
        if not isinstance(self.occupations, list):
            raise ValidationError({"occupations": _("职业应为类别列表。")})
        unknown = {str(tag) for tag in self.occupations} - set(Occupation.values)
        if unknown:
            raise ValidationError(
                {
                    "occupations": _("未知的职业类别：%(tags)s")
                    % {"tags": "、".join(sorted(unknown))}
                }
            )
        pending = getattr(self, "_id_number_problems", None)
        if pending:
            raise ValidationError({"id_number_masked": pending})
        if self.id_number_index:
            others = Person.objects.exclude(pk=self.pk).filter(id_number_index=self.id_number_index)
            if others.exists():
                raise ValidationError({"id_number_masked": _("该身份证号码已经登记。")})

    # --- the ID number ---------------------------------------------------------------------

    def set_id_number(self, raw: str, *, today: date | None = None) -> list[str]:
        """Validate (GB 11643-1999), encrypt, index and mask the number; does not save.

        Raises idnumber.IdNumberError (a ValueError with the Chinese reason) for a number that
        cannot be right. Returns what the entered birth date and sex contradict in it: a live
        entry refuses on any (clean() raises them), an import of past facts records them as
        findings (DESIGN principle 4).
        """
        parsed = idnumber.parse(raw, today=today)
        self.id_number_encrypted = crypto.encrypt(parsed.value)
        self.id_number_index = crypto.blind_index(parsed.value)
        self.id_number_masked = idnumber.mask(parsed.value)
        self.id_number_erased_at = None
        problems = idnumber.check_against(parsed.value, self.birth_date, self.sex or None)
        self._id_number_problems = problems
        return problems

    @property
    def has_id_number(self) -> bool:
        return bool(self.id_number_encrypted)

    def decrypt_id_number(self) -> str | None:
        """The clear number, with no permission check: for code, never straight to a screen."""
        if not self.id_number_encrypted:
            return None
        return crypto.decrypt(self.id_number_encrypted)

    def reveal_id_number(self, user: UserLike) -> str | None:
        """The clear number for a user entitled to it: staff whose subtree holds this person;
        never the auditor or the system administrator (DESIGN "Who uses it")."""
        if not can_decrypt_id_number(user):
            raise PermissionDenied(_("无权查看完整身份证号码。"))
        if not Person.objects.visible_to(user).filter(pk=self.pk).exists():
            raise Http404(_("没有找到该人员。"))
        return self.decrypt_id_number()

    def rotate_id_number(self) -> None:
        """Re-encrypt the number and the birth date under the newest key and re-index the number
        under the current blind-index key; saves. `fazhan keys rotate` does this in batches."""
        fields = ["birth_date"]  # re-encrypted by its field on save
        if self.id_number_encrypted:
            self.id_number_encrypted = crypto.rotate(self.id_number_encrypted)
            self.id_number_index = crypto.blind_index(crypto.decrypt(self.id_number_encrypted))
            fields += ["id_number_encrypted", "id_number_index"]
        self.save(update_fields=fields)

    def erase_id_number(self) -> None:
        """Crypto-shredding: drop the ciphertext, its index and the masked copy; saves.

        Events refer to the person by id only (DESIGN principle 8), so the chain stays intact.
        """
        self.id_number_encrypted = ""
        self.id_number_index = None
        self.id_number_masked = ""
        self.id_number_erased_at = timezone.now()
        self._id_number_problems = []
        self.save(
            update_fields=[
                "id_number_encrypted",
                "id_number_index",
                "id_number_masked",
                "id_number_erased_at",
            ]
        )


DERIVED_FIELDS = frozenset(
    {
        "name_pinyin",
        "name_initials",
        "birth_year",
        "education_rank",
        "occ_worker",
        "occ_farmer",
        "occ_mgmt_tech_rich",
        "occ_student",
        "updated_at",
    }
)


class Stage(models.TextChoices):
    # contracts.md §2: the stage the engine projects from the events.
    APPLICANT = "applicant", _("入党申请人")
    ACTIVIST = "activist", _("入党积极分子")
    TARGET = "target", _("发展对象")
    PROBATIONARY = "probationary", _("预备党员")
    MEMBER = "member", _("正式党员")
    WITHDRAWN = "withdrawn", _("已撤回")
    REJECTED = "rejected", pgettext_lazy("stage", "未通过")
    REVOKED = "revoked", pgettext_lazy("stage", "取消预备党员资格")


# A file that has ended (contracts §1: after withdraw, reject, or an approved revocation): its
# person may apply again (docs/intake.md). Any other stage is a file still open, or a member.
CLOSED_STAGES = frozenset({Stage.WITHDRAWN, Stage.REJECTED, Stage.REVOKED})
# The stages of a file still being developed (a member's file is done, a closed one ended).
OPEN_STAGES = (Stage.APPLICANT, Stage.ACTIVIST, Stage.TARGET, Stage.PROBATIONARY)


class CandidateQuerySet(models.QuerySet["Candidate"]):
    def in_orgs(self, org_ids: Collection[int]) -> Self:
        """Files whose responsible organization, or an organization still cooperating on them
        (mobile candidates: 双边共管, 委托培养, 授权考察), is among org_ids."""
        shared = CandidateOrgLink.objects.filter(org_id__in=org_ids, ended_on__isnull=True)
        return self.filter(Q(org_id__in=org_ids) | Q(pk__in=shared.values("candidate_id")))

    def visible_to(self, user: UserLike) -> Self:
        """The one read entry point (DESIGN principle 6): the auditor sees every file, the system
        administrator none, everyone else the files of the subtrees of their active roles."""
        scope = reach(user)
        if scope.everything:
            return self.all()
        if not scope.org_ids:
            return self.none()
        return self.in_orgs(scope.org_ids)

    def here(self) -> Self:
        """Files not sent out of the district (`departed_on`: fazhan.mobility, seed 三(三)): the
        one filter of every open-file list, queue, pool and overdue count."""
        return self.filter(departed_on__isnull=True)

    def open_here(self) -> Self:
        """Files still being developed here: an open stage and not sent out of the district."""
        return self.here().filter(stage__in=OPEN_STAGES)


class Candidate(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="candidacies")
    # Exactly one responsible organization; cooperating ones are CandidateOrgLink rows.
    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="candidates"
    )
    policy = models.CharField(_("政策版本"), max_length=32, default="national-2014")
    created_at = models.DateTimeField(auto_now_add=True)

    # The projection (DESIGN principle 1): recomputed by fazhan.policy from the events in the
    # same transaction that appends them; never edited by hand.
    stage = models.CharField(
        _("阶段"), max_length=16, choices=Stage.choices, default=Stage.APPLICANT, db_index=True
    )
    suspended = models.BooleanField(_("中止"), default=False)
    applied_on = models.DateField(_("申请入党日期"), null=True, blank=True)
    activist_on = models.DateField(_("确定为积极分子日期"), null=True, blank=True)
    target_on = models.DateField(_("确定为发展对象日期"), null=True, blank=True)
    admitted_on = models.DateField(_("支部大会通过日期"), null=True, blank=True)  # passed S15
    approved_on = models.DateField(_("上级党委批准日期"), null=True, blank=True)  # S17 approved
    converted_on = models.DateField(_("转为正式党员日期"), null=True, blank=True)
    next_step = models.CharField(_("下一步"), max_length=64, blank=True)
    next_due = models.DateField(_("下一步期限"), null=True, blank=True, db_index=True)
    overdue = models.BooleanField(_("逾期"), default=False)
    probation_end = models.DateField(_("预备期满日期"), null=True, blank=True)
    violations = models.PositiveIntegerField(_("违规"), default=0)
    lates = models.PositiveIntegerField(_("逾期"), default=0)
    warnings = models.PositiveIntegerField(_("提醒"), default=0)
    # Age as at the admission meeting (contracts §4: 35 and 25 and under at the S15), derived here
    # so that the plan indicators are one aggregate query and never loop over people.
    le35_at_admission = models.BooleanField(null=True, blank=True)
    le25_at_admission = models.BooleanField(null=True, blank=True)
    projection = models.JSONField(_("评估结果"), default=dict, blank=True)
    projected_at = models.DateTimeField(null=True, blank=True)
    head_seq = models.BigIntegerField(null=True, blank=True)
    # Sent out of the district (seed 三(三)): the date of a `transfer-out` naming an outside
    # organization with no later `transfer-in`, projected from the record. The engine's stage
    # stays; the file leaves the lists, queues and overdue counts here and takes no more records.
    departed_on = models.DateField(_("转出区外日期"), null=True, blank=True)

    objects = CandidateQuerySet.as_manager()

    class Meta:
        verbose_name = _("发展对象档案")
        verbose_name_plural = _("发展对象档案")
        indexes = [
            models.Index(fields=["org", "stage"]),
            models.Index(fields=["stage", "approved_on"]),
            # The home page's 曾超期 and 违规 counts (fazhan.people.signals): the few files with a
            # finding, read from the index without the rows (issue 13 item 5).
            models.Index(fields=["lates", "org"], name="candidate_lates"),
            models.Index(fields=["violations", "org"], name="candidate_violations"),
            # The few files sent out of the district, taken off the home page's stage counts.
            models.Index(
                fields=["departed_on"],
                name="candidate_departed",
                condition=Q(departed_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_stage_display()})"


class LinkRole(models.TextChoices):
    OUTFLOW = "outflow", _("流出地党组织")
    INFLOW = "inflow", _("流入地党组织")
    # Under a cooperation agreement (fazhan.mobility): sees the file, records its scope.
    COOPERATING = "cooperating", _("协作党组织")


class Agreement(models.TextChoices):
    JOINT = "joint", _("双边共管")
    ENTRUSTED = "entrusted", _("委托培养")
    AUTHORIZED = "authorized", _("授权考察")
    TRACKING = "tracking", _("跟踪教育")
    NONE = "none", _("无")


class CandidateOrgLink(models.Model):
    """An organization cooperating on a mobile candidate's file; it sees the file while the link
    is open (DESIGN "Coming after the first steps"). The responsible organization stays one."""

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="org_links")
    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="candidate_links"
    )
    role = models.CharField(_("角色"), max_length=16, choices=LinkRole.choices)
    agreement = models.CharField(
        _("协议"), max_length=16, choices=Agreement.choices, default=Agreement.NONE
    )
    started_on = models.DateField(_("开始日期"), default=timezone.localdate)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("协作党组织")
        verbose_name_plural = _("协作党组织")
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "org"],
                condition=Q(ended_on__isnull=True),
                name="candidate_link_unique_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id} ↔ {self.org} ({self.get_agreement_display()})"


def get_candidate_for_user(user: UserLike, pk: Any) -> Candidate:
    """The file, if the user may see it; otherwise 404, so existence is not revealed."""
    try:
        return Candidate.objects.visible_to(user).select_related("person", "org").get(pk=pk)
    except (Candidate.DoesNotExist, ValueError, TypeError):
        raise Http404(_("没有找到该档案。")) from None


def get_person_for_user(user: UserLike, pk: Any) -> Person:
    try:
        return Person.objects.visible_to(user).get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404(_("没有找到该人员。")) from None


class KeyRotation(models.Model):
    """How far `fazhan keys rotate` got in one table for one set of target keys
    (fazhan.people.keys): a rerun continues after last_pk. The fingerprint is an HMAC under the
    keys, never a key."""

    fingerprint = models.CharField(max_length=64)
    table = models.CharField(max_length=64)
    last_pk = models.BigIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fingerprint", "table"], name="key_rotation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.table} {self.fingerprint[:8]} > {self.last_pk}"


class AttributeChange(models.Model):
    """A dated change of a person's attributes (a diploma earned, a new job, a graduation date
    moved): `values` holds the changed fields only, from `effective_on` on. The row with no
    `effective_on` is the base, the attributes the person had before the first change; the
    person's own columns are the attributes in force today (fazhan.people.attributes)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="attribute_changes")
    effective_on = models.DateField(_("生效日期"), null=True, blank=True)
    values = models.JSONField(_("变更内容"), default=dict)
    reason = models.CharField(_("变更理由"), max_length=200, blank=True)
    recorded_by_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("人员信息变更")
        verbose_name_plural = _("人员信息变更")
        indexes = [models.Index(fields=["person", "effective_on"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.effective_on or '—'}"


class CountSpan(models.Model):
    """The projection's summary for the counts at a date (contracts.md §8; fazhan.people.summary):
    one file's stage and organization from `valid_from` until the day before `valid_to`, with an
    approving S17 counted for the periods starting after `after` and on or before `approved_on`.
    A file with several approving S17s has one more row per approval, with an empty `stage`; an
    unreadable record has one row with stage `?`. No names, no ID numbers: ids, dates and 0/1."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="+")
    org_id = models.BigIntegerField(null=True)
    valid_from = models.DateField()
    valid_to = models.DateField()
    stage = models.CharField(max_length=16, blank=True)
    approved_on = models.DateField(null=True)
    after = models.DateField(null=True)
    le35 = models.PositiveSmallIntegerField(default=0)
    le25 = models.PositiveSmallIntegerField(default=0)
    hs_plus = models.PositiveSmallIntegerField(default=0)
    college_plus = models.PositiveSmallIntegerField(default=0)
    female = models.PositiveSmallIntegerField(default=0)
    female_frontline = models.PositiveSmallIntegerField(default=0)
    worker = models.PositiveSmallIntegerField(default=0)
    farmer = models.PositiveSmallIntegerField(default=0)
    mgmt_tech_rich = models.PositiveSmallIntegerField(default=0)
    student = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [
            # The stages at a date: the spans still in force then, read from the index alone.
            models.Index(fields=["valid_to", "valid_from", "org_id", "stage"], name="countspan_at"),
            models.Index(fields=["approved_on", "valid_to"], name="countspan_approved"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id} {self.valid_from}–{self.valid_to} {self.stage}"


class StageCount(models.Model):
    """Files per stage in an organization's whole subtree (`departed`: sent out of the district),
    kept by database triggers on every write to a file or to the tree (fazhan.people.stagecounts):
    the home page's figures without counting the files. Never written by the application."""

    org_id = models.BigIntegerField()
    stage = models.CharField(max_length=16)
    departed = models.BooleanField()
    n = models.IntegerField()
    # Of these, the files with a late finding, and with an irregular one (fazhan.people.signals).
    late = models.IntegerField(default=0)
    irregular = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org_id", "stage", "departed"], name="stage_count_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org_id} {self.stage} {'departed ' if self.departed else ''}{self.n}"


class DueCount(models.Model):
    """Files per nearest deadline (`next_due`) in an organization's whole subtree, kept like
    StageCount (fazhan.people.stagecounts): 已逾期 on a day is the sum over the dates before it."""

    org_id = models.BigIntegerField()
    due_on = models.DateField()
    n = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org_id", "due_on"], name="due_count_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.org_id} {self.due_on} {self.n}"
