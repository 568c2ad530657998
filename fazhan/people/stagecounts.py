"""Files per stage in every organization's subtree, kept by the database itself.

The district home page shows files per stage for the district and for each organization directly
under it (issue 13 item 5: cheap at 50,000 files and more). Counting the files on every visit
grouped tens of thousands of rows and then walked the tree in Python; here two tables hold the
answer and the database keeps them exact on every write, whatever the path: a step recorded, a
bulk import (bulk_create, executemany), a transfer, a sweep, a correction, an organization moved.

- `orgs_organcestor` (OrgAncestor): each organization with every organization above it and
  itself (depth 0): a closure table, kept by triggers on `orgs_organization`.
- `people_stagecount` (StageCount): for each organization, its subtree's files per (stage,
  sent out of the district), kept by triggers on `people_candidate` (and on a move in the tree).

Triggers rather than application code because they see every write: a queryset `update()` or a
raw statement can bypass a Python hook but not a trigger. SQLite rebuilds a table for most
ALTERs and drops its triggers with it, so the triggers are installed after every `migrate`
(`ensure`, on post_migrate) and, when any was missing, both tables are rebuilt from the source;
`fazhan summarize` rebuilds them too, and the tests compare them with a full recount.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet, Sum

# -- the statements shared by both databases ------------------------------------------------------

# A new organization: itself, then its parent's ancestors one level further.
_ANCESTORS_OF_NEW = """
    INSERT INTO orgs_organcestor (org_id, ancestor_id, depth) VALUES (NEW.id, NEW.id, 0);
    INSERT INTO orgs_organcestor (org_id, ancestor_id, depth)
        SELECT NEW.id, ancestor_id, depth + 1 FROM orgs_organcestor WHERE org_id = NEW.parent_id;
"""
# A moved organization: its subtree leaves the old ancestors and joins the new parent's.
_ANCESTORS_OF_MOVED = """
    DELETE FROM orgs_organcestor
        WHERE org_id IN (SELECT org_id FROM orgs_organcestor WHERE ancestor_id = NEW.id)
        AND ancestor_id IN (
            SELECT ancestor_id FROM orgs_organcestor WHERE org_id = NEW.id AND depth > 0);
    INSERT INTO orgs_organcestor (org_id, ancestor_id, depth)
        SELECT below.org_id, above.ancestor_id, above.depth + below.depth + 1
        FROM orgs_organcestor AS above, orgs_organcestor AS below
        WHERE above.org_id = NEW.parent_id AND below.ancestor_id = NEW.id;
"""
_ANCESTORS_OF_DELETED = """
    DELETE FROM orgs_organcestor WHERE org_id = OLD.id OR ancestor_id = OLD.id;
"""
# A file counts once in `n`, and in `late` and `irregular` when it has such a finding (the home
# page's 曾超期 and 违规 cards: fazhan.people.signals late_q, irregular_q).
_LATE = "CASE WHEN {row}.lates > 0 THEN 1 ELSE 0 END"
_IRREGULAR = "CASE WHEN {row}.violations > 0 THEN 1 ELSE 0 END"
# A file leaves its (organization, stage, departed) in every subtree holding it ...
_COUNT_OUT = f"""
    UPDATE people_stagecount SET n = n - 1,
        late = late - {_LATE.format(row="OLD")},
        irregular = irregular - {_IRREGULAR.format(row="OLD")}
        WHERE stage = OLD.stage AND departed = (OLD.departed_on IS NOT NULL)
        AND org_id IN (SELECT ancestor_id FROM orgs_organcestor WHERE org_id = OLD.org_id);
"""
# ... and enters its new one (the WHERE before ON CONFLICT: SQLite's upsert needs it).
_ADD_EXCLUDED = """ON CONFLICT (org_id, stage, departed) DO UPDATE SET
        n = people_stagecount.n + excluded.n,
        late = people_stagecount.late + excluded.late,
        irregular = people_stagecount.irregular + excluded.irregular"""
_COUNT_IN = f"""
    INSERT INTO people_stagecount (org_id, stage, departed, n, late, irregular)
        SELECT ancestor_id, NEW.stage, NEW.departed_on IS NOT NULL, 1,
            {_LATE.format(row="NEW")}, {_IRREGULAR.format(row="NEW")}
        FROM orgs_organcestor WHERE org_id = NEW.org_id
        {_ADD_EXCLUDED};
"""
# A moved organization carries its subtree's counts (its own rows) from the old parent's
# ancestors to the new parent's. Neither parent is inside the moved subtree, so their ancestors
# are the same before and after the closure's own trigger: the two triggers run in any order.
_COUNTS_OF_MOVED = f"""
    UPDATE people_stagecount SET n = people_stagecount.n - moved.n,
            late = people_stagecount.late - moved.late,
            irregular = people_stagecount.irregular - moved.irregular
        FROM people_stagecount AS moved
        WHERE moved.org_id = NEW.id AND moved.stage = people_stagecount.stage
        AND moved.departed = people_stagecount.departed
        AND people_stagecount.org_id IN (
            SELECT ancestor_id FROM orgs_organcestor WHERE org_id = OLD.parent_id);
    INSERT INTO people_stagecount (org_id, stage, departed, n, late, irregular)
        SELECT above.ancestor_id, moved.stage, moved.departed, moved.n, moved.late,
            moved.irregular
        FROM orgs_organcestor AS above, people_stagecount AS moved
        WHERE above.org_id = NEW.parent_id AND moved.org_id = NEW.id
        {_ADD_EXCLUDED};
"""
_COUNTS_OF_DELETED = """
    DELETE FROM people_stagecount WHERE org_id = OLD.id;
"""
# The files' nearest deadlines the same way (people_duecount: per subtree and date), so that
# 已逾期, the files whose deadline is before today, is a sum over the dates before it.
_DUE_OUT = """
    UPDATE people_duecount SET n = n - 1
        WHERE OLD.next_due IS NOT NULL AND due_on = OLD.next_due
        AND org_id IN (SELECT ancestor_id FROM orgs_organcestor WHERE org_id = OLD.org_id);
"""
_DUE_IN = """
    INSERT INTO people_duecount (org_id, due_on, n)
        SELECT ancestor_id, NEW.next_due, 1 FROM orgs_organcestor
        WHERE org_id = NEW.org_id AND NEW.next_due IS NOT NULL
        ON CONFLICT (org_id, due_on) DO UPDATE SET n = people_duecount.n + excluded.n;
"""
_DUES_OF_MOVED = """
    UPDATE people_duecount SET n = people_duecount.n - moved.n
        FROM people_duecount AS moved
        WHERE moved.org_id = NEW.id AND moved.due_on = people_duecount.due_on
        AND people_duecount.org_id IN (
            SELECT ancestor_id FROM orgs_organcestor WHERE org_id = OLD.parent_id);
    INSERT INTO people_duecount (org_id, due_on, n)
        SELECT above.ancestor_id, moved.due_on, moved.n
        FROM orgs_organcestor AS above, people_duecount AS moved
        WHERE above.org_id = NEW.parent_id AND moved.org_id = NEW.id
        ON CONFLICT (org_id, due_on) DO UPDATE SET n = people_duecount.n + excluded.n;
"""
_DUES_OF_DELETED = """
    DELETE FROM people_duecount WHERE org_id = OLD.id;
"""
_DUE_CHANGED = (
    "OLD.org_id IS DISTINCT FROM NEW.org_id OR OLD.next_due IS DISTINCT FROM NEW.next_due"
)
_FILE_CHANGED = """OLD.org_id IS DISTINCT FROM NEW.org_id OR OLD.stage IS DISTINCT FROM NEW.stage
    OR (OLD.departed_on IS NULL) <> (NEW.departed_on IS NULL)
    OR (OLD.lates > 0) <> (NEW.lates > 0) OR (OLD.violations > 0) <> (NEW.violations > 0)"""
_PARENT_CHANGED = "OLD.parent_id IS DISTINCT FROM NEW.parent_id"


# Every trigger here is named tally_<what>_v<VERSION>. Bump VERSION when any statement changes:
# `ensure` then finds names it does not expect, drops every tally_ trigger and installs these.
VERSION = 1


def _name(what: str) -> str:
    return f"tally_{what}_v{VERSION}"


def _sqlite(sql: str) -> str:
    # SQLite spells IS DISTINCT FROM as IS NOT.
    return sql.replace("IS DISTINCT FROM", "IS NOT")


_ON_MOVE = f"AFTER UPDATE OF parent_id ON orgs_organization WHEN {_PARENT_CHANGED}"
_ON_FILE_CHANGE = (
    "AFTER UPDATE OF org_id, stage, departed_on, lates, violations ON people_candidate "
    f"WHEN {_FILE_CHANGED}"
)
_ON_DUE_CHANGE = f"AFTER UPDATE OF org_id, next_due ON people_candidate WHEN {_DUE_CHANGED}"
SQLITE: dict[str, tuple[str, str]] = {
    name: (table, _sqlite(f"CREATE TRIGGER {name} {when} BEGIN {body} END"))
    for name, table, when, body in (
        (
            _name("org_insert"),
            "orgs_organization",
            "AFTER INSERT ON orgs_organization",
            _ANCESTORS_OF_NEW,
        ),
        (_name("org_move"), "orgs_organization", _ON_MOVE, _ANCESTORS_OF_MOVED),
        (
            _name("org_delete"),
            "orgs_organization",
            "AFTER DELETE ON orgs_organization",
            _ANCESTORS_OF_DELETED,
        ),
        (
            _name("file_insert"),
            "people_candidate",
            "AFTER INSERT ON people_candidate",
            _COUNT_IN + _DUE_IN,
        ),
        (_name("file_update"), "people_candidate", _ON_FILE_CHANGE, _COUNT_OUT + _COUNT_IN),
        (
            _name("file_delete"),
            "people_candidate",
            "AFTER DELETE ON people_candidate",
            _COUNT_OUT + _DUE_OUT,
        ),
        (_name("due_update"), "people_candidate", _ON_DUE_CHANGE, _DUE_OUT + _DUE_IN),
        (
            _name("counts_move"),
            "orgs_organization",
            _ON_MOVE,
            _COUNTS_OF_MOVED + _DUES_OF_MOVED,
        ),
        (
            _name("counts_forget"),
            "orgs_organization",
            "AFTER DELETE ON orgs_organization",
            _COUNTS_OF_DELETED + _DUES_OF_DELETED,
        ),
    )
}


def _function(name: str, body: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n{body}\nRETURN NULL;\nEND\n$$"
    )


# PostgreSQL: the files' triggers are statement-level, over the statement's transition tables:
# a bulk insert of 500 files updates each (subtree, stage) row once, not 500 times. Row by row,
# one transaction importing 10,000 files would update the district's rows 10,000 times, each
# update leaving a version the next must step over until the commit (quadratic).
_FILE_COLUMNS = "org_id, stage, departed_on, lates, violations, next_due"


def _add_to_stages(source: str) -> str:
    """Add the files of `source` (its rows: _FILE_COLUMNS and a sign, +1 or -1)."""
    return f"""
    INSERT INTO people_stagecount (org_id, stage, departed, n, late, irregular)
        SELECT a.ancestor_id, f.stage, f.departed_on IS NOT NULL, SUM(f.sign),
            SUM(f.sign * {_LATE.format(row="f")}), SUM(f.sign * {_IRREGULAR.format(row="f")})
        FROM ({source}) AS f JOIN orgs_organcestor AS a ON a.org_id = f.org_id
        GROUP BY a.ancestor_id, f.stage, f.departed_on IS NOT NULL
        {_ADD_EXCLUDED};
"""


def _add_to_dues(source: str) -> str:
    return f"""
    INSERT INTO people_duecount (org_id, due_on, n)
        SELECT a.ancestor_id, f.next_due, SUM(f.sign)
        FROM ({source}) AS f JOIN orgs_organcestor AS a ON a.org_id = f.org_id
        WHERE f.next_due IS NOT NULL
        GROUP BY a.ancestor_id, f.next_due
        ON CONFLICT (org_id, due_on) DO UPDATE SET n = people_duecount.n + excluded.n;
"""


def _changed(condition: str) -> str:
    """The updated files meeting `condition` (in OLD/NEW terms): out as they were, in as now."""
    on = condition.replace("OLD.", "o.").replace("NEW.", "n.")
    pairs = f"FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id WHERE {on}"
    before = ", ".join(f"o.{column}" for column in _FILE_COLUMNS.split(", "))
    after = ", ".join(f"n.{column}" for column in _FILE_COLUMNS.split(", "))
    return f"SELECT {before}, -1 AS sign {pairs} UNION ALL SELECT {after}, 1 AS sign {pairs}"


_NEW_FILES = f"SELECT {_FILE_COLUMNS}, 1 AS sign FROM new_rows"
_OLD_FILES = f"SELECT {_FILE_COLUMNS}, -1 AS sign FROM old_rows"
POSTGRESQL_FUNCTIONS = [
    _function(
        "tally_orgs",
        f"""IF TG_OP = 'INSERT' THEN {_ANCESTORS_OF_NEW}
        ELSIF TG_OP = 'UPDATE' THEN
            IF {_PARENT_CHANGED} THEN
                {_ANCESTORS_OF_MOVED} {_COUNTS_OF_MOVED} {_DUES_OF_MOVED}
            END IF;
        ELSE {_ANCESTORS_OF_DELETED} {_COUNTS_OF_DELETED} {_DUES_OF_DELETED}
        END IF;""",
    ),
    _function("tally_files_insert", _add_to_stages(_NEW_FILES) + _add_to_dues(_NEW_FILES)),
    _function("tally_files_delete", _add_to_stages(_OLD_FILES) + _add_to_dues(_OLD_FILES)),
    _function(
        "tally_files_update",
        _add_to_stages(_changed(_FILE_CHANGED)) + _add_to_dues(_changed(_DUE_CHANGED)),
    ),
]
POSTGRESQL: dict[str, tuple[str, str]] = {
    _name("orgs"): (
        "orgs_organization",
        f"CREATE TRIGGER {_name('orgs')} "
        "AFTER INSERT OR UPDATE OF parent_id OR DELETE ON orgs_organization "
        "FOR EACH ROW EXECUTE FUNCTION tally_orgs()",
    ),
    **{
        _name(f"files_{event}"): (
            "people_candidate",
            f"CREATE TRIGGER {_name(f'files_{event}')} AFTER {event.upper()} ON people_candidate "
            f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION tally_files_{event}()",
        )
        for event, tables in (
            ("insert", "NEW TABLE AS new_rows"),
            ("update", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("delete", "OLD TABLE AS old_rows"),
        )
    },
}

REBUILD = [
    "DELETE FROM orgs_organcestor",
    """WITH RECURSIVE up (org_id, ancestor_id, depth) AS (
        SELECT id, id, 0 FROM orgs_organization
        UNION ALL
        SELECT up.org_id, o.parent_id, up.depth + 1
        FROM up JOIN orgs_organization AS o ON o.id = up.ancestor_id
        WHERE o.parent_id IS NOT NULL)
    INSERT INTO orgs_organcestor (org_id, ancestor_id, depth)
        SELECT org_id, ancestor_id, depth FROM up""",
    "DELETE FROM people_stagecount",
    f"""INSERT INTO people_stagecount (org_id, stage, departed, n, late, irregular)
        SELECT a.ancestor_id, c.stage, c.departed_on IS NOT NULL, COUNT(*),
            SUM({_LATE.format(row="c")}), SUM({_IRREGULAR.format(row="c")})
        FROM people_candidate AS c JOIN orgs_organcestor AS a ON a.org_id = c.org_id
        GROUP BY a.ancestor_id, c.stage, c.departed_on IS NOT NULL""",
    "DELETE FROM people_duecount",
    """INSERT INTO people_duecount (org_id, due_on, n)
        SELECT a.ancestor_id, c.next_due, COUNT(*)
        FROM people_candidate AS c JOIN orgs_organcestor AS a ON a.org_id = c.org_id
        WHERE c.next_due IS NOT NULL
        GROUP BY a.ancestor_id, c.next_due""",
]


TABLES = {
    "orgs_organization",
    "orgs_organcestor",
    "people_candidate",
    "people_stagecount",
    "people_duecount",
}


def _installed(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """Every tally_ trigger in the database, with its table."""
    if connection.vendor == "sqlite":
        sql = (
            "SELECT name, tbl_name FROM sqlite_master "
            "WHERE type = 'trigger' AND name LIKE 'tally\\_%' ESCAPE '\\'"
        )
    else:
        sql = (
            "SELECT t.tgname, c.relname FROM pg_trigger AS t JOIN pg_class AS c "
            "ON c.oid = t.tgrelid WHERE NOT t.tgisinternal AND t.tgname LIKE 'tally\\_%'"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def ensure(using: str = "default") -> bool:
    """Install the triggers where any is missing or of another version (a new database, a table
    SQLite rebuilt, an upgrade) and then rebuild both tables from the source. Returns whether
    anything was installed."""
    connection = connections[using]
    wanted = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(connection.vendor)
    if wanted is None:
        # Fazhan runs on SQLite or PostgreSQL only (settings.database_from_url).
        raise ImproperlyConfigured(
            f"分阶段人数的触发器只支持 SQLite 和 PostgreSQL，当前数据库为 {connection.vendor}。"
        )
    if not set(connection.introspection.table_names()) >= TABLES:
        return False  # a database migrated in part (one app's tables): nothing to keep yet
    if set(_installed(connection)) == set(wanted):
        return False
    uninstall(using)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for statement in POSTGRESQL_FUNCTIONS:
                cursor.execute(statement)
        for _table, statement in wanted.values():
            cursor.execute(statement)
    rebuild(using)
    return True


def uninstall(using: str = "default") -> None:
    """Drop every tally_ trigger (a migration back past the tables they write)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        for name, table in _installed(connection).items():
            on = f" ON {table}" if connection.vendor == "postgresql" else ""
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}{on}")


def rebuild(using: str = "default") -> None:
    """Both tables again from the organizations and the files (`fazhan summarize`)."""
    with connections[using].cursor() as cursor:
        for statement in REBUILD:
            cursor.execute(statement)


def on_post_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    ensure(using)


# -- reading --------------------------------------------------------------------------------------


def topmost(org_ids: Iterable[int]) -> list[int]:
    """The given organizations that are under none of the others (their subtrees cover all)."""
    from fazhan.orgs.models import OrgAncestor

    ids = set(org_ids)
    below = set(
        OrgAncestor.objects.filter(org_id__in=ids, ancestor_id__in=ids, depth__gt=0).values_list(
            "org_id", flat=True
        )
    )
    return sorted(ids - below)


@dataclass
class Tally:
    """Files per (stage, sent out of the district), and of them those with a late finding and
    those with an irregular one."""

    files: dict[tuple[str, bool], int] = field(default_factory=dict)
    late: int = 0
    irregular: int = 0

    def add(self, stage: str, departed: bool, n: int, late: int, irregular: int) -> None:
        if n:
            self.files[(stage, departed)] = self.files.get((stage, departed), 0) + n
        self.late += late
        self.irregular += irregular


def subtree_tally(org_ids: Collection[int] | QuerySet[Any]) -> Tally:
    """The files in the subtrees of `org_ids`, which must not overlap (`topmost`)."""
    from fazhan.people.models import StageCount

    rows = (
        StageCount.objects.filter(org_id__in=org_ids)
        .values_list("stage", "departed")
        .annotate(Sum("n"), Sum("late"), Sum("irregular"))
        .order_by()
    )
    tally = Tally()
    for stage, departed, n, late, irregular in rows:
        tally.add(stage, departed, n or 0, late or 0, irregular or 0)
    return tally


def overdue(org_ids: Collection[int] | QuerySet[Any], today: date) -> int:
    """The files in the subtrees of `org_ids` (not overlapping) whose nearest deadline is before
    `today` (fazhan.people.signals.overdue_q)."""
    from fazhan.people.models import DueCount

    found = DueCount.objects.filter(org_id__in=org_ids, due_on__lt=today).aggregate(Sum("n"))
    return int(found["n__sum"] or 0)


def per_subtree(org_ids: Collection[int]) -> dict[int, dict[str, int]]:
    """Files per stage (sent out or not) in the subtree of each of `org_ids`."""
    from fazhan.people.models import StageCount

    found: dict[int, dict[str, int]] = {org: {} for org in org_ids}
    rows = (
        StageCount.objects.filter(org_id__in=org_ids)
        .values_list("org_id", "stage")
        .annotate(total=Sum("n"))
        .order_by()
    )
    for org, stage, total in rows:
        if total:
            found[org][stage] = found[org].get(stage, 0) + total
    return found
