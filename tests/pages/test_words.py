"""The visible text of every page of the demo (tests/pages/crawl.py), in 简体, 繁體 and English:
no internal words (the keys of the plan file and of contracts.md §4, file paths, the policy
document's nickname, the plan checker's name, Python's None and a traceback), and no Simplified
Chinese left on a 繁體 page but data (names of people and organizations, what users typed).

The 繁體 test fails on interface strings the catalogues do not translate yet; the words test must
pass in every language (docs/phone.md)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from fazhan.accounts.models import User
from fazhan.core.i18n_data import traditional
from fazhan.demo.builder import build_demo
from fazhan.orgs.models import Organization
from fazhan.plans.actions import do_load_plan
from tests.i18n.test_pages import data_strings, form_inputs, visible_text
from tests.pages.crawl import Page, crawl

pytestmark = pytest.mark.django_db

LANGUAGES = ("zh-hans", "zh-hant", "en")
# Input read in Chinese, quoted as an example (the form of a State Council notice's number).
EXAMPLES = ("国办发明电〔2026〕X号",)
# contracts.md §4: the twelve count keys.
COUNT_KEYS = (
    "developed",
    "le35",
    "le25",
    "hs_plus",
    "college_plus",
    "female",
    "female_frontline",
    "worker",
    "farmer",
    "mgmt_tech_rich",
    "student",
    "activists",
)
# Keys that are also ordinary English words ("female members", "None.", the kind of target 力争
# is an "aspiration"): internal only where no English is expected, on the Chinese pages; the key
# `D1.aspiration` is caught in every language by ".aspiration".
ENGLISH_WORDS = {
    "developed",
    "female",
    "worker",
    "farmer",
    "student",
    "activists",
    "None",
    "aspiration",
}
INTERNAL = ("seed", "aspiration", "lint", "docs/", "shared/", ".md", *COUNT_KEYS, "None")
ALWAYS = ("null", "Traceback", ".aspiration", "{'", '{"', "[{")


def internal_words(text: str, language: str) -> list[str]:
    found = []
    for word in INTERNAL:
        if language == "en" and word in ENGLISH_WORDS:
            continue
        pattern = (r"(?<![A-Za-z])" if word[0].isalpha() else "") + re.escape(word)
        pattern += r"(?![A-Za-z_])" if word[-1].isalnum() else ""
        if re.search(pattern, text, flags=re.IGNORECASE if word == "seed" else 0):
            found.append(word)
    for word in ALWAYS:
        if word in text:
            found.append(word)
    return found


def context_around(text: str, word: str) -> str:
    at = text.find(word) if word in text else text.lower().find(word.lower())
    return " ".join(text[max(0, at - 40) : at + 40].split())


@pytest.fixture
def pages(db) -> list[Page]:
    build_demo(scale=0.05)
    qu = User.objects.get(username="qu")
    do_load_plan(qu, name="seed", year=2026, org=Organization.objects.get(parent=None))
    return crawl(Client())


def texts(pages: list[Page], language: str):
    client = Client()
    for page in pages:
        client.logout()
        if page.username is not None:
            client.force_login(User.objects.get(username=page.username))
        response = client.get(page.path, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, (page, response.status_code)
        yield page, visible_text(codes_out(form_inputs(response.content.decode())))


def codes_out(body: str) -> str:
    """The values of choices and hidden fields are codes the reader never sees (the option's
    words are its text): left out, unlike the values of text fields and buttons."""
    body = re.sub(r'(<option\b[^>]*?)\svalue="[^"]*"', r"\1", body)
    return re.sub(r'<input\b[^>]*type="(?:hidden|checkbox|radio)"[^>]*>', " ", body)


def test_it_shows_no_internal_word_on_any_page_in_any_language(pages):
    assert len(pages) > 100
    leaks = []
    for language in LANGUAGES:
        for page, text in texts(pages, language):
            for word in internal_words(text, language):
                leaks.append((language, page.username, page.path, word, context_around(text, word)))
    assert leaks == [], "\n".join(map(str, leaks))


def simplified_left(text: str) -> str:
    """The characters OpenCC's phrase-aware s2t would change in this text: Simplified forms (批准
    stays 批准, although 准 alone becomes 準)."""
    converted = traditional(text)
    if len(converted) != len(text):
        return "".join(sorted({c for c in text if traditional(c) != c}))
    return "".join(sorted({a for a, b in zip(text, converted, strict=True) if a != b}))


def test_it_leaves_no_simplified_chinese_but_data_on_a_traditional_page(pages):
    data = [*data_strings(), *EXAMPLES]
    left = {}
    for page, body in texts(pages, "zh-hant"):
        text = body
        for item in data:
            text = text.replace(item, " ")
        if found := simplified_left(text):
            left[(page.username, page.path)] = found
    assert left == {}, left


def test_it_finds_the_internal_words_it_looks_for():
    assert internal_words("详见 docs/plan.md（D1.aspiration）", "zh-hans") == [
        "aspiration",
        "docs/",
        ".md",
        ".aspiration",
    ]
    assert internal_words("Seed 预审制；le35：3；hs_plus", "zh-hans") == ["seed", "le35", "hs_plus"]
    assert internal_words("Female members: None. An “aspiration” is reported", "en") == []
    assert internal_words("D1.aspiration", "en") == [".aspiration"]
    assert internal_words("女性 female：None", "zh-hant") == ["female", "None"]
    assert internal_words("{'kind': null}", "en") == ["null", "{'"]
    assert internal_words("developers, workers and seedlings", "zh-hans") == []


def test_it_tells_simplified_from_traditional_by_phrase():
    assert simplified_left("批准轉正即為正式黨員") == ""
    assert simplified_left("批准转正") == "转"
    assert simplified_left("菜单") == "单"
