"""Candidate files (contracts.md §1): the same reading and findings as `fazhan check`, unreadable
files named by field and problem, contacts and introducers mapped to the branch's roster."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from fazhan.audit.chain import events_of, verify_chain
from fazhan.check_cli import check_one
from fazhan.core.errors import ActionRefused
from fazhan.imports.actions import do_apply_batch, do_import_candidate, do_preview_files
from fazhan.imports.document import person_fields
from fazhan.orgs.models import Member
from fazhan.people.models import Candidate
from fazhan.people.record import candidate_document, evaluate_candidate
from fazhan.policy.engine import evaluate, today_in_shanghai
from fazhan.policy.parse import parse_document

pytestmark = pytest.mark.django_db
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
READABLE = sorted(p for p in EXAMPLES.glob("*.json") if not p.name.startswith("unreadable"))


def upload(*paths: Path) -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in paths]


def verdict(findings) -> set[tuple[str, str, str]]:
    return {(f["id"], f["step"], f["date"]) for f in findings}


def test_it_imports_the_examples_with_the_findings_fazhan_check_reports(cast):
    batch = do_preview_files(cast.dangwei, org=cast.branch_a, uploads=upload(*READABLE))
    assert not batch.has_errors, batch.file_errors
    do_apply_batch(cast.dangwei, batch)
    today = today_in_shanghai()
    for row in batch.rows.select_related("candidate"):
        candidate = row.candidate
        expected, result = check_one(str(EXAMPLES / row.label), None, today)
        assert result is not None
        # The projection judges as of today; `fazhan check --as-of today` on the same file.
        assert candidate.stage == expected["stage"], row.label
        assert verdict(candidate.projection["findings"]) == verdict(expected["findings"]), row.label
        assert verdict(row.data["findings"]) == verdict(expected["findings"]), row.label
    assert Candidate.objects.filter(org=cast.branch_a).count() == len(READABLE) + 1
    assert verify_chain().ok


def test_it_names_unreadable_files_as_fazhan_check_does(cast):
    broken = EXAMPLES / "unreadable-impossible-date.json"
    uploads = upload(EXAMPLES / "clean-full.json", broken) + [("notes.json", b"{not json")]
    batch = do_preview_files(cast.zhibu, org=cast.branch_a, uploads=uploads)
    assert batch.error_rows == 2 and not batch.can_apply
    expected, _ = check_one(str(broken), None, None)
    [error] = batch.rows.get(label=broken.name).errors
    assert (error["column"], error["problem"]) == (
        expected["error"]["field"],
        expected["error"]["problem"],
    )
    assert error["column"] == "events[6].date"
    [not_json] = batch.rows.get(label="notes.json").errors
    assert not_json["column"] == "（整个文件）" and "JSON" in not_json["problem"]
    with pytest.raises(ActionRefused):
        do_apply_batch(cast.zhibu, batch)
    assert not Candidate.objects.filter(person__name__startswith="示例", org=cast.branch_a).exists()


def test_it_reads_a_zip_of_candidate_files(cast):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in READABLE[:3]:
            archive.writestr(f"档案/{path.name}", path.read_bytes())
        archive.writestr("__MACOSX/._x.json", b"junk")
        archive.writestr("readme.txt", b"ignored")
    batch = do_preview_files(
        cast.zhibu, org=cast.branch_a, uploads=[("files.zip", buffer.getvalue())]
    )
    assert batch.row_count == 3 and not batch.has_errors
    assert batch.rows.first().label.startswith("files.zip/档案/")


def test_it_maps_contacts_and_introducers_to_the_roster_and_keeps_names_out_of_the_chain(cast):
    lisi = Member.objects.create(org=cast.branch_a, name="李四")
    batch = do_preview_files(
        cast.zhibu, org=cast.branch_a, uploads=upload(EXAMPLES / "clean-full.json")
    )
    assert any("王五" in w for w in batch.rows.get().warnings)
    do_apply_batch(cast.zhibu, batch)
    candidate = batch.rows.get().candidate
    wangwu = Member.objects.get(org=cast.branch_a, name="王五")
    assert wangwu.imported and not lisi.imported
    s09 = next(e for e in events_of(candidate.pk) if e.kind == "S09")
    assert [i["member_id"] for i in s09.payload["introducers"]] == [lisi.pk, wangwu.pk]
    assert "李四" not in json.dumps(s09.payload, ensure_ascii=False)


def test_it_round_trips_a_corrected_file(cast):
    document = json.loads((EXAMPLES / "clean-full.json").read_text("utf-8"))
    document["events"].append(
        {
            "id": "c1",
            "type": "correct",
            "date": "2021-08-01",
            "supersedes": "e10",
            "replacement": {"type": "S07", "date": "2020-03-02"},
        }
    )
    document["events"][0]["x-note"] = "unknown keys are dropped"
    candidate = do_import_candidate(
        cast.zhibu,
        org=cast.branch_a,
        person_fields=person_fields(document["person"]),
        id_number=None,
        events=document["events"],
    )
    today = today_in_shanghai()
    document["as_of"] = today.isoformat()
    expected = evaluate(parse_document(document))
    got = {(f["id"], f["step"], f["date"]) for f in candidate.projection["findings"]}
    assert got == {(f.id, f.step, f.date.isoformat()) for f in expected.findings}
    assert "target.too_early" in {f.id for f in expected.findings}
    exported = candidate_document(candidate)
    correct = next(e for e in exported["events"] if e["type"] == "correct")
    s07 = next(e for e in exported["events"] if e["type"] == "S07")
    assert correct["supersedes"] == s07["id"]
    assert "x-note" not in exported["events"][0]


def test_it_refuses_unreadable_data_in_the_action_itself(cast):
    document = json.loads((EXAMPLES / "unreadable-impossible-date.json").read_text("utf-8"))
    with pytest.raises(ActionRefused, match=r"events\[6\]\.date"):
        do_import_candidate(
            cast.zhibu,
            org=cast.branch_a,
            person_fields={"name": "示例", "sex": "M", "birth_date": "1995-08-15"},
            id_number=None,
            events=document["events"],
        )
    with pytest.raises(ActionRefused, match="只能导入到党支部"):
        do_import_candidate(
            cast.qu,
            org=cast.sub_a,
            person_fields={"name": "示例", "sex": "M", "birth_date": "1995-08-15"},
            id_number=None,
            events=[],
        )


def test_it_keeps_personal_data_out_of_extension_events(cast):
    document = json.loads((EXAMPLES / "in-progress-activist.json").read_text("utf-8"))
    document["events"].append({"type": "x-visit", "date": "2020-01-06", "name": "张三"})
    batch = do_preview_files(
        cast.zhibu, org=cast.branch_a, uploads=[("x.json", json.dumps(document).encode())]
    )
    [error] = batch.rows.get().errors
    assert error["column"].endswith(".name") and "个人信息" in error["problem"]


def test_it_refuses_an_id_number_already_on_file_and_leaves_the_caller_usable(cast):
    from datetime import date

    from fazhan.people.idnumber import make_demo_id

    number = make_demo_id(date(1995, 8, 15), "M", 7)
    fields = {"name": "示例重号", "sex": "M", "birth_date": "1995-08-15"}
    do_import_candidate(
        cast.zhibu, org=cast.branch_a, person_fields=fields, id_number=number, events=[]
    )
    with pytest.raises(ActionRefused, match="已有档案"):
        do_import_candidate(
            cast.zhibu, org=cast.branch_a, person_fields=fields, id_number=number, events=[]
        )
    # The refusal rolled back its own savepoint only: the surrounding transaction goes on.
    assert Candidate.objects.filter(person__name="示例重号").count() == 1
    with pytest.raises(ActionRefused, match="出生日期与身份证号码不符"):
        do_import_candidate(
            cast.zhibu,
            org=cast.branch_a,
            person_fields=fields | {"birth_date": "1995-08-16"},
            id_number=make_demo_id(date(1995, 8, 15), "M", 8),
            events=[],
        )


def test_it_keeps_only_the_contracts_keys_of_each_event(cast):
    document = json.loads((EXAMPLES / "clean-full.json").read_text("utf-8"))
    document["events"][6] |= {"supersedes": "e1", "name": "张三", "score": 9.5}  # an S06
    document["events"][2]["feedback"] = [
        {"date": "2019-04-16", "resolved": "2019-04-18", "outcome": "unfounded", "from": "王某"}
    ]
    batch = do_preview_files(
        cast.zhibu, org=cast.branch_a, uploads=[("stray.json", json.dumps(document).encode())]
    )
    assert not batch.has_errors, batch.rows.get().errors
    do_apply_batch(cast.zhibu, batch)
    chain = events_of(batch.rows.get().candidate.pk)
    s06 = next(e for e in chain if e.kind == "S06")
    assert s06.payload == {"mode": "past"}
    notice = next(e for e in chain if e.kind == "N-ACT")
    assert notice.payload["feedback"] == [
        {"date": "2019-04-16", "resolved": "2019-04-18", "outcome": "unfounded"}
    ]


def test_it_projects_in_bulk_exactly_as_the_chain_reads_back(cast):
    # The bulk confirmation evaluates each file before its events are written; the projection
    # must be the one `project` computes afterwards from the chain (contacts, introducers and a
    # correction included), and each file's events one contiguous run, opening event first.
    document = json.loads((EXAMPLES / "clean-full.json").read_text("utf-8"))
    document["events"].append(
        {
            "id": "c1",
            "type": "correct",
            "date": "2021-08-01",
            "supersedes": "e10",
            "replacement": {"type": "S07", "date": "2020-03-02"},
        }
    )
    uploads = upload(*READABLE) + [("corrected.json", json.dumps(document).encode())]
    batch = do_preview_files(cast.dangwei, org=cast.branch_a, uploads=uploads)
    assert not batch.has_errors
    do_apply_batch(cast.dangwei, batch)
    for row in batch.rows.select_related("candidate__person"):
        candidate = row.candidate
        chain = events_of(candidate.pk)
        assert chain[0].kind == "candidate.opened"
        assert [e.seq for e in chain] == list(range(chain[0].seq, chain[0].seq + len(chain)))
        assert candidate.head_seq == chain[-1].seq
        assert candidate.projection == evaluate_candidate(candidate).as_dict(), row.label
    assert verify_chain().ok
