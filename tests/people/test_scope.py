"""visible_to for candidates and people, and get_candidate_for_user (DESIGN principle 6)."""

from datetime import date

import pytest
from django.http import Http404

from fazhan.accounts.models import RoleKind
from fazhan.accounts.scope import can_decrypt_id_number
from fazhan.people.models import Candidate, Person, get_candidate_for_user, get_person_for_user
from fazhan.testing.factories import CandidateFactory, CandidateOrgLinkFactory, RoleFactory

EVERY = {"cand_a", "cand_a2", "cand_b", "cand_b2"}
EXPECTED = {
    "qu": EVERY,
    "dangwei": {"cand_a", "cand_a2"},
    "zhibu": {"cand_a"},
    "zhibu2": {"cand_b"},
    "shenji": EVERY,
    "admin": set(),
    "outsider": set(),
}


def visible_names(cast, user):
    ids = set(Candidate.objects.visible_to(user).values_list("pk", flat=True))
    return {name for name, candidate in cast.candidates.items() if candidate.pk in ids}


@pytest.mark.django_db
@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_it_shows_each_cast_user_their_subtree(cast, who):
    user = cast.users[who]
    assert visible_names(cast, user) == EXPECTED[who]
    for name, candidate in cast.candidates.items():
        if name in EXPECTED[who]:
            assert get_candidate_for_user(user, candidate.pk) == candidate
        else:
            with pytest.raises(Http404):
                get_candidate_for_user(user, candidate.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_it_shows_people_through_their_files(cast, who):
    user = cast.users[who]
    expected = {cast.candidates[name].person_id for name in EXPECTED[who]}
    assert set(Person.objects.visible_to(user).values_list("pk", flat=True)) == expected
    for name, candidate in cast.candidates.items():
        if name not in EXPECTED[who]:
            with pytest.raises(Http404):
                get_person_for_user(user, candidate.person_id)


@pytest.mark.django_db
def test_it_keeps_the_two_branches_apart(cast):
    cand_a, cand_b = cast.candidates["cand_a"], cast.candidates["cand_b"]
    assert not Candidate.objects.visible_to(cast.zhibu).filter(pk=cand_b.pk).exists()
    assert not Candidate.objects.visible_to(cast.zhibu2).filter(pk=cand_a.pk).exists()
    with pytest.raises(Http404):
        get_candidate_for_user(cast.zhibu, cand_b.pk)
    with pytest.raises(Http404):
        get_candidate_for_user(cast.zhibu2, cand_a.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("pk", [10**9, "abc", None])
def test_it_answers_404_for_a_missing_or_malformed_id(cast, pk):
    with pytest.raises(Http404):
        get_candidate_for_user(cast.qu, pk)


@pytest.mark.django_db
def test_it_answers_404_to_the_outsider_and_anonymous(cast):
    from django.contrib.auth.models import AnonymousUser

    candidate = cast.candidates["cand_a"]
    for user in (cast.outsider, AnonymousUser()):
        with pytest.raises(Http404):
            get_candidate_for_user(user, candidate.pk)
        assert not Candidate.objects.visible_to(user).exists()


@pytest.mark.django_db
def test_it_lets_the_auditor_see_all_but_never_decrypt(cast):
    assert Candidate.objects.visible_to(cast.shenji).count() == Candidate.objects.count()
    assert not can_decrypt_id_number(cast.shenji)


@pytest.mark.django_db
def test_it_shows_the_sysadmin_no_candidate_and_no_person(cast):
    assert not Candidate.objects.visible_to(cast.admin).exists()
    assert not Person.objects.visible_to(cast.admin).exists()
    with pytest.raises(Http404):
        get_candidate_for_user(cast.admin, cast.candidates["cand_a"].pk)


@pytest.mark.django_db
def test_it_shares_a_file_with_a_cooperating_organization_while_the_link_is_open(cast):
    cand_b = cast.candidates["cand_b"]
    link = CandidateOrgLinkFactory(candidate=cand_b, org=cast.branch_a, agreement="joint")
    assert get_candidate_for_user(cast.zhibu, cand_b.pk) == cand_b
    assert Person.objects.visible_to(cast.zhibu).filter(pk=cand_b.person_id).exists()
    # One row per file even when both the responsible and the cooperating org are in scope.
    assert Candidate.objects.visible_to(cast.qu).filter(pk=cand_b.pk).count() == 1
    link.ended_on = date(2026, 1, 1)
    link.save()
    with pytest.raises(Http404):
        get_candidate_for_user(cast.zhibu, cand_b.pk)


@pytest.mark.django_db
def test_it_stops_showing_files_after_a_handover(cast):
    role = cast.zhibu.roles.get()
    role.end(date(2026, 3, 1))
    assert not Candidate.objects.visible_to(cast.zhibu).exists()
    RoleFactory(user=cast.zhibu, org=cast.branch_b, kind=RoleKind.BRANCH_SECRETARY)
    assert visible_names(cast, cast.zhibu) == {"cand_b"}


@pytest.mark.django_db
def test_it_shows_a_new_file_in_scope_immediately(cast):
    fresh = CandidateFactory(org=cast.branch_a, target=True)
    assert get_candidate_for_user(cast.zhibu, fresh.pk) == fresh
    assert get_candidate_for_user(cast.dangwei, fresh.pk) == fresh
    with pytest.raises(Http404):
        get_candidate_for_user(cast.zhibu2, fresh.pk)
