"""Update the translations after strings changed: extract, convert, check, compile.

    .venv/bin/python scripts/i18n.py            # all four steps; exit 1 if English is incomplete
    .venv/bin/python scripts/i18n.py --no-extract   # convert, check and compile only

1. `makemessages -l zh_Hant -l en` over the fazhan package (source language: Simplified Chinese,
   so every msgid is Chinese). Locations are file names only, so moving a line does not churn.
2. zh_Hant is generated, never hand-written: every msgstr is OpenCC `s2t` of its msgid, with the
   character fixes of `fazhan.core.i18n_data.TRADITIONAL_FIXES` and the phrase overrides below,
   regenerated in full on each run. Never `s2twp` (发展对象 → 發展物件).
3. en is written by people in `fazhan/locale/en/LC_MESSAGES/django.po` and kept as it is; this
   reports every empty English msgstr and every fuzzy entry (msgmerge's guesses), and the policy
   data without English in `fazhan/policies/i18n/en.json` (steps, notices, findings, bases).
4. `msgfmt --check` compiles both .mo files, which are committed: a fresh clone needs no step.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "fazhan"
LOCALE = PACKAGE / "locale"
LANGUAGES = ("zh_Hant", "en")
PLURAL_FORMS = {"zh_Hant": "nplurals=1; plural=0;", "en": "nplurals=2; plural=(n != 1);"}
IGNORE = ("node_modules/*", ".venv/*", "var/*", "static/vendor/*", "locale/*")

# Phrases s2t gets wrong for this domain, applied after the conversion (Traditional → Traditional).
# Characters s2t writes in OpenCC's own standard form (裏, 爲, 羣, 賬 …) are fixed for pages and
# catalogues alike in fazhan.core.i18n_data.TRADITIONAL_FIXES. Checked and right without an entry:
# 发展对象 → 發展對象, 党 → 黨, 团 → 團, 这里 → 這裡, 里程 → 里程, 答复 → 答覆, 计划 → 計劃.
PHRASE_OVERRIDES: dict[str, str] = {}


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


# -- a small reader and writer for the .po files makemessages writes ------------------------------


def _unescape(text: str) -> str:
    out = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append({"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}.get(nxt, nxt))
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _escape(text: str) -> str:
    for old, new in (("\\", "\\\\"), ('"', '\\"'), ("\t", "\\t"), ("\r", "\\r"), ("\n", "\\n")):
        text = text.replace(old, new)
    return text


@dataclass
class Entry:
    comments: list[str] = field(default_factory=list)  # "#." "#:" "# " "#|" lines, verbatim
    flags: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)  # msgctxt, msgid, msgstr[0] …
    obsolete: list[str] = field(default_factory=list)  # "#~" lines, verbatim

    @property
    def is_header(self) -> bool:
        return self.fields.get("msgid", None) == "" and "msgctxt" not in self.fields

    @property
    def plural(self) -> bool:
        return "msgid_plural" in self.fields

    def msgstrs(self) -> dict[str, str]:
        return {k: v for k, v in self.fields.items() if k.startswith("msgstr")}

    def key(self) -> tuple[str, str]:
        return (self.fields.get("msgctxt", ""), self.fields.get("msgid", ""))


_FIELD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"(.*)"\s*$')
_CONTINUATION = re.compile(r'^"(.*)"\s*$')


def read_po(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    current = Entry()
    last: str | None = None

    def flush() -> None:
        nonlocal current, last
        if current.fields or current.comments or current.flags or current.obsolete:
            entries.append(current)
        current = Entry()
        last = None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.rstrip("\n")
        if not line.strip():
            flush()
            continue
        if line.startswith("#~"):
            current.obsolete.append(line)
            continue
        if line.startswith("#,"):
            if current.fields:
                flush()
            current.flags += [f.strip() for f in line[2:].split(",") if f.strip()]
            continue
        if line.startswith("#"):
            if current.fields:
                flush()
            current.comments.append(line)
            continue
        match = _FIELD.match(line)
        if match:
            name, value = match.groups()
            # An entry's fields start with msgctxt or msgid; a second one starts the next entry.
            if (name == "msgctxt" and current.fields) or (
                name == "msgid" and "msgid" in current.fields
            ):
                flush()
            current.fields[name] = _unescape(value)
            last = name
            continue
        match = _CONTINUATION.match(line)
        if match and last is not None:
            current.fields[last] += _unescape(match.group(1))
            continue
        raise ValueError(f"{path}: cannot read line {raw!r}")
    flush()
    return entries


def _field_lines(name: str, value: str) -> list[str]:
    if "\n" not in value[:-1]:
        return [f'{name} "{_escape(value)}"']
    parts = value.split("\n")
    chunks = [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    return [f'{name} ""'] + [f'"{_escape(c)}"' for c in chunks]


def write_po(path: Path, entries: list[Entry]) -> None:
    blocks = []
    for entry in entries:
        # The order gettext reads: comments and references, flags, then previous strings (#|).
        lines = [c for c in entry.comments if not c.startswith("#|")]
        if entry.flags:
            lines.append("#, " + ", ".join(entry.flags))
        lines += [c for c in entry.comments if c.startswith("#|")]
        order = ["msgctxt", "msgid", "msgid_plural"]
        order += sorted((k for k in entry.fields if k.startswith("msgstr")), key=_msgstr_order)
        for name in order:
            if name in entry.fields:
                lines += _field_lines(name, entry.fields[name])
        lines += entry.obsolete
        blocks.append("\n".join(lines))
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")


def _msgstr_order(name: str) -> int:
    match = re.search(r"\[(\d+)\]", name)
    return int(match.group(1)) if match else -1


# -- the steps ------------------------------------------------------------------------------------


def extract() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "fazhan.settings", "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "django", "makemessages", "--no-obsolete", "--no-wrap"]
    command += ["--add-location=file"]
    for language in LANGUAGES:
        command += ["-l", language]
    for pattern in IGNORE:
        command += ["--ignore", pattern]
    subprocess.run(command, cwd=PACKAGE, env=env, check=True)


def _fix_header(entry: Entry, language: str) -> None:
    header = entry.fields.get("msgstr", "")
    header = re.sub(r"Language: [^\n]*\n", f"Language: {language}\n", header)
    header = re.sub(r"Plural-Forms: [^\n]*\n", f"Plural-Forms: {PLURAL_FORMS[language]}\n", header)
    header = header.replace("charset=CHARSET", "charset=UTF-8")
    # No dates and no placeholders: the files change only when a message does (the .mo carries
    # the header too, and both are committed).
    header = re.sub(r"(POT-Creation-Date|PO-Revision-Date): [^\n]*\n", "", header)
    header = re.sub(r"Project-Id-Version: [^\n]*\n", "Project-Id-Version: fazhan\n", header)
    header = re.sub(r"Last-Translator: [^\n]*\n", "Last-Translator: Fazhan\n", header)
    header = re.sub(r"Language-Team: [^\n]*\n", f"Language-Team: {language}\n", header)
    entry.fields["msgstr"] = header
    entry.flags = [f for f in entry.flags if f != "fuzzy"]
    entry.comments = [
        c
        for c in entry.comments
        if c.strip() != "#"
        and not c.startswith(("# SOME DESCRIPTIVE", "# Copyright", "# This file", "# FIRST"))
    ] or ["# Fazhan (发展党员工作). Written by scripts/i18n.py; see its docstring."]


def traditional(text: str) -> str:
    sys.path.insert(0, str(ROOT))
    from fazhan.core.i18n_data import traditional as convert

    converted = convert(text)
    for old, new in PHRASE_OVERRIDES.items():
        converted = converted.replace(old, new)
    return converted


def fill_traditional() -> int:
    path = po_path("zh_Hant")
    entries = read_po(path)
    count = 0
    for entry in entries:
        if entry.is_header:
            _fix_header(entry, "zh_Hant")
            continue
        if entry.obsolete and not entry.fields:
            continue
        for name in list(entry.msgstrs()):
            del entry.fields[name]
        if entry.plural:
            entry.fields["msgstr[0]"] = traditional(entry.fields["msgid_plural"])
        else:
            entry.fields["msgstr"] = traditional(entry.fields["msgid"])
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
        entry.comments = [c for c in entry.comments if not c.startswith("#|")]
        count += 1
    write_po(path, entries)
    return count


def check_english() -> list[str]:
    path = po_path("en")
    entries = read_po(path)
    problems = []
    for entry in entries:
        if entry.is_header:
            _fix_header(entry, "en")
            continue
        if not entry.fields:
            continue
        if entry.plural:
            for index in range(2):
                entry.fields.setdefault(f"msgstr[{index}]", "")
        msgid = entry.fields["msgid"]
        context = entry.fields.get("msgctxt")
        where = f"{msgid!r}" + (f" (context {context!r})" if context else "")
        if "fuzzy" in entry.flags:
            problems.append(f"en: fuzzy (check, then remove the flag): {where}")
        elif any(not value for value in entry.msgstrs().values()):
            problems.append(f"en: not translated: {where}")
    write_po(path, entries)
    return problems


def check_policy_data() -> list[str]:
    policies = PACKAGE / "policies"
    english = json.loads((policies / "i18n" / "en.json").read_text(encoding="utf-8"))
    sys.path.insert(0, str(ROOT))
    from fazhan.core.i18n_data import _english_basis

    problems = []
    for name in ("national-2014", "national-2026"):
        data = json.loads((policies / f"{name}.json").read_text(encoding="utf-8"))
        for step in data.get("steps", []):
            if step["code"] not in english.get("steps", {}):
                problems.append(f"en.json: no step name for {step['code']} ({name})")
            if step["code"] not in english.get("next", {}):
                problems.append(f"en.json: no next-step reason for {step['code']} ({name})")
        for notice in data.get("notices", []):
            if notice["type"] not in english.get("notices", {}):
                problems.append(f"en.json: no notice name for {notice['type']} ({name})")
        findings = data.get("findings", []) + data.get("extra_findings", [])
        for finding in findings:
            if finding["id"] not in english.get("findings", {}):
                problems.append(f"en.json: no message for finding {finding['id']} ({name})")
        bases = [s["basis"] for s in data.get("steps", [])] + [f["basis"] for f in findings]
        bases += list(data.get("step_basis", {}).values())
        bases += list(data.get("finding_basis", {}).values())
        for text in bases:
            probe = re.sub(r"\{\w+\}", "5", text)
            if _english_basis(probe) == probe and re.search(r"[\u4e00-\u9fff]", probe):
                problems.append(f"en.json: no English basis for {text!r} ({name})")
    return sorted(set(problems))


def compile_mo() -> None:
    for language in LANGUAGES:
        po = po_path(language)
        subprocess.run(
            [
                "msgfmt",
                "--check-format",
                "--check-domain",
                "-o",
                str(po.with_suffix(".mo")),
                str(po),
            ],
            check=True,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-extract", action="store_true", help="skip makemessages")
    args = parser.parse_args(argv)
    if not args.no_extract:
        extract()
    converted = fill_traditional()
    problems = check_english() + check_policy_data()
    compile_mo()
    print(f"zh_Hant: {converted} messages converted with OpenCC s2t")
    for problem in problems:
        print(problem)
    print("en: complete" if not problems else f"{len(problems)} to translate or check")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
