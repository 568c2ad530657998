"""Bringing in what exists: previews, confirmation and the one action that imports a candidate.

Every mutation is one function (DESIGN principle 5). `do_import_candidate` records a whole file of
past facts for one new person: it refuses only unreadable data, never a rule breach, which the
projection keeps as findings (principle 4). A batch is applied in one transaction, all or nothing:
if one row is refused, nothing of the batch is written and the reason goes back to that row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhan.accounts.authority import authority
from fazhan.audit.chain import ChainError, NewEvent, append_events_bulk
from fazhan.core import dates
from fazhan.core.errors import ActionRefused, Reason
from fazhan.imports import document, preview
from fazhan.imports.models import BatchKind, BatchStatus, ImportBatch, ImportRow
from fazhan.imports.roster import TableError, read_table
from fazhan.orgs.models import Kind, Member, MemberStatus, Organization
from fazhan.people import crypto
from fazhan.people.actions import Mode
from fazhan.people.idnumber import IdNumberError
from fazhan.people.models import Candidate, Person
from fazhan.people.record import project
from fazhan.policy.data import DEFAULT_POLICY
from fazhan.policy.parse import Unreadable

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    User = AbstractBaseUser


# -- one candidate --------------------------------------------------------------------------------


class _Roster:
    """The branch's roster by name, for contacts and introducers named in a paper file. A name
    not on it becomes a Member marked imported=True (orgs.models.Member), so events still refer
    to members by id (DESIGN principle 8)."""

    def __init__(self, org: Organization) -> None:
        self.org = org
        self._by_name: dict[str, Member] | None = None

    def member(self, item: Mapping[str, Any]) -> Member:
        if self._by_name is None:
            self._by_name = {}
            for existing in Member.objects.filter(org=self.org, active=True).order_by("pk"):
                self._by_name.setdefault(existing.name, existing)
        name = str(item.get("name") or "").strip()
        found = self._by_name.get(name) if name else None
        if found is None:
            status = item.get("status")
            found = Member.objects.create(
                org=self.org,
                name=name or _("（未具名）"),
                status=status if status in MemberStatus.values else MemberStatus.FULL,
                under_discipline=item.get("discipline") == "留党察看",
                rights_restored=bool(item.get("rights_restored")),
                imported=True,
            )
            if name:
                self._by_name[name] = found
        return found

    def snapshots(self, items: Sequence[Any]) -> list[dict[str, Any]]:
        # The status the file gives is the status at the time of the event, which is what the
        # rules judge (细则 arts. 9, 14); the roster row may have changed since.
        return [
            {
                "member_id": self.member(item).pk,
                "status": item.get("status"),
                "discipline": item.get("discipline"),
                "rights_restored": bool(item.get("rights_restored")),
            }
            for item in items
            if isinstance(item, Mapping)
        ]


def _payload(
    event: Mapping[str, Any], path: str, roster: _Roster, seqs: Mapping[str, int]
) -> dict[str, Any]:
    payload = document.clean_event(event, path)
    for key in document.MEMBER_LISTS:
        if key in payload:
            payload[key] = roster.snapshots(payload[key])
    replacement = payload.get("replacement")
    if isinstance(replacement, Mapping):
        inner = dict(replacement)
        for key in document.MEMBER_LISTS:
            if key in inner:
                inner[key] = roster.snapshots(inner[key])
        payload["replacement"] = inner
    if "supersedes" in payload:
        # The file's event ids become the chain's seqs (fazhan.people.record.file_event).
        payload["supersedes"] = str(seqs[str(payload["supersedes"])])
    if not str(event.get("type", "")).startswith("x-"):
        payload["mode"] = str(Mode.PAST)
    return payload


def _refusal(error: Unreadable) -> ActionRefused:
    where = f"{error.field}：" if error.field else ""
    return ActionRefused(
        Reason(_("数据无法读取：%(where)s%(problem)s") % {"where": where, "problem": error.problem})
    )


def do_import_candidate(
    user: User,
    *,
    org: Organization,
    person_fields: Mapping[str, Any],
    id_number: str | None,
    events: Sequence[Mapping[str, Any]],
    policy: str | None = None,
) -> Candidate:
    """Create a person and their candidate file in branch `org` with `events` (contract events,
    contacts and introducers by name) recorded as past facts, and project once.

    Refuses (ActionRefused) only what cannot be read: the document `parse_document` rejects, a
    date after today, an ID number that is invalid, contradicts the birth date or sex, or is
    already on file. Rule breaches are kept as findings (DESIGN principle 4).
    """
    if not authority(user).may_write(org.pk):
        raise Http404(_("没有这个组织"))
    return _import_candidate(
        user,
        org=org,
        person_fields=person_fields,
        id_number=id_number,
        events=events,
        policy=policy,
        roster=_Roster(org),
    )


def _import_candidate(
    user: User,
    *,
    org: Organization,
    person_fields: Mapping[str, Any],
    id_number: str | None,
    events: Sequence[Mapping[str, Any]],
    policy: str | None,
    roster: _Roster,
    savepoint: bool = True,
) -> Candidate:
    """do_import_candidate once the user's right to write to `org` is established (a batch
    checks it once per branch, not once per row). A batch passes savepoint=False: it is all or
    nothing anyway, and a savepoint per row costs two statements."""
    if org.kind != Kind.BRANCH:
        raise ActionRefused(_("只能导入到党支部"))
    unknown = set(person_fields) - set(document.PERSON_FIELDS)
    if unknown:
        raise ActionRefused(_("未知的人员字段：%(keys)s") % {"keys": "、".join(sorted(unknown))})
    today = dates.today()
    policy = policy or DEFAULT_POLICY
    try:
        document.validate(person_fields, events, policy=policy, as_of=today)
    except Unreadable as error:
        raise _refusal(error) from None
    fields = {key: person_fields.get(key) for key in document.PERSON_FIELDS if key in person_fields}
    for key in document.DATE_FIELDS:
        if key in fields:
            fields[key] = document.as_date(fields[key])
    for key in ("ethnicity", "education", "unit", "ref"):
        fields[key] = fields.get(key) or ""
    with transaction.atomic(savepoint=savepoint):
        person = Person(**fields)
        if id_number:
            try:
                mismatches = person.set_id_number(id_number, today=today)
            except IdNumberError as error:
                raise ActionRefused(Reason(str(error), "GB 11643-1999")) from None
            if mismatches:
                raise ActionRefused([Reason(m, "GB 11643-1999") for m in mismatches])
        try:
            # Lengths and choices; the occupations were read by parse_document above.
            person.clean_fields(exclude=["id_number_index"])
        except ValidationError as error:
            raise ActionRefused([Reason(m) for m in error.messages]) from None
        try:
            # An ID number already on file is refused by the blind index's unique constraint
            # rather than looked up first: one query less per row of a batch.
            person.save()
        except IntegrityError:
            raise ActionRefused(
                _("该身份证号码已有档案（重复录入）")
                if id_number
                else _("人员信息不符合数据库约束")
            ) from None
        candidate = Candidate.objects.create(person=person, org=org, policy=policy)
        opened = NewEvent(
            kind="candidate.opened",
            candidate_id=candidate.pk,
            happened_on=today,
            payload={"org_id": org.pk, "person_id": person.pk, "mode": str(Mode.PAST)},
            recorded_by_id=user.pk,
        )
        seqs: dict[str, int] = {}
        if any(event.get("type") == "correct" for event in events):
            # A `correct` names the seq of the event it supersedes, so the seqs are needed before
            # anything is written: the head stays locked until commit (append_events_bulk locks
            # it), so the events take the next seqs in order, whatever the order of the file.
            base = append_events_bulk([]).seq + 1
            seqs = {
                str(event["id"]): base + position
                for position, event in enumerate(events, start=1)
                if event.get("id") is not None
            }
        new = [opened] + [
            NewEvent(
                kind=str(event["type"]),
                candidate_id=candidate.pk,
                happened_on=document.as_date(event["date"]),
                payload=_payload(event, f"events[{index}]", roster, seqs),
                recorded_by_id=user.pk,
            )
            for index, event in enumerate(events)
        ]
        try:
            # The same chain, byte for byte, as appending one by one (fazhan.audit.chain), with
            # one insert and one move of the head per candidate.
            append_events_bulk(new)
        except ChainError as error:
            raise ActionRefused(str(error)) from None
        project(candidate)
    return candidate


# -- batches --------------------------------------------------------------------------------------


def _check_scope(user: User, org: Organization) -> None:
    if not authority(user).may_write(org.pk):
        raise Http404(_("没有这个组织"))


def _store(
    user: User,
    *,
    org: Organization,
    kind: str,
    source: str,
    rows: Sequence[preview.DraftRow],
    file_errors: Sequence[str] = (),
    ignored: Sequence[str] = (),
) -> ImportBatch:
    summary = preview.summarize(rows)
    if ignored:
        summary["ignored_columns"] = list(ignored)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            uploaded_by_id=user.pk,
            org=org,
            kind=kind,
            source_name=source[:255],
            row_count=len(rows),
            error_count=sum(len(r.errors) for r in rows),
            error_rows=sum(1 for r in rows if r.errors),
            finding_count=sum(r.finding_count for r in rows),
            file_errors=list(file_errors),
            summary=summary,
        )
        ImportRow.objects.bulk_create(
            (
                ImportRow(
                    batch=batch,
                    number=row.number,
                    label=row.label,
                    data=row.data,
                    errors=row.errors,
                    warnings=row.warnings,
                    has_errors=bool(row.errors),
                    finding_count=row.finding_count,
                )
                for row in rows
            ),
            batch_size=500,
        )
    return batch


def do_preview_roster(user: User, *, org: Organization, filename: str, data: bytes) -> ImportBatch:
    """Read a roster (.xlsx or .csv) whose branches lie in `org`'s subtree into a draft batch."""
    _check_scope(user, org)
    today = dates.today()
    try:
        table = read_table(filename, data)
    except TableError as error:
        return _store(
            user,
            org=org,
            kind=BatchKind.ROSTER,
            source=filename,
            rows=[],
            file_errors=[error.problem],
        )
    # Parsing and judging happen outside the transaction: a 10,000-row preview must not hold
    # the database's write lock while it reads (SQLite IMMEDIATE transactions).
    rows = preview.roster_rows(user, org, table, today)
    return _store(
        user, org=org, kind=BatchKind.ROSTER, source=filename, rows=rows, ignored=table.ignored
    )


def do_preview_files(
    user: User, *, org: Organization, uploads: Sequence[tuple[str, bytes]]
) -> ImportBatch:
    """Read candidate files (.json, or .zip of them) for branch `org` into a draft batch."""
    _check_scope(user, org)
    if org.kind != Kind.BRANCH:
        raise ActionRefused(_("档案文件只能导入到党支部"))
    entries, problems = preview.expand_uploads(uploads)
    if not entries and not problems:
        problems = [_("没有找到档案文件（.json）")]
    rows = preview.file_rows(user, org, entries, dates.today())
    source = "、".join(name for name, _data in uploads)
    return _store(
        user, org=org, kind=BatchKind.FILES, source=source, rows=rows, file_errors=problems
    )


class _RowRefused(Exception):
    def __init__(self, row: ImportRow, reason: str) -> None:
        super().__init__(reason)
        self.row = row
        self.reason = reason


def _locked_draft(user: User, batch: ImportBatch | int) -> ImportBatch:
    pk = batch if isinstance(batch, int) else batch.pk
    found = ImportBatch.objects.visible_to(user).select_for_update().filter(pk=pk).first()
    if found is None:
        raise Http404(_("没有找到该导入批次。"))
    if found.uploaded_by_id != user.pk:
        raise ActionRefused(_("只有上传人可以确认或放弃这一批"))
    if found.status != BatchStatus.DRAFT:
        raise ActionRefused(
            _("这一批的状态是「%(status)s」，不能再操作") % {"status": found.get_status_display()}
        )
    return found


def do_apply_batch(user: User, batch: ImportBatch | int) -> ImportBatch:
    """Create everything the preview showed, in one transaction: all rows or none."""
    try:
        with transaction.atomic():
            locked = _locked_draft(user, batch)
            if locked.has_errors:
                raise ActionRefused(_("预览中仍有错误，改正文件后重新上传；本批未导入任何内容"))
            if not locked.row_count:
                raise ActionRefused(_("没有可导入的行"))
            rows = list(locked.rows.order_by("number"))
            orgs = Organization.objects.in_bulk({r.data["org_id"] for r in rows})
            # The right to write is checked again now, once per branch (it may have ended since
            # the preview); each branch's roster is read once for all its rows.
            rosters = {
                pk: _Roster(org) for pk, org in orgs.items() if authority(user).may_write(pk)
            }
            for row in rows:
                data = row.data
                token = (data.get("id") or {}).get("token")
                roster = rosters.get(data["org_id"])
                if roster is None:
                    raise _RowRefused(row, _("无权向该党支部导入"))
                try:
                    row.candidate = _import_candidate(
                        user,
                        org=roster.org,
                        person_fields=data["person"],
                        id_number=crypto.decrypt(token) if token else None,
                        events=data["events"],
                        policy=data.get("policy"),
                        roster=roster,
                        savepoint=False,
                    )
                except ActionRefused as refused:
                    raise _RowRefused(row, str(refused)) from None
                # Principle 8: once the person holds the number, the batch keeps only the mask,
                # and of the birth date (sealed in the people table) only the year.
                if data.get("id"):
                    data["id"] = {"masked": data["id"].get("masked", "")}
                person = data.get("person")
                if isinstance(person, dict) and person.get("birth_date"):
                    person["birth_date"] = str(person["birth_date"])[:4]
            ImportRow.objects.bulk_update(rows, ["candidate", "data"], batch_size=500)
            locked.status = BatchStatus.APPLIED
            locked.applied_at = timezone.now()
            locked.save(update_fields=["status", "applied_at"])
    except _RowRefused as refused:
        _keep_refusal(refused)
        raise ActionRefused(
            _("%(row)s：%(reason)s。本批未导入任何内容。")
            % {"row": refused.row.label, "reason": refused.reason}
        ) from None
    return locked


def _keep_refusal(refused: _RowRefused) -> None:
    """The rollback undid the batch; the reason goes on the row, so the preview names it and the
    confirmation stays disabled until a corrected file is uploaded."""
    with transaction.atomic():
        row = ImportRow.objects.select_for_update().get(pk=refused.row.pk)
        row.errors = [*row.errors, {"column": "", "cell": "", "problem": refused.reason}]
        row.has_errors = True
        row.save(update_fields=["errors", "has_errors"])
        batch = ImportBatch.objects.select_for_update().get(pk=row.batch_id)
        batch.error_count += 1
        batch.error_rows = batch.rows.filter(has_errors=True).count()
        batch.save(update_fields=["error_count", "error_rows"])


def do_discard_batch(user: User, batch: ImportBatch | int) -> ImportBatch:
    """Give up a draft: its rows (personal data of people never created) are deleted."""
    with transaction.atomic():
        locked = _locked_draft(user, batch)
        locked.rows.all().delete()
        locked.status = BatchStatus.DISCARDED
        locked.save(update_fields=["status"])
    return locked
