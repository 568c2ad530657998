import pytest

from fazhan.testing.cast import Cast, build_cast


@pytest.fixture
def cast(db) -> Cast:
    """The fixed cast of DESIGN.md Conventions: a small district, one user per role, an outsider."""
    return build_cast()
