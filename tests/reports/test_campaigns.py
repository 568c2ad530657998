"""Report campaigns (Issue 13 item 2): the state machine at its boundaries, frozen figures, who may
do what (404 outside), the reminder in the home queue, the consolidated Excel and PDF."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from fazhan.audit.chain import verify_chain
from fazhan.audit.models import Event
from fazhan.core.errors import ActionRefused, NotVisible
from fazhan.people.counts import report_counts
from fazhan.plans.actions import do_load_plan, do_split
from fazhan.reports.actions import (
    do_accept_report,
    do_edit_campaign,
    do_open_campaign,
    do_remind,
    do_return_report,
    do_save_draft,
    do_submit_report,
    submission_for,
)
from fazhan.reports.models import ReportCampaign, ReportSubmission, SubmissionState
from fazhan.web.queues import queue_for
from tests.reports.helpers import approved_on, import_file, on

pytestmark = pytest.mark.django_db


def half_year(cast, **kwargs) -> ReportCampaign:
    with on(date(2026, 6, 1)):
        return do_open_campaign(cast.qu, org=cast.district, kind="half_year", year=2026, **kwargs)


def mine(campaign: ReportCampaign, org) -> ReportSubmission:
    return campaign.submissions.get(sender=org)


def draft(cast, sub: ReportSubmission, day: date = date(2026, 6, 22), **kwargs) -> ReportSubmission:
    with on(day):
        return do_save_draft(cast.dangwei, sub, summary_done="按计划开展", **kwargs)


def test_it_opens_a_half_year_campaign_with_the_seed_dates_for_every_child_of_the_district(cast):
    campaign = half_year(cast)
    assert (campaign.period_start, campaign.cutoff, campaign.due) == (
        date(2026, 1, 1),
        date(2026, 6, 20),
        date(2026, 6, 30),
    )
    assert set(campaign.submissions.values_list("sender", flat=True)) == {
        cast.sub_a.pk,
        cast.sub_b.pk,
    }
    assert set(campaign.submissions.values_list("state", flat=True)) == {"not_started"}
    assert Event.objects.filter(kind="report.open").count() == 1


def test_it_opens_a_year_end_campaign_due_on_31_december_and_only_once(cast):
    with on(date(2026, 12, 1)):
        campaign = do_open_campaign(
            cast.qu, org=cast.district, kind="year_end", year=2026, senders=[cast.sub_b]
        )
        assert (campaign.cutoff, campaign.due) == (date(2026, 12, 20), date(2026, 12, 31))
        assert [s.sender for s in campaign.submissions.all()] == [cast.sub_b]
        with pytest.raises(ActionRefused, match="已经发起"):
            do_open_campaign(cast.qu, org=cast.district, kind="year_end", year=2026)


@pytest.mark.parametrize("username", ["dangwei", "zhibu", "shenji", "admin"])
def test_it_lets_only_district_staff_open_a_campaign(cast, username):
    with pytest.raises((ActionRefused, NotVisible)):
        do_open_campaign(cast.users[username], org=cast.district, kind="half_year", year=2026)
    assert not ReportCampaign.objects.exists()


def test_it_refuses_dates_out_of_order(cast):
    with pytest.raises(ActionRefused, match="统计截止日 ≤ 上报期限"):
        half_year(cast, cutoff=date(2026, 7, 5), due=date(2026, 6, 30))


def test_it_edits_the_dates_until_the_first_submission_and_not_after(cast):
    campaign = half_year(cast)
    do_edit_campaign(
        cast.qu,
        campaign,
        period_start=date(2026, 1, 1),
        cutoff=date(2026, 6, 25),
        due=date(2026, 7, 3),
    )
    campaign.refresh_from_db()
    assert campaign.cutoff == date(2026, 6, 25)
    sub = draft(cast, mine(campaign, cast.sub_a))
    with on(date(2026, 6, 26)):
        do_submit_report(cast.dangwei, sub)
    with pytest.raises(ActionRefused, match="已有单位上报"):
        do_edit_campaign(
            cast.qu,
            campaign,
            period_start=date(2026, 1, 1),
            cutoff=date(2026, 6, 20),
            due=date(2026, 6, 30),
        )


def test_it_fills_the_draft_from_the_record_as_at_the_cutoff(cast):
    import_file(cast.qu, cast.branch_a, approved_on(date(2026, 6, 20)))
    import_file(cast.qu, cast.branch_a, approved_on(date(2026, 6, 21)))  # after the cut-off
    plan = do_load_plan(cast.qu, year=2026)
    do_split(cast.qu, plan, shares={cast.sub_a.pk: 200, cast.sub_b.pk: 150})
    campaign = half_year(cast)
    sub = draft(cast, mine(campaign, cast.sub_a))
    expected = report_counts(cast.sub_a, start=date(2026, 1, 1), as_of=date(2026, 6, 20))
    assert sub.figures["counts"] == expected.root.counts.as_dict()
    assert sub.figures["counts"]["developed"] == 1
    assert sub.figures["stages"] == expected.root.stages
    assert sub.figures["share"] == 200
    pool = sub.figures["pool"]
    assert pool["required"] == 600 and pool["met"] is False
    assert sub.state == SubmissionState.DRAFT


def test_it_refuses_a_different_number_without_an_explanation(cast):
    campaign = half_year(cast)
    sub = mine(campaign, cast.sub_a)
    with pytest.raises(
        ActionRefused, match="“发展总数”上报 3 名，与系统统计数 0 名不同，须说明理由"
    ):
        draft(cast, sub, reported={"developed": (3, "")})
    sub = draft(cast, sub, reported={"developed": (3, "两名在外地审批，尚未转入")})
    assert sub.differences() == [
        {"key": "developed", "record": 0, "value": 3, "explanation": "两名在外地审批，尚未转入"}
    ]
    # A number equal to the record is not a difference and needs nothing.
    sub = draft(cast, sub, reported={"developed": (0, "")})
    assert sub.differences() == []


def test_it_marks_a_report_submitted_on_the_due_date_on_time_and_the_day_after_late(cast):
    campaign = half_year(cast)
    a = draft(cast, mine(campaign, cast.sub_a))
    with on(date(2026, 6, 30)):
        a = do_submit_report(cast.dangwei, a)
    assert a.state == SubmissionState.SUBMITTED and not a.is_late
    b = campaign.submissions.get(sender=cast.sub_b)
    with on(date(2026, 7, 1)):
        assert b.is_late  # not sent and the due date passed
    with on(date(2026, 6, 30)):
        assert not b.is_late


def test_it_records_a_late_submission_as_late(cast):
    campaign = half_year(cast)
    sub = draft(cast, mine(campaign, cast.sub_a), day=date(2026, 7, 1))
    with on(date(2026, 7, 1)):
        sub = do_submit_report(cast.dangwei, sub)
    assert sub.is_late
    assert Event.objects.get(kind="report.submit").payload["late"] is True


def test_it_freezes_the_figures_with_the_head_code_at_submission(cast):
    import_file(cast.qu, cast.branch_a, approved_on(date(2026, 3, 2)))
    campaign = half_year(cast)
    sub = draft(cast, mine(campaign, cast.sub_a))
    with on(date(2026, 6, 25)):
        sub = do_submit_report(cast.dangwei, sub)
    assert sub.figures["counts"]["developed"] == 1
    code = sub.head_code
    assert len(code) == 14 and code.count("-") == 2
    # A past fact entered later, dated before the cut-off, changes the record but not the report.
    import_file(cast.qu, cast.branch_a, approved_on(date(2026, 4, 1)))
    later = report_counts(cast.sub_a, start=date(2026, 1, 1), as_of=date(2026, 6, 20))
    assert later.root.counts.developed == 2
    sub.refresh_from_db()
    assert sub.figures["counts"]["developed"] == 1 and sub.head_code == code
    assert verify_chain().ok


def test_it_refuses_to_edit_a_submitted_report(cast):
    campaign = half_year(cast)
    sub = draft(cast, mine(campaign, cast.sub_a))
    with on(date(2026, 6, 25)):
        do_submit_report(cast.dangwei, sub)
    with pytest.raises(ActionRefused, match="不能修改"):
        draft(cast, sub)
    with on(date(2026, 6, 25)), pytest.raises(ActionRefused, match="先保存草稿"):
        do_submit_report(cast.dangwei, sub)


def test_it_refuses_to_submit_before_a_draft(cast):
    campaign = half_year(cast)
    with on(date(2026, 6, 25)), pytest.raises(ActionRefused, match="先保存草稿"):
        do_submit_report(cast.dangwei, mine(campaign, cast.sub_a))


def test_it_needs_a_comment_to_return_and_returns_only_a_submitted_report(cast):
    campaign = half_year(cast)
    sub = draft(cast, mine(campaign, cast.sub_a))
    with pytest.raises(ActionRefused, match="只有已上报的报表可以退回"):
        do_return_report(cast.qu, sub, comment="请补充")
    with on(date(2026, 6, 25)):
        do_submit_report(cast.dangwei, sub)
    with pytest.raises(ActionRefused, match="退回须写明意见"):
        do_return_report(cast.qu, sub, comment="  ")
    sub = do_return_report(cast.qu, sub, comment="积极分子数与上月报表不一致，请核实")
    assert sub.state == SubmissionState.RETURNED
    # Returned, the sender edits and sends again; the first submission date stays.
    # Sent on time, it is not late for being sent again after the due date.
    sub = draft(cast, sub, day=date(2026, 7, 2))
    with on(date(2026, 7, 2)):
        sub = do_submit_report(cast.dangwei, sub)
    assert sub.state == SubmissionState.SUBMITTED and not sub.is_late
    assert (sub.first_submitted_on, sub.submitted_on) == (date(2026, 6, 25), date(2026, 7, 2))
    assert Event.objects.filter(kind="report.submit").latest("seq").payload["late"] is False


def test_it_accepts_only_a_submitted_report(cast):
    campaign = half_year(cast)
    sub = mine(campaign, cast.sub_a)
    with pytest.raises(ActionRefused, match="只有已上报的报表可以审核通过"):
        do_accept_report(cast.qu, sub)
    sub = draft(cast, sub)
    with pytest.raises(ActionRefused, match="只有已上报的报表可以审核通过"):
        do_accept_report(cast.qu, sub)
    with on(date(2026, 6, 25)):
        do_submit_report(cast.dangwei, sub)
    sub = do_accept_report(cast.qu, sub)
    assert sub.state == SubmissionState.ACCEPTED
    with pytest.raises(ActionRefused, match="只有已上报的报表可以"):
        do_return_report(cast.qu, sub, comment="再看看")


def test_it_needs_the_summary_on_a_year_end_report(cast):
    with on(date(2026, 12, 1)):
        campaign = do_open_campaign(cast.qu, org=cast.district, kind="year_end", year=2026)
    sub = mine(campaign, cast.sub_a)
    with on(date(2026, 12, 22)):
        sub = do_save_draft(cast.dangwei, sub)
        with pytest.raises(ActionRefused, match="工作总结"):
            do_submit_report(cast.dangwei, sub)


def test_it_lets_only_the_senders_committee_fill_in_and_only_the_district_decide(cast):
    campaign = half_year(cast)
    a, b = mine(campaign, cast.sub_a), mine(campaign, cast.sub_b)
    with pytest.raises(NotVisible):
        draft(cast, b)  # dangwei is sub_a's
    for user in (cast.zhibu, cast.zhibu2, cast.admin, cast.outsider):
        with pytest.raises(NotVisible):
            do_save_draft(user, a)
    with pytest.raises(ActionRefused, match="报送单位"):
        do_save_draft(cast.qu, a)  # the district reads but does not write the sender's report
    a = draft(cast, a)
    with on(date(2026, 6, 25)):
        do_submit_report(cast.dangwei, a)
    with pytest.raises(NotVisible):
        do_accept_report(cast.dangwei, a)
    with pytest.raises(ActionRefused, match="区委组织部"):
        do_accept_report(cast.shenji, a)
    assert submission_for(cast.shenji, a.pk) == a
    with pytest.raises(NotVisible):
        submission_for(cast.dangwei, b.pk)


def test_it_puts_a_reminder_in_the_senders_home_queue_until_it_is_submitted(cast):
    campaign = half_year(cast)
    sub = mine(campaign, cast.sub_a)
    with on(date(2026, 6, 27)):
        assert not [i for i in queue_for(cast.dangwei) if i.kind == "report"]
        do_remind(cast.qu, sub)
        items = [i for i in queue_for(cast.dangwei) if i.kind == "report"]
    assert len(items) == 1 and items[0].deadline == date(2026, 6, 30)
    assert items[0].url == f"/reports/submissions/{sub.pk}/"
    assert not [i for i in queue_for(cast.zhibu) if i.kind == "report"]
    sub = draft(cast, sub, day=date(2026, 6, 28))
    with on(date(2026, 6, 28)):
        do_submit_report(cast.dangwei, sub)
        assert not [i for i in queue_for(cast.dangwei) if i.kind == "report"]
        with pytest.raises(ActionRefused, match="无需催报"):
            do_remind(cast.qu, sub)


# -- pages ----------------------------------------------------------------------------------------

PAGES = {
    # user: (campaign board, sub_a's report, sub_b's report)
    "qu": (200, 200, 200),
    "shenji": (200, 200, 200),
    "dangwei": (404, 200, 404),
    "zhibu": (404, 404, 404),
    "zhibu2": (404, 404, 404),
    "admin": (404, 404, 404),
    "baomi": (404, 404, 404),
    "outsider": (404, 404, 404),
}


@pytest.mark.parametrize("username", sorted(PAGES))
def test_it_scopes_the_board_and_the_reports(client, cast, username):
    campaign = half_year(cast)
    client.force_login(cast.users[username])
    urls = (
        f"/reports/campaigns/{campaign.pk}/",
        f"/reports/submissions/{mine(campaign, cast.sub_a).pk}/",
        f"/reports/submissions/{mine(campaign, cast.sub_b).pk}/",
    )
    assert tuple(client.get(u).status_code for u in urls) == PAGES[username]


def test_it_shows_the_district_a_difference_highlighted(client, cast):
    campaign = half_year(cast)
    sub = draft(cast, mine(campaign, cast.sub_a), reported={"female": (2, "两名女同志材料在区委")})
    with on(date(2026, 6, 25)):
        do_submit_report(cast.dangwei, sub)
    client.force_login(cast.qu)
    board = client.get(f"/reports/campaigns/{campaign.pk}/")
    assert board.context["rows"][0]["differences"] == 1
    page = client.get(f"/reports/submissions/{sub.pk}/").content.decode()
    assert "两名女同志材料在区委" in page and 'class="diff"' in page
    assert "与系统记录不同" in page


def test_it_saves_and_submits_through_the_page(client, cast):
    campaign = half_year(cast)
    sub = mine(campaign, cast.sub_a)
    client.force_login(cast.dangwei)
    form = {"summary_done": "开展培训", "v_developed": "1", "e_developed": "", "action": "submit"}
    with on(date(2026, 6, 25)):
        response = client.post(f"/reports/submissions/{sub.pk}/", form, follow=True)
    assert "须说明理由" in response.content.decode()
    sub.refresh_from_db()
    assert sub.state == SubmissionState.NOT_STARTED  # the refused save changed nothing
    form["e_developed"] = "一名在市直机关审批"
    with on(date(2026, 6, 25)):
        client.post(f"/reports/submissions/{sub.pk}/", form)
    sub.refresh_from_db()
    assert sub.state == SubmissionState.SUBMITTED and sub.reported["developed"]["value"] == 1


def test_it_consolidates_as_excel_and_pdf_with_last_year_beside(client, cast):
    import_file(cast.qu, cast.branch_a, approved_on(date(2025, 5, 5)))
    import_file(cast.qu, cast.branch_b, approved_on(date(2026, 5, 5)))
    campaign = half_year(cast)
    sub = draft(cast, mine(campaign, cast.sub_a), reported={"worker": (1, "=HYPERLINK(1)")})
    with on(date(2026, 6, 25)):
        do_submit_report(cast.dangwei, sub)
    client.force_login(cast.qu)
    response = client.get(f"/reports/campaigns/{campaign.pk}/report.xlsx")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == [
        "发展党员情况",
        "各阶段人数",
        "积极分子队伍",
        "按单位类型",
        "流动人员",
        "上报情况",
        "差异说明",
    ]
    rows = [list(r) for r in book["发展党员情况"].iter_rows(min_row=4, values_only=True)]
    assert rows[0][0] == "单位" and rows[0][2] == "发展总数"
    by_label = {(r[0], r[1]): r for r in rows[1:]}
    assert by_label[("城关街道党工委", "本期")][2] == 0
    assert by_label[("城关街道党工委", "上年同期")][2] == 1
    assert by_label[("乌江镇党委", "本期（未上报，系统记录）")][2] == 1
    assert by_label[("全区合计", "本期")][2] == 1 and by_label[("全区合计", "上年同期")][2] == 1
    diff = next(book["差异说明"].iter_rows(min_row=5, values_only=True))
    assert diff[-1] == "=HYPERLINK(1)"  # text, never a formula
    assert book["差异说明"].cell(5, 5).data_type == "s"
    pdf = client.get(f"/reports/campaigns/{campaign.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_it_adds_the_second_half_table_and_the_plan_request_spot_to_a_year_end_report(client, cast):
    import_file(cast.qu, cast.branch_a, approved_on(date(2026, 6, 30)))
    import_file(cast.qu, cast.branch_a, approved_on(date(2026, 7, 1)))
    with on(date(2026, 12, 1)):
        campaign = do_open_campaign(cast.qu, org=cast.district, kind="year_end", year=2026)
    sub = draft(cast, mine(campaign, cast.sub_a), day=date(2026, 12, 21))
    assert sub.figures["counts"]["developed"] == 2
    assert sub.figures["second_half"]["developed"] == 1
    client.force_login(cast.dangwei)
    page = client.get(f"/reports/submissions/{sub.pk}/").content.decode()
    assert "其中下半年" in page and "明年计划申请" in page
    with on(date(2026, 12, 22)):
        do_submit_report(cast.dangwei, sub)
    client.force_login(cast.qu)
    response = client.get(f"/reports/campaigns/{campaign.pk}/report.xlsx")
    rows = list(
        load_workbook(BytesIO(response.content))["发展党员情况"].iter_rows(values_only=True)
    )
    marks = {(r[0], r[1]): r[2] for r in rows[4:]}
    assert marks[("城关街道党工委", "本期")] == 2
    assert marks[("城关街道党工委", "其中下半年")] == 1
    assert marks[("全区合计", "其中下半年")] == 1


def test_it_does_not_let_a_half_year_report_carry_the_plan_request(client, cast):
    campaign = half_year(cast)
    client.force_login(cast.dangwei)
    page = client.get(f"/reports/submissions/{mine(campaign, cast.sub_a).pk}/").content.decode()
    assert "明年计划申请" not in page and "其中下半年" not in page


@pytest.mark.parametrize(
    ("username", "status"),
    [("qu", 200), ("shenji", 200), ("dangwei", 200), ("zhibu", 404), ("admin", 404)],
)
def test_it_shows_the_reports_page_to_the_district_the_auditor_and_senders_only(
    client, cast, username, status
):
    half_year(cast)
    client.force_login(cast.users[username])
    response = client.get("/reports/")
    assert response.status_code == status
    if username == "dangwei":
        body = response.content.decode()
        assert "本单位的报表" in body and "发起报表任务" not in body


def test_it_opens_a_campaign_from_the_page_for_the_senders_ticked(client, cast):
    client.force_login(cast.qu)
    with on(date(2026, 12, 1)):
        response = client.post(
            "/reports/open/", {"kind": "year_end", "year": "2026", "senders": [cast.sub_b.pk]}
        )
    campaign = ReportCampaign.objects.get()
    assert response["Location"] == f"/reports/campaigns/{campaign.pk}/"
    assert [s.sender_id for s in campaign.submissions.all()] == [cast.sub_b.pk]
    client.force_login(cast.dangwei)
    assert client.post("/reports/open/", {"kind": "half_year", "year": "2026"}).status_code == 404
