"""Exports: a candidate's file round-trips through the contract; the list as Excel is scoped,
masked, and the system administrator gets nothing (DESIGN principles 6 and 8)."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from fazhan.imports.actions import do_apply_batch, do_preview_files
from fazhan.policy.parse import parse_document

pytestmark = pytest.mark.django_db
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def imported(cast, name="clean-full.json"):
    path = EXAMPLES / name
    batch = do_preview_files(cast.zhibu, org=cast.branch_a, uploads=[(name, path.read_bytes())])
    do_apply_batch(cast.zhibu, batch)
    return batch.rows.get().candidate, json.loads(path.read_text("utf-8"))


def comparable(document):
    events = parse_document(document).events
    plain = [dataclasses.replace(e, id=None, index=0) for e in events]
    return sorted((dataclasses.astuple(e) for e in plain), key=repr)


@pytest.mark.parametrize(
    "name", ["clean-full.json", "broken-vote.json", "in-progress-probationary.json"]
)
def test_it_round_trips_the_exported_file(client, cast, name):
    candidate, original = imported(cast, name)
    client.force_login(cast.zhibu)
    response = client.get(f"/imports/candidates/{candidate.pk}.json")
    assert response.status_code == 200
    assert (
        response["Content-Disposition"] == f'attachment; filename="candidate-{candidate.pk}.json"'
    )
    exported = json.loads(response.content)
    assert exported["format"] == "fazhan-candidate-file/1"
    assert comparable(exported) == comparable(original)
    assert parse_document(exported).person == parse_document(original).person


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("zhibu", 200),
        ("dangwei", 200),
        ("qu", 200),
        ("shenji", 200),
        ("zhibu2", 404),
        ("admin", 404),
        ("outsider", 404),
    ],
)
def test_it_scopes_the_file_export(client, cast, username, status):
    candidate = cast.candidates["cand_a"]
    client.force_login(cast.users[username])
    assert client.get(f"/imports/candidates/{candidate.pk}.json").status_code == status


def rows_of(response):
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def test_it_exports_only_the_visible_list_with_masked_id_numbers(client, cast):
    client.force_login(cast.zhibu)
    response = client.get("/imports/candidates.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    header, *rows = rows_of(response)
    assert header == [
        "姓名",
        "性别",
        "出生年月",
        "身份证号",
        "学历",
        "组织",
        "阶段",
        "下一步",
        "期限",
        "违规数",
    ]
    assert [r[0] for r in rows] == [cast.candidates["cand_a"].person.name]

    client.force_login(cast.shenji)  # the auditor exports everything, masked
    _, *rows = rows_of(client.get("/imports/candidates.xlsx"))
    assert len(rows) == 4
    for row in rows:
        assert row[3].startswith("999999********") and len(row[3]) == 18
    people = {c.person.decrypt_id_number() for c in cast.candidates.values()}
    assert not people & {r[3] for r in rows}


def test_it_applies_the_list_filters_to_the_export(client, cast):
    client.force_login(cast.qu)
    _, *rows = rows_of(client.get("/imports/candidates.xlsx?stage=activist"))
    assert [r[0] for r in rows] == [cast.candidates["cand_a2"].person.name]
    assert rows[0][6] == "入党积极分子"


def test_it_gives_the_system_administrator_nothing(client, cast):
    client.force_login(cast.admin)
    assert client.get("/imports/candidates.xlsx").status_code == 404
    assert client.get("/imports/").status_code == 404


def test_it_exports_nothing_to_an_account_without_a_role(client, cast):
    client.force_login(cast.outsider)
    _, *rows = rows_of(client.get("/imports/candidates.xlsx"))
    assert rows == []


def test_it_writes_a_formula_like_name_as_text(client, cast):
    person = cast.candidates["cand_a"].person
    person.name = '=HYPERLINK("http://x","y")'
    person.save()
    client.force_login(cast.zhibu)
    book = load_workbook(io.BytesIO(client.get("/imports/candidates.xlsx").content))
    cell = book.worksheets[0]["A2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
