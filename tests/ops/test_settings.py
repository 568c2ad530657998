"""Behind HTTPS everything is on by default; each switch can still be turned off on its own."""

from __future__ import annotations

import json

from tests.ops.helpers import child_env, run

PRINT = (
    "import json; from fazhan import settings as s; print(json.dumps({"
    "'secure': s.SESSION_COOKIE_SECURE, 'csrf': s.CSRF_COOKIE_SECURE, 'hsts': s.SECURE_HSTS_SECONDS,"
    "'proxy': s.SECURE_PROXY_SSL_HEADER, 'client': s.PUBLIC_CLIENT_IP_HEADER,"
    "'csp': 'csp.middleware.CSPMiddleware' in s.MIDDLEWARE, 'idle': s.SESSION_IDLE_SECONDS,"
    "'absolute': s.SESSION_ABSOLUTE_SECONDS}))"
)


def settings_with(tmp_path, **env: str) -> dict:
    done = run(["-c", PRINT], child_env(tmp_path / "x.sqlite3", **env))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_it_switches_everything_on_behind_https(tmp_path) -> None:
    assert settings_with(tmp_path, FAZHAN_HTTPS="1") == {
        "secure": True,
        "csrf": True,
        "hsts": 31_536_000,
        "proxy": ["HTTP_X_FORWARDED_PROTO", "https"],
        "client": "HTTP_X_REAL_IP",
        "csp": True,
        "idle": 1800,
        "absolute": 43_200,
    }


def test_it_keeps_plain_http_defaults_and_honours_each_switch(tmp_path) -> None:
    plain = settings_with(tmp_path)
    assert (plain["secure"], plain["hsts"], plain["proxy"], plain["client"], plain["csp"]) == (
        False,
        0,
        None,
        "",
        False,
    )
    mixed = settings_with(
        tmp_path,
        FAZHAN_HTTPS="1",
        FAZHAN_CSP="0",
        FAZHAN_HSTS_SECONDS="600",
        FAZHAN_CLIENT_ADDRESS_HEADER="X-Forwarded-For",
        FAZHAN_SESSION_IDLE_MINUTES="10",
        FAZHAN_SESSION_HOURS="8",
    )
    assert (mixed["csp"], mixed["hsts"], mixed["client"], mixed["idle"], mixed["absolute"]) == (
        False,
        600,
        "HTTP_X_FORWARDED_FOR",
        600,
        28_800,
    )
