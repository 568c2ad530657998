"""Where the rules allow an exception, and when a past fact needs it (DESIGN principle 4).

Only one national rule has a written exception: concentrated training before admission
"培训时间一般不少于三天（或不少于二十四个学时）", and without it one cannot be admitted
"除个别特殊情况外" (细则第十八条; rules-reference §1 step 11 and §7: "with an explicit special
exception override requiring SC sign-off"). A past fact claiming that exception is held until a
second person of the committee above confirms it; every other breach is only kept as a finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# step -> the article that allows the exception
ALLOWS_EXCEPTION: dict[str, str] = {"S11": "细则第十八条（除个别特殊情况外）"}


def allows_exception(step: str) -> bool:
    return step in ALLOWS_EXCEPTION


def exception_needed(step: str, payload: Mapping[str, Any]) -> bool:
    """Whether the step, as recorded, falls short of the rule its exception excuses: an S11 of
    fewer than three days and fewer than 24 class hours (contracts §3 `training.insufficient`)."""
    if step != "S11":
        return False
    days, hours = payload.get("days") or 0, payload.get("hours") or 0
    return not (days >= 3 or hours >= 24)
