"""Bulk-load a city-sized district into the database Django is configured with (benchmarks only).

50,000 candidates by default, each with a history cut from the clean example (shifted in time,
stopped at a random step), persons with derived columns, the chain computed in batch and every
projection evaluated — the same shapes the application writes, loaded without the actions.
"""

from __future__ import annotations

import copy
import json
import random
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import transaction

from fazhan.accounts.models import Role, RoleKind, User
from fazhan.audit.chain import NewEvent, append_events_bulk
from fazhan.orgs.models import Kind, Member, Organization, OrgType
from fazhan.people.models import Candidate, Person
from fazhan.people.record import PROJECTION_FIELDS, apply_projection, file_event, person_document
from fazhan.policy.engine import evaluate
from fazhan.policy.parse import parse_document

ROOT = Path(__file__).resolve().parent.parent
SHANGHAI = ZoneInfo("Asia/Shanghai")


def load(candidates: int = 50_000, seed: int = 1, today: date | None = None) -> dict[str, int]:
    rnd = random.Random(seed)
    today = today or date(2026, 11, 27)
    clean = json.loads((ROOT / "examples" / "clean-full.json").read_text(encoding="utf-8"))
    started = time.perf_counter()
    with transaction.atomic():
        district = Organization.objects.create(name="城市", kind=Kind.DISTRICT, code="CITY")
        subs, branches = [], []
        for s in range(60):
            sub = Organization.objects.create(
                name=f"第{s}党委",
                kind=Kind.SUB,
                parent=district,
                can_approve=True,
                org_type=OrgType.COMMUNITY,
                code=f"S{s}",
            )
            subs.append(sub)
            for b in range(40):
                branches.append(
                    Organization(
                        name=f"第{s}-{b}支部",
                        kind=Kind.BRANCH,
                        parent=sub,
                        org_type=OrgType.COMMUNITY,
                        code=f"S{s}B{b}",
                    )
                )
        Organization.objects.bulk_create(branches)
        branches = list(Organization.objects.filter(kind=Kind.BRANCH).order_by("pk"))
        Member.objects.bulk_create(
            [Member(org=branch, name=f"党员{i}") for branch in branches[:50] for i in range(3)]
        )
        people = []
        for i in range(candidates):
            sex = rnd.choice("FM")
            person = Person(
                name=f"候选人{i}",
                sex=sex,
                birth_date=date(1970, 1, 1) + timedelta(days=rnd.randint(0, 12000)),
                education=rnd.choice(["senior", "associate", "bachelor", "master"]),
                occupations=[rnd.choice(["worker", "farmer", "technician"])],
            )
            person.fill_derived()
            people.append(person)
        Person.objects.bulk_create(people, batch_size=2000)
        rows = [Candidate(person=p, org=rnd.choice(branches)) for p in people]
        Candidate.objects.bulk_create(rows, batch_size=2000)
        events: list[NewEvent] = []
        documents = []
        seq = 0
        for candidate in rows:
            shift = timedelta(days=rnd.randint(-1500, 1800))
            cut = rnd.randint(1, len(clean["events"]))
            history = []
            for original in clean["events"][:cut]:
                raw = copy.deepcopy(original)
                when = date.fromisoformat(raw.pop("date")) + shift
                if when > today:
                    break
                if "end" in raw:
                    raw["end"] = (date.fromisoformat(raw["end"]) + shift).isoformat()
                for item in raw.get("feedback", []):
                    item["date"] = (date.fromisoformat(item["date"]) + shift).isoformat()
                    item["resolved"] = (date.fromisoformat(item["resolved"]) + shift).isoformat()
                kind = raw.pop("type")
                raw.pop("id")
                for key in ("contacts", "introducers"):
                    if key in raw:
                        raw[key] = [
                            {
                                "member_id": None,
                                "status": m["status"],
                                "discipline": None,
                                "rights_restored": False,
                            }
                            for m in raw[key]
                        ]
                seq += 1
                history.append(file_event(seq, kind, when, raw, {}))
                events.append(
                    NewEvent(
                        kind,
                        candidate.pk,
                        when,
                        raw,
                        None,
                        datetime(when.year, when.month, when.day, 9, tzinfo=SHANGHAI),
                    )
                )
            documents.append((candidate, history, seq))
        append_events_bulk(events)
        for candidate, history, last in documents:
            document = {
                "format": "fazhan-candidate-file/1",
                "policy": "national-2014",
                "as_of": today.isoformat(),
                "person": person_document(candidate.person),
                "events": history,
            }
            apply_projection(candidate, evaluate(parse_document(document)), last or None)
        Candidate.objects.bulk_update(rows, PROJECTION_FIELDS, batch_size=2000)
        user = User.objects.create_user("qu", password="fazhan-demo")
        Role.objects.create(user=user, org=district, kind=RoleKind.DISTRICT_STAFF)
        branch_user = User.objects.create_user("zhibu", password="fazhan-demo")
        Role.objects.create(user=branch_user, org=branches[0], kind=RoleKind.BRANCH_SECRETARY)
    return {
        "candidates": candidates,
        "events": len(events),
        "branches": len(branches),
        "seconds": round(time.perf_counter() - started),
    }
