"""Each step records what the 细则 and its paper forms record (Issue 14 item 1): the form saves the
content in the event, and the candidate page shows it under the step."""

from __future__ import annotations

import pytest

from fazhan.audit.chain import events_of
from fazhan.core.errors import ActionRefused
from fazhan.orgs.models import Member, MemberStatus
from fazhan.people.actions import do_record_step
from tests.people.test_actions import at, new_candidate, record_clean_until

# What every 补录 names (fazhan.dossier): the paper and why it comes late.
PAPER = {"source_kind": "assessment", "source_ref": "纸质档案", "late_reason": "系统启用前的档案"}
pytestmark = pytest.mark.django_db


def last(candidate, kind):
    return [e for e in events_of(candidate.pk) if e.kind == kind][-1]


def member(org, name, **kw):
    return Member.objects.create(org=org, name=name, **kw)


def test_it_records_the_talk_with_its_talker_place_and_summary_and_shows_them(client, cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e1")
    talker = member(cast.branch_a, "王谈话")
    client.force_login(cast.zhibu)
    with at("2019-03-20"):
        response = client.post(
            f"/candidates/{candidate.pk}/record/S02/",
            {
                "happened_on": "2019-03-20",
                "content_talker": talker.pk,
                "content_place": "党员活动室",
                "content_summary": "了解入党动机和基本情况。",
            },
        )
    assert response.status_code == 302
    content = last(candidate, "S02").payload["content"]
    # The talker by id and status, never by name (DESIGN principle 8).
    assert content["talker"]["member_id"] == talker.pk
    assert "王谈话" not in str(content)
    assert content["place"] == "党员活动室"
    page = client.get(f"/candidates/{candidate.pk}/").content.decode()
    assert "谈话人" in page and "王谈话" in page
    assert "党员活动室" in page and "了解入党动机和基本情况。" in page


def test_it_refuses_a_talk_without_its_summary(client, cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e1")
    talker = member(cast.branch_a, "王谈话")
    client.force_login(cast.zhibu)
    with at("2019-03-20"):
        response = client.post(
            f"/candidates/{candidate.pk}/record/S02/",
            {"happened_on": "2019-03-20", "content_talker": talker.pk},
        )
    assert response.status_code == 200
    assert "content_summary" in response.context["form"].errors
    assert "S02" not in [e.kind for e in events_of(candidate.pk)]


def test_it_refuses_a_talker_from_another_branch_with_a_clear_reason(client, cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e1")
    stranger = member(cast.branch_b, "李外人")
    client.force_login(cast.zhibu)
    with at("2019-03-20"):
        response = client.post(
            f"/candidates/{candidate.pk}/record/S02/",
            {"happened_on": "2019-03-20", "content_talker": stranger.pk, "content_summary": "x"},
        )
        assert "谈话人须从本支部或上级党组织的党员名册中选择" in response.content.decode()
        # The action says the same to any other caller (an import, a script).
        with pytest.raises(ActionRefused, match=r"谈话人.*不在本支部或上级党组织的党员名册中"):
            do_record_step(
                cast.zhibu,
                candidate,
                step="S02",
                happened_on=at_date("2019-03-20"),
                payload={"content": {"talker": stranger.pk, "summary": "x"}},
            )


def at_date(text):
    from datetime import date

    return date.fromisoformat(text)


def test_it_refuses_content_a_step_does_not_take(cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e1")
    with at("2019-03-20"), pytest.raises(ActionRefused, match="该步骤没有这一项"):
        do_record_step(
            cast.zhibu,
            candidate,
            step="S02",
            happened_on=at_date("2019-03-20"),
            payload={"content": {"summary": "x", "talker": None, "grade": "优"}},
        )


# Each step's own fields, posted as a past fact (补录: any step of the policy, on any file), and
# the words the candidate page then shows under the step.
STEPS = {
    "S06": (
        {"content_opinion": "表现积极，按时递交思想汇报。", "content_assessor": "第一党小组"},
        ["考察意见", "表现积极，按时递交思想汇报。", "第一党小组"],
    ),
    "S10": (
        {
            "result": "pass",
            "content_conclusion": "政治历史清楚，政治审查合格。",
            "source1_kind": "letter",
            "source1_unit": "某县公安局",
            "source1_date": "2020-05-20",
            "source2_kind": "talk",
            "source2_unit": "本人",
            "source2_date": "2020-05-22",
        },
        ["政治审查结论", "政治历史清楚，政治审查合格。", "函调 某县公安局 2020-05-20", "谈话 本人"],
    ),
    "S11": (
        {
            "days": 3,
            "hours": 24,
            "content_provider": "区委党校",
            "content_starts_on": "2020-05-25",
            "content_ends_on": "2020-05-27",
            "content_certificate": "DX-2020-031",
        },
        ["培训单位", "区委党校", "2020-05-25", "DX-2020-031"],
    ),
    "S21": (
        {"content_opinion": "预备期表现良好。", "content_assessor": "党支部"},
        ["考察意见", "预备期表现良好。"],
    ),
}


@pytest.mark.parametrize("step", sorted(STEPS))
def test_it_saves_each_steps_content_and_shows_it(client, cast, step):
    candidate = new_candidate(cast)
    fields, shown = STEPS[step]
    client.force_login(cast.zhibu)
    with at("2020-06-01"):
        response = client.post(
            f"/candidates/{candidate.pk}/past/{step}/",
            {"happened_on": "2020-05-28", **fields, **PAPER},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert last(candidate, step).payload["content"]
    page = client.get(f"/candidates/{candidate.pk}/").content.decode()
    for words in shown:
        assert words in page, words


def test_it_records_the_committees_talk_by_a_committee_member(client, cast):
    candidate = new_candidate(cast)
    organiser = member(cast.sub_a, "赵组织员")
    client.force_login(cast.dangwei)
    with at("2020-07-01"):
        response = client.post(
            f"/candidates/{candidate.pk}/past/S16/",
            {
                **PAPER,
                "happened_on": "2020-06-30",
                "content_talker": organiser.pk,
                "content_summary": "对入党动机和党的知识进行了谈话。",
            },
        )
    assert response.status_code == 302
    assert last(candidate, "S16").payload["content"]["talker"]["member_id"] == organiser.pk
    page = client.get(f"/candidates/{candidate.pk}/").content.decode()
    assert "赵组织员" in page and "对入党动机和党的知识进行了谈话。" in page


def test_it_refuses_half_a_source_of_the_political_review(client, cast):
    candidate = new_candidate(cast)
    client.force_login(cast.zhibu)
    with at("2020-06-01"):
        response = client.post(
            f"/candidates/{candidate.pk}/past/S10/",
            {
                **PAPER,
                "happened_on": "2020-05-28",
                "result": "pass",
                "content_conclusion": "合格",
                "source1_kind": "visit",
            },
        )
    assert response.status_code == 200
    assert "材料来源须同时填写方式、单位和日期" in response.content.decode()


def test_it_shows_the_current_contacts_and_introducers_by_name(client, cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e12")
    names = set(Member.objects.filter(org=cast.branch_a).values_list("name", flat=True))
    client.force_login(cast.zhibu)
    page = client.get(f"/candidates/{candidate.pk}/").content.decode()
    people = page.split('id="candidate-people"')[1].split("</p>")[0]
    assert "培养联系人" in people and "入党介绍人" in people
    assert sum(1 for n in names if n in people) == 2


def test_it_names_a_probationary_introducer_in_its_refusal(client, cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e11")
    full = member(cast.branch_a, "张正式")
    probationary = member(
        cast.branch_a,
        "陈预备",
        status=MemberStatus.PROBATIONARY,
        joined_on=at_date("2019-10-01"),
    )
    client.force_login(cast.zhibu)
    with at("2020-05-11"):
        response = client.post(
            f"/candidates/{candidate.pk}/record/S09/",
            {"happened_on": "2020-05-11", "introducers": [full.pk, probationary.pk]},
        )
    body = response.content.decode()
    assert response.status_code == 200
    assert "陈预备 是预备党员，不能作入党介绍人" in body and "细则第十四条" in body
    assert "S09" not in [e.kind for e in events_of(candidate.pk)]


def test_it_refuses_an_introducer_who_is_not_on_the_roster(client, cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e11")
    full = member(cast.branch_a, "张正式")
    stranger = member(cast.branch_b, "李外人")
    client.force_login(cast.zhibu)
    with at("2020-05-11"):
        response = client.post(
            f"/candidates/{candidate.pk}/record/S09/",
            {"happened_on": "2020-05-11", "introducers": [full.pk, stranger.pk]},
        )
    body = response.content.decode()
    assert "入党介绍人须从本支部或上级党组织的党员名册中选择" in body
    assert "李外人" not in body  # another branch's member is not named to this branch


def test_a_correction_starts_from_the_content_and_keeps_what_it_does_not_restate(client, cast):
    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e1")
    talker = member(cast.branch_a, "王谈话")
    with at("2019-03-20"):
        s02 = do_record_step(
            cast.zhibu,
            candidate,
            step="S02",
            happened_on=at_date("2019-03-20"),
            payload={"content": {"talker": talker.pk, "summary": "了解入党动机。"}},
        )
    client.force_login(cast.zhibu)
    url = f"/candidates/{candidate.pk}/correct/"
    assert "了解入党动机。" in client.get(url, {"seq": s02.seq}).content.decode()
    with at("2019-06-01"):
        response = client.post(
            url, {"seq": s02.seq, "happened_on": "2019-03-21", "reason": "核对纸质档案"}
        )
    assert response.status_code == 302
    replacement = last(candidate, "correct").payload["replacement"]
    assert replacement["date"] == "2019-03-21"
    assert replacement["content"]["summary"] == "了解入党动机。"
    assert replacement["content"]["talker"]["member_id"] == talker.pk


def test_the_printed_record_carries_the_content_of_each_step(cast):
    from fazhan.paperwork.printing import record_rows

    candidate = new_candidate(cast)
    record_clean_until(cast, candidate, "e1")
    talker = member(cast.branch_a, "王谈话")
    with at("2019-03-20"):
        do_record_step(
            cast.zhibu,
            candidate,
            step="S02",
            happened_on=at_date("2019-03-20"),
            payload={
                "content": {"talker": talker.pk, "summary": "了解入党动机。"},
                "attachments": [{"sha256": "0" * 64, "type": "application/pdf", "size": 9}],
            },
        )
    [s02] = [row for row in record_rows(candidate) if row.code == "S02"]
    people = s02.lines[0].people
    assert people[:3] == ["谈话人：王谈话", "谈话内容摘要：了解入党动机。", "附件 1 份"]
