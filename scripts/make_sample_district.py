"""Write the sample district of examples/district/ (synthetic data, demo ID numbers).

    .venv/bin/python scripts/make_sample_district.py [--orgs 300] [--members 1800]
                                                      [--candidates 400] [--out examples/district]

`orgs.xlsx` (a title row above the header), `members.xlsx`, `roster.xlsx` move a district into an
empty database with `fazhan import` (contracts.md §7); `orgs-broken.csv` is a tree with one of
each error §7 lists, which `fazhan import orgs` refuses naming exactly its bad rows.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fazhan.settings")
django.setup()  # the column lists live beside the importers, which load the models

from fazhan.imports import district_samples  # noqa: E402
from fazhan.imports.samples import synthetic_rows, write_roster  # noqa: E402
from fazhan.policy.engine import today_in_shanghai  # noqa: E402

BROKEN = """组织编码,组织名称,简称,上级组织编码,组织层级,单位类型,审批权限
Q,中共演示区委员会,演示区委,,党委,,是
Q-01,城关街道党工委,,Q,党工委,社区,是
Q-01-01,城关社区第一党支部,,Q-01,党支部,,
Q-02,工业园区党委,,Q,党委,工厂,是
Q-01-01-01,支部下的组织,,Q-01-01,党支部,,
Q-03,某党总支,,Q,党总支,,是
Q-03,又一个某党总支,,Q,党总支,,
X-1,环一党总支,,X-2,党总支,,
X-2,环二党总支,,X-1,党总支,,
Y,另一个区委,,,党委,,
Z-1,无上级的党支部,,NOPE,党支部,,
Q-04,,,Q,支部,,
Q-04-01,上级有错的党支部,,Q-04,党支部,,
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=300)
    parser.add_argument("--members", type=int, default=1800)
    parser.add_argument("--candidates", type=int, default=400)
    parser.add_argument("--out", type=Path, default=ROOT / "examples" / "district")
    args = parser.parse_args()
    today = today_in_shanghai()
    args.out.mkdir(parents=True, exist_ok=True)
    tree = district_samples.org_rows(args.orgs)
    branches = district_samples.branch_codes(tree)
    district_samples.write_sheet(
        district_samples.ORG_COLUMNS, tree, args.out / "orgs.xlsx", title="演示区党组织（样例）"
    )
    people = district_samples.member_rows(args.members, branches=branches, today=today)
    district_samples.write_sheet(district_samples.MEMBER_COLUMNS, people, args.out / "members.xlsx")
    write_roster(
        synthetic_rows(args.candidates, branches=branches, today=today), args.out / "roster.xlsx"
    )
    (args.out / "orgs-broken.csv").write_text(BROKEN, encoding="utf-8-sig")
    print(f"{args.out}: {len(tree)} organizations, {len(people)} members, {args.candidates} people")


if __name__ == "__main__":
    main()
