"""Database triggers for the secret ballot and the frozen electorate (DESIGN principles 2 and 7).

- `meetings_castballot`: UPDATE and DELETE refused. A cast ballot is never changed: the tally event
  seals the list of (ballot id, choice) at the close, and before the close nobody has a reason to.
- `meetings_ballotcode`: a used code never changes again (no un-using a code to vote twice), no
  code changes its hash or its motion, and no code is deleted.
- `meetings_electorateentry`: the electorate frozen at the opening is never changed or deleted.

Like the chain's own triggers (audit migration 0002), each refusal can be lifted for one connection
by `fazhan.audit.bypass.chain_bypass` (the test runner's flush and the tamper tests only): on SQLite
through the `fazhan_chain_bypass()` function every connection gets from `AuditConfig.ready`, on
PostgreSQL through the `fazhan.chain_bypass` setting; in production the application role should
also lack UPDATE/DELETE/TRUNCATE on these tables (docs/meetings.md). SQLite rebuilds a table for
most ALTERs and its triggers go with the old table: a later migration that alters one of these
tables must install these statements again (tests/meetings/test_schema.py checks they exist).
"""

# ruff: noqa: RUF012  (class-level lists are the migration format)
from __future__ import annotations


from django.db import migrations

from fazhan.audit.triggers import vendor_sql

BALLOT_UPDATE = "选票一经投出不能修改 (cast ballots are never updated)"
BALLOT_DELETE = "选票一经投出不能删除 (cast ballots are never deleted)"
CODE_CHANGE = "已使用的票卡不能再改动 (a used ballot code never changes)"
CODE_DELETE = "票卡不能删除 (ballot codes are never deleted)"
ELECTORATE_CHANGE = "会议开始后应到会人员名单不能修改 (the frozen electorate never changes)"

SQLITE_INSTALL = [
    f"""CREATE TRIGGER meetings_castballot_no_update BEFORE UPDATE ON meetings_castballot
    FOR EACH ROW WHEN fazhan_chain_bypass() = 0
    BEGIN SELECT RAISE(ABORT, '{BALLOT_UPDATE}'); END""",
    f"""CREATE TRIGGER meetings_castballot_no_delete BEFORE DELETE ON meetings_castballot
    FOR EACH ROW WHEN fazhan_chain_bypass() = 0
    BEGIN SELECT RAISE(ABORT, '{BALLOT_DELETE}'); END""",
    f"""CREATE TRIGGER meetings_ballotcode_guard BEFORE UPDATE ON meetings_ballotcode
    FOR EACH ROW WHEN fazhan_chain_bypass() = 0 AND (
        OLD.used = 1 OR NEW.code_hash <> OLD.code_hash OR NEW.item_id <> OLD.item_id
        OR NEW.id <> OLD.id)
    BEGIN SELECT RAISE(ABORT, '{CODE_CHANGE}'); END""",
    f"""CREATE TRIGGER meetings_ballotcode_no_delete BEFORE DELETE ON meetings_ballotcode
    FOR EACH ROW WHEN fazhan_chain_bypass() = 0
    BEGIN SELECT RAISE(ABORT, '{CODE_DELETE}'); END""",
    f"""CREATE TRIGGER meetings_electorate_no_update BEFORE UPDATE ON meetings_electorateentry
    FOR EACH ROW WHEN fazhan_chain_bypass() = 0
    BEGIN SELECT RAISE(ABORT, '{ELECTORATE_CHANGE}'); END""",
    f"""CREATE TRIGGER meetings_electorate_no_delete BEFORE DELETE ON meetings_electorateentry
    FOR EACH ROW WHEN fazhan_chain_bypass() = 0
    BEGIN SELECT RAISE(ABORT, '{ELECTORATE_CHANGE}'); END""",
]
SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS meetings_castballot_no_update",
    "DROP TRIGGER IF EXISTS meetings_castballot_no_delete",
    "DROP TRIGGER IF EXISTS meetings_ballotcode_guard",
    "DROP TRIGGER IF EXISTS meetings_ballotcode_no_delete",
    "DROP TRIGGER IF EXISTS meetings_electorate_no_update",
    "DROP TRIGGER IF EXISTS meetings_electorate_no_delete",
]

# SQLSTATE 23000, as the chain's triggers: Django raises IntegrityError on both databases.
PG_INSTALL = [
    f"""CREATE FUNCTION meetings_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    message text;
BEGIN
    IF current_setting('fazhan.chain_bypass', true) = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'TRUNCATE' THEN
        -- Emptying an empty table destroys nothing (the test runner's flush of other packages).
        EXECUTE format('SELECT NOT EXISTS (SELECT 1 FROM %I)', TG_TABLE_NAME) INTO STRICT message;
        IF message = 'true' THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION USING ERRCODE = '23000', MESSAGE = 'TRUNCATE refused on ' || TG_TABLE_NAME;
    END IF;
    IF TG_TABLE_NAME = 'meetings_castballot' THEN
        message := CASE WHEN TG_OP = 'UPDATE' THEN '{BALLOT_UPDATE}' ELSE '{BALLOT_DELETE}' END;
    ELSIF TG_TABLE_NAME = 'meetings_ballotcode' THEN
        IF TG_OP = 'UPDATE' THEN
            IF NOT OLD.used AND NEW.code_hash = OLD.code_hash AND NEW.item_id = OLD.item_id
                    AND NEW.id = OLD.id THEN
                RETURN NEW;  -- the one change allowed: an unused code becomes used
            END IF;
        END IF;
        message := CASE WHEN TG_OP = 'UPDATE' THEN '{CODE_CHANGE}' ELSE '{CODE_DELETE}' END;
    ELSE
        message := '{ELECTORATE_CHANGE}';
    END IF;
    RAISE EXCEPTION USING ERRCODE = '23000', MESSAGE = message;
END
$$""",
]
PG_UNINSTALL = []
for _table in ("meetings_castballot", "meetings_ballotcode", "meetings_electorateentry"):
    PG_INSTALL += [
        f"""CREATE TRIGGER {_table}_guard BEFORE UPDATE OR DELETE ON {_table}
        FOR EACH ROW EXECUTE FUNCTION meetings_append_only()""",
        f"""CREATE TRIGGER {_table}_no_truncate BEFORE TRUNCATE ON {_table}
        FOR EACH STATEMENT EXECUTE FUNCTION meetings_append_only()""",
    ]
    PG_UNINSTALL += [
        f"DROP TRIGGER IF EXISTS {_table}_guard ON {_table}",
        f"DROP TRIGGER IF EXISTS {_table}_no_truncate ON {_table}",
    ]
PG_UNINSTALL.append("DROP FUNCTION IF EXISTS meetings_append_only()")


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial"), ("audit", "0002_append_only_triggers")]

    operations = [
        vendor_sql(
            "meetings",
            sqlite=(SQLITE_INSTALL, SQLITE_UNINSTALL),
            postgresql=(PG_INSTALL, PG_UNINSTALL),
        )
    ]
