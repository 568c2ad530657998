"""Regenerate fazhan/policies/holidays.json from the chinesecalendar package (dev only).

The shipped table is the source of truth at run time; this script only seeds it for the years the
State Council has published. Run: .venv/bin/python scripts/gen_holidays.py
"""

from __future__ import annotations

import json
from pathlib import Path

from chinese_calendar import constants

FIRST_YEAR, LAST_YEAR = 2014, 2026
NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}
OUT = Path(__file__).resolve().parent.parent / "fazhan" / "policies" / "holidays.json"


def main() -> None:
    years: dict[str, dict[str, dict[str, str]]] = {}
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        years[str(year)] = {
            "holidays": {
                d.isoformat(): NAMES_ZH[str(name)]
                for d, name in sorted(constants.holidays.items())
                if d.year == year
            },
            "workdays": {
                d.isoformat(): NAMES_ZH[str(name)]
                for d, name in sorted(constants.workdays.items())
                if d.year == year
            },
        }
    document = {
        "source": "国务院办公厅关于部分节假日安排的通知, via chinesecalendar",
        "first_year": FIRST_YEAR,
        "last_year": LAST_YEAR,
        "years": years,
    }
    OUT.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
