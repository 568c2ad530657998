"""Activist education (issue 15 item 6): classes with hours, 一帮一 pairings, 推优 names to their
outcome, and the pool against 3:1 per organization."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from fazhan.audit.chain import verify_chain
from fazhan.audit.models import Event
from fazhan.core.errors import ActionRefused, NotVisible
from fazhan.education.actions import (
    do_open_training,
    do_pair,
    do_receive_nomination,
    do_record_attendance,
    do_set_nomination_outcome,
)
from fazhan.education.models import Form, Outcome, Pairing, Source
from fazhan.education.overview import pool_rows
from fazhan.orgs.models import Member, MemberStatus
from fazhan.plans.actions import do_load_plan, do_split

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)


def _class(cast, hours=24):
    return do_open_training(
        cast.users["dangwei"],
        org=cast.sub_a,
        title="2026年第二期入党积极分子培训班",
        form=Form.PARTY_SCHOOL,
        starts_on=date(2026, 11, 2),
        ends_on=date(2026, 11, 6),
        hours=hours,
    )


@time_machine.travel(TODAY)
def test_it_records_hours_up_to_the_class_and_not_one_more(cast):
    training = _class(cast)
    activist = cast.candidates["cand_a2"]
    done = do_record_attendance(cast.users["dangwei"], training, activist, hours=24, completed=True)
    assert (done.hours, done.completed) == (24, True)
    with pytest.raises(ActionRefused, match="0 到 24"):
        do_record_attendance(cast.users["dangwei"], training, activist, hours=25, completed=True)
    assert verify_chain().ok
    assert Event.objects.filter(kind="education.attended", candidate_id=activist.pk).count() == 1


@time_machine.travel(TODAY)
def test_it_trains_only_the_pool_inside_the_class_organization(cast):
    training = _class(cast)
    with pytest.raises(ActionRefused, match="积极分子和发展对象"):
        do_record_attendance(
            cast.users["dangwei"], training, cast.candidates["cand_a"], hours=8, completed=False
        )
    with pytest.raises(NotVisible):
        do_record_attendance(
            cast.users["dangwei"], training, cast.candidates["cand_b"], hours=8, completed=False
        )


@time_machine.travel(TODAY)
def test_it_pairs_a_full_member_of_the_branch_and_ends_the_previous_pairing(cast):
    activist = cast.candidates["cand_a2"]
    first = Member.objects.create(org=activist.org, name="示例党员甲")
    second = Member.objects.create(org=activist.org, name="示例党员乙")
    do_pair(cast.users["dangwei"], activist, first, started_on=date(2026, 3, 1))
    do_pair(cast.users["dangwei"], activist, second, started_on=date(2026, 9, 1))
    pairings = list(Pairing.objects.filter(candidate=activist).order_by("started_on"))
    assert [(p.member_id, p.ended_on) for p in pairings] == [
        (first.pk, date(2026, 9, 1)),
        (second.pk, None),
    ]


@time_machine.travel(TODAY)
def test_it_refuses_a_probationary_or_disciplined_helper(cast):
    activist = cast.candidates["cand_a2"]
    probationary = Member.objects.create(
        org=activist.org, name="示例预备党员", status=MemberStatus.PROBATIONARY
    )
    disciplined = Member.objects.create(org=activist.org, name="示例党员丙", under_discipline=True)
    for member in (probationary, disciplined):
        with pytest.raises(ActionRefused, match="正式党员"):
            do_pair(cast.users["dangwei"], activist, member, started_on=TODAY)
    elsewhere = Member.objects.create(org=cast.branch_a, name="示例党员丁")
    with pytest.raises(ActionRefused, match="本支部"):
        do_pair(cast.users["dangwei"], activist, elsewhere, started_on=TODAY)


@time_machine.travel(TODAY)
def test_it_follows_a_recommended_name_to_its_file(cast):
    nomination = do_receive_nomination(
        cast.users["zhibu"],
        org=cast.branch_a,
        source=Source.YOUTH_LEAGUE,
        received_on=date(2026, 5, 4),
        name="示例团员",
    )
    with pytest.raises(ActionRefused, match="选择其档案"):
        do_set_nomination_outcome(cast.users["zhibu"], nomination, outcome=Outcome.APPLIED)
    with pytest.raises(ActionRefused, match="说明原因"):
        do_set_nomination_outcome(cast.users["zhibu"], nomination, outcome=Outcome.NOT_ADOPTED)
    done = do_set_nomination_outcome(
        cast.users["zhibu"],
        nomination,
        outcome=Outcome.APPLIED,
        candidate=cast.candidates["cand_a"],
    )
    assert done.candidate_id == cast.candidates["cand_a"].pk
    # The name stays in the table, never in the chain (DESIGN principle 8).
    assert not Event.objects.filter(payload__icontains="示例团员").exists()
    with pytest.raises(NotVisible):
        do_receive_nomination(
            cast.users["zhibu2"],
            org=cast.branch_a,
            source=Source.WOMEN,
            received_on=TODAY,
            name="示例",
        )


@time_machine.travel(TODAY)
def test_it_flags_a_pool_below_three_times_the_share(cast):
    plan = do_load_plan(cast.qu, name="seed", year=2026)
    do_split(cast.qu, plan, shares={cast.sub_a.pk: 1, cast.sub_b.pk: 349})
    rows = {row.org.pk: row for row in pool_rows(cast.district, 2026, TODAY)}
    sub_a = rows[cast.sub_a.pk]
    assert (sub_a.pool, sub_a.needed, sub_a.short) == (1, 3, True)
    assert rows[cast.sub_b.pk].needed == 3 * 349


@pytest.mark.parametrize("username", ["qu", "dangwei", "zhibu", "shenji"])
def test_it_opens_the_overview_for_every_working_role(client, cast, username):
    client.force_login(cast.users[username])
    assert client.get("/education/").status_code == 200


def test_it_hides_a_class_from_another_committee(client, cast):
    training = _class(cast)
    client.force_login(cast.users["zhibu2"])
    assert client.get(f"/education/trainings/{training.pk}/").status_code == 404
    client.force_login(cast.users["admin"])
    assert client.get("/education/").status_code == 404
