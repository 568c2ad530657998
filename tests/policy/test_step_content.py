"""The content each step takes (fazhan.policies/step-content.json), checked for shape only."""

from __future__ import annotations

from fazhan.policy.content import content_problems, load_step_content


def test_it_cites_an_article_for_every_step_it_describes():
    steps = load_step_content()
    assert {"S02", "S05", "S06", "S09", "S10", "S11", "S16", "S21"} <= set(steps)
    assert all("细则" in s.basis or "党章" in s.basis for s in steps.values())
    assert steps["S09"].members is not None and steps["S09"].members.min == 2


def test_it_accepts_a_complete_talk():
    assert content_problems("S02", {"talker": 3, "place": "活动室", "summary": "谈话"}) == []
    assert content_problems("S02", {"talker": {"member_id": 3}, "summary": "谈话"}) == []


def test_it_names_what_is_missing_too_long_or_unknown():
    problems = dict(content_problems("S02", {"summary": "长" * 2001, "grade": "优"}))
    assert problems == {
        "summary": "不能超过 2000 个字",
        "grade": "该步骤没有这一项",
        "talker": "必须填写",
    }
    assert content_problems("S03", {"x": 1}) == [("content", "该步骤不记录内容")]


def test_it_reads_the_sources_of_a_political_review():
    good = {
        "conclusion": "合格",
        "sources": [{"kind": "letter", "unit": "县公安局", "date": "2020-05-20"}],
    }
    assert content_problems("S10", good) == []
    bad = {"conclusion": "合格", "sources": [{"kind": "phone", "unit": "", "date": "2020-02-30"}]}
    assert [p for _k, p in content_problems("S10", bad)] == [
        "方式应为函调、外调或谈话",
        "单位应为不超过 100 个字的文字",
        "日期无法读取",
    ]
    assert content_problems("S11", {"provider": "党校", "starts_on": True}) == [
        ("starts_on", "日期无法读取")
    ]
