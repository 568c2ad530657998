"""`fazhan plan evaluate` and `fazhan plan lint` as contracts.md §4 states them."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from fazhan.cli import main as fazhan
from fazhan.plan_cli import main
from tests.policy.test_targets import AT_350, AT_385, ORDER


@pytest.fixture
def write(tmp_path):
    def write(content: object, name: str = "counts.json") -> str:
        path = tmp_path / name
        text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write


def evaluate_json(capsys, path: str, *extra: str) -> tuple[int, dict[str, Any]]:
    code = main(["evaluate", path, "--json", *extra])
    out = capsys.readouterr().out
    return code, json.loads(out)


def statuses(document: dict[str, Any]) -> dict[str, str]:
    return {i["id"]: i["status"] for i in document["indicators"]}


def test_it_prints_the_evaluation_in_the_contract_shape_and_order(capsys, write):
    code, document = evaluate_json(capsys, write(AT_350))
    assert code == 0
    assert list(document) == ["plan", "indicators"]
    assert document["plan"] == "seed"
    assert [i["id"] for i in document["indicators"]] == ORDER
    for indicator in document["indicators"]:
        assert list(indicator) == ["id", "status", "kind", "required", "actual"]
    first = document["indicators"][:4]
    assert first == [
        {"id": "Q1", "status": "met", "kind": "aspiration", "required": 350, "actual": 350},
        {"id": "Q2", "status": "met", "kind": "band", "required": [315, 385], "actual": 350},
        {"id": "A1", "status": "met", "kind": "floor", "required": 270, "actual": 270},
        {"id": "A2", "status": "met", "kind": "floor", "required": 130, "actual": 130},
    ]
    d4 = document["indicators"][ORDER.index("D4")]
    assert d4 == {"id": "D4", "status": "met", "kind": "cap", "required": 14, "actual": 14}


def test_it_exits_0_at_the_top_of_the_band_with_every_edge_met(capsys, write):
    code, document = evaluate_json(capsys, write(AT_385))
    assert code == 0
    assert set(statuses(document).values()) == {"met"}
    assert document["indicators"][ORDER.index("K1")]["required"] == 1155


@pytest.mark.parametrize(
    ("changes", "unmet"),
    [
        ({"le35": 269}, ["A1"]),
        ({"student": 15}, ["D4"]),
        ({"activists": 1199}, ["K2"]),
        ({"worker": 41}, ["D1", "D1.aspiration"]),
    ],
)
def test_it_exits_1_when_a_floor_or_cap_is_unmet(capsys, write, changes, unmet):
    code, document = evaluate_json(capsys, write({**AT_350, **changes}))
    assert code == 1
    assert [k for k, v in statuses(document).items() if v == "unmet"] == unmet


def test_it_exits_1_when_the_band_is_unmet(capsys, write):
    code, document = evaluate_json(capsys, write({**AT_385, "developed": 386}))
    assert code == 1
    assert statuses(document)["Q2"] == "unmet"


def test_it_exits_0_when_only_aspirations_are_unmet(capsys, write):
    # 349 developed: Q1 (≥ 350) unmet; 385 with 46 workers: D1.aspiration (12% = 47) unmet.
    code, document = evaluate_json(capsys, write({**AT_350, "developed": 349, "student": 13}))
    assert (code, statuses(document)["Q1"]) == (0, "unmet")
    code, document = evaluate_json(capsys, write({**AT_385, "worker": 46}))
    assert (code, statuses(document)["D1.aspiration"], statuses(document)["D1"]) == (
        0,
        "unmet",
        "met",
    )


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ({k: v for k, v in AT_350.items() if k != "female"}, "female"),
        ({**AT_350, "student": True}, "student"),
        ({**AT_350, "farmer": -1}, "farmer"),
        ({**AT_350, "farmer": 180.0}, "farmer"),
        ({**AT_350, "le25": 271}, "le25"),
        ({**AT_350, "college_plus": 301}, "college_plus"),
        ({**AT_350, "female_frontline": 141}, "female_frontline"),
        ({**AT_350, "worker": 351}, "worker"),
        ("{not json", "JSON"),
        ([1, 2], "JSON 对象"),
    ],
)
def test_it_exits_2_for_invalid_counts_naming_the_key(capsys, write, content, named):
    code = main(["evaluate", write(content), "--json"])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert named in captured.err


def test_it_exits_2_for_a_missing_counts_file(capsys, tmp_path):
    assert main(["evaluate", str(tmp_path / "absent.json")]) == 2
    assert "文件不存在" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["evaluate", "COUNTS"], ["lint"]])
def test_it_exits_2_for_an_unknown_plan(capsys, write, command):
    args = [write(AT_350) if a == "COUNTS" else a for a in command]
    assert main([*args, "--plan", "no-such-plan", "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "未知的计划" in captured.err


@pytest.mark.parametrize("args", [[], ["evaluate"], ["frobnicate"], ["lint", "--bogus"]])
def test_it_exits_2_for_a_usage_error(capsys, args):
    assert main(args) == 2
    assert "用法" in capsys.readouterr().err


def test_it_ignores_unknown_keys_and_allows_many_activists(capsys, write):
    code, document = evaluate_json(capsys, write({**AT_350, "activists": 9000, "note": "x"}))
    assert code == 0
    assert document["indicators"][-1]["actual"] == 9000


def test_it_prints_a_chinese_table_of_required_and_actual(capsys, write):
    code = main(["evaluate", write({**AT_350, "student": 15})])
    out = capsys.readouterr().out
    assert code == 1
    assert "达标" in out
    assert "未达标" in out
    d4 = next(line for line in out.splitlines() if line.startswith("D4 "))
    assert d4.split()[1:5] == ["上限", "未达标", "≤14", "15"]
    assert "315–385" in out
    assert "1项指标未达标：D4" in out


def test_it_lints_the_seed_to_exactly_three_findings(capsys):
    assert main(["lint", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert list(document) == ["plan", "findings"]
    assert document["plan"] == "seed"
    assert [(f["id"], f["targets"]) for f in document["findings"]] == [
        ("plan.cap_conflict", ["D4"]),
        ("plan.floors_exceed_total", ["D1", "D2", "D3"]),
        ("plan.redundant", ["K1", "K2"]),
    ]
    for finding in document["findings"]:
        assert list(finding) == ["id", "targets", "message", "detail"]
    assert "172" in document["findings"][1]["detail"]


def test_it_lints_in_chinese_and_exits_0(capsys):
    assert main(["lint", "--plan", "seed"]) == 0
    out = capsys.readouterr().out
    assert "发现3处矛盾" in out
    assert "plan.redundant（K1、K2）" in out


def clean_plan(write: Callable[..., str]) -> str:
    text = resources.files("fazhan.policies.plans").joinpath("seed.json").read_text("utf-8")
    data = json.loads(text)
    data["name"] = "clean"
    fixes = {"D4": {"abs": 14}, "D3": {"abs": 100, "pct": 25}, "K2": {"abs": 1000}}
    for target in data["targets"]:
        target.update(fixes.get(target["id"], {}))
    return write(data, "clean-plan.json")


def test_it_lints_a_plan_file_without_contradictions_to_nothing(capsys, write):
    assert main(["lint", "--plan", clean_plan(write), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"plan": "clean", "findings": []}
    assert main(["lint", "--plan", clean_plan(write)]) == 0
    assert "未发现" in capsys.readouterr().out


def test_it_evaluates_against_a_plan_file(capsys, write):
    code, document = evaluate_json(
        capsys, write({**AT_350, "mgmt_tech_rich": 100}), "--plan", clean_plan(write)
    )
    assert (code, document["plan"]) == (0, "clean")
    code, document = evaluate_json(capsys, write({**AT_350, "mgmt_tech_rich": 100}))
    assert (code, statuses(document)["D3"]) == (1, "unmet")


def test_it_exits_2_for_a_malformed_plan_file(capsys, write):
    assert main(["lint", "--plan", write("{}", "bad-plan.json")]) == 2
    assert "format" in capsys.readouterr().err


def test_it_is_reached_through_the_fazhan_dispatcher(capsys):
    assert fazhan(["plan", "lint", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["findings"]) == 3


def test_it_runs_as_a_command(write):
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-m", "fazhan.cli", "plan", "evaluate", write(AT_350), "--json"],
        capture_output=True,
        text=True,
        cwd=root,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["plan"] == "seed"
