"""The whole test suite: lint, types, every test on SQLite, the database tests on PostgreSQL 15.

pytest's exit code 5 (no test collected) is not a failure here: a selection may be empty.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pgcluster

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NO_TESTS = 5
# Two pytest workers on the 2-core CI machine halve the wall time (each worker has its own test
# database and live server); more than four would only crowd PostgreSQL's connections.
WORKERS = os.getenv("FAZHAN_TEST_WORKERS", str(min(os.cpu_count() or 1, 4)))


def run(step: str, command: list[str], env: dict[str, str] | None = None) -> None:
    print(f"\n=== {step}: {' '.join(command)}", flush=True)
    code = subprocess.run(command, cwd=ROOT, env=env, check=False).returncode
    allowed = {0, NO_TESTS} if "pytest" in command else {0}
    if code not in allowed:
        print(f"=== {step} failed with exit code {code}", flush=True)
        raise SystemExit(code)


def main() -> None:
    extra = ["-n", WORKERS, *sys.argv[1:]] if WORKERS not in ("0", "1") else sys.argv[1:]
    run("ruff", [str(BIN / "ruff"), "check", "."])
    run("ruff format", [str(BIN / "ruff"), "format", "--check", "."])
    run("mypy", [str(BIN / "mypy"), "fazhan"])
    env = {**os.environ, "HYPOTHESIS_PROFILE": os.getenv("HYPOTHESIS_PROFILE", "ci")}
    env.pop("DATABASE_URL", None)
    run("tests on SQLite", [sys.executable, "-m", "pytest", "-q", *extra], env)
    if not pgcluster.available():
        print("=== PostgreSQL 15 binaries not found: install postgresql-15", flush=True)
        raise SystemExit(1)
    with pgcluster.cluster() as url:
        run(
            "database tests on PostgreSQL 15",
            [sys.executable, "-m", "pytest", "-q", "-m", "db and not browser", *extra],
            {**env, "DATABASE_URL": url},
        )


if __name__ == "__main__":
    main()
