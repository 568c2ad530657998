"""The mobile picture's counts (Issue 16 item 4): one function for a subtree at a date, shown in a
report campaign's draft figures and on the committee's and district's home page."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from fazhan.mobility import picture
from fazhan.mobility.actions import do_open_cooperation, do_register_outside_org
from fazhan.mobility.crossing import do_receive_file, do_transfer_out_of_district
from fazhan.orgs.models import Organization
from fazhan.policy import mobility as rules
from fazhan.reports.actions import do_open_campaign, do_save_draft, figures_of
from tests.reports.helpers import approved_on, import_file, on

pytestmark = pytest.mark.django_db

DAY = date(2026, 6, 22)


def seed(cast) -> None:
    """One agreement (cand_a2 in sub_a, with nobody in touch since 1 March: overdue on 20 June),
    one file sent out of the district by branch_b (sub_b) and received by branch_a (sub_a)."""
    leaving = import_file(cast.qu, cast.branch_b, approved_on(date(2026, 1, 10)), name="转出人员")
    with on(DAY):
        do_open_cooperation(
            cast.dangwei,
            cast.candidates["cand_a2"],
            kind=rules.JOINT,
            cooperating=cast.branch_b2,
            started_on=date(2026, 3, 1),
        )
        outside = do_register_outside_org(
            cast.zhibu2,
            registered_for=cast.branch_b,
            name="浙江省义乌市某流动党员党委",
            kind="mobile",
            contact="陈书记 0579-0000000",
        )
        departure = do_transfer_out_of_district(
            cast.zhibu2, leaving, outside=outside, happened_on=date(2026, 5, 1)
        )
        do_receive_file(
            cast.zhibu,
            org=cast.branch_a,
            document=departure.document,
            letter_code=departure.letter_code,
            arrived_on=date(2026, 5, 10),
            origin="外区",
        )


def subtree(org) -> list[int]:
    return sorted(Organization.objects.subtree_ids([org.pk]))


def test_it_counts_a_subtree_at_a_date(cast):
    seed(cast)
    joint = dict.fromkeys(rules.AGREEMENT_TYPES, 0) | {rules.JOINT: 1}
    sub_a = picture.figures(subtree(cast.sub_a), date(2026, 6, 20), date(2026, 1, 1))
    assert sub_a == {
        "away": 1,
        "away_by_kind": joint,
        "came_in": 1,
        "sent_out": 0,
        "overdue_contacts": 1,
    }
    sub_b = picture.figures(subtree(cast.sub_b), date(2026, 6, 20), date(2026, 1, 1))
    assert (sub_b["away"], sub_b["came_in"], sub_b["sent_out"]) == (0, 0, 1)
    # The day before the agreement: nobody away; the contact is due on 1 June, overdue on 2 June.
    assert picture.figures(subtree(cast.sub_a), date(2026, 2, 28))["away"] == 0
    assert picture.figures(subtree(cast.sub_a), date(2026, 6, 1))["overdue_contacts"] == 0
    assert picture.figures(subtree(cast.sub_a), date(2026, 6, 2))["overdue_contacts"] == 1
    # Received before the period: not counted in it.
    assert (
        picture.figures(subtree(cast.sub_a), date(2026, 6, 20), date(2026, 5, 11))["came_in"] == 0
    )
    assert picture.figures(None, date(2026, 6, 20))["sent_out"] == 1


def test_it_puts_the_counts_in_the_campaign_draft_figures_and_on_its_page(client, cast):
    seed(cast)
    with on(date(2026, 6, 1)):
        campaign = do_open_campaign(cast.qu, org=cast.district, kind="half_year", year=2026)
    sub = campaign.submissions.get(sender=cast.sub_a)
    with on(DAY):
        sub = do_save_draft(cast.dangwei, sub, summary_done="按计划开展")
    mobile = sub.figures["mobility"]
    assert (mobile["away"], mobile["away_by_kind"][rules.JOINT]) == (1, 1)
    assert (mobile["came_in"], mobile["sent_out"], mobile["overdue_contacts"]) == (1, 0, 1)
    other = figures_of(campaign.submissions.get(sender=cast.sub_b))["mobility"]
    assert (other["away"], other["sent_out"]) == (0, 1)
    client.force_login(cast.dangwei)
    with on(DAY):
        page = client.get(f"/reports/submissions/{sub.pk}/").content.decode()
    assert numbers(page, "report-mobility") == [1, 1, 0, 0, 0, 1, 0, 1]


def numbers(page: str, anchor: str) -> list[int]:
    """The cards' figures after `anchor`: away, the four agreement kinds, in, out, overdue."""
    part = page[page.index(f'id="{anchor}"') :]
    part = part[: part.index("</div>\n</div>") + 6]
    return [int(n) for n in re.findall(r'<div class="n">(\d+)</div>', part)]


@pytest.mark.parametrize(
    ("username", "expected"),
    [("qu", [1, 1, 0, 0, 0, 1, 1, 1]), ("dangwei", [1, 1, 0, 0, 0, 1, 0, 1])],
)
def test_it_shows_the_counts_on_the_home_page_linking_to_the_picture(
    client, cast, username, expected
):
    seed(cast)
    client.force_login(cast.users[username])
    with on(DAY):
        page = client.get("/").content.decode()
    assert numbers(page, "mobility-home") == expected
    assert 'href="/mobility/"' in page[page.index('id="mobility-home"') :]


def test_it_leaves_the_block_off_a_branch_secretarys_home(client, cast):
    seed(cast)
    client.force_login(cast.zhibu)
    with on(DAY):
        page = client.get("/").content.decode()
    assert 'id="mobility-home"' not in page


def test_it_adds_the_counts_to_the_consolidated_workbook(client, cast):
    seed(cast)
    with on(date(2026, 6, 1)):
        campaign = do_open_campaign(cast.qu, org=cast.district, kind="half_year", year=2026)
    client.force_login(cast.qu)
    with on(DAY):
        response = client.get(f"/reports/campaigns/{campaign.pk}/report.xlsx")
    book = load_workbook(BytesIO(response.content))
    rows = {r[0]: list(r[1:]) for r in book["流动人员"].iter_rows(min_row=5, values_only=True)}
    # Not sent yet: the record's figures as at the cut-off (away, four kinds, in, out, overdue).
    assert rows["城关街道党工委"] == [1, 1, 0, 0, 0, 1, 0, 1]
    assert rows["乌江镇党委"] == [0, 0, 0, 0, 0, 0, 1, 0]
    assert rows["全区合计"] == [1, 1, 0, 0, 0, 1, 1, 1]
