"""The rules the live pages apply beyond the catalogue, as pure functions over the candidate file:
the meeting gates, the pre-review checklist and flags, the notice decision, the live refusals."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest
from django.utils import translation

from fazhan.check_cli import main as check_main
from fazhan.core.i18n_data import rule_text
from fazhan.policy.checklist import checklist, leaving_flags
from fazhan.policy.decision import decision_blockers
from fazhan.policy.engine import effective_events
from fazhan.policy.gates import meeting_gates
from fazhan.policy.live import live_refusals, refusals_now
from fazhan.policy.parse import parse_document
from tests.policy.files import clean_full, events_until

D = date.fromisoformat


def events_of(doc, as_of):
    return effective_events(parse_document(copy.deepcopy(doc)).events, D(as_of))


def refusal_ids(refusals):
    return [r.id for r in refusals]


def test_it_refuses_a_step_recorded_twice_unless_it_repeats():
    events = events_of(events_until(clean_full(), "e4"), "2019-05-01")
    assert refusal_ids(live_refusals(events, step="S02", stage="activist", suspended=False)) == [
        "live.repeat"
    ]
    assert live_refusals(events, step="S06", stage="activist", suspended=False) == []


def test_it_lets_a_review_repeat_after_a_failed_one():
    doc = events_until(clean_full(), "e13")
    passed = events_of(doc, "2020-06-01")
    assert refusal_ids(live_refusals(passed, step="S10", stage="target", suspended=False)) == [
        "live.repeat"
    ]
    doc["events"][-1]["result"] = "fail"
    failed = events_of(doc, "2020-06-01")
    assert live_refusals(failed, step="S10", stage="target", suspended=False) == []


@pytest.mark.parametrize(("last", "refused"), [("e16", False), ("e15", True)])
def test_it_issues_the_volunteer_form_only_after_a_passed_pre_review(last, refused):
    events = events_of(events_until(clean_full(), last), "2020-06-12")
    found = refusal_ids(live_refusals(events, step="S14", stage="target", suspended=False))
    assert found == (["live.volunteer_form"] if refused else [])


def test_it_refuses_everything_on_a_closed_file_and_forward_steps_while_suspended():
    events = events_of(events_until(clean_full(), "e4"), "2019-05-01")
    closed = live_refusals(events, step="S06", stage="withdrawn", suspended=False)
    assert refusal_ids(closed) == ["live.closed"]
    assert "已撤回" in closed[0].message
    suspended = live_refusals(events, step="S04", stage="activist", suspended=True)
    assert refusal_ids(suspended) == ["live.suspended"]
    assert live_refusals(events, step="S06", stage="activist", suspended=True) == []


@pytest.mark.parametrize(("today", "running"), [("2020-06-26", True), ("2020-06-27", False)])
def test_it_holds_the_meeting_until_the_admission_notice_has_ended(today, running):
    doc = events_until(clean_full(), "e17")
    doc["events"].append({"id": "n", "type": "N-ADM", "date": "2020-06-22", "end": "2020-06-26"})
    events = events_of(doc, today)
    gates = meeting_gates(events, step="S15", stage="target", suspended=False, today=D(today))
    assert refusal_ids(gates) == (["gate.notice_running"] if running else [])


@pytest.mark.parametrize(
    ("outcome", "blocks"),
    [("pending", True), ("upheld", True), ("unfounded", False), ("founded_minor", False)],
)
def test_it_holds_the_meeting_while_feedback_is_open(outcome, blocks):
    doc = events_until(clean_full(), "e17")
    resolved = None if outcome == "pending" else "2020-04-24"
    doc["events"][8]["feedback"] = [
        {"date": "2020-04-22", "resolved": resolved, "outcome": outcome}
    ]
    events = events_of(doc, "2020-06-29")
    gates = meeting_gates(
        events, step="S15", stage="target", suspended=False, today=D("2020-06-29")
    )
    assert refusal_ids(gates) == (["gate.feedback_open"] if blocks else [])


def test_it_wants_a_pre_review_after_the_latest_branch_review_and_the_right_stage():
    doc = events_until(clean_full(), "e17")
    doc["events"].append({"id": "again", "type": "S12", "date": "2020-06-20"})
    events = events_of(doc, "2020-06-29")
    gates = meeting_gates(
        events, step="S15", stage="activist", suspended=True, today=D("2020-06-29")
    )
    assert refusal_ids(gates) == ["gate.stage.S15", "gate.suspended", "gate.prereview"]


def test_it_lists_the_pre_review_file_and_what_is_missing():
    doc = events_until(clean_full(), "e15")
    items = {i.key: i for i in checklist(events_of(doc, "2020-06-05"), D("2020-06-05"))}
    assert list(items) == [
        "application",
        "assessments",
        "introducers",
        "political_review",
        "training",
        "notice",
        "branch_review",
    ]
    assert all(i.ok for i in items.values())
    assert items["assessments"].detail.zh == "共 2 次，最近 2020-04-13"
    without_training = [e for e in doc["events"] if e["type"] != "S11"]
    doc["events"] = without_training
    items = {i.key: i for i in checklist(events_of(doc, "2020-06-05"), D("2020-06-05"))}
    assert not items["training"].ok


@pytest.mark.parametrize(
    ("leaving", "flagged"), [("2020-06-04", False), ("2020-09-05", True), ("2020-09-06", False)]
)
def test_it_flags_a_candidate_leaving_within_three_months(leaving, flagged):
    doc = clean_full()
    doc["person"]["leaving_date"] = leaving
    person = parse_document(doc).person
    flags = leaving_flags(person, D("2020-06-05"))
    assert [f.id for f in flags] == (["flag.leaving"] if flagged else [])


@pytest.mark.parametrize(("end", "blocked"), [("2020-04-27", True), ("2020-04-26", False)])
def test_it_blocks_a_decision_until_the_day_after_its_notice_ends(end, blocked):
    doc = events_until(clean_full(), "e8")
    doc["events"].append({"id": "n", "type": "N-TGT", "date": "2020-04-20", "end": end})
    found = decision_blockers(parse_document(doc), "S07", D("2020-04-27"))
    assert [f.id for f in found] == (["notice.missing"] if blocked else [])


def test_it_says_in_english_what_the_live_side_refuses():
    events = events_of(events_until(clean_full(), "e4"), "2019-05-01")
    [repeat] = live_refusals(events, step="S02", stage="activist", suspended=False)
    [closed] = live_refusals(events, step="S06", stage="revoked", suspended=False)
    with translation.override("en"):
        assert rule_text(repeat.text) == (
            "S02 “Talk with the applicant” is already recorded and cannot be recorded again"
        )
        assert (
            rule_text(closed.text) == "The file is closed (Revoked); nothing more can be recorded"
        )
    with translation.override("zh-hant"):
        assert rule_text(repeat.text) == "S02「黨組織派人談話」已記錄過，不能重複記錄"


def test_it_shows_the_live_refusals_in_the_next_steps_of_fazhan_check(tmp_path, capsys):
    doc = events_until(clean_full(), "e8")
    doc["as_of"] = "2020-04-25"
    doc["events"].append({"id": "s", "type": "suspend", "date": "2020-04-24"})
    path = tmp_path / "suspended.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    check_main([str(path), "--json"])
    [file] = json.loads(capsys.readouterr().out)["files"]
    assert file["suspended"] is True
    whys = {n["step"]: n["why"] for n in file["next"]}
    assert "档案已暂缓" in whys["S07"]
    assert "档案已暂缓" not in whys["S06"]  # assessments go on while suspended
    assert all(set(n) == {"step", "earliest", "latest", "why"} for n in file["next"])


def test_it_gives_the_same_meeting_refusals_to_check_and_to_the_pages():
    doc = events_until(clean_full(), "e17")
    doc["events"].append({"id": "n", "type": "N-ADM", "date": "2020-06-22", "end": "2020-06-26"})
    events = events_of(doc, "2020-06-24")
    found = refusals_now(events, step="S15", stage="target", suspended=False, today=D("2020-06-24"))
    assert refusal_ids(found) == ["gate.notice_running"]


def test_it_has_english_for_every_message_of_the_rules():
    import re
    from pathlib import Path

    from fazhan.core.i18n_data import english

    RULE_ID = re.compile(r'text\(\s*f?"((?:gate|live|checklist|flag)\.[\w.{}]+)"')
    sources = (Path(__file__).resolve().parents[2] / "fazhan" / "policy").glob("*.py")
    ids = set()
    for source in sources:
        ids |= set(RULE_ID.findall(source.read_text(encoding="utf-8")))
    expanded = set()
    for found in ids:
        expanded |= {
            found.replace("{step}", step).replace("{key}", key)
            for step in ("S15", "S23")
            for key in ("notice", "notice_admission")
        }
    assert len(expanded) > 30
    assert expanded - set(english()["rules"]) == set()


def test_it_says_in_check_that_open_feedback_holds_the_decision(tmp_path, capsys):
    doc = events_until(clean_full(), "e9")
    doc["as_of"] = "2020-04-27"
    doc["events"][-1]["feedback"] = [{"date": "2020-04-21", "resolved": None, "outcome": "pending"}]
    path = tmp_path / "held.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    check_main([str(path), "--json"])
    [file] = json.loads(capsys.readouterr().out)["files"]
    whys = {n["step"]: n["why"] for n in file["next"]}
    assert "今日暂不能记录" in whys["S07"] and "反馈" in whys["S07"]
    doc["events"][-1]["feedback"][0].update(resolved="2020-04-22", outcome="unfounded")
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    check_main([str(path), "--json"])
    [file] = json.loads(capsys.readouterr().out)["files"]
    assert "今日暂不能记录" not in {n["step"]: n["why"] for n in file["next"]}["S07"]
