"""No template writes Chinese punctuation between its translated words: a colon, a semicolon or a
list separator outside `{% translate %}` shows as "计票人：" or "2026Q1、2026Q2" on an English
page. They go through the contexts "colon", "semicolon" and "list", which each language fills."""

from __future__ import annotations

import re
from pathlib import Path

from django.test import override_settings
from django.utils import translation

import fazhan

TEMPLATES = Path(fazhan.__file__).parent
TAG = re.compile(r"({%.*?%}|{{.*?}}|{#.*?#})", re.S)
PUNCTUATION = re.compile("[：；、]")
OPENS = {"blocktranslate", "blocktrans", "comment"}
CLOSES = {"endblocktranslate", "endblocktrans", "endcomment"}
# The ballot card members hold in the hall is a Chinese paper form (lang zh-hans), never translated.
CHINESE_ONLY = {"meetings/templates/meetings/cards_pdf.html"}


def bare_punctuation(source: str) -> list[str]:
    """The template text (outside tags and translated blocks) holding Chinese punctuation."""
    found = []
    depth = 0
    for index, part in enumerate(TAG.split(source)):
        if index % 2:
            words = part[2:-2].split()
            word = words[0] if words else ""
            depth += (word in OPENS) - (word in CLOSES)
        elif depth == 0 and PUNCTUATION.search(part):
            found.append(part.strip()[:40])
    return found


def test_it_finds_bare_punctuation_and_passes_translated_punctuation() -> None:
    assert bare_punctuation('{% translate "计票人" %}：{{ a }}') == ["："]
    assert bare_punctuation('{% translate "计票人" %}{% translate "：" context "colon" %}') == []
    assert (
        bare_punctuation("{% blocktranslate %}上级党组织：{{ org }}{% endblocktranslate %}") == []
    )


def test_no_template_writes_bare_chinese_punctuation() -> None:
    found = {
        str(path.relative_to(TEMPLATES)): bare
        for path in sorted(TEMPLATES.rglob("*.html"))
        if str(path.relative_to(TEMPLATES)) not in CHINESE_ONLY
        and (bare := bare_punctuation(path.read_text("utf-8")))
    }
    assert found == {}


@override_settings(LANGUAGE_CODE="en")
def test_the_punctuation_contexts_read_as_english() -> None:
    with translation.override("en"):
        assert translation.pgettext("colon", "：") == ": "
        assert translation.pgettext("semicolon", "；") == "; "
        assert translation.pgettext("list", "、") == ", "
    with translation.override("zh-hant"):
        assert translation.pgettext("semicolon", "；") == "；"
