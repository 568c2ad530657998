"""factory_boy factories for organizations, accounts, people and candidate files.

People get Faker zh_CN names and demo ID numbers (area 999999, contracts.md §6) consistent with
their birth date and sex. Candidate stage traits fill the projection columns the way the engine
would for a file at that stage; they append no events, so use the actions where the chain matters.
"""

# factory_boy's declarations carry no annotations; calling them is the whole point of this module.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from factory.declarations import Iterator, LazyAttribute, Maybe, Sequence, SubFactory, Trait
from factory.django import DjangoModelFactory, Password
from factory.faker import Faker

from fazhan.accounts.models import Role, RoleKind, User
from fazhan.orgs.models import Kind, Organization, OrgType
from fazhan.people.idnumber import make_demo_id
from fazhan.people.models import Candidate, CandidateOrgLink, Person, Stage


class OrganizationFactory(DjangoModelFactory[Organization]):
    class Meta:
        model = Organization

    # Annotated as Any: the subclasses replace these values with declarations.
    name: Any = Sequence(lambda n: f"第{n}党支部")
    short_name = ""
    kind: Any = Kind.BRANCH
    can_approve = False
    org_type: Any = OrgType.COMMUNITY
    code = Sequence(lambda n: f"T{n:05d}")
    parent: Any = None


class DistrictFactory(OrganizationFactory):
    name = Sequence(lambda n: f"演示区{n}区委")
    kind = Kind.DISTRICT
    org_type = ""


class SubOrgFactory(OrganizationFactory):
    """A 党委/党工委 with approval authority by default (细则 art. 23)."""

    name = Sequence(lambda n: f"第{n}街道党工委")
    kind = Kind.SUB
    can_approve = True
    parent = SubFactory(DistrictFactory)


class GeneralBranchFactory(OrganizationFactory):
    name = Sequence(lambda n: f"第{n}党总支")
    kind = Kind.GENERAL_BRANCH
    parent = SubFactory(SubOrgFactory)


class BranchFactory(OrganizationFactory):
    name = Sequence(lambda n: f"第{n}党支部")
    kind = Kind.BRANCH
    parent = SubFactory(SubOrgFactory)


class UserFactory(DjangoModelFactory[User]):
    """Users have an unusable password unless one is given (hashing is slow; tests force_login)."""

    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = Sequence(lambda n: f"user{n}")
    display_name = Faker("name", locale="zh_CN")
    password = Password(None)


class RoleFactory(DjangoModelFactory[Role]):
    class Meta:
        model = Role

    user = SubFactory(UserFactory)
    org = SubFactory(BranchFactory)
    kind = RoleKind.BRANCH_SECRETARY
    active = True


class PersonFactory(DjangoModelFactory[Person]):
    """A person with a valid demo ID number matching birth date and sex.

    Pass `id_number=None` for a person without one, or any string to test validation.
    """

    class Meta:
        model = Person

    class Params:
        serial = Sequence(lambda n: n % 500)
        male = LazyAttribute(lambda o: o.sex == "M")

    sex = Iterator(["M", "F"])
    name = Maybe(
        "male",
        yes_declaration=Faker("name_male", locale="zh_CN"),
        no_declaration=Faker("name_female", locale="zh_CN"),
    )
    birth_date = Faker("date_of_birth", minimum_age=18, maximum_age=45)
    ethnicity = "汉族"
    education = Iterator(["senior", "associate", "bachelor", "junior", "master"])
    occupations = Iterator([["worker"], ["farmer"], ["technician"], ["manager", "farmer"]])
    frontline = True
    unit = Faker("company", locale="zh_CN")
    id_number = LazyAttribute(lambda o: make_demo_id(o.birth_date, o.sex, o.serial))

    @classmethod
    def _build(cls, model_class: type[Person], *args: Any, **kwargs: Any) -> Person:
        raw = kwargs.pop("id_number", None)
        person = model_class(**kwargs)
        if raw:
            person.set_id_number(raw)
        return person

    @classmethod
    def _create(cls, model_class: type[Person], *args: Any, **kwargs: Any) -> Person:
        person = cls._build(model_class, *args, **kwargs)
        person.save()
        return person


# Spacing of the projected key dates of a file, roughly what the rules require (细则 art. 10: a
# year of training before becoming a 发展对象; art. 27: a year of probation).
_STEP_GAPS = {
    "activist_on": timedelta(days=60),
    "target_on": timedelta(days=380),
    "admitted_on": timedelta(days=90),
    "approved_on": timedelta(days=30),
    "converted_on": timedelta(days=370),
}


def _after(previous: str, field: str) -> LazyAttribute:
    def compute(o: Any) -> date | None:
        before = getattr(o, previous)
        return before + _STEP_GAPS[field] if before is not None else None

    return LazyAttribute(compute)


class CandidateFactory(DjangoModelFactory[Candidate]):
    """A file at the applicant stage; traits move the projection to another stage, e.g.
    `CandidateFactory(target=True)` or `CandidateFactory(member=True, org=branch)`."""

    class Meta:
        model = Candidate

    class Params:
        reached_activist = False
        reached_target = False
        reached_probationary = False
        reached_member = False
        activist = Trait(stage=Stage.ACTIVIST, reached_activist=True)
        target = Trait(stage=Stage.TARGET, reached_activist=True, reached_target=True)
        probationary = Trait(
            stage=Stage.PROBATIONARY,
            reached_activist=True,
            reached_target=True,
            reached_probationary=True,
        )
        member = Trait(
            stage=Stage.MEMBER,
            reached_activist=True,
            reached_target=True,
            reached_probationary=True,
            reached_member=True,
        )
        withdrawn = Trait(stage=Stage.WITHDRAWN, reached_activist=True)
        rejected = Trait(stage=Stage.REJECTED, reached_activist=True, reached_target=True)
        revoked = Trait(
            stage=Stage.REVOKED,
            reached_activist=True,
            reached_target=True,
            reached_probationary=True,
        )

    person = SubFactory(PersonFactory)
    org = SubFactory(BranchFactory)
    stage = Stage.APPLICANT
    applied_on = Faker("date_between", start_date="-4y", end_date="-3y")
    activist_on = Maybe("reached_activist", _after("applied_on", "activist_on"), None)
    target_on = Maybe("reached_target", _after("activist_on", "target_on"), None)
    admitted_on = Maybe("reached_probationary", _after("target_on", "admitted_on"), None)
    approved_on = Maybe("reached_probationary", _after("admitted_on", "approved_on"), None)
    converted_on = Maybe("reached_member", _after("approved_on", "converted_on"), None)


class CandidateOrgLinkFactory(DjangoModelFactory[CandidateOrgLink]):
    class Meta:
        model = CandidateOrgLink

    candidate = SubFactory(CandidateFactory)
    org = SubFactory(BranchFactory)
    role = "inflow"
    agreement = "joint"
