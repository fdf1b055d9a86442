"""Settings for the source-bias annotation tool, read from the environment.

Every setting a deployment changes comes from an environment variable:

- ``DJANGO_DEBUG``: ``1`` (default, local use) or ``0`` (production mode).
- ``DJANGO_SECRET_KEY``: required when ``DJANGO_DEBUG`` is off.
- ``DJANGO_ALLOWED_HOSTS``: comma-separated host names.
- ``SQLITE_SYNCHRONOUS``: ``NORMAL`` (default) or ``FULL``: see README, Production.
- ``DATA_DIR``: the folder of the app's own files (default: this project's folder):
  the default SQLite database, ``exports/``, ``backups/`` and ``uploads/`` (uploads
  being received).
- ``DATABASE_URL``: ``sqlite:///path.sqlite3`` (default: ``db.sqlite3`` in ``DATA_DIR``)
  or ``postgres://user:password@host:port/name``.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (production mode)."
        )
    SECRET_KEY = "django-insecure-local-development-key-not-for-production-use-0123456789"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "annotator.apps.AnnotatorConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    # First: it sees the whole answer (see annotator/web/memory.py).
    "annotator.web.memory.ReleaseMemoryMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The language and time zone of the user's profile, over the browser's.
    "annotator.accounts.preferences.PreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "annotator.web.middleware.UploadSizeLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a lockout into the "too many attempts" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "project.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Each feature package keeps its templates beside its code (annotator/<feature>/templates).
        "DIRS": sorted(str(p) for p in (BASE_DIR / "annotator").glob("*/templates")),
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

WSGI_APPLICATION = "project.wsgi.application"

# The app's own files: the SQLite database, exports, backups, uploads being received.
DATA_DIR = Path(os.environ.get("DATA_DIR") or BASE_DIR)

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
# SQLite's durability (README, Production): with NORMAL a process crash loses no save,
# but an OS crash or power cut may lose the last ones acknowledged; FULL makes each save
# wait for the disk (fsync of the write-ahead log at every commit).
SQLITE_SYNCHRONOUS = (os.environ.get("SQLITE_SYNCHRONOUS") or "NORMAL").strip().upper()
if SQLITE_SYNCHRONOUS not in {"NORMAL", "FULL"}:
    raise ImproperlyConfigured(
        f"SQLITE_SYNCHRONOUS must be NORMAL or FULL, not {os.environ['SQLITE_SYNCHRONOUS']!r}."
    )
# SQLite's page cache of each connection, in KiB (README, Settings).
SQLITE_CACHE_KB = env_int("SQLITE_CACHE_KB", 4000)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend with write transactions queued (see annotator/fastpath/sqlite3/base.py).
    DATABASES["default"]["ENGINE"] = "annotator.fastpath.sqlite3"
    # Many analysts write at once: WAL lets readers run beside the writer,
    # IMMEDIATE takes the write lock at BEGIN (no upgrade deadlocks), and the
    # busy timeout makes a writer wait for the lock instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 30),
        "checkpoint_seconds": env_int("SQLITE_CHECKPOINT_SECONDS", 1),
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            f"PRAGMA synchronous={SQLITE_SYNCHRONOUS};"
            "PRAGMA foreign_keys=ON;"
            # Each connection (a thread of a server process) keeps its own page cache; reads
            # beyond it come from the operating system's file cache, which every process
            # shares. 32 MB a connection made the web server's memory grow past 250 MB.
            f"PRAGMA cache_size=-{SQLITE_CACHE_KB};"
            # The log is copied back by a checkpoint thread (annotator/sqlite3/base.py)
            # every SQLITE_CHECKPOINT_SECONDS; a writer does it itself only past 10,000
            # pages (40 MB), and the file is cut back to 64 MB afterwards.
            "PRAGMA wal_autocheckpoint=10000;"
            "PRAGMA journal_size_limit=67108864;"
        ),
    }
    # Tests use a database file (not memory) so that concurrent writers meet the
    # same locks, WAL and busy timeout as in production.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("SQLITE_TEST_NAME")
        or str(Path(tempfile.gettempdir()) / f"annotator-test-{os.getpid()}.sqlite3")
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True


AUTHENTICATION_BACKENDS = [
    # django-axes: refuses logins for a while after repeated failures.
    "annotator.accounts.auth.LoginThrottleBackend",
    # Django's ModelBackend, loading the signed-in user with one written-out query.
    "annotator.accounts.auth.AccountBackend",
]
# Django's database sessions, read with one written-out query (annotator/sessions.py).
SESSION_ENGINE = "annotator.fastpath.sessions"
# Login throttling: after AXES_FAILURE_LIMIT failed logins for one user name from one
# address, that pair is locked out for AXES_COOLOFF_MINUTES (HTTP 429). Analysts
# behind one office address do not lock each other out.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "annotator.accounts.auth.lockout_response"
# The address axes sees is REMOTE_ADDR, never a header a client could forge: behind a
# reverse proxy every client has the proxy's address, so a lockout is per user name.

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The interface in Russian and English: the language comes from the user's profile
# (read into the session at login: annotator.accounts.preferences), else from the
# browser (Accept-Language, LocaleMiddleware). Times are stored in UTC and shown in the
# user's time zone. The catalogues (locale/<lang>/LC_MESSAGES/django.po) are compiled
# by `make install` (scripts/compile_messages.py); the .mo files are not committed.
LANGUAGE_CODE = "en"
LANGUAGES = [("ru", "Русский"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Each process keeps its cache in memory (rate limits, profile figures). Template
# fragments (the parts of the document page and the header that are the same on every
# view, see the {% cache %} tags) have a cache of their own: without one, Django's tag
# looks for it and falls back to the default on every fragment of every page. In DEBUG
# (`make run`) fragments are not kept, so that a template being edited shows at once.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "main"},
    "template_fragments": (
        {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
        if DEBUG
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "template-fragments",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    ),
}

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Uploads (admin import) are capped; larger requests are refused with a clear 413 page
# (annotator.web.middleware): IMPORT_UPLOAD_MAX_BYTES bounds a whole request body,
# DATA_UPLOAD_MAX_MEMORY_SIZE the form fields other than files, and every body of anyone
# but staff (refused unread). Staff uploads larger than FILE_UPLOAD_MAX_MEMORY_SIZE are
# spooled into FILE_UPLOAD_TEMP_DIR (made when first needed), not the system's /tmp.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
IMPORT_UPLOAD_MAX_BYTES = env_int("IMPORT_UPLOAD_MAX_BYTES", 50 * 1024 * 1024)
FILE_UPLOAD_TEMP_DIR = str(Path(os.environ.get("FILE_UPLOAD_TEMP_DIR") or DATA_DIR / "uploads"))

# Where export_dataset and backup write when given a bare file name.
EXPORT_DIR = Path(os.environ.get("EXPORT_DIR") or DATA_DIR / "exports")
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR") or DATA_DIR / "backups")
# Trained suggester models: one folder per project, one file per version.
SUGGESTER_DIR = DATA_DIR / "suggesters"

# Background jobs (annotator.jobs): Django's tasks framework with a database-backed queue,
# run by `manage.py db_worker` (make run starts one beside the server). TASKS_BACKEND
# may name another backend (the tests run jobs at once with the immediate backend).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND") or "django_tasks_db.DatabaseBackend",
    }
}
# Inputs and result files of jobs (exports to download); with workers on several
# machines this folder must be shared by all of them.
JOB_FILES_DIR = Path(os.environ.get("JOB_FILES_DIR") or BASE_DIR / "job-files")
# How long a finished job's file is kept for download, then removed.
JOB_FILES_HOURS = env_int("JOB_FILES_HOURS", 24)
# Imports bigger than this (bytes of the upload or request body) run as a job.
JOB_IMPORT_BYTES = env_int("JOB_IMPORT_BYTES", 16 * 1024 * 1024)
# Dataset downloads from the export page over this many documents run as a job.
JOB_EXPORT_DOCUMENTS = env_int("JOB_EXPORT_DOCUMENTS", 2000)
# A running job whose worker has not reported for this long (on another machine; on the
# same machine a dead worker process is seen at once) is marked failed.
JOB_LOST_SECONDS = env_int("JOB_LOST_SECONDS", 600)

# After an import through the API adds this many documents to a project, its profiles
# are recounted by a background job (the Sources page would otherwise do it when viewed).
JOB_RECOUNT_DOCUMENTS = env_int("JOB_RECOUNT_DOCUMENTS", 200)

# The REST API (annotator.api): personal tokens or the session; JSON only.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "annotator.api.authentication.TokenAuthentication",
        "annotator.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["annotator.api.throttling.TokenRateThrottle"],
    # Requests per token (or per signed-in user); counted per server process.
    "DEFAULT_THROTTLE_RATES": {"token": os.environ.get("API_RATE") or "1200/minute"},
    "DEFAULT_PAGINATION_CLASS": "annotator.api.pagination.PageOrOffsetPagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "annotator.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Wrong API keys from one address: after this many within the window, 429 until it ends.
API_FAILED_TOKEN_LIMIT = env_int("API_FAILED_TOKEN_LIMIT", 20)
API_FAILED_TOKEN_SECONDS = env_int("API_FAILED_TOKEN_SECONDS", 15 * 60)
SPECTACULAR_SETTINGS = {
    "TITLE": "Source-bias annotation API",
    "DESCRIPTION": (
        "Projects, documents, your annotations, predictions, gold, agreement, source "
        "profiles and exports. Send a personal token as `Authorization: Token <key>` "
        "(make one on the API tokens page)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Content-Security-Policy: no inline scripts or styles anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# Pages carry the CSRF token (forms, and hx-headers for htmx); scripts never read the cookie.
CSRF_COOKIE_HTTPONLY = True
# An expired form gets the site's error page (with a way back), not Django's bare one.
CSRF_FAILURE_VIEW = "annotator.web.errors.csrf_failure"
# Load balancers and monitors probe over plain HTTP (when SECURE_SSL_REDIRECT is on).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
