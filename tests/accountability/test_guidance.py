"""分类指导 (issue 15 item 5): every unit type has the seed's guidance, shown where its staff work,
and the files break down by type."""

from __future__ import annotations

import pytest

from fazhan.orgs.models import OrgType
from fazhan.policy.guidance import load_guidance

SCHOOL_CAUTION = "毕业前突击发展"


def test_it_has_guidance_for_every_unit_type():
    book = load_guidance()
    assert set(book.types) == set(OrgType.values)
    assert all(g.focus and g.guidance for g in book.types.values())
    assert SCHOOL_CAUTION in book.of("school").guidance  # type: ignore[union-attr]
    assert book.basis == "区委意见二（二）"


@pytest.mark.django_db
def test_it_shows_a_branch_secretary_the_guidance_of_the_branch_type(client, cast):
    client.force_login(cast.users["zhibu2"])  # a rural branch
    page = client.get("/").content.decode()
    assert load_guidance().of("rural").guidance in page  # type: ignore[union-attr]
    assert load_guidance().of("school").guidance not in page  # type: ignore[union-attr]


@pytest.mark.django_db
def test_it_breaks_the_files_down_by_unit_type_inside_the_reach(client, cast):
    client.force_login(cast.users["zhibu"])
    page = client.get("/register/guidance/").content.decode()
    assert "?type=community" in page
    assert "?type=rural" not in page  # zhibu's reach holds no rural file
    assert SCHOOL_CAUTION in page


@pytest.mark.django_db
def test_it_filters_the_candidate_list_by_unit_type(client, cast):
    client.force_login(cast.users["qu"])
    page = client.get("/candidates/?type=rural").content.decode()
    assert cast.candidates["cand_b"].person.name in page
    assert cast.candidates["cand_a"].person.name not in page
