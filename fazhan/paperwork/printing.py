"""The official forms as A4 PDFs (WeasyPrint, Debian's fonts-wqy-zenhei, black on white): the
全程纪实表 of one candidate, the 备案表 of a batch (S04, S08), the pre-review opinion (S13) and the
approval notice (S17).

Each carries the chain's head code when printed (DESIGN principle 2) and a QR code of the page it
came from. Names are resolved here, at print time, from the tables that hold them (members, talks,
users): the chain holds ids only (principle 8).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhan.accounts.models import User
from fazhan.audit.chain import events_of, read_head
from fazhan.audit.models import Event
from fazhan.core import dates, i18n_data
from fazhan.notices.pdf import html_to_pdf, qr_data_uri
from fazhan.orgs.models import Member, Organization
from fazhan.paperwork.models import FormState, VolunteerForm
from fazhan.people.content import content_member_ids, content_rows
from fazhan.people.models import Candidate
from fazhan.people.record import MEMBER_LISTS, is_record_kind, member_names
from fazhan.policy.data import load_policy
from fazhan.reviews.models import Approval, PrereviewRequest, Talk

RESULTS = {
    "pass": gettext_lazy("通过"),
    "fail": gettext_lazy("未通过"),
    "returned": gettext_lazy("退回补充"),
    "approved": gettext_lazy("批准"),
    "rejected": gettext_lazy("不批准"),
}


def pdf_response(html: str, filename: str) -> HttpResponse:
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _page_qr(request: HttpRequest, path: str) -> str:
    return qr_data_uri(request.build_absolute_uri(path))


@dataclass
class Line:
    """One dated event of the 纪实表."""

    on: date | None
    result: str = ""
    people: list[str] = field(default_factory=list)
    note: str = ""


@dataclass
class Row:
    code: str
    name: str
    documents: str
    lines: list[Line] = field(default_factory=list)


def effective_events(chain: Iterable[Event]) -> list[tuple[int, str, date | None, dict[str, Any]]]:
    """The record's events as (seq, kind, date, payload), corrections applied: a superseded event
    drops out and a replacement takes its place with its own date (contracts.md §1 `correct`)."""
    record = [e for e in chain if is_record_kind(e.kind)]
    superseded = {str(e.payload.get("supersedes")) for e in record if e.kind == "correct"}
    found: list[tuple[int, str, date | None, dict[str, Any]]] = []
    for e in record:
        if str(e.seq) in superseded:
            continue
        if e.kind == "correct":
            replacement = e.payload.get("replacement")
            if isinstance(replacement, Mapping) and replacement.get("type"):
                raw = replacement.get("date")
                on = date.fromisoformat(raw) if isinstance(raw, str) else e.happened_on
                inner = {k: v for k, v in replacement.items() if k not in ("type", "date")}
                found.append((e.seq, str(replacement["type"]), on, inner))
            continue
        found.append((e.seq, e.kind, e.happened_on, dict(e.payload)))
    return found


def _member_list(payload: Mapping[str, Any], key: str, names: Mapping[int, str]) -> list[str]:
    return [names.get(int(i.get("member_id") or 0), "—") for i in payload.get(key, ())]


def _vote_text(payload: Mapping[str, Any]) -> str:
    vote = payload.get("vote")
    if not isinstance(vote, Mapping):
        return ""
    return _("应到 %(e)s 人，实到 %(p)s 人，赞成 %(f)s 票，反对 %(a)s 票，弃权 %(b)s 票") % {
        "e": vote.get("expected", 0),
        "p": vote.get("present", 0),
        "f": int(vote.get("for", 0)) + int(vote.get("written_for", 0)),
        "a": int(vote.get("against", 0)) + int(vote.get("written_against", 0)),
        "b": int(vote.get("abstain", 0)) + int(vote.get("written_abstain", 0)),
    }


def record_rows(candidate: Candidate) -> list[Row]:
    """Every step of the candidate's policy (and the notices before them), with each recorded
    event's date, result and people, and the documents the step produces."""
    policy = load_policy(candidate.policy)
    chain = events_of(candidate.pk)
    events = effective_events(chain)
    names = member_names([p for _s, _k, _d, p in events])
    names |= _content_names([p for _s, _k, _d, p in events])  # a 谈话人 (fazhan.people.content)
    recorders = {e.seq: e.recorded_by_id for e in chain if e.recorded_by_id is not None}
    users = {u.pk: str(u) for u in User.objects.filter(pk__in=set(recorders.values()))}
    prereviews = list(
        PrereviewRequest.objects.filter(candidate=candidate).select_related(
            "from_org", "to_org", "decided_by"
        )
    )
    by_s12 = {p.s12_seq: p for p in prereviews}
    by_s13 = {p.s13_seq: p for p in prereviews if p.s13_seq}
    talks = {t.seq: t for t in Talk.objects.filter(candidate=candidate)}
    approvals = {
        a.seq: a for a in Approval.objects.filter(candidate=candidate).select_related("committee")
    }
    forms: dict[int, list[VolunteerForm]] = {}
    for form in VolunteerForm.objects.filter(candidate=candidate).order_by("number"):
        if form.s14_seq:
            forms.setdefault(form.s14_seq, []).append(form)

    lines: dict[str, list[Line]] = {}
    for seq, kind, on, payload in events:
        line = Line(on=on, result=str(RESULTS.get(str(payload.get("result", "")), "")))
        for key in MEMBER_LISTS:
            if key in payload:
                label = _("培养联系人") if key == "contacts" else _("入党介绍人")
                line.people.append(f"{label}：{'、'.join(_member_list(payload, key, names))}")
        line.people += [f"{k}：{v}" for k, v in content_rows(kind, payload, names)]
        if payload.get("attachments"):
            line.people.append(_("附件 %(n)s 份") % {"n": len(payload["attachments"])})
        if kind.startswith("N-") and payload.get("end"):
            line.note = _("公示至 %(end)s") % {"end": payload["end"]}
        if kind in ("S15", "S23"):
            line.note = _vote_text(payload)
        if seq in by_s12:
            line.people.append(_("报送：%(org)s") % {"org": by_s12[seq].from_org.name})
        if seq in by_s13:
            line.people.append(_("预审：%(org)s") % {"org": by_s13[seq].to_org.name})
        if seq in talks:
            line.people.append(_("谈话人：%(who)s") % {"who": talks[seq].talker})
        if seq in approvals:
            a = approvals[seq]
            line.people.append(_("审批：%(org)s") % {"org": a.committee.name})
            line.note = _("委员 %(t)s 名，到会 %(p)s 名，同意 %(f)s 名") % {
                "t": a.members_total,
                "p": a.members_present,
                "f": a.members_for,
            }
        for form in forms.get(seq, []):
            text = _("入党志愿书编号 %(number)s") % {"number": form.label}
            if form.state != FormState.USED:
                text += f"（{form.get_state_display()}）"
            line.people.append(text)
        who = users.get(recorders.get(seq) or 0)
        if who:
            line.people.append(_("记录人：%(who)s") % {"who": who})
        lines.setdefault(kind, []).append(line)

    rows: list[Row] = []
    for step in policy.steps.values():
        notice = policy.notice_for_step(step.code)
        if notice is not None:
            rows.append(
                Row(
                    notice.type,
                    i18n_data.step_name(notice.type, candidate.policy),
                    _("公示材料"),
                    lines.get(notice.type, []),
                )
            )
        rows.append(
            Row(
                step.code,
                i18n_data.step_name(step.code, candidate.policy),
                "、".join(step.records),
                lines.get(step.code, []),
            )
        )
    for kind in ("transfer-out", "transfer-in", "suspend", "resume", "withdraw", "reject"):
        if kind in lines:
            rows.append(Row(kind, i18n_data.step_name(kind, candidate.policy), "", lines[kind]))
    return rows


def record_html(request: HttpRequest, candidate: Candidate, path: str) -> str:
    form = VolunteerForm.objects.filter(candidate=candidate, state=FormState.USED).first()
    return render_to_string(
        "paperwork/record_pdf.html",
        {
            "candidate": candidate,
            "person": candidate.person,
            "rows": record_rows(candidate),
            "form": form,
            "head_code": read_head().code,
            "qr": _page_qr(request, path),
            "printed_on": dates.today(),
        },
    )


# -- the batch filing forms (备案表) ---------------------------------------------------------------

COLUMN_LABELS = {
    "S01": gettext_lazy("申请入党日期"),
    "S03": gettext_lazy("确定为积极分子日期"),
    "S04": gettext_lazy("报备案日期"),
    "S07": gettext_lazy("确定为发展对象日期"),
    "S08": gettext_lazy("报备案日期"),
}
FILING_STEPS = {
    # step → (title, the dates shown, the people shown)
    "S04": (gettext_lazy("入党积极分子备案表"), ("S01", "S03", "S04"), "contacts"),
    "S08": (gettext_lazy("发展对象备案表"), ("S01", "S03", "S07", "S08"), "introducers"),
}


@dataclass
class FilingRow:
    candidate: Candidate
    dates: list[date | None]
    people: list[str]


def filing_rows(
    candidates: Iterable[Candidate], step: str, start: date, end: date
) -> list[FilingRow]:
    """The candidates (already scoped) whose `step` falls between start and end inclusive, with
    corrections applied, in the order of that date."""
    shown, people_key = FILING_STEPS[step][1], FILING_STEPS[step][2]
    pool = {c.pk: c for c in candidates}
    hit = set(
        Event.objects.filter(candidate_id__in=list(pool), kind__in=[step, "correct"])
        .values_list("candidate_id", flat=True)
        .distinct()
    )
    chains: dict[int, list[Event]] = {}
    for e in Event.objects.filter(candidate_id__in=sorted(hit)).order_by("seq"):
        chains.setdefault(e.candidate_id or 0, []).append(e)
    found: list[tuple[date, int, FilingRow]] = []
    payloads: list[dict[str, Any]] = []
    staged: list[tuple[Candidate, dict[str, date | None], dict[str, Any]]] = []
    for pk, chain in chains.items():
        latest: dict[str, tuple[date | None, dict[str, Any]]] = {}
        for _seq, kind, day, payload in effective_events(chain):
            latest[kind] = (day, payload)
        filed = latest.get(step)
        if filed is None or filed[0] is None or not start <= filed[0] <= end:
            continue
        who = latest.get("S05" if people_key == "contacts" else "S09", (None, {}))[1]
        payloads.append(who)
        staged.append((pool[pk], {k: latest.get(k, (None, {}))[0] for k in shown}, who))
    names = member_names(payloads)
    for candidate, days, who in staged:
        row = FilingRow(candidate, [days[k] for k in shown], _member_list(who, people_key, names))
        filed_on = days[step] or date.min
        found.append((filed_on, candidate.pk, row))
    return [row for _d, _pk, row in sorted(found, key=lambda x: (x[0], x[1]))]


def filing_html(
    request: HttpRequest,
    org: Organization,
    candidates: Iterable[Candidate],
    *,
    step: str,
    start: date,
    end: date,
    path: str,
) -> str:
    title, shown, people_key = FILING_STEPS[step]
    return render_to_string(
        "paperwork/filing_pdf.html",
        {
            "org": org,
            "title": title,
            "step": step,
            "columns": [COLUMN_LABELS[code] for code in shown],
            "people_label": _("培养联系人") if people_key == "contacts" else _("入党介绍人"),
            "rows": filing_rows(candidates, step, start, end),
            "start": start,
            "end": end,
            "head_code": read_head().code,
            "qr": _page_qr(request, path),
            "printed_on": dates.today(),
        },
    )


# -- the pre-review opinion and the approval notice ----------------------------------------------


def prereview_html(request: HttpRequest, item: PrereviewRequest, path: str) -> str:
    form = VolunteerForm.objects.filter(candidate=item.candidate, state=FormState.USED).first()
    return render_to_string(
        "paperwork/prereview_pdf.html",
        {
            "item": item,
            "candidate": item.candidate,
            "person": item.candidate.person,
            "form": form,
            "head_code": item.head_code or read_head().code,
            "qr": _page_qr(request, path),
        },
    )


def approval_html(request: HttpRequest, item: Approval, path: str) -> str:
    candidate = item.candidate
    form = VolunteerForm.objects.filter(candidate=candidate, state=FormState.USED).first()
    return render_to_string(
        "paperwork/approval_pdf.html",
        {
            "item": item,
            "candidate": candidate,
            "person": candidate.person,
            "form": form,
            "approved": item.result == "approved",
            "head_code": item.head_code or read_head().code,
            "qr": _page_qr(request, path),
        },
    )


def _content_names(payloads: Iterable[Mapping[str, Any]]) -> dict[int, str]:
    """The names of the members the steps' content names (a 谈话人), for the printed record."""
    ids: set[int] = set()
    for payload in payloads:
        ids |= content_member_ids(payload)
    if not ids:
        return {}
    return dict(Member.objects.filter(pk__in=ids).values_list("pk", "name"))
