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

from django.core.exceptions import ImproperlyConfigured

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


# The secrets (SECRET_KEY, FIELD_ENCRYPTION_KEYS, BLIND_INDEX_KEY) come from the environment, or
# from a file named by the same name with `_FILE` appended (systemd credentials, docker secrets).
# The values below are public, being in this source: they serve the demo database and the tests.
# On any other database `fazhan serve` refuses to start and `check --deploy` fails while a secret
# is missing or equals one of them (fazhan/ops/checks.py); other commands warn.
BUILTIN_SECRET_KEY = "fazhan-dev-only-not-secret"
BUILTIN_FIELD_ENCRYPTION_KEY = "ZmF6aGFuLWRlbW8tb25seS1rZXktMzItYnl0ZXMtLi4="
BUILTIN_BLIND_INDEX_KEY = "fazhan-demo-only-blind-index-key"


def env_secret(name: str, default: str) -> str:
    """`name` from the file `$name_FILE` names (which wins), else from `$name`, else `default`."""
    path = os.getenv(f"{name}_FILE", "").strip()
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as error:
            # Loud: a secret that silently fell back to the public default is finding H3.
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {path}: {error}") from error
    return os.getenv(name, "").strip() or default


SECRET_KEY = env_secret("SECRET_KEY", BUILTIN_SECRET_KEY)
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
    "fazhan.orgadmin",
    "fazhan.people",
    "fazhan.audit",
    "fazhan.imports",
    "fazhan.holidays",
    "fazhan.plans",
    "fazhan.notices",
    "fazhan.reviews",
    "fazhan.meetings",
    "fazhan.members",
    "fazhan.reports",
    "fazhan.accountability",
    "fazhan.education",
    "fazhan.paperwork",
    "fazhan.public",
    "fazhan.web",
    "fazhan.demo",
    "fazhan.ops",
    "fazhan.mobility",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "fazhan.dossier",
    "fazhan.auditlog",
    "fazhan.attachments",
    "fazhan.notify",
]

# Queued work (django-tasks, its database backend): a page confirmation of a large import runs
# in `fazhan worker` (fazhan.imports.tasks). FAZHAN_TASKS_IMMEDIATE=1 runs tasks in the request
# instead (tests, a single-process trial); FAZHAN_IMPORT_QUEUE_ROWS is the size above which a
# confirmation is queued.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if os.getenv("FAZHAN_TASKS_IMMEDIATE") == "1"
        else "django_tasks_db.DatabaseBackend"
    }
}
FAZHAN_IMPORT_QUEUE_ROWS = envint("FAZHAN_IMPORT_QUEUE_ROWS", 500)
# A queued confirmation silent this long (its worker killed) may be confirmed again.
FAZHAN_IMPORT_JOB_STALE_MINUTES = envint("FAZHAN_IMPORT_JOB_STALE_MINUTES", 30)

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # WhiteNoise: static files from STATIC_ROOT under `fazhan serve` (fazhan/ops/middleware.py).
    "fazhan.ops.middleware.StaticFilesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "fazhan.ops.middleware.SessionLifetimeMiddleware",
    "fazhan.accounts.middleware.PasswordChangeRequiredMiddleware",
    # A GET or HEAD reads each user's roles once (fazhan/accounts/authority.py).
    "fazhan.accounts.authority.ReadOnlyRequestAuthority",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "fazhan.core.middleware.NotVisibleMiddleware",
    # Innermost: a view's "database is locked" becomes a 503 page before anything else sees it.
    "fazhan.web.busy.BusyDatabaseMiddleware",
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
                "fazhan.web.context.nav_menu",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(os.getenv("DATABASE_URL", "sqlite:///fazhan.sqlite3"))}
# Persistent connections under `fazhan serve` (it sets FAZHAN_CONN_MAX_AGE for its workers): a
# sync worker reuses its connection instead of reconnecting per request. Not under runserver,
# whose thread per request would only leave connections behind.
DATABASES["default"]["CONN_MAX_AGE"] = envint("FAZHAN_CONN_MAX_AGE", 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# "public": the rendered public notice page, per worker, in memory only (fazhan/public/pagecache.py;
# docs/notices.md "Benchmark"). Keyed by the chain head, so a change shows at once; the timeout only
# bounds a change that would not go through the chain.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "public": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fazhan-public",
        "TIMEOUT": envint("FAZHAN_PUBLIC_CACHE_SECONDS", 300),
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
}
# Under `fazhan serve`, the notice page Django served is answered again for this many seconds by
# each worker before Django's middleware (fazhan/public/fastpage.py; 0: never).
PUBLIC_FAST_SECONDS = envint("FAZHAN_PUBLIC_FAST_SECONDS", 1)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", str(BASE_DIR.parent / "var" / "static")))
# collectstatic writes .gz copies next to each file for WhiteNoise; names stay unhashed, so
# templates work without a manifest (tests, runserver).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

AUTH_USER_MODEL = "accounts.User"

# Field encryption for ID numbers (DESIGN.md principle 8): comma-separated Fernet keys, newest
# first (rotation), and a separate key for the blind index. The defaults are for the demo and
# tests only; production sets both (see the secrets above).
FIELD_ENCRYPTION_KEYS = [
    k.strip()
    for k in env_secret("FIELD_ENCRYPTION_KEYS", BUILTIN_FIELD_ENCRYPTION_KEY).split(",")
    if k.strip()
]
BLIND_INDEX_KEY = env_secret("BLIND_INDEX_KEY", BUILTIN_BLIND_INDEX_KEY)
# The previous blind-index key while `fazhan keys rotate` re-indexes (lookups try both);
# unset once it has finished.
BLIND_INDEX_KEY_OLD = os.getenv("BLIND_INDEX_KEY_OLD", "")

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Whether this database holds the demo district: every page then says 演示数据.
FAZHAN_DEMO = envbool("FAZHAN_DEMO", "False")

# ---------------------------------------------------------------------------------------------
# Behind HTTPS (README "Deploying on one intranet server": nginx terminates TLS in front).
# FAZHAN_HTTPS=1 turns on everything below by default; each switch can still be set on its own.
HTTPS = envbool("FAZHAN_HTTPS", "False")
SESSION_COOKIE_SECURE = envbool("FAZHAN_SECURE_COOKIES", str(HTTPS))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = envint("FAZHAN_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_SSL_REDIRECT = envbool("FAZHAN_SSL_REDIRECT", "False")  # nginx redirects port 80 itself
# nginx sets X-Forwarded-Proto; trusted only when we are behind it (a client could send it too).
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if envbool("FAZHAN_PROXY_SSL_HEADER", str(HTTPS)) else None
)
CSRF_TRUSTED_ORIGINS = [o for o in os.getenv("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
X_FRAME_OPTIONS = "DENY"


def _meta_header(name: str) -> str:
    """`X-Real-IP` -> `HTTP_X_REAL_IP`, the key of request.META."""
    name = name.strip()
    return "HTTP_" + name.upper().replace("-", "_") if name else ""


# The header nginx sets to the client's address (`proxy_set_header X-Real-IP $remote_addr`),
# read wherever a client address is needed (fazhan/public/ratelimit.py). Empty: REMOTE_ADDR.
PUBLIC_CLIENT_IP_HEADER = _meta_header(
    os.getenv("FAZHAN_CLIENT_ADDRESS_HEADER", "X-Real-IP" if HTTPS else "")
)

# Content-Security-Policy (django-csp): scripts only from our own static files, never inline (the
# templates' behaviours live in fazhan/static/fazhan/behaviours.js). Styles may be inline: the
# printable sheets carry their CSS in <style>, and style attributes run no code.
CSP_ON = envbool("FAZHAN_CSP", str(HTTPS))
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if CSP_ON:
    MIDDLEWARE.insert(1, "csp.middleware.CSPMiddleware")

# Sessions end after FAZHAN_SESSION_IDLE_MINUTES without a request (default 30) and, whatever
# the activity, FAZHAN_SESSION_HOURS after sign-in (default 12): fazhan/ops/middleware.py.
SESSION_IDLE_SECONDS = envint("FAZHAN_SESSION_IDLE_MINUTES", 30) * 60
SESSION_ABSOLUTE_SECONDS = envint("FAZHAN_SESSION_HOURS", 12) * 3600
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS or 1_209_600

# Logging: to stderr (journald under systemd). The privacy filter drops every line about the
# voting page (its time would date a ballot) and strips the client address from lines about the
# public pages (/gongshi/); gunicorn's access log goes through the same rules (fazhan/ops/logs.py).
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"privacy": {"()": "fazhan.ops.logs.PrivacyFilter"}},
    "formatters": {
        "plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["privacy"],
        },
    },
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "fazhan": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# -- signing in (Step 8 item 3; docs/accounts.md) --------------------------------------------------
# A second factor (TOTP with recovery codes, django-otp) for every role on any database that is not
# the demo: `fazhan.accounts.twofactor`. Repeated failures lock the account and the client out for a
# while (django-axes; the failures are listed for the auditor).
INSTALLED_APPS += [
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
]
_auth = MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware")
MIDDLEWARE[_auth + 1 : _auth + 1] = [
    "django_otp.middleware.OTPMiddleware",
    "fazhan.accounts.middleware.SecondFactorRequiredMiddleware",
]
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # axes wants to be last
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = envbool("FAZHAN_LOGIN_LOCKOUT", "True")
AXES_FAILURE_LIMIT = envint("FAZHAN_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("FAZHAN_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
# Either the account or the client: five wrong passwords lock the account from every client, and a
# client guessing across accounts is locked from every account.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_CLIENT_IP_CALLABLE = "fazhan.lib.client.client_ip"
AXES_VERBOSE = False
OTP_TOTP_ISSUER = os.getenv("FAZHAN_OTP_ISSUER", "Fazhan")
# Password rules: Django's four, the similarity to the user name stricter than Django's default,
# and never the user name itself inside the password (zhibu2zhibu2 for zhibu2).
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "display_name"), "max_similarity": 0.5},
    },
    {"NAME": "fazhan.accounts.validators.NoUsernameInsideValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# Uploads are bounded before they are parsed (Step 8; fazhan.lib.tabular): an .xlsx by its size,
# the sum of its members' uncompressed sizes and its compression ratio, every table by its rows
# and columns. A 10,000-row roster from the template is about 1.3 MB and 20 MB unzipped.
FAZHAN_UPLOAD_MAX_BYTES = envint("FAZHAN_UPLOAD_MAX_MB", 20) * 1024 * 1024
FAZHAN_UPLOAD_MAX_UNZIPPED_BYTES = envint("FAZHAN_UPLOAD_MAX_UNZIPPED_MB", 200) * 1024 * 1024
FAZHAN_UPLOAD_MAX_RATIO = envint("FAZHAN_UPLOAD_MAX_RATIO", 100)
FAZHAN_UPLOAD_MAX_ROWS = envint("FAZHAN_UPLOAD_MAX_ROWS", 100_000)
FAZHAN_UPLOAD_MAX_COLUMNS = envint("FAZHAN_UPLOAD_MAX_COLUMNS", 200)
# Django's own bounds on a request: form fields (a pasted plan JSON is a few kB) and the size
# above which an uploaded file is spooled to a temporary file instead of kept in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 500
# Any request body over this is refused before it is parsed (fazhan.lib.uploads).
FAZHAN_UPLOAD_MAX_BODY_BYTES = envint("FAZHAN_UPLOAD_MAX_BODY_MB", 110) * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "fazhan.lib.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Scans kept with a step (PDF, JPEG, PNG by content: fazhan.attachments), outside the chain and
# outside the database, each named by its SHA-256; the largest accepted file.
FAZHAN_ATTACHMENTS_ROOT = Path(
    os.getenv("FAZHAN_ATTACHMENTS_ROOT", str(BASE_DIR.parent / "var" / "attachments"))
)
FAZHAN_ATTACHMENT_MAX_BYTES = envint("FAZHAN_ATTACHMENT_MAX_MB", 10) * 1024 * 1024
# Notifications (fazhan.notify): the optional e-mail or SMS gateway, a class path such as
# fazhan.notify.gateway.ConsoleBackend or fazhan.notify.gateway.EmailBackend; empty: the bell only.
FAZHAN_NOTIFY_BACKEND = os.getenv("FAZHAN_NOTIFY_BACKEND", "")
FAZHAN_NOTIFY_DUE_DAYS = int(os.getenv("FAZHAN_NOTIFY_DUE_DAYS", "7"))
