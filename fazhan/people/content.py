"""A step's content (fazhan.policy.content) checked against the database, and its labels.

`clean_content` is what `do_record_step` does with a payload's `content`: the shape is checked by
the pure rules, a member named in it (a 谈话人) must be on the roster of the candidate's branch or
of an organization above it on the step's date, and is stored as the snapshot S05/S09 members are
stored as (id and status, never a name: DESIGN principle 8).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhan.core.errors import ActionRefused, Reason
from fazhan.members.history import members_on
from fazhan.orgs.models import Organization
from fazhan.policy.content import content_of, content_problems

LABELS = {
    "talker": gettext_lazy("谈话人"),
    "place": gettext_lazy("谈话地点"),
    "summary": gettext_lazy("谈话内容摘要"),
    "opinion": gettext_lazy("考察意见"),
    "assessor": gettext_lazy("考察人（党小组、培养联系人或党支部）"),
    "conclusion": gettext_lazy("政治审查结论"),
    "sources": gettext_lazy("政审材料来源"),
    "provider": gettext_lazy("培训单位"),
    "starts_on": gettext_lazy("培训开始日期"),
    "ends_on": gettext_lazy("培训结束日期"),
    "certificate": gettext_lazy("结业证书编号"),
    "content": gettext_lazy("记录内容"),
}
SOURCE_LABELS = {
    "letter": gettext_lazy("函调"),
    "visit": gettext_lazy("外调"),
    "talk": gettext_lazy("谈话"),
}


def label(key: str) -> str:
    return str(LABELS.get(key.split("[", maxsplit=1)[0], key))


def clean_content(candidate_org_id: int, step: str, content: Any, day: date) -> dict[str, Any]:
    """The content as the event stores it, or ActionRefused naming what is wrong."""
    spec = content_of(step)
    if not isinstance(content, Mapping) or spec is None:
        raise ActionRefused(_("%(step)s 不记录这样的内容") % {"step": step})
    clean = {k: v for k, v in content.items() if v not in (None, "", [])}
    problems = content_problems(step, clean)
    if problems:
        raise ActionRefused(
            [Reason(f"{label(key)}：{_(problem)}", spec.basis) for key, problem in problems]
        )
    rosters = Organization.objects.ancestor_ids(candidate_org_id)
    for field in spec.fields:
        if field.kind != "member" or field.key not in clean:
            continue
        value = clean[field.key]
        member_id = value["member_id"] if isinstance(value, Mapping) else value
        found = members_on([member_id], day).get(member_id)
        if found is None or found.org_id not in rosters:
            raise ActionRefused(
                Reason(
                    _("%(field)s：%(date)s 不在本支部或上级党组织的党员名册中")
                    % {"field": label(field.key), "date": day},
                    spec.basis,
                )
            )
        clean[field.key] = found.snapshot()
    return clean


def content_member_ids(payload: Mapping[str, Any]) -> set[int]:
    """The ids of the members a payload's content names (a 谈话人), its replacement's included."""
    ids: set[int] = set()
    for value in (payload.get("content") or {}).values():
        if isinstance(value, Mapping) and isinstance(value.get("member_id"), int):
            ids.add(value["member_id"])
    replacement = payload.get("replacement")
    if isinstance(replacement, Mapping):
        ids |= content_member_ids(replacement)
    return ids


def content_rows(
    step: str, payload: Mapping[str, Any], names: Mapping[int, str]
) -> list[tuple[str, str]]:
    """(label, text) for each part of the step's content, in the order the policy lists them."""
    spec = content_of(step)
    content = payload.get("content")
    if spec is None or not isinstance(content, Mapping):
        return []
    rows: list[tuple[str, str]] = []
    for field in spec.fields:
        value = content.get(field.key)
        if value in (None, "", []):
            continue
        if field.kind == "member" and isinstance(value, Mapping):
            shown = names.get(value.get("member_id") or 0, "—")
        elif field.kind == "sources" and isinstance(value, list):
            shown = "；".join(_source(s) for s in value if isinstance(s, Mapping))
        else:
            shown = str(value)
        rows.append((label(field.key), shown))
    return rows


def _source(item: Mapping[str, Any]) -> str:
    way = SOURCE_LABELS.get(str(item.get("kind")), "")
    return f"{way} {item.get('unit', '')} {item.get('date', '')}"
