"""Anchors: the chain's head written outside the database, one JSON line per `fazhan audit anchor`.

The head row sits in the same database as the events, so whoever can cut the chain's tail can move
the head back too, and `verify_chain` then finds a shorter chain that is intact. An anchor file
kept elsewhere (another machine, the daily report) remembers where the chain had already reached:
`fazhan audit verify --anchor FILE` requires every anchored (seq, hash) to still be in the chain.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from fazhan.audit.chain import ChainProblem, Head
from fazhan.audit.models import Event


class AnchorFileError(Exception):
    """The anchor file cannot be read or a line is not an anchor."""


@dataclass(frozen=True, slots=True)
class Anchor:
    seq: int
    hash: str
    head: str
    at: str

    def as_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash, "head": self.head, "at": self.at}


def default_anchor_file() -> Path:
    configured = os.getenv("FAZHAN_ANCHOR_FILE", "").strip()
    if configured:
        return Path(configured)
    return Path(settings.BASE_DIR).parent / "var" / "audit-anchors.jsonl"


def anchor_of(head: Head, at: datetime | None = None) -> Anchor:
    moment = at if at is not None else timezone.now()
    return Anchor(head.seq, head.hash, head.code, moment.isoformat(timespec="seconds"))


def append_anchor(path: Path, anchor: Anchor) -> None:
    """Append one line and flush it to disk before returning (the file is the evidence)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(anchor.as_json(), ensure_ascii=False, sort_keys=True) + "\n"
    with path.open("a", encoding="utf-8") as out:
        out.write(line)
        out.flush()
        os.fsync(out.fileno())


def read_anchors(path: Path) -> list[Anchor]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise AnchorFileError(f"无法读取锚点文件 {path}：{error}") from error
    anchors: list[Anchor] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            seq, hash_ = data["seq"], data["hash"]
            if isinstance(seq, bool) or not isinstance(seq, int) or not isinstance(hash_, str):
                raise TypeError("seq must be an integer and hash a string")
            anchors.append(Anchor(seq, hash_, str(data.get("head", "")), str(data.get("at", ""))))
        except (ValueError, KeyError, TypeError) as error:
            raise AnchorFileError(f"锚点文件 {path} 第 {number} 行无法读取：{error}") from error
    return anchors


def check_anchors(anchors: list[Anchor], using: str = DEFAULT_DB_ALIAS) -> ChainProblem | None:
    """The first anchored event that is no longer in the chain as it was, or None."""
    problems: list[ChainProblem] = []
    wanted = {anchor.seq: anchor for anchor in anchors if anchor.seq > 0}
    stored = dict(
        Event.objects.using(using).filter(seq__in=list(wanted)).values_list("seq", "hash")
    )
    for seq, anchor in sorted(wanted.items()):
        found = stored.get(seq)
        if found is None:
            problems.append(
                ChainProblem(
                    seq,
                    f"第 {seq} 号事件已不在链中，但 {anchor.at} 的锚点（链头校验码 {anchor.head}）"
                    "记录过它（链尾被截断）",
                )
            )
        elif found != anchor.hash:
            problems.append(
                ChainProblem(
                    seq,
                    f"第 {seq} 号事件的哈希与 {anchor.at} 的锚点不符（链被改写或替换）",
                )
            )
    return min(problems, key=lambda problem: problem.seq) if problems else None
