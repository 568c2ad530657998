"""Hand-built candidate files with explicit projection columns (no chain needed)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fazhan.people.models import Candidate
from fazhan.policy.calendar import add_months
from fazhan.testing.factories import CandidateFactory, PersonFactory


def next_steps(*steps: str, **earliest: str) -> dict[str, Any]:
    """A projection whose `next` lists these steps (earliest dates as keyword arguments)."""
    return {"next": [{"step": s, "earliest": earliest.get(s), "latest": None} for s in steps]}


def make(
    org: Any,
    *,
    stage: str = "probationary",
    born: date = date(1995, 6, 1),
    sex: str = "F",
    education: str = "bachelor",
    occupations: list[str] | None = None,
    frontline: bool = True,
    activist_on: date | None = None,
    target_on: date | None = None,
    admitted_on: date | None = None,
    approved_on: date | None = None,
    applied_on: date | None = None,
    projection: dict[str, Any] | None = None,
    suspended: bool = False,
) -> Candidate:
    person = PersonFactory.create(
        sex=sex,
        birth_date=born,
        education=education,
        occupations=occupations if occupations is not None else ["farmer"],
        frontline=frontline,
    )
    le35 = le25 = None
    if admitted_on is not None:
        # contracts §4, as fazhan.people.record projects it: before the birth date + 432 months.
        le35 = admitted_on < add_months(born, 432)
        le25 = admitted_on < add_months(born, 312)
    return CandidateFactory.create(
        org=org,
        person=person,
        stage=stage,
        applied_on=applied_on or date(2020, 1, 1),
        activist_on=activist_on,
        target_on=target_on,
        admitted_on=admitted_on,
        approved_on=approved_on,
        le35_at_admission=le35,
        le25_at_admission=le25,
        projection=projection or {},
        suspended=suspended,
    )
