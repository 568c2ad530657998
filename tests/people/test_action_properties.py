"""Any sequence of actions keeps the chain valid and the projection equal to a fresh evaluation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fazhan.audit.chain import events_of, verify_chain
from fazhan.core.errors import ActionRefused
from fazhan.people.actions import Mode, do_correct_event, do_create_candidate, do_record_step
from fazhan.people.record import evaluate_candidate

pytestmark = pytest.mark.django_db
START = date(2019, 1, 7)
SIMPLE_STEPS = [
    "S01",
    "S02",
    "S04",
    "S06",
    "S07",
    "S08",
    "S12",
    "S14",
    "S16",
    "S18",
    "S19",
    "S20",
    "S21",
    "S22",
    "S25",
    "suspend",
    "resume",
    "withdraw",
]

operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("step"),
            st.sampled_from(SIMPLE_STEPS),
            st.integers(0, 900),
            st.sampled_from([Mode.LIVE, Mode.PAST]),
        ),
        st.tuples(
            st.just("result"),
            st.sampled_from(["S10", "S13"]),
            st.integers(0, 900),
            st.sampled_from(["pass", "fail"]),
        ),
        st.tuples(
            st.just("activist"),
            st.sampled_from(["member", None]),
            st.integers(0, 900),
            st.sampled_from([Mode.LIVE, Mode.PAST]),
        ),
        st.tuples(st.just("correct"), st.integers(0, 10), st.integers(0, 900), st.booleans()),
    ),
    max_size=12,
)


@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=40, deadline=None
)
@given(operations)
def test_it_keeps_the_chain_and_the_projection_true_under_any_actions(cast, ops):
    candidate = do_create_candidate(
        cast.zhibu, org=cast.branch_a, name="性质测试", sex="F", birth_date=date(1990, 1, 1)
    )
    today = START + timedelta(days=1000)
    recorded = []
    for op in ops:
        kind, arg, offset, extra = op
        when = START + timedelta(days=offset)
        try:
            if kind == "step":
                event = do_record_step(
                    cast.dangwei, candidate, step=arg, happened_on=when, mode=extra, today=today
                )
            elif kind == "result":
                event = do_record_step(
                    cast.dangwei,
                    candidate,
                    step=arg,
                    happened_on=when,
                    payload={"result": extra},
                    mode=Mode.PAST,
                    today=today,
                )
            elif kind == "activist":
                event = do_record_step(
                    cast.dangwei,
                    candidate,
                    step="S03",
                    happened_on=when,
                    payload={"nomination": arg},
                    mode=extra,
                    today=today,
                )
            else:
                if not recorded:
                    continue
                target = recorded[arg % len(recorded)]
                event = do_correct_event(
                    cast.dangwei,
                    candidate,
                    seq=target.seq,
                    reason="核对纸质档案",
                    void=extra,
                    replacement=None if extra else {"date": when.isoformat()},
                )
            recorded.append(event)
        except ActionRefused:
            pass
    candidate.refresh_from_db()
    assert verify_chain().ok
    stored = candidate.projection
    fresh = evaluate_candidate(candidate, as_of=date.fromisoformat(stored["as_of"]))
    assert fresh.as_dict() == stored
    assert candidate.head_seq == events_of(candidate.pk)[-1].seq
