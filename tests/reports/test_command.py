"""`fazhan report counts` (contracts.md §8): the document, the boundaries of its dates, where a
transferred file counts, and the exit codes."""

from __future__ import annotations

from datetime import date

import pytest

from fazhan.cli import main
from fazhan.people.actions import do_transfer_in, do_transfer_out
from fazhan.policy.counts import STAGES
from fazhan.policy.targets import COUNT_KEYS
from tests.reports.helpers import (
    approved_on,
    child,
    counts_json,
    import_file,
    moved_events,
    on,
    run,
)

pytestmark = pytest.mark.django_db

AS_OF = "2026-06-30"


def test_it_prints_the_contract_document_for_the_root_and_each_child(cast):
    import_file(cast.qu, cast.branch_a, approved_on(date(2026, 3, 2)))
    document = counts_json("--as-of", AS_OF)
    assert list(document) == ["org", "from", "as_of", "counts", "stages", "children"]
    assert (document["org"], document["from"], document["as_of"]) == ("D", "2026-01-01", AS_OF)
    assert [c["org"] for c in document["children"]] == ["D-A", "D-B"]
    for part in (document, *document["children"]):
        assert list(part["counts"]) == list(COUNT_KEYS)
        assert list(part["stages"]) == list(STAGES)
    for item in document["children"]:
        assert list(item) == ["org", "counts", "stages"]
    assert document["counts"]["developed"] == 1
    assert child(document, "D-A")["counts"]["developed"] == 1
    assert child(document, "D-B")["counts"] == dict.fromkeys(COUNT_KEYS, 0)
    assert child(document, "D-B")["stages"] == dict.fromkeys(STAGES, 0)


def test_it_counts_approvals_on_the_first_and_last_day_but_not_the_day_after(cast):
    import_file(cast.qu, cast.branch_a, approved_on(date(2026, 1, 1)))
    import_file(cast.qu, cast.branch_b, approved_on(date(2026, 6, 30)))
    import_file(cast.qu, cast.branch_b2, approved_on(date(2026, 7, 1)))
    import_file(cast.qu, cast.branch_a2, approved_on(date(2025, 12, 31)))
    document = counts_json("--as-of", AS_OF)
    assert document["counts"]["developed"] == 2
    assert child(document, "D-A")["counts"]["developed"] == 1
    assert child(document, "D-B")["counts"]["developed"] == 1
    # The one approved the day after is still counted by its stage at the end of the day.
    assert document["stages"]["probationary"] == 4
    # --from moves the first day; the default is 1 January of the year of --as-of.
    assert counts_json("--as-of", AS_OF, "--from", "2026-01-02")["counts"]["developed"] == 1
    assert counts_json("--as-of", "2025-12-31")["counts"]["developed"] == 1
    assert counts_json("--as-of", "2026-07-01")["counts"]["developed"] == 3


def test_it_ignores_events_after_the_day_and_files_with_none_by_then(cast):
    # The cast's own four files carry no event at all: never counted.
    import_file(cast.qu, cast.branch_a, moved_events(2200, "e10"))  # S07 on 2026-05-06
    import_file(cast.qu, cast.branch_a, moved_events(2700, "e4"))  # S01 2026-07-25, S03 2026-09-13
    document = counts_json("--as-of", AS_OF)
    assert document["stages"] == dict.fromkeys(STAGES, 0) | {"target": 1}
    assert document["counts"]["activists"] == 1
    earlier = counts_json("--as-of", "2026-05-05")
    assert earlier["stages"] == dict.fromkeys(STAGES, 0) | {"activist": 1}
    later = counts_json("--as-of", "2026-09-30")
    assert later["stages"] == dict.fromkeys(STAGES, 0) | {"target": 1, "activist": 1}
    assert later["counts"]["activists"] == 2


def test_it_moves_a_file_only_by_the_transfer_taken_over_by_then(cast):
    candidate = import_file(cast.qu, cast.branch_a, approved_on(date(2026, 3, 2)))
    with on():
        do_transfer_out(cast.qu, candidate, to_org=cast.branch_b, happened_on=date(2026, 6, 30))
        do_transfer_in(cast.qu, candidate, happened_on=date(2026, 7, 1))
    handed_over = counts_json("--as-of", AS_OF)
    assert child(handed_over, "D-A")["counts"]["developed"] == 1
    assert child(handed_over, "D-B")["counts"]["developed"] == 0
    taken_over = counts_json("--as-of", "2026-07-01")
    assert child(taken_over, "D-A")["stages"] == dict.fromkeys(STAGES, 0)
    assert child(taken_over, "D-B")["counts"]["developed"] == 1
    assert taken_over["counts"]["developed"] == 1


def test_it_moves_an_imported_file_by_a_transfer_naming_an_org_code(cast):
    events = approved_on(date(2026, 3, 2))
    events.append(
        {
            "id": "t1",
            "type": "transfer-in",
            "date": "2026-04-01",
            "from_org": "D-A-2",
            "to_org": "D-B-2",
        }
    )
    import_file(cast.qu, cast.branch_a2, events)
    assert child(counts_json("--as-of", "2026-03-31"), "D-A")["counts"]["developed"] == 1
    assert child(counts_json("--as-of", AS_OF), "D-B")["counts"]["developed"] == 1


def test_it_reports_a_sub_organization_and_the_organizations_below_it(cast):
    import_file(cast.qu, cast.branch_a, approved_on(date(2026, 3, 2)))
    import_file(cast.qu, cast.branch_a2, approved_on(date(2026, 3, 2)))
    import_file(cast.qu, cast.branch_b, approved_on(date(2026, 3, 2)))
    document = counts_json("--as-of", AS_OF, "--org", "D-A")
    assert document["org"] == "D-A"
    assert [c["org"] for c in document["children"]] == ["D-A-1", "D-A-2"]
    assert document["counts"]["developed"] == 2
    assert [c["counts"]["developed"] for c in document["children"]] == [1, 1]


def test_it_prints_a_chinese_table_without_json(cast):
    import_file(cast.qu, cast.branch_a, approved_on(date(2026, 3, 2)))
    code, out, _err = run("counts", "--as-of", AS_OF)
    assert code == 0
    assert "发展党员统计：示范区委（D）" in out
    assert "城关街道党工委" in out and "乌江镇党委" in out
    assert "2026-01-01 至 2026-06-30" in out
    assert "预备党员" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2026-02-30"], "日期无效"),
        (["--as-of", "2026/06/30"], "日期无效"),
        (["--as-of", "20260630"], "日期无效"),
        (["--as-of", "last week"], "日期无效"),
        (["--as-of", AS_OF, "--from", "2026-13-01"], "日期无效"),
        (["--as-of", AS_OF, "--from", "2026-07-01"], "晚于"),
        ([], "缺少 --as-of"),
        (["--as-of", AS_OF, "--org", "NOPE"], "没有组织编码为 NOPE 的组织"),
    ],
)
def test_it_exits_2_with_a_chinese_message_on_bad_input(cast, args, message):
    code, out, err = run("counts", *args)
    assert code == 2
    assert message in err
    assert out == ""


def test_it_runs_as_fazhan_report_counts(cast, capsys, monkeypatch):
    # Django closes every connection when a command run from the command line ends, which on
    # PostgreSQL ends the test's own transaction: keep it open.
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)
    import_file(cast.qu, cast.branch_b, approved_on(date(2026, 3, 2)))
    assert main(["report", "counts", "--as-of", AS_OF, "--json"]) == 0
    assert '"developed": 1' in capsys.readouterr().out
    assert main(["report", "counts", "--as-of", "2026-02-30"]) == 2
    assert "日期无效" in capsys.readouterr().err
    assert main(["report", "counts", "--as-of", AS_OF, "--org", "NOPE"]) == 2
