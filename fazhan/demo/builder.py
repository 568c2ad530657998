"""`build_demo`: the demo district of contracts.md §6 in one transaction.

The district, its ~15 sub-organizations and a few hundred branches with rosters (`tree`); about
2,500 candidate files whose histories follow the 25 steps (`histories`) and whose people follow the
national mixes (`people`); the accounts of §6; the chain bulk-loaded with `append_events_bulk` and
every file's projection computed by the engine from the very document `record.candidate_document`
would read back from the chain, so that the stored projection equals a fresh evaluation.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from random import Random
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction
from faker import Faker

from fazhan.accounts.models import Role, RoleKind, User
from fazhan.audit.chain import NewEvent, append_events_bulk, read_head
from fazhan.core import dates
from fazhan.demo import people
from fazhan.demo.histories import history, open_notice, settle_feedback, suspended
from fazhan.demo.life import Days, Ev, Plan
from fazhan.demo.tree import DISTRICT_NAME, Branch, Tree, build_tree
from fazhan.holidays.table import current_table
from fazhan.orgs.models import Member, MemberStatus, Organization
from fazhan.people.idnumber import make_demo_id
from fazhan.people.models import Candidate, Person
from fazhan.people.record import apply_projection, file_event, person_document, projected
from fazhan.people.summary import summarize
from fazhan.policy.calendar import add_months, shipped_table
from fazhan.policy.data import DEFAULT_POLICY
from fazhan.policy.engine import evaluate
from fazhan.policy.model import FORMAT
from fazhan.policy.parse import parse_document
from fazhan.web.models import Installation

PASSWORD = "fazhan-demo"
SHANGHAI = ZoneInfo("Asia/Shanghai")

# Files per stage at scale 1.0 (contracts.md §6: at least 1,250 activists, at least 100 each of
# applicants, development targets, probationary and full members, a few closed files). 1,300
# activists for a plan of 350 a year is the seed's ratio (三（一）: 3:1 and over 1,200).
POPULATION = {
    "applicant": 250,
    "activist": 1300,
    "target": 200,
    "probationary": 350,
    "member": 400,
    "withdrawn": 8,
    "rejected": 6,
    "revoked": 4,
}
STAGES = tuple(POPULATION)

# Share of each stage's files bent by a variant (life.Life). talk_late, talk_overdue, short_act,
# short_tgt, early_target and approval_late carry a finding (about 3–5% of all files, as a district
# would find on inspection); the others only make a step overdue or add an episode.
VARIANTS: dict[str, tuple[tuple[str, float], ...]] = {
    "applicant": (("talk_late", 0.02), ("talk_overdue", 0.03)),
    "activist": (
        ("missed_review", 0.08),
        ("talk_late", 0.015),
        ("short_act", 0.015),
        ("suspend", 0.004),
        ("suspend_resumed", 0.003),
    ),
    "target": (
        ("early_target", 0.02),
        ("missing_s08", 0.02),
        ("short_tgt", 0.015),
        ("prereview_returned", 0.03),
        ("suspend", 0.02),
    ),
    "probationary": (
        ("approval_late", 0.02),
        ("talk_late", 0.01),
        ("short_tgt", 0.01),
        ("missing_s08", 0.01),
        ("extension", 0.02),
        ("missed_s21", 0.03),
    ),
    "member": (
        ("approval_late", 0.015),
        ("talk_late", 0.01),
        ("short_act", 0.005),
        ("short_tgt", 0.01),
        ("early_target", 0.01),
        ("missing_s08", 0.01),
        ("extension", 0.015),
        ("prereview_returned", 0.02),
    ),
}
ENDINGS = {
    "withdrawn": ("withdraw",),
    "rejected": ("reject_prereview", "reject_vote", "reject_objection"),
    "revoked": ("revoke",),
}
# Feedback on the notices open today, in turn (public-notice work: pending, answered, upheld).
OPEN_PATTERNS: tuple[tuple[str, ...], ...] = (
    (),
    ("pending",),
    ("unfounded",),
    ("upheld",),
    ("pending", "unfounded"),
    ("founded_minor",),
)


class Writer(Protocol):
    """Where progress goes: a text stream or a management command's stdout."""

    def write(self, text: str, /) -> object: ...


@dataclass
class DemoSummary:
    seed: int
    scale: float
    today: date
    district: str
    sub_orgs: int = 0
    approvers: int = 0
    general_branches: int = 0
    branches: int = 0
    members: int = 0
    candidates: int = 0
    stages: dict[str, int] = field(default_factory=dict)
    with_findings: int = 0
    overdue: int = 0
    open_notices: int = 0
    suspended: int = 0
    events: int = 0
    head: str = ""
    seconds: float = 0.0
    accounts: list[tuple[str, str, str]] = field(default_factory=list)

    def lines(self) -> Iterator[str]:
        """What was built, in Chinese, for the command's output."""
        labels = {
            "applicant": "入党申请人",
            "activist": "入党积极分子",
            "target": "发展对象",
            "probationary": "预备党员",
            "member": "正式党员",
            "withdrawn": "已撤回",
            "rejected": "未通过",
            "revoked": "取消预备党员资格",
        }
        yield (
            f"演示区：{self.district}（种子 {self.seed}，规模 {self.scale:g}，"
            f"日期 {self.today.isoformat()}）"
        )
        yield (
            f"组织：党委/党工委 {self.sub_orgs} 个（其中 {self.approvers} 个具有审批权限），"
            f"党总支 {self.general_branches} 个，党支部 {self.branches} 个；党员 {self.members} 名"
        )
        stages = "，".join(f"{labels[s]} {self.stages.get(s, 0)}" for s in STAGES)
        yield f"档案：{self.candidates} 份 — {stages}"
        yield (
            f"其中有问题（违规或逾期）{self.with_findings} 份，下一步已逾期 {self.overdue} 份，"
            f"公示中 {self.open_notices} 份，暂缓 {self.suspended} 份"
        )
        yield f"纪实链：{self.events} 条事件，链头 {self.head}"
        yield f"用时 {self.seconds:.1f} 秒"


@dataclass
class _File:
    branch: Branch
    plan: Plan
    profile: people.Profile
    extra: frozenset[str] = frozenset()  # suspend, suspend_resumed: added after the history
    pattern: tuple[str, ...] | None = None  # feedback of an open notice, when forced
    events: list[Ev] = field(default_factory=list)


def _say(stdout: Writer | None, text: str) -> None:
    if stdout is not None:
        stdout.write(text + "\n")


def build_demo(
    *,
    seed: int = 2026,
    scale: float = 1.0,
    today: date | None = None,
    stdout: Writer | None = None,
) -> DemoSummary:
    """Build the demo district into an empty database, in one transaction; return what was built.

    Deterministic for a given seed, scale and `today` (default: today in Asia/Shanghai); every
    projection is evaluated as of `today`.
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    if Organization.objects.exists():
        # The codes (DEMO, DEMO-01, ...) and the accounts would collide with what is there.
        raise ValueError("the demo is built into a database without organizations")
    started = time.perf_counter()
    day = today or dates.today()
    rng = Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    summary = DemoSummary(seed=seed, scale=scale, today=day, district=DISTRICT_NAME)
    with transaction.atomic():
        _say(stdout, "建立组织和党员名册……")
        tree = build_tree(rng, fake, scale)
        summary.accounts = _accounts(tree)
        _say(stdout, "生成档案和纪实事件……")
        files = _plan_files(rng, tree, scale, day)
        days = Days(shipped_table())
        rotation = 0
        for index, file in enumerate(files):
            events = history(f"{seed}:{index}", file.plan, file.branch.roster, day, days)
            pattern = file.pattern
            if pattern is None and open_notice(events, day) is not None:
                pattern = OPEN_PATTERNS[rotation % len(OPEN_PATTERNS)]
                rotation += 1
            events = settle_feedback(events, day, pattern)
            if "suspend" in file.extra:
                events = suspended(events, day, Random(f"{seed}:{index}/hold"), resumed=False)
            elif "suspend_resumed" in file.extra:
                events = suspended(events, day, Random(f"{seed}:{index}/hold"), resumed=True)
            file.events = events
        _say(stdout, "保存人员和档案，评估每份档案……")
        candidates = _save_files(files, rng, fake, day)
        _say(stdout, "写入纪实链……")
        head = _append_chain(files, candidates)
        summarize(c.pk for c in candidates)  # the counts summary, now the chain holds the events
        summary.members = tree.members + _enrol(files, candidates)
        Installation.objects.create(demo=True, district_name=DISTRICT_NAME)
    summary.sub_orgs = len(tree.subs)
    summary.approvers = sum(1 for sub in tree.subs if sub.can_approve)
    summary.general_branches = tree.general_branches
    summary.branches = len(tree.branches)
    summary.candidates = len(candidates)
    summary.stages = dict(Counter(c.stage for c in candidates))
    summary.with_findings = sum(1 for c in candidates if c.violations or c.lates)
    summary.overdue = sum(1 for c in candidates if c.overdue)
    summary.open_notices = sum(1 for f in files if open_notice(f.events, day) is not None)
    summary.suspended = sum(1 for c in candidates if c.suspended)
    summary.events = head[0]
    summary.head = head[1]
    summary.seconds = time.perf_counter() - started
    return summary


# ---------------------------------------------------------------------------------------------
# Who is where, at which stage


def _scaled(count: int, scale: float) -> int:
    return max(1, round(count * scale))


def _plan_files(rng: Random, tree: Tree, scale: float, today: date) -> list[_File]:
    """The files to build: zhibu's dozen first, then every stage's share spread over branches."""
    files = _zhibu_files(rng, tree.zhibu_branch, today)
    # zhibu's branch keeps exactly its dozen, so the secretary's list reads as designed.
    others = [b for b in tree.branches if b is not tree.zhibu_branch]
    weights = [b.weight for b in others]
    for stage in STAGES:
        count = _scaled(POPULATION[stage], scale)
        bent: dict[int, str] = {}
        free = list(range(count))
        rng.shuffle(free)
        for bend, share in VARIANTS.get(stage, ()):
            for _ in range(round(share * count)):
                if free:
                    bent[free.pop()] = bend
        endings = ENDINGS.get(stage)
        for number in range(count):
            branch = rng.choices(others, weights=weights)[0]
            profile = people.profile(rng, branch.org_type, students=branch.students)
            variant = bent.get(number)
            plan = Plan(stage=stage, nomination=profile.nomination)
            extra: frozenset[str] = frozenset()
            if endings is not None:
                plan = Plan(stage, profile.nomination, ending=endings[number % len(endings)])
            elif variant in ("suspend", "suspend_resumed"):
                extra = frozenset({variant})
            elif variant == "talk_overdue":
                # No talk yet, more than a month after the application (细则 art. 7).
                applied = today - timedelta(days=rng.randint(35, 60))
                plan = Plan(stage, profile.nomination, hold="S02", anchor=("S01", applied))
            elif variant is not None:
                plan = Plan(stage, profile.nomination, variants=frozenset({variant}))
            files.append(_File(branch, plan, profile, extra))
    return files


def _zhibu_files(rng: Random, branch: Branch, today: date) -> list[_File]:
    """zhibu's branch: a dozen files in every stage, some due this week, some overdue."""

    def ago(days: int) -> date:
        return today - timedelta(days=days)

    def months_ago(months: int, plus_days: int = 0) -> date:
        return add_months(today, -months) + timedelta(days=plus_days)

    specs: list[tuple[Plan, tuple[str, ...] | None]] = [
        # Talk due in four days (S01 + 1 month), and one overdue (细则 art. 7).
        (Plan("applicant", hold="S02", anchor=("S01", months_ago(1, 4))), None),
        (Plan("applicant", hold="S02", anchor=("S01", ago(45))), None),
        # 确定入党积极分子公示 open now, one report pending (seed 公示制).
        (Plan("applicant", hold="S03", anchor=("N-ACT", ago(2))), ("pending",)),
        # Half-year assessment due in three days, and one two months overdue (细则 art. 11).
        (Plan("activist", hold="S06", anchor=("S03", months_ago(6, 3))), None),
        (Plan("activist", hold="S06", anchor=("S03", months_ago(8))), None),
        # 确定发展对象公示 open now, a report already found unfounded.
        (Plan("activist", hold="S07", anchor=("N-TGT", ago(2))), ("unfounded",)),
        (Plan("activist"), None),
        (Plan("activist", variants=frozenset({"missed_review"})), None),
        # A talk held after its month (细则 art. 7): done, but it was late (曾超期).
        (Plan("applicant", variants=frozenset({"talk_late"})), None),
        # A target collecting introducers, review and training; one ready for the meeting.
        (Plan("target", hold="S12", anchor=("S07", ago(40))), None),
        (Plan("target", hold="S15", anchor=("S14", ago(5))), None),
        # Approval due in four days; one past three months (细则 art. 25: approval.late).
        (Plan("probationary", hold="S16", anchor=("S15", months_ago(3, 4))), None),
        (Plan("probationary", hold="S16", anchor=("S15", ago(110))), None),
        # Probation ends in five days: the conversion application is due (细则 art. 33).
        (
            Plan(
                "probationary",
                anchor=("S15", months_ago(12, 5)),
                skip=frozenset({"S22", "N-CONV"}),
            ),
            None,
        ),
        (Plan("member"), None),
        (Plan("member", hold="S25", anchor=("S24", ago(12))), None),
    ]
    files = []
    for spec, pattern in specs:
        profile = people.profile(rng, branch.org_type, students=branch.students)
        plan = replace(spec, nomination=profile.nomination)
        files.append(_File(branch, plan, profile, pattern=pattern))
    return files


# ---------------------------------------------------------------------------------------------
# People, files, projections, the chain


def _first_day(events: list[Ev], kind: str) -> date | None:
    return next((e.day for e in events if e.kind == kind), None)


def _person(
    file: _File,
    rng: Random,
    fake: Faker,
    *,
    today: date,
    serials: set[tuple[date, str, int]],
    ref: str,
) -> Person:
    profile = file.profile
    applied = file.events[0].day
    born = people.birth_date(rng, applied, profile.age)
    # zh_CN's name_male()/name_female() ignore the sex (one format for both): compose the name.
    given = fake.first_name_female() if profile.sex == "F" else fake.first_name_male()
    name = fake.last_name() + given
    graduation = None
    if profile.student:
        s15 = _first_day(file.events, "S15")
        # Seed 三（二）: no admission within three months before graduating. Graduation comes
        # after today for those not admitted yet; admitted students may have graduated since.
        after = add_months(s15, 3) if s15 is not None else today
        graduation = people.graduation_date(rng, after)
    person = Person(
        ref=ref,
        name=name,
        sex=profile.sex,
        birth_date=born,
        ethnicity=profile.ethnicity,
        education=profile.education,
        occupations=list(profile.occupations),
        frontline=profile.frontline,
        unit=file.branch.unit or fake.company(),
        graduation_date=graduation,
    )
    # The sequence code drawn at random (from the ref, so the main stream of draws and with it
    # the rest of the demo stay as they were): counted up from 0, nearly every code would be
    # 000 or 001 and the demo numbers guessable from the birth date alone (docs/privacy.md).
    draws = Random(f"{ref}/id")
    serial = draws.randrange(500)
    while (born, profile.sex, serial) in serials:
        serial = draws.randrange(500)
    serials.add((born, profile.sex, serial))
    # Demo numbers only (area 999999, contracts.md §6), consistent with birth date and sex.
    problems = person.set_id_number(make_demo_id(born, profile.sex, serial), today=today)
    if problems:
        raise RuntimeError(f"demo ID number inconsistent: {problems}")
    person.fill_derived()
    return person


def _save_files(files: list[_File], rng: Random, fake: Faker, today: date) -> list[Candidate]:
    """Create the people and the files with their projections already evaluated.

    The events get their seqs in file order from the current head, so each file's document is the
    one `record.candidate_document` will read back from the chain: same ids, kinds, dates and
    payloads (member ids shown as names), same person, as of `today`.
    """
    serials: set[tuple[date, str, int]] = set()
    persons = [
        _person(file, rng, fake, today=today, serials=serials, ref=f"DEMO-{index + 1:05d}")
        for index, file in enumerate(files)
    ]
    Person.objects.bulk_create(persons)
    names = dict(Member.objects.values_list("pk", "name"))
    seq = read_head().seq
    table = current_table()  # the same table the application evaluates with afterwards
    candidates = []
    for file, person in zip(files, persons, strict=True):
        candidate = Candidate(person=person, org=file.branch.org, policy=DEFAULT_POLICY)
        person._attribute_changes = ()  # new: no dated changes (fazhan.people.attributes)
        events = []
        for event in file.events:
            seq += 1
            events.append(file_event(seq, event.kind, event.day, event.payload, names))
        document = {
            "format": FORMAT,
            "policy": DEFAULT_POLICY,
            "as_of": today.isoformat(),
            "person": person_document(person),
            "events": events,
        }
        apply_projection(candidate, evaluate(parse_document(document), table=table), seq)
        candidates.append(candidate)
    Candidate.objects.bulk_create(candidates)
    projected(candidates)
    return candidates


def _recorded_at(day: date, minute: int, now: datetime) -> datetime:
    """09:00 in Shanghai on the day it happened (a step entered the same morning), never later
    than now."""
    moment = datetime.combine(day, clock(9, 0), tzinfo=SHANGHAI) + timedelta(minutes=minute)
    return min(moment, now)


def _append_chain(files: list[_File], candidates: list[Candidate]) -> tuple[int, str]:
    now = datetime.now(UTC)
    expected = read_head().seq + sum(len(f.events) for f in files)

    def stream() -> Iterator[NewEvent]:
        for file, candidate in zip(files, candidates, strict=True):
            for minute, event in enumerate(file.events):
                yield NewEvent(
                    kind=event.kind,
                    candidate_id=candidate.pk,
                    happened_on=event.day,
                    payload=event.payload,
                    recorded_at=_recorded_at(event.day, minute, now),
                )

    head = append_events_bulk(stream())
    if head.seq != expected:
        raise RuntimeError(f"chain head at {head.seq}, expected {expected}")
    return head.seq, head.code


def _enrol(files: list[_File], candidates: list[Candidate]) -> int:
    """Admitted candidates join their branch's roster (细则 art. 27: 编入党支部和党小组)."""
    status = {"probationary": MemberStatus.PROBATIONARY, "member": MemberStatus.FULL}
    rows = [
        Member(org=file.branch.org, name=candidate.person.name, status=status[candidate.stage])
        for file, candidate in zip(files, candidates, strict=True)
        if candidate.stage in status
    ]
    Member.objects.bulk_create(rows)
    return len(rows)


# ---------------------------------------------------------------------------------------------
# Accounts (contracts.md §6)


ROLE_LABELS = dict(RoleKind.choices)


def _accounts(tree: Tree) -> list[tuple[str, str, str]]:
    """The seven accounts of contracts.md §6, all with the password fazhan-demo and no second
    factor. One hash is computed and shared: hashing is deliberately slow."""
    hashed = make_password(PASSWORD)
    zhibu, zhibu2 = tree.zhibu_branch.org, tree.zhibu2_branch.org
    accounts: list[tuple[str, str, Any, str]] = [
        ("qu", "区委组织部", tree.district, RoleKind.DISTRICT_STAFF),
        ("dangwei", f"{tree.dangwei_sub.name}组织委员", tree.dangwei_sub, RoleKind.SUB_STAFF),
        ("zhibu", f"{zhibu.name}书记", zhibu, RoleKind.BRANCH_SECRETARY),
        ("zhibu2", f"{zhibu2.name}书记", zhibu2, RoleKind.BRANCH_SECRETARY),
        # 三员分立: the auditor and the two administrators hold no organization.
        ("shenji", "安全审计员", None, RoleKind.AUDITOR),
        ("admin", "系统管理员", None, RoleKind.SYSADMIN),
        ("baomi", "安全保密管理员", None, RoleKind.SECURITY_ADMIN),
    ]
    rows = []
    for username, display, org, kind in accounts:
        user = User.objects.create(username=username, display_name=display, password=hashed)
        Role.objects.create(user=user, org=org, kind=kind)
        rows.append((username, str(ROLE_LABELS[kind]), org.name if org is not None else "—"))
    return rows
