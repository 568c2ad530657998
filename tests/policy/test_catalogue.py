from pathlib import Path

from fazhan.policy.catalogue import render
from fazhan.policy.data import load_policy

DOCS = Path(__file__).resolve().parents[2] / "docs" / "findings.md"
CONTRACT_IDS = {
    "age.under18": "violation",
    "talk.late": "late",
    "activist.not_nominated": "violation",
    "contacts.count": "violation",
    "notice.missing": "violation",
    "notice.too_short": "violation",
    "notice.objection_open": "violation",
    "target.too_early": "violation",
    "introducers.count": "violation",
    "introducers.ineligible": "violation",
    "review.political_missing": "violation",
    "training.insufficient": "violation",
    "prereview.missing": "violation",
    "vote.quorum": "violation",
    "vote.majority": "violation",
    "vote.not_secret": "violation",
    "vote.bundled": "violation",
    "vote.ballots_exceed": "violation",
    "vote.no_tellers": "violation",
    "approval.no_talk": "violation",
    "approval.unauthorized": "violation",
    "approval.late": "late",
    "approval.expired": "violation",
    "conversion.early": "violation",
    "extension.invalid": "violation",
    "leaving.within_3_months": "warning",
    "student.pre_graduation": "violation",
    "order": "violation",
}


def test_it_keeps_the_docs_equal_to_the_policy_data():
    assert DOCS.read_text(encoding="utf-8") == render(), (
        "docs/findings.md is stale: python -m fazhan.policy.catalogue > docs/findings.md"
    )


def test_it_has_every_contract_id_with_its_severity_in_both_versions():
    for name in ("national-2014", "national-2026"):
        findings = load_policy(name).findings
        for finding_id, severity in CONTRACT_IDS.items():
            assert findings[finding_id].severity == severity, (name, finding_id)
        extra = set(findings) - set(CONTRACT_IDS)
        assert all(findings[i].severity == "warning" for i in extra), extra


def test_it_marks_the_2026_revision_unverified():
    assert load_policy("national-2014").verified
    assert not load_policy("national-2026").verified


def test_it_has_25_steps_with_their_needs():
    steps = load_policy().steps
    assert list(steps) == [f"S{n:02d}" for n in range(1, 26)]
    assert steps["S15"].needs == ("S14",)
    assert steps["S23"].needs == ("S22",)
    assert all(step.basis for step in steps.values())
