"""Guidance by type of organization (区委意见二（二）坚持分类指导，突出发展重点), as data.

The seed says, for each kind of unit, whom to develop first and what to guard against; the text
lives in fazhan/policies/guidance.json so that a district edits its own without touching code.
The rules it implies that can be checked are rules of the engine (schools: no admission in the
three months before graduation); this is what staff read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class TypeGuidance:
    org_type: str
    focus: tuple[str, ...]
    guidance: str


@dataclass(frozen=True)
class Guidance:
    basis: str
    general: str
    types: dict[str, TypeGuidance]

    def of(self, org_type: str) -> TypeGuidance | None:
        return self.types.get(org_type)


@cache
def load_guidance() -> Guidance:
    raw = json.loads(
        resources.files("fazhan.policies").joinpath("guidance.json").read_text(encoding="utf-8")
    )
    return Guidance(
        basis=str(raw["basis"]),
        general=str(raw["general"]),
        types={
            key: TypeGuidance(key, tuple(str(f) for f in value["focus"]), str(value["guidance"]))
            for key, value in raw["types"].items()
        },
    )
