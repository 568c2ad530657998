from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fazhan.check_cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

EXPECTED = {
    "clean-full.json": ("member", []),
    "in-progress-activist.json": ("activist", []),
    "in-progress-probationary.json": ("probationary", []),
    "broken-student-rush.json": (
        "member",
        ["activist.not_nominated", "age.under18", "student.pre_graduation", "talk.late"],
    ),
    "broken-vote.json": (
        "member",
        ["vote.bundled", "vote.majority", "vote.not_secret", "vote.quorum"],
    ),
    "broken-notice-holiday.json": ("member", ["notice.objection_open", "notice.too_short"]),
    "broken-approval-expired.json": ("probationary", ["approval.expired"]),
}


def run_json(capsys, *args: str) -> tuple[int, dict]:
    code = main([*args, "--json"])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_it_judges_each_example_as_documented(capsys, name):
    code, out = run_json(capsys, str(EXAMPLES / name))
    stage, expected = EXPECTED[name]
    (result,) = out["files"]
    assert result["ok"] is True
    assert result["stage"] == stage
    assert sorted(f["id"] for f in result["findings"]) == expected
    has_violation = any(f["severity"] == "violation" for f in result["findings"])
    assert code == (1 if has_violation else 0)


def test_it_gives_the_contract_shape(capsys):
    _, out = run_json(capsys, str(EXAMPLES / "broken-vote.json"))
    (result,) = out["files"]
    assert set(result) == {
        "file",
        "ok",
        "policy",
        "as_of",
        "stage",
        "suspended",
        "next",
        "findings",
    }
    finding = result["findings"][0]
    assert set(finding) == {"id", "severity", "step", "date", "basis", "message"}
    assert finding["basis"] and finding["message"]


def test_it_still_judges_the_other_files_when_one_is_unreadable(capsys):
    files = [
        str(EXAMPLES / "clean-full.json"),
        str(EXAMPLES / "unreadable-impossible-date.json"),
        str(EXAMPLES / "broken-vote.json"),
    ]
    code = main([*files, "--json"])
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert code == 2
    assert [f["ok"] for f in out["files"]] == [True, False, True]
    bad = out["files"][1]
    assert bad == {
        "file": files[1],
        "ok": False,
        "error": {"field": "events[6].date", "problem": bad["error"]["problem"]},
    }
    assert "events[6].date" in captured.err and files[1] in captured.err


def test_it_names_a_file_that_is_not_json_with_a_null_field(capsys, tmp_path):
    path = tmp_path / "x.json"
    path.write_text("not json", encoding="utf-8")
    code, out = run_json(capsys, str(path))
    assert code == 2
    assert out["files"][0]["error"]["field"] is None


def test_it_names_a_missing_file(capsys, tmp_path):
    code, out = run_json(capsys, str(tmp_path / "missing.json"))
    assert code == 2
    assert out["files"][0]["ok"] is False


def test_it_takes_as_of_and_policy_from_the_command_line(capsys):
    code, out = run_json(
        capsys,
        str(EXAMPLES / "clean-full.json"),
        "--as-of",
        "2020-05-01",
        "--policy",
        "national-2026",
    )
    (result,) = out["files"]
    assert (code, result["as_of"], result["policy"], result["stage"]) == (
        0,
        "2020-05-01",
        "national-2026",
        "target",
    )


def test_it_refuses_a_bad_as_of_with_exit_2(capsys):
    with pytest.raises(SystemExit) as stop:
        main([str(EXAMPLES / "clean-full.json"), "--as-of", "2020-02-30"])
    assert stop.value.code == 2


def test_it_prints_chinese_by_default(capsys):
    code = main([str(EXAMPLES / "broken-vote.json")])
    out = capsys.readouterr().out
    assert code == 1
    assert "违规" in out and "正式党员" in out


def test_it_runs_as_the_console_command():
    done = subprocess.run(
        [sys.executable, "-m", "fazhan.cli", "check", str(EXAMPLES / "clean-full.json"), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert json.loads(done.stdout)["files"][0]["findings"] == []


def test_it_keeps_the_examples_clean_file_equal_to_the_shared_one():
    shared = Path(__file__).resolve().parents[3] / "shared" / "examples" / "clean-full.json"
    if shared.exists():
        assert json.loads(shared.read_text()) == json.loads(
            (EXAMPLES / "clean-full.json").read_text()
        )
