"""The auditor's log: every chain event and sign-in, filtered by account, organization (subtree),
kind and date, read in words, exported to CSV and Excel without live formulas; nobody else's."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
import time_machine
from axes.models import AccessFailureLog, AccessLog
from django.db import transaction
from openpyxl import load_workbook

from fazhan.accounts.actions import do_reset_password
from fazhan.audit.chain import append_event
from fazhan.auditlog.describe import Names, details, kind_label

pytestmark = pytest.mark.django_db

DAY1 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
DAY2 = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)


def _signin(username: str, *, failed: bool = False) -> None:
    model = AccessFailureLog if failed else AccessLog
    model.objects.create(
        username=username, user_agent="t", ip_address="127.0.0.1", http_accept="", path_info="/"
    )


def _texts(client, query: str = "") -> str:
    response = client.get("/audit/log/" + query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def history(cast):
    """A password reset of zhibu (branch_a) on day 1, of zhibu2 (branch_b) on day 2, sign-ins."""
    with time_machine.travel(DAY1, tick=False):
        do_reset_password(cast.admin, cast.zhibu)
        _signin("zhibu")
        _signin("zhibu", failed=True)
    with time_machine.travel(DAY2, tick=False):
        do_reset_password(cast.admin, cast.zhibu2)
        _signin("zhibu2")
    return cast


def test_it_shows_the_password_resets_by_the_administrator_in_words(client, history):
    client.force_login(history.shenji)
    page = _texts(client, "?kind=account.password_reset")
    assert page.count('class="audit-row"') == 2
    assert "管理员重置密码" in page
    assert str(history.admin.display_name or history.admin.username) in page
    assert history.zhibu.username in page and history.zhibu2.username in page
    visible = re.sub(r"<[^>]+>", " ", page.split("<main>")[1])
    for raw in ("account.", "password_reset", "user_id", "role_id", "{", "None", "null"):
        assert raw not in visible, raw


def test_it_includes_sign_ins_and_failed_sign_ins_filterable(client, history):
    client.force_login(history.shenji)
    assert _texts(client, "?kind=signin&who=zhibu").count('class="audit-row"') == 2
    failed = _texts(client, "?kind=signin.failed")
    assert failed.count('class="audit-row"') == 1 and "登录失败" in failed


def test_it_filters_by_account(client, history):
    client.force_login(history.shenji)
    page = _texts(client, f"?who={history.zhibu2.username}")
    # zhibu2's reset and sign-in; "zhibu" alone would match both accounts.
    assert page.count('class="audit-row"') == 2
    assert '<span class="audit-kind">登录失败' not in page


def test_it_filters_by_organization_subtree(client, history):
    client.force_login(history.shenji)
    page = _texts(client, f"?org={history.sub_b.pk}&kind=account.password_reset")
    assert page.count('class="audit-row"') == 1
    assert history.zhibu2.username in page and f"（{history.zhibu.username}）" not in page


def test_it_filters_by_date_range(client, history):
    client.force_login(history.shenji)
    first_week = _texts(client, "?from=2026-03-01&to=2026-03-05")
    assert first_week.count('class="audit-row"') == 3
    second = _texts(client, "?from=2026-03-09&to=2026-03-09")
    assert second.count('class="audit-row"') == 2


def test_it_pages_fifty_rows_at_a_time(client, cast):
    with transaction.atomic():
        for index in range(60):
            append_event(kind="S01", candidate_id=None, happened_on=None, payload={"n": index})
    client.force_login(cast.shenji)
    first = _texts(client, "?kind=S01")
    assert first.count('class="audit-row"') == 50
    second = _texts(client, "?kind=S01&page=2")
    assert second.count('class="audit-row"') == 10


@pytest.mark.parametrize("username", ["qu", "dangwei", "zhibu", "admin", "baomi", "outsider"])
def test_it_gives_everyone_but_the_auditor_a_404(client, cast, username):
    client.force_login(cast.users[username])
    for url in ("/audit/log/", "/audit/log/export.csv", "/audit/log/export.xlsx"):
        assert client.get(url).status_code == 404, url


def _formula_event() -> None:
    with transaction.atomic():
        append_event(
            kind="withdraw",
            candidate_id=None,
            happened_on=None,
            payload={"reason": "=HYPERLINK(1)"},
        )


def test_it_exports_the_filtered_log_as_csv_without_live_formulas(client, history):
    _formula_event()
    client.force_login(history.shenji)
    response = client.get("/audit/log/export.csv?kind=withdraw")
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "记录时间"
    assert len(rows) == 2
    assert rows[1][2] == "撤回申请"
    assert rows[1][5] == "理由：=HYPERLINK(1)"
    resets = client.get("/audit/log/export.csv?kind=account.password_reset")
    assert len(list(csv.reader(io.StringIO(resets.content.decode("utf-8-sig"))))) == 3


def test_it_neutralises_a_formula_at_the_start_of_a_csv_cell(client, cast):
    with transaction.atomic():
        append_event(kind="x-test", candidate_id=None, happened_on=None, payload={})
    from fazhan.auditlog.views import _csv_cell

    assert _csv_cell("=1+1") == "'=1+1"
    assert _csv_cell("-2") == "'-2"
    assert _csv_cell("正常") == "正常"


def test_it_exports_the_filtered_log_as_excel_with_text_cells(client, history):
    with transaction.atomic():
        append_event(kind="withdraw", candidate_id=None, happened_on=None, payload={"n": 1})
    client.force_login(history.shenji)
    response = client.get("/audit/log/export.xlsx?kind=account.password_reset")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3
    assert {row[2] for row in rows[1:]} == {"管理员重置密码"}


def test_it_names_every_kind_and_never_shows_a_raw_key():
    assert kind_label("account.password_reset") == "管理员重置密码"
    assert kind_label("S07").startswith("S07 ")
    assert kind_label("meeting.tally") == "支部大会：计票结果"
    assert kind_label("unheard.of") == "其他事件"
    assert kind_label("x-import") == "其他事件"


def test_it_reads_a_payload_in_words():
    names = Names(accounts={7: "张三（zhangsan）"}, orgs={3: "第一支部"})
    found = dict(
        details(
            {
                "user_id": 7,
                "org_id": 3,
                "role_id": 12,
                "result": "approved",
                "vote": {"for": 10, "against": 0, "secret": True},
                "ended_role_ids": [1, 2],
            },
            names,
        )
    )
    assert found == {
        "账号": "张三（zhangsan）",
        "组织": "第一支部",
        "结果": "批准",
        "表决": "赞成 10，反对 0，无记名投票 是",
        "结束的角色": "共 2 项",
    }


def test_it_labels_every_code_the_forms_put_in_a_payload():
    from fazhan.auditlog.describe import VALUE_LABELS
    from fazhan.policy.model import FEEDBACK_OUTCOMES
    from fazhan.web.forms import NOMINATIONS, RESULTS

    codes = {code for code, _label in NOMINATIONS} | set(FEEDBACK_OUTCOMES)
    codes |= {code for choices in RESULTS.values() for code, _label in choices}
    assert codes <= set(VALUE_LABELS)


def test_it_merges_a_page_in_the_same_order_as_the_whole_union(history, monkeypatch):
    from fazhan.auditlog import log

    with transaction.atomic():
        for index in range(7):
            append_event(kind="S01", candidate_id=None, happened_on=None, payload={"n": index})
    _signin("zhibu")
    everything = log.entries(log.LogFilter())
    whole = list(everything.ordered()[0:100])
    assert len(whole) == everything.count() == len(everything)
    assert everything[0:100] == whole
    assert everything[3:8] == whole[3:8]
    monkeypatch.setattr(log, "MERGE_ROWS", 2)
    assert everything[3:8] == whole[3:8]
