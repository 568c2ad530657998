"""Write the sample rosters of examples/rosters/ (synthetic people, demo ID numbers).

    .venv/bin/python scripts/make_sample_roster.py [--branch DEMO-01-01-01] [--rows 24]
                                                   [--today YYYY-MM-DD] [--out examples/rosters]

`roster-clean.xlsx` imports without an error; `roster-one-bad-row.xlsx` is the same roster with
one impossible date (Feb 30) typed into one row, which the preview names by row, column and cell.
The default branch code is the demo's `zhibu` branch (`fazhan demo`), so `zhibu`, `dangwei` and
`qu` can all import the samples there.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fazhan.imports.samples import synthetic_rows, write_roster  # noqa: E402
from fazhan.policy.engine import today_in_shanghai  # noqa: E402

BAD_ROW_INDEX = 5  # the sixth person: Excel row 7 (the header is row 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--branch", default="DEMO-01-01-01", help="党支部的组织代码或名称")
    parser.add_argument("--rows", type=int, default=24)
    parser.add_argument("--today", type=date.fromisoformat, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "examples" / "rosters")
    args = parser.parse_args()
    today = args.today or today_in_shanghai()
    rows = synthetic_rows(args.rows, branches=[args.branch], today=today, seed=2014)
    args.out.mkdir(parents=True, exist_ok=True)
    write_roster(rows, args.out / "roster-clean.xlsx")

    # One bad row: a 30 February typed as text where the activist date goes.
    index = next(
        i for i in range(BAD_ROW_INDEX, len(rows)) if rows[i].get("activist_on") is not None
    )
    bad = [dict(row) for row in rows]
    bad[index]["activist_on"] = f"{bad[index]['activist_on'].year}-02-30"
    write_roster(bad, args.out / "roster-one-bad-row.xlsx")
    print(
        f"{args.out}: roster-clean.xlsx ({len(rows)} rows), roster-one-bad-row.xlsx "
        f"(Excel row {index + 2}, 确定积极分子日期)"
    )


if __name__ == "__main__":
    main()
