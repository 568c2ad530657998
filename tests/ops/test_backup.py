"""`fazhan backup` / `fazhan restore`: the round trip restores the recorded head and verifies; a
backup that does not verify, or does not match its sidecar, fails loudly."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from fazhan.audit.chain import read_head, verify_chain
from fazhan.ops.backup import BackupError, backup, read_record, restore, sidecar_of
from tests.audit.helpers import build_chain

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def on_sqlite() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite backup")


def _reseal(path) -> None:
    """Make the sidecar agree with an edited file again (size and SHA-256)."""
    record = json.loads(sidecar_of(path).read_text(encoding="utf-8"))
    record["bytes"] = path.stat().st_size
    record["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    sidecar_of(path).write_text(json.dumps(record), encoding="utf-8")


def test_it_restores_the_head_it_recorded(on_sqlite, tmp_path) -> None:
    build_chain(12)
    saved = read_head()
    target = tmp_path / "nightly.sqlite3"
    call_command("backup", "--to", str(target))
    record = read_record(target)
    assert (record.seq, record.hash, record.head, record.vendor) == (
        12,
        saved.hash,
        saved.code,
        "sqlite",
    )
    build_chain(3)  # work done after the backup: the restore takes it away
    assert read_head().seq == 15
    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(target))
    call_command("restore", str(target), "--force")
    assert read_head() == saved
    result = verify_chain()
    assert result.ok and result.events == 12 and result.head == saved.code


def test_it_refuses_a_file_that_does_not_match_its_sidecar(on_sqlite, tmp_path) -> None:
    build_chain(4)
    target = tmp_path / "b.sqlite3"
    backup(target)
    with target.open("ab") as stream:
        stream.write(b"\0")
    with pytest.raises(BackupError, match="大小不符"):
        restore(target, force=True)


def test_it_fails_loudly_when_the_restored_chain_does_not_verify(on_sqlite, tmp_path) -> None:
    build_chain(6)
    target = tmp_path / "b.sqlite3"
    backup(target)
    # A DBA edits the backup file itself (the triggers let it through with the bypass function).
    copy = sqlite3.connect(target)
    copy.create_function("fazhan_chain_bypass", 0, lambda: 1)
    copy.execute("UPDATE audit_event SET kind = 'S99' WHERE seq = 4")
    copy.commit()
    copy.close()
    _reseal(target)
    with pytest.raises(CommandError, match="审计链校验失败：第 4 号事件"):
        call_command("restore", str(target), "--force")


def test_it_fails_loudly_when_the_restored_head_is_not_the_recorded_one(
    on_sqlite, tmp_path
) -> None:
    build_chain(6)
    target = tmp_path / "b.sqlite3"
    backup(target)
    record = json.loads(sidecar_of(target).read_text(encoding="utf-8"))
    record["seq"] = 7
    sidecar_of(target).write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(BackupError, match="不符"):
        restore(target, force=True)


def test_it_round_trips_on_postgresql(tmp_path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump / pg_restore")
    build_chain(10)
    saved = read_head()
    target = tmp_path / "nightly.dump"
    record = backup(target)
    assert (record.seq, record.hash, record.vendor) == (10, saved.hash, "postgresql")
    build_chain(2)
    restore(target, force=True)
    assert read_head() == saved
    assert verify_chain().ok


def _scan(cast, content: bytes) -> str:
    """A scan as fazhan.attachments keeps it: under its SHA-256, with a row naming it."""
    from django.conf import settings

    from fazhan.attachments.models import Attachment
    from tests.people.test_actions import new_candidate

    sha256 = hashlib.sha256(content).hexdigest()
    path = settings.FAZHAN_ATTACHMENTS_ROOT / sha256[:2] / sha256
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    Attachment.objects.create(
        candidate=new_candidate(cast),
        event_seq=1,
        step="S01",
        original_name="申请书.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=sha256,
    )
    return sha256


def test_it_backs_up_and_puts_back_the_scans_the_snapshot_refers_to(
    on_sqlite, cast, tmp_path
) -> None:
    from django.conf import settings

    build_chain(3)
    kept = _scan(cast, b"%PDF-1.4 kept")
    target = tmp_path / "b.sqlite3"
    backup(target)
    record = read_record(target)
    assert (record.scans_count, record.scans_missing) == (1, [])
    # The scans folder is lost with the server; the restore brings the scan back, same bytes.
    path = settings.FAZHAN_ATTACHMENTS_ROOT / kept[:2] / kept
    path.unlink()
    call_command("restore", str(target), "--force")
    assert path.read_bytes() == b"%PDF-1.4 kept"


def test_it_names_a_scan_already_missing_at_backup_time(on_sqlite, cast, tmp_path) -> None:
    from django.conf import settings

    build_chain(2)
    lost = _scan(cast, b"%PDF-1.4 lost")
    (settings.FAZHAN_ATTACHMENTS_ROOT / lost[:2] / lost).unlink()
    target = tmp_path / "b.sqlite3"
    backup(target)
    assert read_record(target).scans_missing == [lost]


def test_it_refuses_a_tampered_scans_tar_before_touching_the_database(
    on_sqlite, cast, tmp_path
) -> None:
    build_chain(3)
    _scan(cast, b"%PDF-1.4 one")
    target = tmp_path / "b.sqlite3"
    backup(target)
    build_chain(2)
    later = read_head()
    with (tmp_path / "b.sqlite3.scans.tar").open("ab") as stream:
        stream.write(b"\0")
    with pytest.raises(BackupError, match="扫描件包"):
        restore(target, force=True)
    assert read_head() == later  # the database was left as it was


def test_it_still_reads_a_first_format_sidecar(on_sqlite, tmp_path) -> None:
    build_chain(2)
    target = tmp_path / "b.sqlite3"
    backup(target)
    record = json.loads(sidecar_of(target).read_text(encoding="utf-8"))
    for key in ("scans", "scans_sha256", "scans_count", "scans_missing"):
        del record[key]
    record["format"] = "fazhan-backup/1"
    sidecar_of(target).write_text(json.dumps(record), encoding="utf-8")
    restore(target, force=True)
    assert read_head().seq == 2
