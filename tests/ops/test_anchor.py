"""`fazhan audit anchor` and `fazhan audit verify --anchor`: a tail cut together with the head row
passes the chain's own check but not the anchors."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from fazhan.audit.chain import read_head, verify_chain
from fazhan.audit.models import Event
from tests.audit.helpers import build_chain, raw

pytestmark = pytest.mark.django_db


def verify(*args: str, capsys) -> tuple[int, dict]:
    try:
        call_command("audit_verify", "--json", *args)
        code = 0
    except SystemExit as stop:
        code = int(stop.code or 0)
    return code, json.loads(capsys.readouterr().out)


def cut_tail(keep: int) -> None:
    """Delete the events after `keep` and move the head back onto `keep`: a consistent, shorter
    chain, which the head row alone cannot tell from the original."""
    kept = Event.objects.get(seq=keep).hash
    raw("DELETE FROM audit_event WHERE seq > %s", [keep])
    raw("UPDATE audit_chainhead SET seq = %s, hash = %s WHERE id = 1", [keep, kept])


def test_it_catches_a_cut_tail_against_the_last_anchor(tmp_path, capsys) -> None:
    anchors = tmp_path / "anchors.jsonl"
    build_chain(5)
    call_command("audit_anchor", "--to", str(anchors))
    build_chain(4)
    call_command("audit_anchor", "--to", str(anchors))
    lines = [json.loads(line) for line in anchors.read_text(encoding="utf-8").splitlines()]
    assert [line["seq"] for line in lines] == [5, 9]
    assert lines[1]["head"] == read_head().code
    capsys.readouterr()

    cut_tail(7)
    assert verify_chain().ok  # the chain's own check sees an intact, shorter chain
    assert verify(capsys=capsys) == (0, {"ok": True, "events": 7, "head": read_head().code})
    code, document = verify("--anchor", str(anchors), capsys=capsys)
    assert code == 1
    assert document["ok"] is False and document["seq"] == 9
    assert "链尾被截断" in document["problem"]
    assert set(document) == {"ok", "seq", "problem"}


def test_it_catches_an_anchored_event_that_was_replaced(tmp_path, capsys) -> None:
    anchors = tmp_path / "anchors.jsonl"
    build_chain(4)
    call_command("audit_anchor", "--to", str(anchors))
    # Rebuild the chain from scratch with different content: intact in itself, but not the one
    # that was anchored.
    raw("DELETE FROM audit_event")
    raw("DELETE FROM audit_chainhead")
    build_chain(2)
    build_chain(3)
    assert verify_chain().ok
    capsys.readouterr()
    code, document = verify("--anchor", str(anchors), capsys=capsys)
    assert (code, document["seq"]) == (1, 4)
    assert "锚点不符" in document["problem"]


def test_it_passes_while_the_chain_holds_every_anchor(tmp_path, capsys) -> None:
    anchors = tmp_path / "anchors.jsonl"
    build_chain(3)
    call_command("audit_anchor", "--to", str(anchors))
    build_chain(2)
    capsys.readouterr()
    assert verify("--anchor", str(anchors), capsys=capsys) == (
        0,
        {"ok": True, "events": 5, "head": read_head().code},
    )


def test_it_does_not_anchor_a_broken_chain(tmp_path, capsys) -> None:
    anchors = tmp_path / "anchors.jsonl"
    build_chain(4)
    raw("UPDATE audit_event SET kind = 'S99' WHERE seq = 2")
    with pytest.raises(SystemExit) as stop:
        call_command("audit_anchor", "--to", str(anchors))
    assert stop.value.code == 1
    assert not anchors.exists()


def test_it_cannot_check_against_an_unreadable_anchor_file(tmp_path) -> None:
    anchors = tmp_path / "anchors.jsonl"
    anchors.write_text("not json\n", encoding="utf-8")
    build_chain(2)
    with pytest.raises(Exception, match="第 1 行") as refused:
        call_command("audit_verify", "--anchor", str(anchors))
    assert getattr(refused.value, "returncode", None) == 2
