"""Every upload page answers a hostile file with HTTP 400 and a Chinese sentence, stores nothing,
and `fazhan check` reports it with exit 2 (Step 8)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fazhan.check_cli import main as check_main
from fazhan.imports.models import ImportBatch
from tests.lib.bad_files import (
    big_bomb,
    broken_member,
    entity_expansion,
    nested_json,
    workbook,
    zipped,
)

pytestmark = pytest.mark.django_db
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HEADER = ["姓名", "性别", "出生日期", "党支部"]


def post_roster(client, cast, name: str, data: bytes):
    client.force_login(cast.zhibu)
    file = SimpleUploadedFile(name, data)
    return client.post("/imports/roster/", {"org": cast.branch_a.pk, "file": file})


def refused(response, *phrases: str) -> None:
    assert response.status_code == 400
    body = response.content.decode()
    for phrase in phrases:
        assert phrase in body, body[:3000]
    assert not ImportBatch.objects.exists()


def test_it_refuses_a_zip_bomb_roster(client, cast):
    refused(post_roster(client, cast, "名册.xlsx", big_bomb()), "解压后超过 200 MB")


def test_it_refuses_a_roster_with_xml_entities(client, cast):
    data = entity_expansion(workbook([HEADER, ["示例", "男", "1990-01-01", ""]]))
    refused(post_roster(client, cast, "名册.xlsx", data), "DOCTYPE/ENTITY")


def test_it_refuses_a_roster_with_a_broken_member(client, cast):
    data = broken_member(workbook([HEADER, ["示例", "男", "1990-01-01", ""]]))
    refused(post_roster(client, cast, "名册.xlsx", data), "已损坏")


def test_it_refuses_a_csv_roster_with_a_huge_field(client, cast):
    data = ("姓名,性别,出生日期\n示例,男," + "1" * 1_000_001 + "\n").encode()
    refused(post_roster(client, cast, "名册.csv", data), "第 2 行无法读取")


def test_it_refuses_a_roster_beyond_the_row_limit_naming_it(client, cast, settings):
    settings.FAZHAN_UPLOAD_MAX_ROWS = 30
    rows = ["姓名,性别,出生日期"] + ["示例,男,1990-01-01"] * 30
    refused(post_roster(client, cast, "名册.csv", "\n".join(rows).encode()), "表格超过 30 行")


def test_it_refuses_a_deeply_nested_candidate_file(client, cast):
    client.force_login(cast.zhibu)
    file = SimpleUploadedFile("深.json", nested_json(100_000))
    response = client.post("/imports/files/", {"org": cast.branch_a.pk, "uploads": [file]})
    refused(response, "深.json", "嵌套超过 64 层")


def test_it_refuses_a_zip_of_candidate_files_with_a_broken_member(client, cast):
    client.force_login(cast.zhibu)
    document = (EXAMPLES / "clean-full.json").read_bytes()
    data = broken_member(zipped({"a.json": document, "b.json": document}), "a.json")
    file = SimpleUploadedFile("档案.zip", data)
    response = client.post("/imports/files/", {"org": cast.branch_a.pk, "uploads": [file]})
    refused(response, "档案.zip", "已损坏", "a.json")


def test_it_refuses_hostile_account_rosters(client, cast):
    client.force_login(cast.qu)
    for name, data, phrase in (
        (
            "roster.xlsx",
            entity_expansion(workbook([["支部", "姓名"], ["D-A-2", "张三"]])),
            "DOCTYPE",
        ),
        ("roster.xlsx", broken_member(workbook([["支部", "姓名"], ["D-A-2", "张三"]])), "已损坏"),
        ("roster.csv", ("支部,姓名\nD-A-2," + "x" * 1_000_001).encode(), "无法读取"),
    ):
        response = client.post("/accounts/manage/roster/", {"file": SimpleUploadedFile(name, data)})
        assert response.status_code == 400, name
        assert phrase in response.content.decode(), name


def test_it_checks_a_deeply_nested_file_with_exit_2_and_no_traceback(tmp_path, capsys):
    path = tmp_path / "deep.json"
    path.write_bytes(nested_json(100_000))
    assert check_main([str(path), "--json"]) == 2
    out, err = capsys.readouterr()
    [document] = json.loads(out)["files"]
    assert document["file"] == str(path) and document["ok"] is False
    assert document["error"]["field"] is None and "嵌套超过 64 层" in document["error"]["problem"]
    assert "嵌套超过 64 层" in err and "Traceback" not in err


def test_it_refuses_a_body_beyond_the_limit_before_parsing_it(client, cast, settings):
    settings.FAZHAN_UPLOAD_MAX_BODY_BYTES = 4096
    response = post_roster(client, cast, "名册.csv", b"x" * 8192)
    refused(response, "请求无效")
    # A body within the limit is read: a CSV without a header is the batch's own error.
    assert post_roster(client, cast, "名册.csv", b"x" * 1024).status_code == 302
