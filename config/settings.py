"""All settings, read from the environment (see README and .env.example)."""

from datetime import date
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-not-secret-" + "x" * 40)
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set (50+ characters) when DJANGO_DEBUG=false")

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# A city's and a surgeon's public pages are verification's listing pages: the project says so, not directory.
ABSOLUTE_URL_OVERRIDES = {
    "directory.city": lambda city: reverse("verification:city", args=[city.slug]),
    "directory.surgeon": lambda surgeon: reverse("verification:surgeon", args=[surgeon.npi]),
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django_celery_beat",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "simple_history",
    "axes",
    "bulksql",
    "directory",
    "verification",
    "api",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "directory.middleware.PreferredLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out sign-in into the lockout page
]

# django-axes refuses a locked-out sign-in before the password is checked; ModelBackend then authenticates.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "verification.context_processors.listed_cities",
                "directory.context_processors.languages",
            ],
        },
    },
]

# No DATABASE_URL: an SQLite file under var/, so one command runs everything.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: on a search over 100,000 surgeons it spent 0.38 s compiling a query that runs in 0.1 s.
    # Name search forgives one typo through pg_trgm's `%>`: 0.4 catches most single typos in names of 4+
    # letters (the default 0.6 misses "Garica" for Garcia); exact matches still rank first.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", "-c jit=off -c pg_trgm.word_similarity_threshold=0.4"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# No REDIS_URL: local-memory cache and Celery tasks run in-process.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,  # a Redis outage is a cache miss, never a 500
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
    # The partner API throttle must notice an outage (and count per process meanwhile), so its errors are raised.
    CACHES["throttle"] = {**CACHES["default"], "OPTIONS": {**CACHES["default"]["OPTIONS"], "IGNORE_EXCEPTIONS": False}}
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"},
    }
if env.str("CACHE_URL", default=""):  # an explicit cache, e.g. dummycache:// to measure uncached pages
    CACHES = {"default": env.cache_url("CACHE_URL"), "throttle": CACHES["throttle"]}
CACHE_TTL_SECONDS = env.int("CACHE_TTL_SECONDS", default=3600)
# Which snapshot is a city's current one: cached this long, cleared at once by each publication.
CITY_POINTER_CACHE_SECONDS = env.int("CITY_POINTER_CACHE_SECONDS", default=30)

# The broker: RabbitMQ in production (a dead worker's unacknowledged tasks return at once), else Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL == "memory://"
# In-process tasks fail as a worker's would: logged, their failure handlers run, the caller (a request) goes on.
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
# Redelivery of unacknowledged tasks must wait longer than the hard time limit (Redis as broker only).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT * 2, "socket_connect_timeout": 2}
# A broker that is down refuses quickly: the caller goes on and a sweeper sends the task later.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
# A batch, event or publication not done within this long after its hand-over is handed over again.
SWEEP_STALE_SECONDS = env.int("SWEEP_STALE_SECONDS", default=CELERY_TASK_TIME_LIMIT * 2)
# A batch handed over this many times without finishing fails its run (with a note saying so).
VERIFICATION_BATCH_MAX_SENDS = env.int("VERIFICATION_BATCH_MAX_SENDS", default=5)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Patient pages in English (no prefix) and Spanish (/es/); the admin and the API stay English.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One human date format per language: "Nov 29, 2026" / "29 de noviembre de 2026".
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Off only for the local demo (`make run` serves production settings over plain http on 127.0.0.1).
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
    STORAGES["staticfiles"]["BACKEND"] = "whitenoise.storage.CompressedManifestStaticFilesStorage"

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}

# --- Verification thresholds: each default is the mission's value. ---
EXPERIENCE_MIN_YEARS = env.int("EXPERIENCE_MIN_YEARS", default=5)
EXPERIENCE_MIN_PROCEDURES = env.int("EXPERIENCE_MIN_PROCEDURES", default=300)
SATISFACTION_MIN_SCORE = env.float("SATISFACTION_MIN_SCORE", default=8.5)
SATISFACTION_MIN_RESPONSES = env.int("SATISFACTION_MIN_RESPONSES", default=30)
MALPRACTICE_MIN_PER_CLAIM = env.int("MALPRACTICE_MIN_PER_CLAIM", default=1_000_000)
MALPRACTICE_MIN_AGGREGATE = env.int("MALPRACTICE_MIN_AGGREGATE", default=3_000_000)
SANCTIONS_LOOKBACK_YEARS = env.int("SANCTIONS_LOOKBACK_YEARS", default=10)
# An orthopaedic surgeon without a spine taxonomy is a spine surgeon once this many primary spine procedures
# are shown in one Medicare data year (or a reviewer confirms spine practice). Spine codes: verification/sources/
# spine_cpt_codes.csv.
SPINE_FOCUS_MIN_PROCEDURES = env.int("SPINE_FOCUS_MIN_PROCEDURES", default=25)
VERIFICATION_BATCH_SIZE = env.int("VERIFICATION_BATCH_SIZE", default=500)
ANNUAL_VERIFICATION_DATE = env.str("ANNUAL_VERIFICATION_DATE", default="01-15")  # MM-DD, UTC
try:
    date.fromisoformat(f"2000-{ANNUAL_VERIFICATION_DATE}")
except ValueError as exc:
    raise ImproperlyConfigured("ANNUAL_VERIFICATION_DATE must be MM-DD") from exc

# Outbound HTTP: only these hosts, always with timeouts.
SOURCE_HOST_ALLOWLIST = env.list("SOURCE_HOST_ALLOWLIST", default=["npiregistry.cms.hhs.gov"])
SOURCE_CONNECT_TIMEOUT = env.float("SOURCE_CONNECT_TIMEOUT", default=3.05)
SOURCE_READ_TIMEOUT = env.float("SOURCE_READ_TIMEOUT", default=15.0)
SOURCE_MAX_RETRIES = env.int("SOURCE_MAX_RETRIES", default=3)

# --- Rankings and publication ---
RANKING_METHOD_VERSION = "v1"  # of verification/ranking.py: change it with the method; every snapshot names it
RANKING_LIST_SIZE = env.int("RANKING_LIST_SIZE", default=10)
RANKING_PRIOR_WEIGHT = env.int("RANKING_PRIOR_WEIGHT", default=50)  # responses' worth of the all-surgeon mean
RANKING_MAX_UNKNOWN_SHARE = env.float("RANKING_MAX_UNKNOWN_SHARE", default=0.05)  # above: a source outage
RANKING_MAX_CHANGES_WITHOUT_APPROVAL = env.int("RANKING_MAX_CHANGES_WITHOUT_APPROVAL", default=3)

# --- Partner API ---
API_PAGE_SIZE = env.int("API_PAGE_SIZE", default=50)
API_MAX_PAGE_SIZE = env.int("API_MAX_PAGE_SIZE", default=200)
API_KEY_CUSTOM_HEADER = None  # keys arrive as "Authorization: Api-Key <key>"
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.PartnerKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.auth.IsActivePartner"],
    "DEFAULT_THROTTLE_CLASSES": ["api.auth.PartnerKeyThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Spine Surgeon Directory — Partner API",
    "DESCRIPTION": "Read-only access to verified city top-ten lists, surgeon verification summaries and "
    "FBSS education pages. Send your key as `Authorization: Api-Key <key>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.problem_responses_add",
    ],
}
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)

# --- Evidence documents (never public: no URL serves MEDIA_ROOT; staff download through the admin) ---
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
# EVIDENCE_S3_BUCKET set → an S3-compatible store (AWS, MinIO, Ceph …): private objects, served only through
# the staff download view; otherwise files stay under MEDIA_ROOT.
if EVIDENCE_S3_BUCKET := env.str("EVIDENCE_S3_BUCKET", default=""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": EVIDENCE_S3_BUCKET,
            "endpoint_url": env.str("EVIDENCE_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("EVIDENCE_S3_REGION", default="us-east-1"),
            "access_key": env.str("EVIDENCE_S3_ACCESS_KEY", default="") or None,
            "secret_key": env.str("EVIDENCE_S3_SECRET_KEY", default="") or None,
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }

# --- Consultation requests ---
# The demo default prints a redacted line: the body holds patient details meant only for the practice.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="directory.mail.RedactedConsoleBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))  # for the file-based backend
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="no-reply@spine-directory.example")
CONSULTATION_FALLBACK_EMAIL = env.str("CONSULTATION_FALLBACK_EMAIL", default="practices@spine-directory.example")
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)  # trust the last X-Forwarded-For hop
CONSULTATION_RETENTION_DAYS = env.int("CONSULTATION_RETENTION_DAYS", default=90)
CONSULTATION_LIMIT_PER_CLIENT = env.int("CONSULTATION_LIMIT_PER_CLIENT", default=5)  # per hour
CONSULTATION_LIMIT_PER_SURGEON = env.int("CONSULTATION_LIMIT_PER_SURGEON", default=20)  # per hour

# --- Admin sign-in lockout (django-axes): failures are counted in the database, so a cache outage keeps the lock ---
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=900)
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: per username and per client address
AXES_FAILURE_LIMIT = "config.admin_login.failure_limit"  # read LOGIN_* at request time
AXES_COOLOFF_TIME = "config.admin_login.lockout_period"
AXES_CLIENT_IP_CALLABLE = "config.client.client_address"  # honours BEHIND_PROXY
AXES_LOCKOUT_CALLABLE = "config.admin_login.locked_out"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the lock lifts LOGIN_LOCKOUT_SECONDS after it began
AXES_DISABLE_ACCESS_LOG = True  # failures are what the lockout needs; no growing log of every sign-in
AXES_VERBOSE = False  # no start-up banner in every management command's output
