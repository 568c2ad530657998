"""Files judged per second by `fazhan check`'s core, against `json.loads` of the same files.

Run: .venv/bin/python bench/bench_check.py [N]
Generates N realistic files (about 25 events each, the clean example shifted and varied), then
times, single-threaded on one core: json.loads alone (the baseline), json.loads + validation, and
json.loads + validation + evaluation. Prints files per second and the ratios.
"""

from __future__ import annotations

import copy
import json
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from fazhan.policy.engine import evaluate
from fazhan.policy.parse import parse_document

ROOT = Path(__file__).resolve().parent.parent


def shifted(doc: dict, days: int, rnd: random.Random) -> dict:
    out = copy.deepcopy(doc)

    def move(text: str) -> str:
        return (date.fromisoformat(text) + timedelta(days=days)).isoformat()

    out["as_of"] = move(out["as_of"])
    for event in out["events"]:
        event["date"] = move(event["date"])
        if "end" in event:
            event["end"] = move(event["end"])
        for item in event.get("feedback", []):
            item["date"] = move(item["date"])
            if item["resolved"]:
                item["resolved"] = move(item["resolved"])
    cut = rnd.randint(20, len(out["events"]))
    out["events"] = out["events"][:cut]
    if rnd.random() < 0.3:  # a sprinkling of irregular files: the last step months late
        last = out["events"][-1]
        for key in ("date", "end"):
            if key in last:
                last[key] = (date.fromisoformat(last[key]) + timedelta(days=200)).isoformat()
    return out


def main(count: int = 20_000) -> None:
    rnd = random.Random(7)
    clean = json.loads((ROOT / "examples" / "clean-full.json").read_text(encoding="utf-8"))
    texts = [
        json.dumps(shifted(clean, rnd.randint(-1500, 1500), rnd), ensure_ascii=False)
        for _ in range(count)
    ]
    mean_events = sum(t.count('"type"') for t in texts) / count
    mean_bytes = sum(len(t.encode()) for t in texts) / count

    def timed(label: str, work) -> float:
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            for text in texts:
                work(text)
            best = min(best, time.perf_counter() - started)
        rate = count / best
        print(f"{label:<38} {rate:>10,.0f} files/s  ({1e6 / rate:6.1f} µs/file)")
        return rate

    print(f"{count} files, {mean_events:.1f} events and {mean_bytes:.0f} bytes on average")
    base = timed("json.loads (baseline)", json.loads)
    parsed = timed("json.loads + validation", lambda t: parse_document(json.loads(t)))
    full = timed(
        "json.loads + validation + evaluate", lambda t: evaluate(parse_document(json.loads(t)))
    )
    print(f"validation costs {base / parsed:.1f}× json.loads; the whole check {base / full:.1f}×")
    print(f"target ≥ 5,000 files/s per core: {'met' if full >= 5000 else 'NOT met'}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
