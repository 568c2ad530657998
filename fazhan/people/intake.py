"""Intake: registering a new 入党申请书, re-applications, and dated changes of a person's
attributes (docs/intake.md). Each mutation is one `do_<verb>` (DESIGN principle 5).

- `check_application` judges what a clerk has typed so far (the page asks it live): the ID
  number's check character (GB 11643-1999), the birth date and sex it carries, the age at the
  application (党章 art. 1: 18 and over), and whether the number already has a file. A file the
  user cannot see is not named (DESIGN principle 6): the message says only that a file exists.
- `do_register_application` opens the file as the import does (`candidate.opened`, then the S01),
  recorded live: the S01 goes through `do_record_step`, so the engine's own gate refuses an
  applicant under 18. A person whose every earlier file is closed (withdrawn, rejected, revoked)
  gets a new file of their own: the same person, judged on the new file's events only.
- `do_change_person_attributes` records a dated change (fazhan.people.attributes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from fazhan.accounts.authority import authority
from fazhan.audit.chain import append_event
from fazhan.audit.models import Event as ChainEvent
from fazhan.core import dates
from fazhan.core.errors import ActionRefused, Reason
from fazhan.orgs.models import Kind, Organization
from fazhan.people import attributes, idnumber
from fazhan.people.actions import Mode, do_record_step
from fazhan.people.idnumber import IdNumberError
from fazhan.people.models import (
    CLOSED_STAGES,
    AttributeChange,
    Candidate,
    Education,
    Occupation,
    Person,
    Stage,
)
from fazhan.people.record import project
from fazhan.policy.calendar import add_months

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    User = AbstractBaseUser

CLOSED = CLOSED_STAGES
# The events that end a file (contracts §1): a withdrawal, a rejection, the approved revocation.
ENDING_KINDS = ("withdraw", "reject", "S24")
# 党章 art. 1: 年满十八岁. The 18th birthday is the birth date + 216 months (contracts §3).
AGE_MONTHS = 216
CHANGE_KIND = "person.attributes"


@dataclass(frozen=True)
class Check:
    """One line of the live verdict: `ok` False refuses the registration."""

    ok: bool
    message: str
    basis: str = ""
    href: str = ""  # an earlier or open file in the user's reach
    info: bool = False  # neither good nor bad: something the clerk should know


def check_application(
    user: User,
    *,
    id_number: str,
    birth_date: date | None,
    sex: str | None,
    applied_on: date | None,
    today: date | None = None,
) -> list[Check]:
    """What is right and wrong with an application typed so far, in Chinese."""
    today = today or dates.today()
    checks: list[Check] = []
    parsed = None
    if id_number.strip():
        try:
            parsed = idnumber.parse(id_number, today=today)
        except IdNumberError as error:
            checks.append(Check(False, str(error), "GB 11643-1999"))
        else:
            checks.append(Check(True, _("身份证号码校验位正确。"), "GB 11643-1999"))
            problems = idnumber.check_against(parsed.value, birth_date, sex or None)
            checks += [Check(False, p, "GB 11643-1999") for p in problems]
    born = birth_date or (parsed.birth_date if parsed else None)
    if applied_on is not None:
        if applied_on > today:
            checks.append(Check(False, _("申请日期晚于今天，不能登记尚未发生的事。")))
        if born is not None:
            birthday18 = add_months(born, AGE_MONTHS)
            if applied_on < birthday18:
                checks.append(
                    Check(
                        False,
                        _("申请入党时未满十八周岁：%(day)s 年满十八周岁。")
                        % {"day": birthday18.isoformat()},
                        _("党章第一条"),
                    )
                )
            else:
                checks.append(Check(True, _("申请入党时已满十八周岁。"), _("党章第一条")))
    if parsed is not None:
        checks += _duplicates(user, parsed.value)
    return checks


def _duplicates(user: User, number: str) -> list[Check]:
    person = Person.objects.with_id_number(number).first()
    if person is None:
        return []
    files = list(person.candidacies.select_related("org").order_by("pk"))
    visible = set(
        Candidate.objects.visible_to(user).filter(person=person).values_list("pk", flat=True)
    )
    open_files = [c for c in files if c.stage not in CLOSED]
    if not open_files:
        return [
            Check(
                True,
                _("此人以前的入党申请已经结束，本次登记为再次申请，新档案与以前的档案关联。"),
                info=True,
                href=next(
                    (reverse("candidate", args=[c.pk]) for c in reversed(files) if c.pk in visible),
                    "",
                ),
            )
        ]
    mine = next((c for c in open_files if c.pk in visible), None)
    if mine is None:
        # Outside the user's reach: neither who nor where (DESIGN principle 6).
        return [Check(False, _("该身份证号码已有档案，不能重复登记；如有疑问请与上级党组织联系。"))]
    if mine.stage == Stage.MEMBER:
        message = _("此人已是正式党员，不能再登记入党申请。")
    else:
        message = _("已有在办档案（%(org)s），不能重复登记。") % {"org": mine.org.name}
    return [Check(False, message, href=reverse("candidate", args=[mine.pk]))]


def _refuse_on(checks: Sequence[Check]) -> None:
    wrong = [Reason(c.message, c.basis) for c in checks if not c.ok]
    if wrong:
        raise ActionRefused(wrong)


def do_register_application(
    user: User,
    *,
    org: Organization,
    name: str,
    sex: str,
    birth_date: date,
    id_number: str,
    applied_on: date,
    ethnicity: str = "",
    education: str = "",
    occupations: Sequence[str] = (),
    frontline: bool = False,
    unit: str = "",
    graduation_date: date | None = None,
    leaving_date: date | None = None,
    today: date | None = None,
) -> Candidate:
    """Register a 入党申请书 received on `applied_on` in branch `org`: the person (new, or known
    by the ID number with only closed files) and a new file with its S01, recorded live."""
    if not authority(user).may_write(org.pk):
        raise Http404(_("没有这个组织"))
    if org.kind != Kind.BRANCH:
        raise ActionRefused(_("入党申请只能在党支部登记"))
    today = today or dates.today()
    if not name.strip():
        raise ActionRefused(_("请填写姓名"))
    values = _clean_values(
        {
            "education": education,
            "occupations": list(occupations),
            "frontline": frontline,
            "unit": unit,
            "graduation_date": graduation_date,
            "leaving_date": leaving_date,
        }
    )
    with transaction.atomic():
        checks = check_application(
            user,
            id_number=id_number,
            birth_date=birth_date,
            sex=sex,
            applied_on=applied_on,
            today=today,
        )
        if not id_number.strip():
            checks.append(Check(False, _("请填写身份证号码。")))
        _refuse_on(checks)
        known = Person.objects.select_for_update().with_id_number(id_number).first()
        earlier: list[int] = []
        if known is None:
            person = Person(
                name=name.strip(), sex=sex, birth_date=birth_date, ethnicity=ethnicity, **values
            )
            person.set_id_number(id_number, today=today)
            try:
                person.full_clean()
            except ValidationError as error:
                raise ActionRefused([Reason(m) for m in error.messages]) from None
            try:
                with transaction.atomic():
                    person.save()
            except IntegrityError:  # the same number registered a moment ago
                raise ActionRefused(_("该身份证号码已有档案（重复录入）")) from None
        else:
            person = known
            if Candidate.objects.filter(person=person).exclude(stage__in=CLOSED).exists():
                raise ActionRefused(_("该身份证号码已有档案（重复录入）"))
            earlier = list(person.candidacies.order_by("pk").values_list("pk", flat=True))
            ended = (
                ChainEvent.objects.filter(candidate_id__in=earlier, kind__in=ENDING_KINDS)
                .order_by("-happened_on")
                .values_list("happened_on", flat=True)
                .first()
            )
            if ended is not None and applied_on <= ended:
                raise ActionRefused(
                    _("再次申请的日期应晚于以前档案结束的日期 %(date)s") % {"date": ended}
                )
            if person.name != name.strip() or person.ethnicity != ethnicity:
                person.name, person.ethnicity = name.strip(), ethnicity
                person.save(update_fields=["name", "ethnicity", "name_pinyin", "name_initials"])
        candidate = Candidate.objects.create(person=person, org=org)
        opening: dict[str, Any] = {"org_id": org.pk, "person_id": person.pk, "mode": "live"}
        if earlier:
            # Linked to the person's earlier files; each is judged on its own events.
            opening["earlier"] = earlier
        append_event(
            kind="candidate.opened",
            candidate_id=candidate.pk,
            happened_on=today,
            payload=opening,
            recorded_by_id=user.pk,
        )
        if known is not None:
            # What the new application says about the person now, dated at the application.
            _change(
                user,
                person,
                candidate,
                effective_on=min(applied_on, today),
                values=values,
                reason=_("再次申请入党时登记"),
                quiet=True,
            )
        project(candidate)
        do_record_step(user, candidate, step="S01", happened_on=applied_on, mode=Mode.LIVE)
        candidate.refresh_from_db()
    return candidate


def _clean_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """The attributes checked: known keys, the education and occupation codes (contracts §1)."""
    unknown = set(values) - set(attributes.FIELDS)
    if unknown:
        raise ActionRefused(_("未知的人员字段：%(keys)s") % {"keys": "、".join(sorted(unknown))})
    clean = dict(values)
    if "education" in clean:
        clean["education"] = clean["education"] or ""
        if clean["education"] and clean["education"] not in Education.values:
            raise ActionRefused(_("未知的学历：%(v)s") % {"v": clean["education"]})
    if "occupations" in clean:
        tags = list(dict.fromkeys(clean["occupations"] or []))
        bad = [t for t in tags if t not in Occupation.values]
        if bad:
            raise ActionRefused(_("未知的职业类别：%(tags)s") % {"tags": "、".join(bad)})
        clean["occupations"] = tags
    if "frontline" in clean:
        clean["frontline"] = bool(clean["frontline"])
    if "unit" in clean:
        clean["unit"] = (clean["unit"] or "").strip()[:128]
    for key in attributes.DATE_FIELDS:
        if key in clean and clean[key] is not None and not isinstance(clean[key], date):
            raise ActionRefused(_("%(field)s 应为日期") % {"field": key})
    return clean


def _change(
    user: User,
    person: Person,
    candidate: Candidate,
    *,
    effective_on: date,
    values: Mapping[str, Any],
    reason: str,
    quiet: bool = False,
) -> AttributeChange | None:
    """Record the fields of `values` that differ from those in force at `effective_on`; the
    person's columns become the attributes in force today. None when nothing differs."""
    rows = attributes.history(person)
    before = attributes.attributes_on(person, effective_on)
    changed = {k: v for k, v in values.items() if before.get(k) != v}
    if not changed or not values:
        if quiet:
            return None
        raise ActionRefused(_("填写的内容与该日期的信息相同，没有变化"))
    if not rows:
        # The first change: what the person had until now becomes the base.
        AttributeChange.objects.create(
            person=person,
            effective_on=None,
            values=attributes.stored(attributes.current_values(person)),
            recorded_by_id=user.pk,
        )
    change = AttributeChange.objects.create(
        person=person,
        effective_on=effective_on,
        values=attributes.stored(changed),
        reason=reason,
        recorded_by_id=user.pk,
    )
    person._attribute_changes = None
    now = attributes.attributes_on(person, dates.today())
    for key, value in now.items():
        setattr(person, key, value)
    person.save(update_fields=list(attributes.FIELDS))
    append_event(
        kind=CHANGE_KIND,
        candidate_id=candidate.pk,
        happened_on=effective_on,
        # Principle 8: which fields changed and from when, never their values (a unit's name).
        payload={"person_id": person.pk, "change_id": change.pk, "fields": sorted(changed)},
        recorded_by_id=user.pk,
    )
    return change


def do_change_person_attributes(
    user: User,
    person: Person | int,
    *,
    effective_on: date,
    values: Mapping[str, Any],
    reason: str,
    today: date | None = None,
) -> AttributeChange:
    """Record that from `effective_on` the person's attributes are `values` (any of
    attributes.FIELDS): a diploma earned, a new job. The person's files are re-projected, since
    the rules read the attributes as at their dates (contracts §4)."""
    today = today or dates.today()
    pk = person if isinstance(person, int) else person.pk
    if not reason.strip():
        raise ActionRefused(_("变更须说明理由"))
    clean = _clean_values(values)
    with transaction.atomic():
        files = list(Candidate.objects.visible_to(user).filter(person_id=pk).select_related("org"))
        if not files:
            raise Http404(_("没有找到该人员。"))
        writable = [c for c in files if authority(user).may_write(c.org_id)]
        if not writable:
            raise ActionRefused(_("只读账号不能修改档案"))
        locked = Person.objects.select_for_update().get(pk=pk)
        if effective_on > today:
            raise ActionRefused(
                _("日期 %(date)s 晚于今天，不能记录尚未发生的事") % {"date": effective_on}
            )
        if effective_on < locked.birth_date:
            raise ActionRefused(_("生效日期早于出生日期"))
        latest = max(writable, key=lambda c: c.pk)
        change = _change(
            user, locked, latest, effective_on=effective_on, values=clean, reason=reason.strip()
        )
        assert change is not None
        for candidate in Candidate.objects.filter(person=locked).select_related("person"):
            candidate.person = locked
            project(candidate)
    return change


def history_rows(person: Person) -> list[dict[str, Any]]:
    """The dated changes for the person's page, newest last: date, fields, reason."""
    labels = {
        "education": _("学历"),
        "occupations": _("职业"),
        "frontline": _("一线"),
        "unit": _("工作单位"),
        "graduation_date": _("毕业日期"),
        "leaving_date": _("离校日期"),
    }
    education = dict(Education.choices)
    occupation = dict(Occupation.choices)
    rows = []
    for row in attributes.history(person):
        if row.effective_on is None:
            continue
        shown = []
        for key, value in attributes.loaded(row.values).items():
            if key == "education":
                text = str(education.get(value, "—")) if value else "—"
            elif key == "occupations":
                text = "、".join(str(occupation.get(t, t)) for t in value) or "—"
            elif key == "frontline":
                text = _("是") if value else _("否")
            else:
                text = str(value or "—")
            shown.append(f"{labels[key]}：{text}")
        rows.append({"date": row.effective_on, "changes": shown, "reason": row.reason})
    return rows
