"""The one settings module. Everything that differs between machines comes from the environment.

SQLite in the working directory is the embedded default (WAL, IMMEDIATE transactions, a busy
timeout: healthchecks' shape); `DATABASE_URL=postgres://user:pass@host:port/name` selects
PostgreSQL (a `host` query parameter may name a socket directory).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

BASE_DIR = Path(__file__).resolve().parent


def envbool(name: str, default: str = "False") -> bool:
    return os.getenv(name, default).strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    return int(os.getenv(name, str(default)))


def database_from_url(url: str) -> dict[str, Any]:
    """Turn `sqlite:///path` or `postgres://...` into a Django DATABASES entry."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        name = unquote(parsed.path[1:] if parsed.path.startswith("//") else parsed.path)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name or "fazhan.sqlite3",
            "OPTIONS": {
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    if parsed.scheme in {"postgres", "postgresql"}:
        query = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": query.pop("host", None) or parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "OPTIONS": query,
        }
    raise ValueError(f"DATABASE_URL: unsupported scheme {parsed.scheme!r}")


SECRET_KEY = os.getenv("SECRET_KEY", "fazhan-dev-only-not-secret")
DEBUG = envbool("DEBUG", "False")
ALLOWED_HOSTS = [
    h for h in os.getenv("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "fazhan.accounts",
    "fazhan.orgs",
    "fazhan.people",
    "fazhan.audit",
    "fazhan.imports",
    "fazhan.holidays",
    "fazhan.plans",
    "fazhan.notices",
    "fazhan.reviews",
    "fazhan.meetings",
    "fazhan.public",
    "fazhan.web",
    "fazhan.demo",
    "django_htmx",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "fazhan.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "fazhan.core.middleware.NotVisibleMiddleware",
]

ROOT_URLCONF = "fazhan.urls"
WSGI_APPLICATION = "fazhan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "fazhan.web.context.installation",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(os.getenv("DATABASE_URL", "sqlite:///fazhan.sqlite3"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", str(BASE_DIR.parent / "var" / "static")))

AUTH_USER_MODEL = "accounts.User"

# Field encryption for ID numbers (DESIGN.md principle 8): comma-separated Fernet keys, newest
# first (rotation), and a separate key for the blind index. The defaults are for the demo and
# tests only; production sets both from the environment.
FIELD_ENCRYPTION_KEYS = [
    k
    for k in os.getenv(
        "FIELD_ENCRYPTION_KEYS", "ZmF6aGFuLWRlbW8tb25seS1rZXktMzItYnl0ZXMtLi4="
    ).split(",")
    if k
]
BLIND_INDEX_KEY = os.getenv("BLIND_INDEX_KEY", "fazhan-demo-only-blind-index-key")
# The previous blind-index key while `fazhan keys rotate` re-indexes (lookups try both);
# unset once it has finished.
BLIND_INDEX_KEY_OLD = os.getenv("BLIND_INDEX_KEY_OLD", "")

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Whether this database holds the demo district: every page then says 演示数据.
FAZHAN_DEMO = envbool("FAZHAN_DEMO", "False")
