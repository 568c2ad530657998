"""The factories produce consistent data: IDs matching birth date and sex, staged projections."""

import pytest

from fazhan.people import idnumber
from fazhan.people.models import Stage
from fazhan.testing.factories import CandidateFactory, PersonFactory


@pytest.mark.django_db
def test_it_makes_people_whose_demo_id_matches_them():
    for person in PersonFactory.create_batch(6):
        clear = person.decrypt_id_number()
        assert idnumber.is_demo_id(clear)
        assert idnumber.check_against(clear, person.birth_date, person.sex) == []
        assert person.name
        assert person.name_pinyin


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("trait", "stage", "dated"),
    [
        (None, Stage.APPLICANT, ["applied_on"]),
        ("activist", Stage.ACTIVIST, ["activist_on"]),
        ("target", Stage.TARGET, ["activist_on", "target_on"]),
        ("probationary", Stage.PROBATIONARY, ["target_on", "admitted_on", "approved_on"]),
        ("member", Stage.MEMBER, ["approved_on", "converted_on"]),
        ("withdrawn", Stage.WITHDRAWN, ["activist_on"]),
        ("rejected", Stage.REJECTED, ["target_on"]),
        ("revoked", Stage.REVOKED, ["approved_on"]),
    ],
)
def test_it_stages_candidates_by_trait(trait, stage, dated):
    candidate = CandidateFactory(**({trait: True} if trait else {}))
    assert candidate.stage == stage
    for field in dated:
        assert getattr(candidate, field) is not None, field
    if stage == Stage.APPLICANT:
        assert candidate.activist_on is None
    if stage == Stage.MEMBER:
        assert candidate.applied_on < candidate.activist_on < candidate.target_on
        assert candidate.admitted_on < candidate.approved_on < candidate.converted_on
