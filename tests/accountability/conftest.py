from __future__ import annotations

from datetime import date

import pytest


@pytest.fixture(autouse=True)
def _adults(request):
    """The cast's people are born on random dates: born in 1990 here, so that no age finding (too
    young at S01) joins the findings these tests count."""
    if "cast" not in request.fixturenames:
        return
    cast = request.getfixturevalue("cast")
    for candidate in cast.candidates.values():
        candidate.person.birth_date = date(1990, 5, 1)
        candidate.person.save()
