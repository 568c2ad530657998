"""Each rule of contracts.md §3 at its boundary: the day before, on, and after."""

from __future__ import annotations

import pytest

from tests.policy.files import (
    clean_full,
    document,
    events_until,
    findings_of,
    ids,
    judge,
    with_event,
    without,
)

ACTIVIST = [
    {"type": "S01", "date": "2019-03-04"},
    {"type": "S02", "date": "2019-03-20"},
    {"type": "N-ACT", "date": "2019-04-15", "end": "2019-04-19"},
    {"type": "S03", "date": "2019-04-23", "nomination": "member"},
]


def test_it_finds_nothing_in_the_clean_example():
    result = judge(clean_full())
    assert result.findings == ()
    assert result.stage == "member"


def test_it_finds_nothing_in_the_clean_example_at_any_earlier_date():
    doc = clean_full()
    for as_of in ("2019-03-04", "2019-04-04", "2020-04-27", "2020-07-01", "2021-06-30"):
        result = judge(doc, as_of=__import__("datetime").date.fromisoformat(as_of))
        assert [f for f in result.findings if f.severity != "warning"] == [], as_of


@pytest.mark.parametrize(
    ("s01", "found"),
    [("2013-08-14", True), ("2013-08-15", False), ("2013-08-16", False)],
)
def test_it_refuses_an_application_before_the_18th_birthday(s01, found):
    doc = document([{"type": "S01", "date": s01}], as_of=s01, birth_date="1995-08-15")
    assert ("age.under18" in ids(judge(doc))) is found


def test_it_counts_the_18th_birthday_of_a_leap_day_child_from_the_end_of_february():
    born = {"birth_date": "2000-02-29"}
    early = document([{"type": "S01", "date": "2018-02-27"}], as_of="2018-02-27", **born)
    on_time = document([{"type": "S01", "date": "2018-02-28"}], as_of="2018-02-28", **born)
    assert "age.under18" in ids(judge(early))
    assert "age.under18" not in ids(judge(on_time))


@pytest.mark.parametrize(("s02", "late"), [("2019-02-28", False), ("2019-03-01", True)])
def test_it_wants_the_talk_within_one_calendar_month_clamped(s02, late):
    # 2019-01-31 + 1 month = 2019-02-28.
    doc = document([{"type": "S01", "date": "2019-01-31"}, {"type": "S02", "date": s02}])
    assert findings_of(judge(doc), "talk.late") == ([("S02", s02)] if late else [])


@pytest.mark.parametrize(("as_of", "late"), [("2019-04-04", False), ("2019-04-05", True)])
def test_it_reports_a_missing_talk_once_the_month_has_passed(as_of, late):
    doc = document([{"type": "S01", "date": "2019-03-04"}], as_of=as_of)
    found = findings_of(judge(doc), "talk.late")
    assert found == ([("S02", "2019-04-04")] if late else [])
    if late:
        assert judge(doc).findings[0].severity == "late"


def test_it_gives_no_late_talk_to_a_file_withdrawn_before_the_deadline():
    doc = document(
        [{"type": "S01", "date": "2019-03-04"}, {"type": "withdraw", "date": "2019-03-10"}]
    )
    result = judge(doc)
    assert result.stage == "withdrawn"
    assert "talk.late" not in ids(result)


def test_it_wants_a_nomination_for_each_activist_decision():
    doc = document(ACTIVIST[:3] + [{"type": "S03", "date": "2019-04-23"}], as_of="2019-05-01")
    assert findings_of(judge(doc), "activist.not_nominated") == [("S03", "2019-04-23")]


@pytest.mark.parametrize(
    ("contacts", "found"),
    [
        ([], True),
        ([{"name": "甲", "status": "full"}], False),
        ([{"name": "甲", "status": "full"}, {"name": "乙", "status": "full"}], False),
        ([{"name": "甲", "status": "full"}] * 3, True),
        ([{"name": "甲", "status": "probationary"}], True),
    ],
)
def test_it_wants_one_or_two_full_members_as_contacts(contacts, found):
    doc = document(
        ACTIVIST + [{"type": "S05", "date": "2019-04-26", "contacts": contacts}], as_of="2019-05-01"
    )
    assert ("contacts.count" in ids(judge(doc))) is found


def test_it_wants_a_notice_ending_before_each_decision():
    doc = clean_full()
    same_day = with_event(doc, "e3", end="2019-04-23", date="2019-04-17")
    assert findings_of(judge(same_day), "notice.missing") == [("S03", "2019-04-23")]
    day_before = with_event(doc, "e3", end="2019-04-22", date="2019-04-16")
    assert "notice.missing" not in ids(judge(day_before))
    missing_tgt = without(doc, "e9")
    assert findings_of(judge(missing_tgt), "notice.missing") == [("S07", "2020-04-27")]


def test_it_wants_the_conversion_notice_after_an_earlier_conversion_meeting():
    doc = clean_full()
    # A failed conversion vote before the notice; the second vote has no notice of its own.
    doc["events"].insert(
        27,
        {
            "id": "x1",
            "type": "S23",
            "date": "2021-06-15",
            "result": "fail",
            "outcome": "convert",
            "vote": {
                "expected": 19,
                "present": 16,
                "for": 5,
                "against": 11,
                "abstain": 0,
                "secret": True,
                "candidates": 1,
                "issued": 16,
                "returned": 16,
                "tellers": 2,
                "monitors": 1,
            },
        },
    )
    found = findings_of(judge(doc), "notice.missing")
    assert found == [("S23", "2021-06-29")]


def test_it_needs_no_notice_for_an_extension():
    doc = clean_full()
    doc = with_event(doc, "e28", outcome="extend", extension_months=6)
    doc = without(doc, "e27")
    assert "notice.missing" not in ids(judge(doc))


@pytest.mark.parametrize(
    ("start", "end", "short"),
    [
        ("2019-04-15", "2019-04-19", False),  # Monday to Friday: 5
        ("2019-04-15", "2019-04-18", True),  # 4
        ("2019-09-27", "2019-10-08", True),  # National Day week: 4 working days in 12 days
        ("2019-09-27", "2019-10-09", False),  # 5 with the make-up Sunday 09-29
    ],
)
def test_it_counts_a_notice_in_working_days(start, end, short):
    doc = with_event(clean_full(), "e3", date=start, end=end)
    if end >= "2019-04-23":
        doc = with_event(doc, "e4", date="2019-10-10")
    found = findings_of(judge(doc), "notice.too_short")
    assert found == ([("N-ACT", start)] if short else [])


def test_it_marks_a_notice_in_an_unknown_year_provisional():
    doc = document(
        ACTIVIST[:2] + [{"type": "N-ACT", "date": "2027-01-04", "end": "2027-01-08"}],
        as_of="2027-02-01",
    )
    result = judge(doc)
    assert findings_of(result, "calendar.provisional") == [("N-ACT", "2027-01-04")]
    assert [f.severity for f in result.findings if f.id == "calendar.provisional"] == ["warning"]
    assert "notice.too_short" not in ids(result)


def test_it_takes_the_notice_length_from_policy_data():
    from fazhan.policy.data import load_policy

    longer = load_policy("national-2014").with_parameters(notice_min_working_days=7)
    assert "notice.too_short" in ids(judge(clean_full(), policy=longer))


@pytest.mark.parametrize(
    ("feedback", "found"),
    [
        ([{"date": "2020-04-21", "resolved": "2020-04-23", "outcome": "unfounded"}], False),
        ([{"date": "2020-04-21", "resolved": "2020-04-27", "outcome": "founded_minor"}], False),
        ([{"date": "2020-04-21", "resolved": "2020-04-28", "outcome": "unfounded"}], True),
        ([{"date": "2020-04-21", "resolved": None, "outcome": "pending"}], True),
        ([{"date": "2020-04-21", "resolved": "2020-04-22", "outcome": "upheld"}], True),
    ],
)
def test_it_blocks_a_decision_while_feedback_is_open_or_upheld(feedback, found):
    doc = with_event(clean_full(), "e9", feedback=feedback)
    assert findings_of(judge(doc), "notice.objection_open") == (
        [("S07", "2020-04-27")] if found else []
    )


def test_it_judges_only_the_latest_notice_before_the_decision():
    doc = clean_full()
    doc["events"].insert(
        8,
        {
            "id": "n0",
            "type": "N-TGT",
            "date": "2020-03-02",
            "end": "2020-03-06",
            "feedback": [{"date": "2020-03-03", "resolved": None, "outcome": "pending"}],
        },
    )
    assert "notice.objection_open" not in ids(judge(doc))


@pytest.mark.parametrize(
    ("s07", "early"), [("2020-04-22", True), ("2020-04-23", False), ("2020-04-24", False)]
)
def test_it_wants_a_full_year_of_cultivation(s07, early):
    doc = with_event(clean_full(), "e10", date=s07)
    doc = with_event(doc, "e9", date="2020-04-13", end="2020-04-17")
    assert findings_of(judge(doc), "target.too_early") == ([("S07", s07)] if early else [])


def test_it_keeps_cultivation_time_across_a_transfer():
    doc = clean_full()
    doc["events"].insert(
        7,
        {"id": "t1", "type": "transfer-out", "date": "2019-12-01", "from_org": "A", "to_org": "B"},
    )
    doc["events"].insert(
        8, {"id": "t2", "type": "transfer-in", "date": "2019-12-05", "from_org": "A", "to_org": "B"}
    )
    assert "target.too_early" not in ids(judge(doc))


@pytest.mark.parametrize(
    ("introducers", "count", "ineligible"),
    [
        ([{"name": "李", "status": "full"}], True, False),
        ([{"name": "李", "status": "full"}, {"name": "王", "status": "probationary"}], False, True),
        (
            [
                {"name": "李", "status": "full"},
                {"name": "王", "status": "full", "discipline": "留党察看"},
            ],
            False,
            True,
        ),
        (
            [
                {"name": "李", "status": "full"},
                {"name": "王", "status": "full", "discipline": "留党察看", "rights_restored": True},
            ],
            False,
            False,
        ),
    ],
)
def test_it_wants_two_eligible_introducers(introducers, count, ineligible):
    result = judge(with_event(clean_full(), "e12", introducers=introducers))
    assert ("introducers.count" in ids(result)) is count
    assert ("introducers.ineligible" in ids(result)) is ineligible


def test_it_reports_a_missing_political_review_once():
    doc = without(clean_full(), "e13")
    assert findings_of(judge(doc), "review.political_missing") == [("S13", "2020-06-10")]
    failed = with_event(clean_full(), "e13", result="fail")
    assert findings_of(judge(failed), "review.political_missing") == [("S13", "2020-06-10")]


def test_it_does_not_add_up_separate_training_sessions():
    doc = with_event(clean_full(), "e14", days=2, hours=16)
    doc["events"].insert(
        14, {"id": "t2", "type": "S11", "date": "2020-05-28", "days": 1, "hours": 8}
    )
    assert findings_of(judge(doc), "training.insufficient") == [("S15", "2020-06-29")]


@pytest.mark.parametrize(
    ("days", "hours", "exception", "found"),
    [(3, 0, False, False), (0, 24, False, False), (2, 23, False, True), (0, 0, True, False)],
)
def test_it_wants_three_days_or_24_hours_of_training(days, hours, exception, found):
    doc = with_event(clean_full(), "e14", days=days, hours=hours, exception=exception)
    assert ("training.insufficient" in ids(judge(doc))) is found


def test_it_wants_a_passed_prereview_before_the_meeting():
    doc = with_event(clean_full(), "e16", result="returned")
    assert findings_of(judge(doc), "prereview.missing") == [("S15", "2020-06-29")]


def vote(**changes):
    base = {
        "expected": 18,
        "present": 15,
        "for": 13,
        "against": 1,
        "abstain": 1,
        "written_for": 0,
        "secret": True,
        "candidates": 1,
        "issued": 15,
        "returned": 15,
        "tellers": 2,
        "monitors": 1,
    }
    base.update(changes)
    return base


@pytest.mark.parametrize(("present", "found"), [(9, True), (10, False)])
def test_it_fails_the_quorum_at_exactly_half_of_the_expected(present, found):
    doc = with_event(
        clean_full(),
        "e18",
        vote=vote(
            present=present,
            issued=present,
            returned=present,
            **{"for": 9},
            against=0,
            abstain=present - 9,
            written_for=1,
        ),
    )
    assert ("vote.quorum" in ids(judge(doc))) is found


@pytest.mark.parametrize(
    ("in_favour", "written", "found"), [(9, 0, True), (8, 1, True), (9, 1, False), (10, 0, False)]
)
def test_it_wants_more_than_half_of_the_expected_in_favour(in_favour, written, found):
    doc = with_event(clean_full(), "e18", vote=vote(**{"for": in_favour}, written_for=written))
    assert ("vote.majority" in ids(judge(doc))) is found


def test_it_does_not_judge_quorum_and_majority_of_a_failed_vote():
    doc = with_event(clean_full(), "e18", result="fail", vote=vote(present=3, **{"for": 1}))
    result = judge(doc)
    assert "vote.quorum" not in ids(result)
    assert "vote.majority" not in ids(result)


@pytest.mark.parametrize(
    ("changes", "finding"),
    [
        ({"secret": False}, "vote.not_secret"),
        ({"candidates": 2}, "vote.bundled"),
        ({"returned": 16}, "vote.ballots_exceed"),
        ({"tellers": 0}, "vote.no_tellers"),
        ({"monitors": 0}, "vote.no_tellers"),
    ],
)
def test_it_finds_irregular_ballots_whatever_the_result(changes, finding):
    doc = with_event(clean_full(), "e28", result="fail", vote=vote(**changes))
    assert findings_of(judge(doc), finding) == [("S23", "2021-06-29")]


def test_it_wants_a_talk_before_approval():
    doc = without(clean_full(), "e19")
    assert findings_of(judge(doc), "approval.no_talk") == [("S17", "2020-07-22")]


def test_it_refuses_an_approver_without_authority_and_ignores_an_absent_one():
    doc = with_event(clean_full(), "e29", approver={"can_approve": False})
    assert findings_of(judge(doc), "approval.unauthorized") == [("S24", "2021-07-13")]
    absent = with_event(clean_full(), "e20", _drop_approver=None)
    assert "approval.unauthorized" not in ids(judge(absent))


@pytest.mark.parametrize(
    ("s17", "finding"),
    [
        ("2020-09-29", None),  # S15 2020-06-29 + 3 months
        ("2020-09-30", "approval.late"),
        ("2020-12-29", "approval.late"),  # + 6 months
        ("2020-12-30", "approval.expired"),
    ],
)
def test_it_wants_approval_within_three_and_at_most_six_months(s17, finding):
    doc = events_until(clean_full(), "e20")
    doc = with_event(doc, "e20", date=s17)
    result = judge(doc, as_of=__import__("datetime").date(2021, 1, 31))
    found = [f.id for f in result.findings if f.id.startswith("approval.")]
    assert found == ([finding] if finding else [])


@pytest.mark.parametrize(
    ("as_of", "finding", "deadline"),
    [
        ("2020-09-29", None, None),
        ("2020-09-30", "approval.late", "2020-09-29"),
        ("2020-12-29", "approval.late", "2020-09-29"),
        ("2020-12-30", "approval.expired", "2020-12-29"),
    ],
)
def test_it_reports_a_missing_approval_by_its_deadline(as_of, finding, deadline):
    from datetime import date

    doc = events_until(clean_full(), "e19")
    result = judge(doc, as_of=date.fromisoformat(as_of))
    found = [
        (f.id, f.step, f.date.isoformat()) for f in result.findings if f.id.startswith("approval.")
    ]
    assert found == ([(finding, "S17", deadline)] if finding else [])


def test_it_measures_approval_from_the_latest_passed_meeting_before_it():
    doc = events_until(clean_full(), "e17")
    doc["events"] += [
        {"id": "m1", "type": "S15", "date": "2020-06-29", "result": "fail", "vote": vote()},
        {"id": "m2", "type": "S15", "date": "2020-08-03", "result": "pass", "vote": vote()},
        {"id": "t", "type": "S16", "date": "2020-08-10"},
        {"id": "a", "type": "S17", "date": "2020-11-03", "result": "approved"},
    ]
    assert "approval.late" not in ids(judge(doc))


@pytest.mark.parametrize(("s23", "early"), [("2021-06-28", True), ("2021-06-29", False)])
def test_it_refuses_conversion_before_a_year_of_probation(s23, early):
    doc = with_event(clean_full(), "e28", date=s23)
    assert findings_of(judge(doc), "conversion.early") == ([("S23", s23)] if early else [])


def _extended(months, convert_on):
    doc = events_until(clean_full(), "e26")
    doc["as_of"] = "2023-01-31"
    doc["events"] += [
        {"id": "n1", "type": "N-CONV", "date": "2021-06-07", "end": "2021-06-11"},
        {
            "id": "x",
            "type": "S23",
            "date": "2021-06-29",
            "result": "pass",
            "outcome": "extend",
            "extension_months": months,
            "vote": vote(),
        },
        {"id": "xa", "type": "S24", "date": "2021-07-13", "result": "approved"},
        {"id": "s22", "type": "S22", "date": "2021-12-01"},
        {"id": "n2", "type": "N-CONV", "date": "2021-12-06", "end": "2021-12-10"},
        {
            "id": "c",
            "type": "S23",
            "date": convert_on,
            "result": "pass",
            "outcome": "convert",
            "vote": vote(),
        },
    ]
    return doc


@pytest.mark.parametrize(("convert_on", "early"), [("2021-12-28", True), ("2021-12-29", False)])
def test_it_moves_the_end_of_probation_by_an_approved_extension(convert_on, early):
    doc = _extended(6, convert_on)
    assert ("conversion.early" in ids(judge(doc))) is early


def test_it_ignores_an_extension_that_was_never_approved():
    doc = _extended(6, "2021-12-28")
    doc = with_event(doc, "xa", result="rejected")
    assert "conversion.early" not in ids(judge(doc))


@pytest.mark.parametrize(("months", "found"), [(5, True), (6, False), (12, False), (13, True)])
def test_it_wants_an_extension_of_six_to_twelve_months(months, found):
    doc = _extended(months, "2022-12-29")
    assert ("extension.invalid" in ids(judge(doc))) is found


def test_it_allows_only_one_extension():
    doc = _extended(6, "2021-12-29")
    doc["events"][-1].update(outcome="extend", extension_months=6)
    found = findings_of(judge(doc), "extension.invalid")
    assert found == [("S23", "2021-12-29")]


@pytest.mark.parametrize(
    ("leaving", "found"),
    [("2020-06-29", False), ("2020-06-30", True), ("2020-09-29", True), ("2020-09-30", False)],
)
def test_it_warns_of_a_candidate_leaving_within_three_months(leaving, found):
    doc = clean_full()
    doc["person"]["leaving_date"] = leaving
    result = judge(doc)
    assert findings_of(result, "leaving.within_3_months") == (
        [("S15", "2020-06-29")] if found else []
    )
    assert all(f.severity == "warning" for f in result.findings)


@pytest.mark.parametrize(
    ("graduation", "student", "found"),
    [
        ("2020-07-01", True, True),
        ("2020-09-29", True, True),
        ("2020-09-30", True, False),
        ("2020-07-01", False, False),
        ("2020-06-29", True, False),
    ],
)
def test_it_refuses_rush_admission_of_students_before_graduation(graduation, student, found):
    doc = clean_full()
    doc["person"]["graduation_date"] = graduation
    doc["person"]["occupations"] = ["student"] if student else ["worker"]
    assert ("student.pre_graduation" in ids(judge(doc))) is found


def test_it_names_the_missing_earlier_step():
    doc = without(clean_full(), "e16")
    result = judge(doc)
    assert findings_of(result, "order.S14") == [("S14", "2020-06-15")]
    assert "order.S15" not in ids(result)  # S14 is there, whatever came before it


def test_it_orders_a_same_day_notice_before_its_step_and_a_transfer_out_after():
    doc = document(
        [
            {"type": "S01", "date": "2019-03-04"},
            {"type": "S03", "date": "2019-03-04", "nomination": "member"},
            {"type": "S02", "date": "2019-03-04"},
        ],
        as_of="2019-03-05",
    )
    assert "order.S03" not in ids(judge(doc))


def test_it_ignores_events_after_as_of():
    from datetime import date

    result = judge(clean_full(), as_of=date(2020, 4, 26))
    assert result.stage == "activist"
    assert result.findings == ()


def test_it_ignores_a_superseded_event_and_uses_its_replacement():
    doc = with_event(clean_full(), "e10", date="2020-01-06")  # a typo: too early
    assert "target.too_early" in ids(judge(doc))
    doc["events"].append(
        {
            "id": "fix",
            "type": "correct",
            "date": "2020-05-01",
            "supersedes": "e10",
            "replacement": {"type": "S07", "date": "2020-04-27"},
        }
    )
    assert "target.too_early" not in ids(judge(doc))


def test_it_restores_an_event_when_its_correction_is_voided():
    doc = clean_full()
    doc["events"].append(
        {"id": "c1", "type": "correct", "date": "2021-07-30", "supersedes": "e13", "void": True}
    )
    assert "review.political_missing" in ids(judge(doc))
    doc["events"].append(
        {"id": "c2", "type": "correct", "date": "2021-07-31", "supersedes": "c1", "void": True}
    )
    assert "review.political_missing" not in ids(judge(doc))


@pytest.mark.parametrize(
    ("cut", "stage"),
    [
        ("e1", "applicant"),
        ("e4", "activist"),
        ("e10", "target"),
        ("e18", "probationary"),
        ("e28", "probationary"),
        ("e29", "member"),
    ],
)
def test_it_names_the_stage(cut, stage):
    assert judge(events_until(clean_full(), cut)).stage == stage


def test_it_names_an_empty_file_an_applicant():
    assert judge(document([])).stage == "applicant"


def test_it_sends_a_rejected_admission_back_to_target():
    doc = events_until(clean_full(), "e20")
    doc = with_event(doc, "e20", result="rejected")
    assert judge(doc).stage == "target"


def test_it_closes_a_revoked_file():
    doc = with_event(clean_full(), "e28", outcome="revoke")
    doc = without(doc, "e30")
    assert judge(doc).stage == "revoked"


@pytest.mark.parametrize(("last", "stage"), [("withdraw", "withdrawn"), ("reject", "rejected")])
def test_it_closes_a_withdrawn_or_rejected_file(last, stage):
    doc = events_until(clean_full(), "e10")
    doc["events"].append({"id": "z", "type": last, "date": "2020-05-01"})
    assert judge(doc).stage == stage


def test_it_tells_a_suspension_by_the_last_of_suspend_and_resume():
    doc = events_until(clean_full(), "e10")
    doc["events"].append({"id": "s", "type": "suspend", "date": "2020-05-01"})
    assert judge(doc).suspended
    doc["events"].append({"id": "r", "type": "resume", "date": "2020-05-01"})
    # resume sorts first within a day, so a same-day suspend is still the last word.
    assert judge(doc).suspended
    doc["events"][-1]["date"] = "2020-05-02"
    assert not judge(doc).suspended


def test_it_applies_the_2026_windows_as_warnings_only():
    doc = with_event(clean_full(), "e15", date="2020-05-26")
    doc = with_event(doc, "e16", date="2020-05-27")  # + 1 month = 2020-06-27 < S15 2020-06-29
    result = judge(doc, policy="national-2026")
    assert findings_of(result, "meeting.after_prereview_window") == [("S15", "2020-06-29")]
    assert all(f.severity == "warning" for f in result.findings)
    assert "meeting.after_prereview_window" not in ids(judge(doc))


def test_it_gives_next_steps_with_dates():
    doc = events_until(clean_full(), "e4")
    result = judge(doc)
    steps = {n.step: n for n in result.next}
    assert steps["S07"].earliest.isoformat() == "2020-04-23"
    assert "S05" in steps
