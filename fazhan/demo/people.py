"""Who the demo candidates are: sex, age, education, occupation tags, front line, unit.

The mixes follow the national statistics of rules-reference.md §6 (2023: female 45.9%, 35 and under
82.4%, college and above 53.1%) and the seed's categories, which overlap (contracts.md §1: a farmer
may also be a 农村致富能人 or a village cadre). What a person does depends on the branch: villages
have farmers, workshops workers, schools teachers, organs civil servants, student branches students.
All names come from Faker; every ID number is a demo number (area 999999, contracts.md §6).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from random import Random
from typing import TypeVar

from fazhan.policy.calendar import add_months

# (weight, occupation tags, front line) per branch type. 一线: 企业、农村、教学、科研等一线 (seed).
OCCUPATIONS: dict[str, tuple[tuple[int, tuple[str, ...], bool], ...]] = {
    "rural": (
        (40, ("farmer",), True),
        (20, ("farmer", "rural_entrepreneur"), True),
        (10, ("farmer", "manager"), True),  # 村组干部
        (8, ("worker",), True),  # 返乡务工人员
        (7, ("rural_entrepreneur",), True),
        (5, ("technician",), True),  # 农技员、乡村医生
        (10, ("other",), False),  # 回乡大中专毕业生、复员退伍军人
    ),
    "community": (
        (25, ("worker",), True),  # 营业员、服务员
        (12, ("manager",), False),
        (15, ("technician",), True),
        (5, ("manager", "technician"), True),
        (35, ("other",), False),  # 社区工作者、志愿者、未就业高校毕业生
        (5, ("retired",), False),
        (3, ("civil_servant",), False),
    ),
    "state_enterprise": (
        (50, ("worker",), True),  # 班组长、生产骨干
        (25, ("technician",), True),
        (10, ("manager",), True),
        (5, ("manager",), False),
        (10, ("worker", "technician"), True),  # 技术能手
    ),
    "non_public": (
        (35, ("worker",), True),
        (25, ("technician",), True),
        (25, ("manager",), False),
        (5, ("manager", "technician"), True),
        (10, ("other",), False),
    ),
    "school": (
        (85, ("technician",), True),  # 教师：专业技术人员，教学一线
        (15, ("manager",), False),
    ),
    "organ": (
        (65, ("civil_servant",), False),
        (20, ("civil_servant", "manager"), False),
        (10, ("technician",), True),
        (5, ("other",), False),
    ),
}

# Highest education completed (contracts.md §1), weights per branch type.
EDUCATION: dict[str, tuple[tuple[int, str], ...]] = {
    "rural": ((35, "junior"), (35, "senior"), (20, "associate"), (10, "bachelor")),
    "community": (
        (5, "junior"),
        (35, "senior"),
        (30, "associate"),
        (27, "bachelor"),
        (3, "master"),
    ),
    "state_enterprise": ((40, "senior"), (30, "associate"), (27, "bachelor"), (3, "master")),
    "non_public": (
        (5, "junior"),
        (35, "senior"),
        (30, "associate"),
        (28, "bachelor"),
        (2, "master"),
    ),
    "school": ((5, "associate"), (65, "bachelor"), (28, "master"), (2, "doctor")),
    "organ": ((8, "associate"), (67, "bachelor"), (24, "master"), (1, "doctor")),
}

# Share of women by branch type; about 45% over the district (2023: 45.9%).
FEMALE = {
    "rural": 0.36,
    "community": 0.56,
    "state_enterprise": 0.38,
    "non_public": 0.45,
    "school": 0.62,
    "organ": 0.45,
    "student": 0.55,
}

# Age in whole years at the application; most are admitted by 35 (2023: 82.4% 35 and under).
AGES: tuple[tuple[int, tuple[int, int]], ...] = (
    (22, (18, 22)),
    (38, (23, 27)),
    (22, (28, 31)),
    (10, (32, 36)),
    (6, (37, 44)),
    (2, (45, 52)),
)

# A district in Chongqing's south-east: 土家族 and 苗族 live there besides 汉族.
ETHNICITIES = ((48, "汉族"), (38, "土家族"), (11, "苗族"), (2, "回族"), (1, "蒙古族"))


@dataclass(frozen=True)
class Profile:
    sex: str
    age: int  # whole years at the application
    education: str
    occupations: tuple[str, ...]
    frontline: bool
    ethnicity: str
    student: bool
    nomination: str


T = TypeVar("T")


def _weighted(rng: Random, table: tuple[tuple[int, T], ...]) -> T:
    return rng.choices([value for _, value in table], weights=[w for w, _ in table])[0]


def profile(rng: Random, org_type: str, *, students: bool) -> Profile:
    """A person for a branch of this type (a student branch has students)."""
    occupations: tuple[str, ...]
    if students:
        sex = "F" if rng.random() < FEMALE["student"] else "M"
        age = rng.randint(18, 20)
        education, occupations, frontline = "senior", ("student",), False
    else:
        sex = "F" if rng.random() < FEMALE[org_type] else "M"
        low, high = _weighted(rng, AGES)
        age = rng.randint(low, high)
        education = _weighted(rng, EDUCATION[org_type])
        weights = OCCUPATIONS[org_type]
        occupations, frontline = _weighted(
            rng, tuple((w, (tags, line)) for w, tags, line in weights)
        )
    return Profile(
        sex=sex,
        age=age,
        education=education,
        occupations=occupations,
        frontline=frontline,
        ethnicity=_weighted(rng, ETHNICITIES),
        student=students,
        nomination=nomination(rng, sex, age, occupations, org_type),
    )


def nomination(rng: Random, sex: str, age: int, occupations: tuple[str, ...], org_type: str) -> str:
    """Who recommended the activist (细则 art. 8): members, or 群团组织推优 — the Youth League for
    the young (seed: 党建带团建, 推优), the women's federation, trade unions in enterprises, the
    federation of industry and commerce in private firms."""
    roll = rng.random()
    if age <= 28 and roll < 0.45:
        return "youth_league"
    if sex == "F" and roll < 0.55 and org_type in {"rural", "community"}:
        return "women_federation"
    if org_type in {"state_enterprise", "non_public"} and "worker" in occupations and roll < 0.6:
        return "trade_union"
    if org_type == "non_public" and "manager" in occupations and roll < 0.7:
        return "federation_of_industry"
    return "member"


def birth_date(rng: Random, applied_on: date, age: int) -> date:
    """A birth date making the person `age` at the application, and at least 18 (党章 art. 1:
    the 18th birthday is the birth date + 216 months, contracts.md §3)."""
    latest = add_months(applied_on, -12 * age)
    born = latest - timedelta(days=rng.randint(0, 360))
    return min(born, add_months(applied_on, -216))


def graduation_date(rng: Random, after: date) -> date:
    """30 June of a year after `after` (a student admitted more than three months before
    graduating: seed 三（二）, no rush admissions before graduation)."""
    year = after.year + (1 if (after.month, after.day) >= (6, 30) else 0) + rng.randint(0, 1)
    return date(year, 6, 30)
