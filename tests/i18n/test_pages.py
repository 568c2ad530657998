"""Every main page in English has no Chinese left but data (names of people and organizations),
in Traditional Chinese shows the traditional forms and none of the simplified interface words, and
the switcher (简体 / 繁體 / English) changes the language."""

from __future__ import annotations

import re

import pytest

from fazhan.accounts.models import User
from fazhan.notices.models import Notice
from fazhan.orgs.models import Member, Organization
from fazhan.people.models import Person

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
# Interface words written differently in Simplified and Traditional Chinese (工作台 and 下一步 are
# written alike): none may be left on a zh-hant page.
UI_WORDS = ("发展对象档案", "发现的问题", "记录", "登录", "首页", "批量记录", "导入导出", "账号")
# The switcher names each language in that language.
SWITCHER = ("简体", "繁體")
# Chinese the English pages keep on purpose: the legal names of documents (in parentheses after
# the English) and the column names a roster file must use.
KEPT_IN_ENGLISH = (
    "中国共产党发展党员工作细则",
    "入党志愿书",
    "党支部",
    "支部",
    "姓名",
    "用户名",
    "手机",
)


# Input the holiday form reads in Chinese, quoted as examples (lines as in the State Council's
# notice, and the form of its document number).
EXAMPLES = {
    "holiday-year": ("春节调休上班", "国办发明电〔2026〕X号", "元旦", "春节", "至", "上班", "补班")
}


def form_inputs(body: str) -> str:
    """Text areas hold what the user types (the holiday lines are read in Chinese): data."""
    return re.sub(r"<textarea\b.*?</textarea>", " ", body, flags=re.S)


def pages(world):
    late, notice = world["late"], world["notice"]
    return {
        "login": (None, "/accounts/login/", "Sign in"),
        "home-zhibu": ("zhibu", "/", "Workbench"),
        "home-qu": ("qu", "/", "People at each stage"),
        "home-admin": ("admin", "/", "System administration"),
        "candidate-list": ("zhibu", "/candidates/", "Candidate files"),
        "candidate": ("zhibu", f"/candidates/{late.pk}/", "Findings"),
        "record-step": ("zhibu", f"/candidates/{late.pk}/record/S03/", "Recommendation"),
        "batch": ("qu", "/candidates/batch/", "Record one step for several people"),
        "holidays": ("qu", "/holidays/", "Public holidays"),
        "accounts": ("admin", "/accounts/manage/", "Account management"),
        "accounts-branches": ("qu", "/accounts/manage/branches/", "Branch accounts"),
        "imports": ("zhibu", "/imports/", "Import / export"),
        "notices": ("zhibu", "/notices/", "Public notices"),
        "notice": ("zhibu", f"/notices/{notice.pk}/", "People on the notice"),
        "reviews": ("dangwei", "/reviews/", "Pre-review and approval"),
        "public-list": (None, "/gongshi/", "Open notices"),
        "public-notice": (None, f"/gongshi/{notice.token}/", "Proposed as development target"),
        "public-receipt": (None, "/gongshi/receipt/", "Follow up"),
        "holiday-year": ("qu", "/holidays/2026/", "Public holidays of 2026"),
        "notice-create": ("zhibu", "/notices/new/", "New public notice"),
        "feedback-list": ("zhibu", "/notices/feedback/", "Feedback"),
        "review-candidate": ("dangwei", f"/reviews/candidates/{late.pk}/", "Approval"),
        "account": ("admin", f"/accounts/manage/{world['cast'].zhibu.pk}/", "Account record"),
        "roster": ("qu", "/accounts/manage/roster/", "Create branch accounts in bulk"),
        "password": ("zhibu", "/accounts/manage/password/", "Change password"),
        "security": ("baomi", "/accounts/manage/security/", "Roles waiting to be granted"),
        "access-log": ("shenji", "/accounts/manage/access-log/", "Failed sign-ins"),
        "correct": ("zhibu", f"/candidates/{late.pk}/correct/", "Choose the record to correct"),
        "past-step": ("zhibu", f"/candidates/{late.pk}/past/S03/", "Enter past"),
        "transfer": ("zhibu", f"/candidates/{late.pk}/transfer/", "Receiving Party branch"),
    }


def data_strings() -> list[str]:
    """The Chinese that is data, not interface: the longest first, so parts are not left over."""
    found: set[str] = set(SWITCHER) | set(KEPT_IN_ENGLISH)
    for name, short in Organization.objects.values_list("name", "short_name"):
        found |= {name, short}
    for name, unit, ethnicity in Person.objects.values_list("name", "unit", "ethnicity"):
        found |= {name, unit, ethnicity}
    found |= set(User.objects.values_list("display_name", flat=True))
    found |= set(Member.objects.values_list("name", flat=True))
    found |= set(Notice.objects.values_list("contact", flat=True))
    return sorted((s for s in found if s), key=len, reverse=True)


def get(client, world, name, language):
    username, url, _word = pages(world)[name]
    if username:
        client.force_login(getattr(world["cast"], username))
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, (name, response.status_code)
    return response.content.decode()


def visible_text(body: str) -> str:
    """What a reader sees: no tags, scripts or styles; attribute values (titles, placeholders,
    aria labels) are kept, since they are read too."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    attributes = " ".join(re.findall(r'(?:title|placeholder|aria-label|value)="([^"]*)"', body))
    return re.sub(r"<[^>]+>", " ", body) + " " + attributes


NAMES = [
    "login",
    "home-zhibu",
    "home-qu",
    "home-admin",
    "candidate-list",
    "candidate",
    "record-step",
    "batch",
    "holidays",
    "accounts",
    "accounts-branches",
    "imports",
    "notices",
    "notice",
    "reviews",
    "public-list",
    "public-notice",
    "public-receipt",
    "holiday-year",
    "notice-create",
    "feedback-list",
    "review-candidate",
    "account",
    "roster",
    "password",
    "security",
    "access-log",
    "correct",
    "past-step",
    "transfer",
]


@pytest.mark.parametrize("name", NAMES)
def test_it_leaves_no_chinese_but_data_on_the_english_page(client, world, name):
    text = visible_text(form_inputs(get(client, world, name, "en")))
    for data in data_strings() + list(EXAMPLES.get(name, ())):
        text = text.replace(data, " ")
    assert CJK.findall(text) == [], name
    assert pages(world)[name][2] in text


@pytest.mark.parametrize("name", NAMES)
def test_it_shows_traditional_chinese_on_the_zh_hant_page(client, world, name):
    text = visible_text(form_inputs(get(client, world, name, "zh-hant")))
    for data in data_strings():
        text = text.replace(data, " ")
    for word in UI_WORDS:
        assert word not in text, (name, word)
    if name.startswith("public"):
        assert "黨員發展公示" in text
    elif name == "login":
        assert "登錄" in text
    else:
        # The header menu is each role's own (fazhan.web.menu): the administrators have no
        # 發展對象檔案 but every role has 節假日.
        assert "發展對象檔案" in text or "系統管理" in text or "節假日" in text


def test_it_translates_the_policy_data_on_the_candidate_page(client, world):
    english = get(client, world, "candidate", "en")
    assert "The talk with the applicant came more than a month after the application" in english
    assert "Rules, Art. 7" in english
    assert "S02 " not in english or "Talk with the applicant" in english
    assert "Phase 1: Application for membership" in english
    traditional = get(client, world, "candidate", "zh-hant")
    assert "黨組織應於收到入黨申請書後一個月內" in traditional
    assert "細則第七條" in traditional
    assert "發現的問題" in traditional
    simplified = get(client, world, "candidate", "zh-hans")
    assert "党组织应于收到入党申请书后一个月内" in simplified
    assert "发现的问题" in simplified


@pytest.mark.parametrize(
    ("language", "word", "absent"),
    [
        ("en", "Workbench", "工作台"),
        ("zh-hant", "發展對象檔案", "发展对象档案"),
        ("zh-hans", "工作台", "Workbench"),
    ],
)
def test_it_switches_the_language_with_the_switcher(client, world, language, word, absent):
    client.force_login(world["cast"].zhibu)
    response = client.post("/i18n/setlang/", {"language": language, "next": "/candidates/"})
    assert response.status_code == 302
    assert response["Location"] == "/candidates/"
    body = client.get("/").content.decode()
    assert word in body and absent not in body


@pytest.mark.parametrize("url", ["/accounts/login/", "/gongshi/"])
def test_it_offers_the_switcher_before_signing_in(client, world, url):
    body = client.get(url).content.decode()
    assert 'action="/i18n/setlang/"' in body
    for label in ("简体", "繁體", "English"):
        assert f">{label}</button>" in body
    assert f'name="next" value="{url}"' in body


def test_it_offers_the_switcher_in_the_back_office_header(client, world):
    client.force_login(world["cast"].zhibu)
    body = client.get("/candidates/?stage=applicant").content.decode()
    assert 'action="/i18n/setlang/"' in body
    assert 'name="next" value="/candidates/?stage=applicant"' in body


def test_it_stays_simplified_chinese_by_default(client, world):
    client.force_login(world["cast"].zhibu)
    body = client.get("/").content.decode()
    assert "工作台" in body and 'lang="zh-hans"' in body
