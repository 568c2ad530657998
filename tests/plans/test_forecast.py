"""The year-end forecast on a hand-built pipeline (pure: fazhan.policy.forecast)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from fazhan.policy import forecast as fc
from fazhan.policy.targets import Counts, load_plan

TODAY = date(2026, 9, 1)  # a Tuesday; no holiday before the National Day week
NOW = Counts(
    developed=100,
    le35=80,
    le25=40,
    hs_plus=90,
    college_plus=50,
    female=45,
    female_frontline=30,
    worker=10,
    farmer=50,
    mgmt_tech_rich=85,
    student=3,
    activists=1300,
)


def item(key: int, stage: str, **kw) -> fc.PipelineItem:
    base = {
        "id": key,
        "org_id": 1,
        "stage": stage,
        "suspended": False,
        "birth_date": date(1995, 6, 1),
        "female": False,
        "frontline": False,
        "hs_plus": False,
        "college_plus": False,
        "worker": False,
        "farmer": False,
        "mgmt_tech_rich": False,
        "student": False,
    }
    return fc.PipelineItem(**(base | kw))


def d(text: str) -> date:
    return date.fromisoformat(text)


PIPELINE = [
    # a: branch meeting passed on 20 August, awaiting approval.
    item(
        1,
        "probationary",
        admitted_on=d("2026-08-20"),
        le35_at_admission=True,
        le25_at_admission=False,
        female=True,
        frontline=True,
        hs_plus=True,
        college_plus=True,
        farmer=True,
        pending={"S16": d("2026-08-20"), "S17": d("2026-08-20")},
    ),
    # b: meeting more than six months ago: can no longer be approved (细则 art. 25).
    item(2, "probationary", admitted_on=d("2026-02-01"), le35_at_admission=True),
    # c: 志愿书 filled on 25 August, meeting pending; 36th birthday on 5 September.
    item(
        3,
        "target",
        target_on=d("2026-06-01"),
        birth_date=d("1990-09-05"),
        female=True,
        frontline=True,
        hs_plus=True,
        worker=True,
        pending={"S15": d("2026-08-25")},
    ),
    # d: 发展对象 since 15 August, political review and training still to do.
    item(
        4,
        "target",
        target_on=d("2026-08-15"),
        birth_date=d("2002-01-01"),
        female=True,
        student=True,
        pending={"S10": d("2026-08-15"), "S11": d("2026-08-15")},
    ),
    # e: activist since June 2025, the 发展对象 notice not yet published.
    item(
        5,
        "activist",
        activist_on=d("2025-06-01"),
        birth_date=d("1980-03-03"),
        hs_plus=True,
        college_plus=True,
        farmer=True,
        mgmt_tech_rich=True,
        pending={"N-TGT": None, "S07": d("2026-06-01")},
    ),
    # f: activist since March 2026: the year is not complete before 31 December.
    item(6, "activist", activist_on=d("2026-03-01"), pending={"S07": d("2027-03-01")}),
    # g: applicant, talk done, the activist notice not yet published.
    item(7, "applicant", pending={"N-ACT": None, "S03": None}),
    # h: applicant whose activist notice ended on 4 September.
    item(8, "applicant", pending={"S03": d("2026-09-05")}),
    # i: 发展对象 awaiting pre-review since 28 August, suspended (暂缓).
    item(
        9,
        "target",
        target_on=d("2026-05-01"),
        suspended=True,
        birth_date=d("1998-01-01"),
        female=True,
        frontline=True,
        hs_plus=True,
        college_plus=True,
        mgmt_tech_rich=True,
        pending={"S13": d("2026-08-28")},
    ),
]


def result() -> fc.Forecast:
    return fc.forecast(PIPELINE, NOW, year=2026, today=TODAY)


def test_it_projects_each_file_from_its_position():
    projected = {p.item.id: p for p in fc.project(PIPELINE, year=2026, today=TODAY)}
    assert [projected[k].position for k in sorted(projected)] == [
        "S17",
        "S17",
        "S15",
        "PREP",
        "S07",
        "S07",
        "S03",
        "S03",
        "S13",
    ]
    assert projected[1].fast.s17 == TODAY and projected[1].typical.s17 == d("2026-09-19")
    assert projected[2].fast is None
    assert (projected[3].fast.s15, projected[3].typical.s15) == (TODAY, d("2026-09-08"))
    assert projected[4].fast == fc.Schedule(None, d("2026-09-21"), d("2026-10-01"))
    assert projected[4].typical == fc.Schedule(None, d("2026-11-16"), d("2026-12-16"))
    # Notice of five working days from today (1–7 September), S07 the day after.
    assert projected[5].fast.s17 == d("2026-10-19")
    assert projected[5].typical.s15 == d("2026-12-12")
    assert projected[5].typical.s17 == d("2027-01-11")
    assert not projected[6].can_make_it
    assert projected[9].can_make_it and not projected[9].likely


def test_it_gives_the_expected_year_end_range():
    r = result()
    assert r.high.as_dict() == {
        "developed": 105,
        "le35": 84,
        "le25": 41,
        "hs_plus": 94,
        "college_plus": 53,
        "female": 49,
        "female_frontline": 33,
        "worker": 11,
        "farmer": 52,
        "mgmt_tech_rich": 87,
        "student": 4,
        "activists": 1301,
    }
    assert r.low.as_dict() == {
        "developed": 102,
        "le35": 81,
        "le25": 40,
        "hs_plus": 91,
        "college_plus": 51,
        "female": 47,
        "female_frontline": 31,
        "worker": 10,
        "farmer": 51,
        "mgmt_tech_rich": 85,
        "student": 3,
        "activists": 1297,
    }


def test_it_judges_age_at_the_projected_meeting():
    # c turns 36 on 5 September: 35 and under at the fast meeting (1 Sept), not at the typical.
    c = {p.item.id: p for p in fc.project(PIPELINE, year=2026, today=TODAY)}[3]
    assert "le35" in c.categories(typical=False)
    assert "le35" not in c.categories(typical=True)


def test_it_forecasts_the_pool():
    pool = result().pool
    assert (pool.now, pool.leave_low, pool.leave_high) == (1300, 1, 4)
    assert (pool.join_low, pool.join_high) == (1, 2)
    assert (pool.low, pool.high) == (1297, 1301)


def test_it_takes_the_live_counts_once_the_year_is_over():
    r = fc.forecast(PIPELINE, NOW, year=2026, today=d("2027-01-05"))
    assert r.final and r.low == r.high == NOW


# -- statuses -----------------------------------------------------------------------------------


def counts(**kw) -> Counts:
    return replace(NOW, **kw)


def judged(now: Counts, low: Counts, high: Counts, *, final=False) -> dict[str, fc.Judgement]:
    pool = fc.Pool(now.activists, 0, 0, 0, 0, low.activists, high.activists)
    forecast = fc.Forecast(2026, TODAY, final, now, low, high, pool)
    return {j.target.id: j for j in fc.judge(load_plan("seed"), forecast)}


def test_it_calls_a_target_met_when_met_now_and_at_the_low_end():
    now = counts(developed=340, le35=300, activists=1250)
    j = judged(
        now,
        counts(developed=345, le35=303, activists=1230),
        counts(developed=360, le35=310, activists=1260),
    )
    assert j["Q2"].status == "met"
    assert j["A1"].status == "met"
    assert j["K2"].status == "met"


def test_it_calls_a_target_at_risk_when_unmet_now_but_reachable():
    now = counts(developed=300, female=120)
    j = judged(now, counts(developed=320, female=128), counts(developed=360, female=150))
    assert j["Q2"].status == "at_risk"
    assert j["G1"].status == "at_risk"
    assert j["G1"].gap == 140 - 128


def test_it_calls_a_target_at_risk_when_met_now_but_the_low_end_fails():
    # 40% of developed: 140 of 340 now; 140 of 360 at the low end (40% of 360 is 144).
    now = counts(developed=340, female=140)
    j = judged(now, counts(developed=360, female=140), counts(developed=365, female=150))
    assert j["G1"].now.status == "met"
    assert j["G1"].status == "at_risk"
    assert j["G1"].gap == 4


def test_it_calls_a_target_unmet_when_even_the_best_case_fails():
    now = counts(developed=300, female=100)
    j = judged(now, counts(developed=310, female=104), counts(developed=330, female=120))
    assert j["G1"].status == "unmet"
    assert j["Q2"].status == "at_risk"  # 315 is inside [310, 330]


def test_it_calls_a_cap_already_exceeded_unmet():
    now = counts(developed=360, student=16)
    j = judged(now, counts(developed=370, student=16), counts(developed=385, student=18))
    assert j["D4"].status == "unmet"


def test_it_judges_a_closed_year_by_the_live_counts():
    now = counts(developed=300)
    j = judged(now, now, now, final=True)
    assert j["Q2"].status == "unmet"


def test_it_lists_who_could_close_a_gap_closest_to_approval_first():
    r = result()
    plan = replace(load_plan("seed"), total=100)
    j = {x.target.id: x for x in fc.judge(plan, r)}
    # G1 (女党员 ≥140) is out of reach; its closers are the women who can still make it and are
    # not counted in full at the low end: c (11 Sept), i (suspended, 16 Sept), d (1 Oct).
    closers = fc.closers(j["G1"], r)
    assert [p.item.id for p in closers] == [3, 9, 4]
    # The pool floors (K2 ≥ 1200 is met here) list no one; a failing pool target lists applicants.
    assert fc.closers(j["K2"], r) == []
    short = replace(r, low=replace(r.low, activists=1000), now=replace(r.now, activists=1000))
    k2 = {x.target.id: x for x in fc.judge(plan, short)}["K2"]
    assert [p.item.id for p in fc.closers(k2, short)] == [8, 7]
