"""`fazhan import orgs|members|roster|files` (contracts.md §7): an import run by the server's
operator, read, checked and (with `confirm`) applied in the command's own process.

The reading, checks and actions are the import pages' (fazhan.imports.roster, .preview, .actions,
.orgtree, .members); only the draft batch the pages keep between preview and confirmation is left
out. The operator has no account: what is written goes on the chain recorded by no one
(recorded_by None), like any other change. Nothing is written unless the whole file is free of
errors, and then in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fazhan.core import dates
from fazhan.imports import members, orgtree, preview
from fazhan.imports.actions import _RowRefused, plan_drafts, write_drafts
from fazhan.imports.roster import Schema, Table, TableError, read_table
from fazhan.lib.tabular import FileRefused
from fazhan.orgs.models import Kind, Organization

SHEETS = (".xlsx", ".xlsm", ".csv")
FILES = (".json", ".zip")

OK, ERRORS, UNREADABLE = 0, 1, 2


@dataclass
class Outcome:
    """The command's result, as `--json` prints it (contracts.md §7)."""

    kind: str
    file: str | list[str]
    rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    written: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    unreadable: bool = False
    # Candidate files: the file (or zip member) of each position, for the text report.
    labels: dict[int, str] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        if self.unreadable:
            return UNREADABLE
        return ERRORS if self.errors else OK

    def document(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file": self.file,
            "rows": self.rows,
            "errors": self.errors,
            "written": self.written,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }

    def refuse(self, problem: str) -> Outcome:
        """The file cannot be read at all (exit 2)."""
        self.unreadable = True
        self.errors = [{"row": None, "column": "", "cell": "", "problem": problem}]
        return self


class _Unreadable(Exception):
    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def _read(path: str, suffixes: Sequence[str]) -> bytes:
    if not path.lower().endswith(tuple(suffixes)):
        raise _Unreadable(
            _("%(path)s：只能导入 %(kinds)s 文件") % {"path": path, "kinds": "、".join(suffixes)}
        )
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise _Unreadable(
            _("%(path)s：无法读取文件（%(error)s）") % {"path": path, "error": error.strerror}
        ) from None


def _table(path: str, schema: Schema | None = None) -> Table:
    data = _read(path, SHEETS)
    try:
        return read_table(path, data) if schema is None else read_table(path, data, schema)
    except (TableError, FileRefused) as error:
        raise _Unreadable(error.problem) from None


def run_orgs(path: str, *, confirm: bool) -> Outcome:
    outcome = Outcome("orgs", path)
    try:
        table = _table(path, orgtree.SCHEMA)
    except _Unreadable as error:
        return outcome.refuse(error.problem)
    outcome.rows = len(table.rows)
    # With --confirm the file is judged inside the transaction that writes it, so that nothing
    # changes between the check and the write.
    with _writing(confirm):
        plan = orgtree.plan_orgs(table)
        if confirm and not plan.errors:
            orgtree.apply_orgs(plan, recorded_by_id=None, today=dates.today())
            outcome.written = True
    outcome.errors = plan.errors
    _counts(outcome, orgtree.counts(plan))
    return outcome


def run_members(path: str, *, confirm: bool) -> Outcome:
    outcome = Outcome("members", path)
    try:
        table = _table(path, members.SCHEMA)
    except _Unreadable as error:
        return outcome.refuse(error.problem)
    outcome.rows = len(table.rows)
    today = dates.today()
    # Read, checked and prepared outside any transaction; the write transaction checks that the
    # roster on file still reads the same (else judges again inside it) and only inserts.
    plan = members.plan_members(table, today=today)
    if confirm and not plan.errors:
        prepared = members.prepare_members(plan, recorded_by_id=None, today=today)
        with transaction.atomic():
            if not members.plan_is_current(plan):
                plan = members.plan_members(table, today=today)
                prepared = members.prepare_members(plan, recorded_by_id=None, today=today)
            if not plan.errors:
                members.write_members(prepared)
                outcome.written = True
    outcome.errors = plan.errors
    _counts(outcome, members.counts(plan))
    return outcome


def _org(code: str, *, branch: bool) -> Organization:
    found = Organization.objects.filter(code=code).first()
    if found is None:
        raise _Unreadable(_("找不到组织编码「%(code)s」") % {"code": code})
    if branch and found.kind != Kind.BRANCH:
        raise _Unreadable(_("「%(code)s」不是党支部：档案文件只能导入到党支部") % {"code": code})
    return found


def _draft_errors(rows: Sequence[preview.DraftRow]) -> list[dict[str, Any]]:
    return [
        {
            "row": row.number,
            "column": error.get("column", ""),
            "cell": error.get("cell", ""),
            "problem": error["problem"],
        }
        for row in rows
        for error in row.errors
    ]


def _apply_drafts(
    outcome: Outcome, rows: Sequence[preview.DraftRow], confirm: bool, source: str
) -> None:
    """The import pages' confirmation (fazhan.imports.actions.plan_drafts, write_drafts) without
    a batch."""
    outcome.errors = _draft_errors(rows)
    if outcome.errors:
        return
    outcome.created = len(rows)
    if not confirm:
        return
    try:
        # Prepared outside the transaction (nothing is written); then one short transaction.
        plan = plan_drafts(None, [row.data for row in rows], rows, source=source)
        with transaction.atomic():
            write_drafts(None, plan, rows)
    except _RowRefused as refused:
        outcome.created = 0
        outcome.errors = [
            {"row": refused.row.number, "column": "", "cell": "", "problem": refused.reason}
        ]
        return
    outcome.written = True


def run_roster(path: str, *, scope: str, confirm: bool) -> Outcome:
    outcome = Outcome("roster", path)
    try:
        org = _org(scope, branch=False)
        table = _table(path)
    except _Unreadable as error:
        return outcome.refuse(error.problem)
    outcome.rows = len(table.rows)
    rows = preview.roster_rows(None, org, table, dates.today())
    _apply_drafts(outcome, rows, confirm, "roster")
    return outcome


def run_files(paths: Sequence[str], *, branch: str, confirm: bool) -> Outcome:
    outcome = Outcome("files", paths[0] if len(paths) == 1 else list(paths))
    try:
        org = _org(branch, branch=True)
        uploads = [(Path(path).name, _read(path, FILES)) for path in paths]
    except _Unreadable as error:
        return outcome.refuse(error.problem)
    try:
        entries, problems = preview.expand_uploads(uploads)
    except FileRefused as refused:
        return outcome.refuse(refused.problem)
    if problems:
        return outcome.refuse("；".join(problems))
    if not entries:
        return outcome.refuse(_("没有找到档案文件（.json）"))
    outcome.rows = len(entries)
    rows = preview.file_rows(None, org, entries, dates.today())
    outcome.labels = {row.number: row.label for row in rows}
    _apply_drafts(outcome, rows, confirm, "files")
    return outcome


def _counts(outcome: Outcome, counts: dict[str, int]) -> None:
    """The counts say what --confirm would do (contracts.md §7): with an error, nothing."""
    if outcome.errors:
        return
    outcome.created = counts["created"]
    outcome.updated = counts["updated"]
    outcome.unchanged = counts["unchanged"]


def _writing(confirm: bool) -> AbstractContextManager[Any]:
    """One transaction for a confirmation; none for a preview, which only reads."""
    return transaction.atomic() if confirm else nullcontext()
