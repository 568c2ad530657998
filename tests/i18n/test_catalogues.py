"""The catalogues: complete in English and Traditional Chinese, compiled .mo files that match the
.po files, Traditional Chinese from OpenCC s2t (never s2twp), English for the policy data."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from fazhan.core import i18n_data

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "fazhan" / "locale"
LANGUAGES = ("en", "zh_Hant")

needs_msgfmt = pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext missing")


@cache
def script():
    """scripts/i18n.py, which reads and writes the .po files."""
    spec = importlib.util.spec_from_file_location(
        "fazhan_i18n_script", ROOT / "scripts" / "i18n.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def statistics(po: Path) -> str:
    done = subprocess.run(
        ["msgfmt", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        check=True,
        env={"LC_ALL": "C"},
    )
    return done.stderr.strip()


@needs_msgfmt
@pytest.mark.parametrize("language", LANGUAGES)
def test_it_translates_every_entry(language):
    report = statistics(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert re.fullmatch(r"\d+ translated messages?\.", report), report


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_leaves_no_empty_or_fuzzy_entry(language):
    entries = script().read_po(LOCALE / language / "LC_MESSAGES" / "django.po")
    body = [e for e in entries if not e.is_header and e.fields]
    assert len(body) > 500
    empty = [e.fields["msgid"] for e in body if any(not v for v in e.msgstrs().values())]
    fuzzy = [e.fields["msgid"] for e in body if "fuzzy" in e.flags]
    assert empty == [] and fuzzy == []


@needs_msgfmt
@pytest.mark.parametrize("language", LANGUAGES)
def test_it_ships_mo_files_compiled_from_the_po_files(language, tmp_path):
    folder = LOCALE / language / "LC_MESSAGES"
    fresh = tmp_path / "django.mo"
    subprocess.run(
        ["msgfmt", "--check-format", "-o", str(fresh), str(folder / "django.po")], check=True
    )
    assert fresh.read_bytes() == (folder / "django.mo").read_bytes(), (
        "run: .venv/bin/python scripts/i18n.py"
    )


def test_it_writes_traditional_chinese_with_s2t_and_not_s2twp():
    assert i18n_data.traditional("发展对象") == "發展對象"  # s2twp: 發展物件
    assert i18n_data.traditional("发展对象档案") == "發展對象檔案"
    assert i18n_data.traditional("党委") == "黨委"
    assert i18n_data.traditional("共青团推优") == "共青團推優"
    assert i18n_data.traditional("这里") == "這裡"
    assert i18n_data.traditional("里程") == "里程"
    assert i18n_data.traditional("账号") == "帳號"
    po = (LOCALE / "zh_Hant" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert "物件" not in po
    assert 'msgstr "發展對象檔案"' in po


def test_it_generates_every_traditional_entry_from_its_msgid():
    tool = script()
    for entry in tool.read_po(LOCALE / "zh_Hant" / "LC_MESSAGES" / "django.po"):
        if entry.is_header or not entry.fields:
            continue
        source = entry.fields.get("msgid_plural", entry.fields["msgid"])
        for value in entry.msgstrs().values():
            assert value == tool.traditional(source)


def test_it_has_english_for_every_step_notice_and_finding_of_both_policies():
    assert script().check_policy_data() == []


def test_it_translates_a_finding_a_basis_and_a_step_in_each_language():
    from django.utils import translation

    finding = {
        "id": "talk.late",
        "message": "党组织应于收到入党申请书后一个月内（2019-04-04 前）派人谈话",
        "basis": "细则第七条",
    }
    with translation.override("en"):
        assert i18n_data.finding_message(finding).startswith("The talk with the applicant")
        assert i18n_data.finding_basis(finding) == "Rules, Art. 7"
        assert i18n_data.step_label("S07") == "S07 Selection as development target"
        assert i18n_data.basis("本地规定：公示期不少于 5 个工作日") == (
            "Local rule: a public notice runs at least 5 working days"
        )
        order = {"id": "order.S07", "message": "确定发展对象之前缺少：递交入党申请书"}
        assert i18n_data.finding_message(order) == "Recorded before a step it requires."
    with translation.override("zh-hant"):
        assert i18n_data.finding_message(finding).startswith("黨組織應於收到入黨申請書後")
        assert i18n_data.step_label("S07") == "S07 確定發展對象"
    with translation.override("zh-hans"):
        assert i18n_data.finding_message(finding) == finding["message"]
        assert i18n_data.step_label("S07") == "S07 确定发展对象"
