"""The committed sample rosters (scripts/make_sample_roster.py): the clean one has no error, the
other exactly one, named by row, column and cell."""

from __future__ import annotations

from pathlib import Path

import pytest

from fazhan.imports.actions import do_apply_batch, do_preview_roster
from fazhan.testing.factories import BranchFactory

pytestmark = pytest.mark.django_db
ROSTERS = Path(__file__).resolve().parents[2] / "examples" / "rosters"


@pytest.fixture
def demo_branch(cast):
    # The samples name the demo's zhibu branch by its code (fazhan.demo.tree).
    return BranchFactory.create(
        parent=cast.general_branch_a, code="DEMO-01-01-01", name="示例党支部"
    )


def test_it_imports_the_clean_sample_roster(cast, demo_branch):
    path = ROSTERS / "roster-clean.xlsx"
    batch = do_preview_roster(
        cast.dangwei, org=cast.sub_a, filename=path.name, data=path.read_bytes()
    )
    assert not batch.has_errors, [(r.number, r.errors) for r in batch.rows.all() if r.errors]
    assert batch.row_count == 24
    assert len(batch.summary["stages"]) >= 4
    do_apply_batch(cast.dangwei, batch)
    assert demo_branch.candidates.count() == 24


def test_it_names_the_one_bad_row_of_the_sample(cast, demo_branch):
    path = ROSTERS / "roster-one-bad-row.xlsx"
    batch = do_preview_roster(
        cast.dangwei, org=cast.sub_a, filename=path.name, data=path.read_bytes()
    )
    [row] = batch.rows.filter(has_errors=True)
    [error] = row.errors
    assert (row.number, error["column"], error["cell"]) == (7, "确定积极分子日期", "Q7")
    assert error["problem"].startswith("不存在的日期：") and error["problem"].endswith("-02-30")
    assert batch.error_count == 1 and not batch.can_apply
