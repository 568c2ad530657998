"""Database triggers that make the chain append-only (DESIGN principle 2), per vendor.

Events: UPDATE and DELETE refused (and TRUNCATE on PostgreSQL, which fires no row trigger and is
what Django's flush uses there). Head: UPDATE allowed only forwards (the appender moves it), DELETE
and TRUNCATE refused. Each refusal can be lifted for one connection by `fazhan.audit.bypass`
(tests only). The SQL is frozen here on purpose: a migration must keep doing what it did.

SQLite rebuilds a table for most ALTERs (new table, copy, drop, rename) and the triggers go with
the old table: a later migration that alters `audit_event` or `audit_chainhead` must run
`install` again (tests/audit/test_triggers.py fails otherwise).
"""

# ruff: noqa: RUF012  (class-level lists are the migration format)
from __future__ import annotations


from django.db import migrations

from fazhan.audit.triggers import vendor_sql

EVENT_UPDATE = "审计事件只能追加，不能修改 (audit events are append-only: UPDATE refused)"
EVENT_DELETE = "审计事件只能追加，不能删除 (audit events are append-only: DELETE refused)"
HEAD_DELETE = "审计链头不能删除 (the audit chain head cannot be deleted)"
HEAD_REWIND = "审计链头只能前移 (the audit chain head can only move forward)"

SQLITE_INSTALL = [
    f"""CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
    FOR EACH ROW WHEN fazhan_chain_bypass() = 0
    BEGIN SELECT RAISE(ABORT, '{EVENT_UPDATE}'); END""",
    f"""CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
    FOR EACH ROW WHEN fazhan_chain_bypass() = 0
    BEGIN SELECT RAISE(ABORT, '{EVENT_DELETE}'); END""",
    f"""CREATE TRIGGER audit_chainhead_no_delete BEFORE DELETE ON audit_chainhead
    FOR EACH ROW WHEN fazhan_chain_bypass() = 0
    BEGIN SELECT RAISE(ABORT, '{HEAD_DELETE}'); END""",
    f"""CREATE TRIGGER audit_chainhead_forward_only BEFORE UPDATE ON audit_chainhead
    FOR EACH ROW WHEN fazhan_chain_bypass() = 0 AND (
        NEW.id <> OLD.id OR NEW.seq < OLD.seq OR (NEW.seq = OLD.seq AND NEW.hash <> OLD.hash))
    BEGIN SELECT RAISE(ABORT, '{HEAD_REWIND}'); END""",
]
SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
    "DROP TRIGGER IF EXISTS audit_chainhead_no_delete",
    "DROP TRIGGER IF EXISTS audit_chainhead_forward_only",
]

# SQLSTATE 23000 (integrity_constraint_violation): Django raises IntegrityError, as it does for
# SQLite's RAISE(ABORT), so callers and tests see the same exception class on both databases.
PG_INSTALL = [
    f"""CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('fazhan.chain_bypass', true) = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'TRUNCATE' THEN
        -- Emptying an empty table destroys nothing; allowing it lets every other test package's
        -- flush through without the bypass as long as its tests appended no event.
        IF NOT EXISTS (SELECT 1 FROM audit_event) THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION USING ERRCODE = '23000', MESSAGE = '{EVENT_DELETE} (TRUNCATE)';
    ELSIF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION USING ERRCODE = '23000', MESSAGE = '{EVENT_UPDATE}';
    END IF;
    RAISE EXCEPTION USING ERRCODE = '23000', MESSAGE = '{EVENT_DELETE}';
END
$$""",
    """CREATE TRIGGER audit_event_no_update_delete BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()""",
    f"""CREATE FUNCTION audit_chainhead_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('fazhan.chain_bypass', true) = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF NEW.id <> OLD.id OR NEW.seq < OLD.seq
                OR (NEW.seq = OLD.seq AND NEW.hash <> OLD.hash) THEN
            RAISE EXCEPTION USING ERRCODE = '23000', MESSAGE = '{HEAD_REWIND}';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'TRUNCATE' AND NOT EXISTS (SELECT 1 FROM audit_chainhead) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '23000', MESSAGE = '{HEAD_DELETE}';
END
$$""",
    """CREATE TRIGGER audit_chainhead_guard_row BEFORE UPDATE OR DELETE ON audit_chainhead
    FOR EACH ROW EXECUTE FUNCTION audit_chainhead_guard()""",
    """CREATE TRIGGER audit_chainhead_no_truncate BEFORE TRUNCATE ON audit_chainhead
    FOR EACH STATEMENT EXECUTE FUNCTION audit_chainhead_guard()""",
]
PG_UNINSTALL = [
    "DROP TRIGGER IF EXISTS audit_event_no_update_delete ON audit_event",
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event",
    "DROP TRIGGER IF EXISTS audit_chainhead_guard_row ON audit_chainhead",
    "DROP TRIGGER IF EXISTS audit_chainhead_no_truncate ON audit_chainhead",
    "DROP FUNCTION IF EXISTS audit_event_append_only()",
    "DROP FUNCTION IF EXISTS audit_chainhead_guard()",
]


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        vendor_sql(
            "audit",
            sqlite=(SQLITE_INSTALL, SQLITE_UNINSTALL),
            postgresql=(PG_INSTALL, PG_UNINSTALL),
        )
    ]
