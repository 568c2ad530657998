"""`fazhan check FILE.json [FILE.json ...] [--json] [--policy NAME] [--as-of DATE]` (contracts §2).

Exit 2 if any file is unreadable, else 1 if any file has a violation, else 0. An unreadable file is
named with its field and problem (also on stderr) and the other files are still judged.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from fazhan.policy.checklist import checklist, leaving_flags
from fazhan.policy.data import load_policy, policy_names
from fazhan.policy.decision import DECISIONS, decision_blockers
from fazhan.policy.engine import Evaluation, effective_events, evaluate
from fazhan.policy.live import refusals_now
from fazhan.policy.model import CandidateFile
from fazhan.policy.parse import Unreadable, parse_date, parse_text

SEVERITY_ZH = {"violation": "违规", "late": "逾期", "warning": "提示"}
STAGE_ZH = {
    "applicant": "入党申请人",
    "activist": "入党积极分子",
    "target": "发展对象",
    "probationary": "预备党员",
    "member": "正式党员",
    "withdrawn": "已撤回",
    "rejected": "不予发展",
    "revoked": "取消预备党员资格",
}


def _as_of(text: str) -> date:
    try:
        return parse_date(text, "--as-of")
    except Unreadable as error:
        raise argparse.ArgumentTypeError(error.problem) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fazhan check", description="按发展党员工作细则和区委意见检查候选人档案。"
    )
    parser.add_argument("files", nargs="+", metavar="FILE.json")
    parser.add_argument("--json", action="store_true", help="输出 JSON")
    parser.add_argument("--policy", choices=policy_names(), help="覆盖档案中的政策版本")
    parser.add_argument("--as-of", type=_as_of, help="判定日（YYYY-MM-DD），覆盖档案中的 as_of")
    return parser


def check_one(path: str, policy: str | None, as_of: date | None) -> tuple[dict[str, Any], Any]:
    """One file's result document, and its evaluation (None when unreadable)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        problem = f"无法读取文件：{error.strerror or error}"
        return {"file": path, "ok": False, "error": {"field": None, "problem": problem}}, None
    try:
        candidate = parse_text(raw)
    except Unreadable as error:
        return {
            "file": path,
            "ok": False,
            "error": {"field": error.field, "problem": error.problem},
        }, None
    result = with_live_rules(candidate, evaluate(candidate, policy=policy, as_of=as_of))
    return {"file": path, "ok": True, **result.as_dict()}, result


def with_live_rules(file: CandidateFile, result: Evaluation) -> Evaluation:
    """The rules the live pages apply (fazhan.policy.live, .gates, .checklist), said in the `why`
    of the next steps they concern (contracts §2: `next` is the project's own, its shape kept)."""
    if not result.next:
        return result
    events = effective_events(file.events, result.as_of)
    policy = load_policy(result.policy)
    upcoming = {step.step for step in result.next}
    annotated = []
    for step in result.next:
        notes = [
            r.message
            for r in refusals_now(
                events,
                step=step.step,
                stage=result.stage,
                suspended=result.suspended,
                today=result.as_of,
                policy=policy,
            )
        ]
        notice = policy.notice_for_step(step.step)
        if step.step in DECISIONS and (notice is None or notice.type not in upcoming):
            # The notice findings the decision would get today (the notice page's answer),
            # unless the notice itself is still to come (a next step of its own).
            found = decision_blockers(file, step.step, result.as_of)
            notes += [f.message for f in found if f.message not in notes]
        why = step.why
        if notes:
            why += f"（今日暂不能记录：{'；'.join(notes)}）"
        if step.step == "S13":
            missing = [i.label.zh for i in checklist(events, result.as_of) if not i.ok]
            if missing:
                why += f"（预审材料未齐：{'、'.join(missing)}）"
        if step.step == "S15":
            flags = [flag.zh for flag in leaving_flags(file.person, result.as_of)]
            if flags:
                why += f"（提示：{'；'.join(flags)}）"
        annotated.append(replace(step, why=why) if why != step.why else step)
    return replace(result, next=tuple(annotated))


def _window(earliest: date | None, latest: date | None) -> str:
    if earliest and latest:
        return f"（{earliest}～{latest}）"
    if earliest:
        return f"（{earliest} 起）"
    if latest:
        return f"（{latest} 前）"
    return ""


def _human(document: dict[str, Any], result: Evaluation | None) -> str:
    if result is None:
        error = document["error"]
        where = error["field"] or "（整个文件）"
        return f"{document['file']}：无法读取：{where}：{error['problem']}"
    lines = [
        f"{document['file']}：{STAGE_ZH[result.stage]}"
        f"{'（暂缓）' if result.suspended else ''}，判定日 {result.as_of}，政策 {result.policy}"
    ]
    if not result.findings:
        lines.append("  未发现问题。")
    for finding in result.findings:
        lines.append(
            f"  [{SEVERITY_ZH[finding.severity]}] {finding.id}  {finding.step}  {finding.date}："
            f"{finding.message}（依据：{finding.basis}）"
        )
    for step in result.next:
        lines.append(f"  下一步 {step.step}{_window(step.earliest, step.latest)}：{step.why}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    documents = []
    unreadable = violation = False
    for path in args.files:
        document, result = check_one(path, args.policy, args.as_of)
        documents.append(document)
        if result is None:
            unreadable = True
            error = document["error"]
            print(f"{path}: {error['field']}: {error['problem']}", file=sys.stderr)
        elif result.count("violation"):
            violation = True
        if not args.json:
            print(_human(document, result))
    if args.json:
        json.dump({"files": documents}, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    return 2 if unreadable else 1 if violation else 0
