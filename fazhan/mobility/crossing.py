"""Transfers across the district's border (seed 三(三); 细则 art. 12).

Out: the file is exported in the contract's format (contracts §1) after a `transfer-out` naming
the outside organization; the 介绍信 carries the file's code (base32 of the SHA-256 of the
document's canonical bytes, the same form as the chain's head code) and the chain head code at
the handover, with a QR of both. In: the receiving branch loads the file it was handed with the
letter's code; the code is checked, the events are imported as past facts with an arrival
`transfer-in`, and the file is judged at once (DESIGN principle 4: breaches become findings).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from fazhan.audit.chain import append_event, events_of, head_code, read_head
from fazhan.core import dates
from fazhan.core.errors import ActionRefused
from fazhan.imports.actions import do_import_candidate
from fazhan.imports.document import person_fields
from fazhan.mobility.actions import SEED, _lock, _not_future, _responsible
from fazhan.mobility.models import Cooperation, Departure, OutsideOrg
from fazhan.orgs.models import Organization
from fazhan.people.actions import do_correct_event, do_record_step
from fazhan.people.models import CLOSED_STAGES, Candidate, CandidateOrgLink
from fazhan.people.record import candidate_document

if TYPE_CHECKING:
    from fazhan.accounts.models import User


def canonical(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8"
    )


def file_code(document: dict[str, Any]) -> str:
    """The letter's code of an exported file: 12 base32 characters in three groups of four, as
    the chain head code is written."""
    return head_code(hashlib.sha256(canonical(document)).hexdigest())


def do_transfer_out_of_district(
    user: User, candidate: Candidate | int, *, outside: OutsideOrg, happened_on: date
) -> Departure:
    """The responsible branch sends the file to an organization outside the district."""
    _not_future(happened_on)
    with transaction.atomic():
        locked = _lock(candidate)
        _responsible(user, locked)
        if locked.stage in CLOSED_STAGES:
            raise ActionRefused(_("档案已结束，不能转出"))
        if Departure.objects.filter(candidate=locked).exists():
            raise ActionRefused(_("档案已转出区外"))
        if CandidateOrgLink.objects.filter(
            candidate=locked, role="inflow", ended_on__isnull=True
        ).exists():
            raise ActionRefused(_("区内转接尚未办结，不能转出区外"))
        do_record_step(
            user,
            locked,
            step="transfer-out",
            happened_on=happened_on,
            payload={
                "from_org": locked.org.name,
                "to_org": outside.name,
                "from_org_id": locked.org_id,
                "to_outside_org_id": outside.pk,
            },
        )
        head = head_code(read_head().hash)
        document = candidate_document(locked, as_of=happened_on)
        departure = Departure.objects.create(
            candidate=locked,
            outside=outside,
            departed_on=happened_on,
            letter_code=file_code(document),
            head_code=head,
            document=document,
            created_by=user,
        )
        for row in Cooperation.objects.open().filter(candidate=locked):
            row.ended_on, row.end_reason = happened_on, _("转出区外")
            row.save(update_fields=["ended_on", "end_reason"])
            if row.link_id is not None:
                CandidateOrgLink.objects.filter(pk=row.link_id).update(ended_on=happened_on)
        append_event(
            kind="mobility.departed",
            candidate_id=locked.pk,
            happened_on=happened_on,
            payload={
                "outside_org_id": outside.pk,
                "letter_code": departure.letter_code,
                "head_code": head,
            },
            recorded_by_id=user.pk,
        )
    return departure


def do_void_departure(user: User, candidate: Candidate | int, *, reason: str) -> None:
    """A departure entered by mistake: its `transfer-out` is voided by a correction (the chain
    keeps both), the file is here again, and its letter no longer stands. The letter's code stays
    on the chain, so a receiving district that asks can be told the letter was withdrawn."""
    if not reason.strip():
        raise ActionRefused(_("撤销转出须说明理由"))
    with transaction.atomic():
        locked = _lock(candidate)
        _responsible(user, locked)
        departure = Departure.objects.filter(candidate=locked).first()
        if departure is None or locked.departed_on is None:
            raise ActionRefused(_("档案没有转出区外"))
        leaving = [
            event
            for event in events_of(locked.pk)
            if event.kind == "transfer-out"
            and event.payload.get("to_outside_org_id") == departure.outside_id
        ]
        if not leaving:
            raise ActionRefused(_("档案没有转出区外"))
        do_correct_event(
            user,
            locked,
            seq=leaving[-1].seq,
            void=True,
            reason=reason,
            reopening_departure=True,
        )
        append_event(
            kind="mobility.departure-voided",
            candidate_id=locked.pk,
            happened_on=dates.today(),
            payload={
                "outside_org_id": departure.outside_id,
                "letter_code": departure.letter_code,
                "basis": SEED,
            },
            recorded_by_id=user.pk,
        )
        departure.delete()


def do_receive_file(
    user: User,
    *,
    org: Organization,
    document: dict[str, Any],
    letter_code: str,
    arrived_on: date,
    origin: str,
) -> Candidate:
    """A file from outside the district, checked against its letter's code, imported as past
    facts into branch `org` and judged on arrival."""
    _not_future(arrived_on)
    given = letter_code.strip().upper()
    if not isinstance(document, dict) or file_code(document) != given:
        raise ActionRefused(
            _("档案与介绍信编码不符：档案在转出后被改动，或编码抄错（%(code)s）") % {"code": given},
        )
    events = [*document.get("events", [])]
    events.append(
        {
            "id": "arrival",
            "type": "transfer-in",
            "date": arrived_on.isoformat(),
            "from_org": origin.strip() or _("区外党组织"),
            "to_org": org.name,
        }
    )
    person = document.get("person") or {}
    with transaction.atomic():
        candidate = do_import_candidate(
            user,
            org=org,
            person_fields=person_fields(person),
            id_number=None,
            events=events,
            policy=document.get("policy"),
        )
        append_event(
            kind="mobility.arrived",
            candidate_id=candidate.pk,
            happened_on=arrived_on,
            payload={"org_id": org.pk, "letter_code": given, "basis": SEED},
            recorded_by_id=user.pk,
        )
    return candidate
