from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # Registered here (not in pyproject) so that --strict-markers accepts it; nothing deselects it,
    # so the full-scale build still runs with the suite.
    config.addinivalue_line("markers", "slow: builds the demo at full scale (about 5 s on SQLite)")
