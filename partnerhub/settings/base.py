"""Settings shared by every environment; the environment is read here and nowhere else."""

from __future__ import annotations

from pathlib import Path

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "partnerhub.core",  # first: its `migrate` runs migrations as the owner role
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "auditlog",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "scorecards",
    "reviews",
    "remediation",
    "recognition",
    "partnerhub.executive",
    "partnerhub.demo",
]

MIDDLEWARE = [
    "partnerhub.core.accounts.TrustedProxyMiddleware",  # first: every later reader sees the real client address
    "django.middleware.security.SecurityMiddleware",
    "partnerhub.core.middleware.PrivateCacheMiddleware",  # outermost but security: it sees every response
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "partnerhub.core.middleware.InputTextMiddleware",  # before axes and the tenant: a NUL never reaches a query
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "axes.middleware.AxesMiddleware",
    "partnerhub.core.tenancy.middleware.TenantMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
]

ROOT_URLCONF = "partnerhub.urls"
WSGI_APPLICATION = "partnerhub.wsgi.application"

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
                "partnerhub.context_processors.navigation",
                "partnerhub.context_processors.panels",
            ],
        },
    },
]

# --- Database: the app connects as a role bound by row-level security; migrations run as the owner. ---
DATABASE_APP_ROLE = "partnerhub_app"
DATABASE_APP_MAY_TRUNCATE = False
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    _owner = env.db("DATABASE_OWNER_URL", default=env.str("DATABASE_URL"))
    DATABASE_OWNER = {"USER": _owner["USER"], "PASSWORD": _owner.get("PASSWORD", "")}
    DATABASE_APP_ROLE = DATABASES["default"]["USER"]
else:
    from partnerhub.core.db.embedded import embedded_database_settings

    _default, DATABASE_OWNER = embedded_database_settings(
        Path(env.str("PARTNERHUB_PGDATA", default=str(BASE_DIR / ".pgdata")))
    )
    DATABASES = {"default": _default}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and tasks: Redis when REDIS_URL is set, in-process otherwise. ---
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # Degrades to a miss while Redis is down (partnerhub/core/resilience.py); a short timeout so a page never hangs.
    CACHES = {
        "default": {
            "BACKEND": "partnerhub.core.resilience.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged when it has finished, so a worker killed mid-task leaves it unacknowledged; Redis hands it
# to another worker after the visibility timeout, which must exceed the longest task (tasks are idempotent and take
# their tenant's advisory lock, so a second delivery of a task still running waits, then finds its work done).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
}
# Redis down: give up on it within a second or two (then the task runs in-process, partnerhub/core/resilience.py).
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5},
}
CELERY_RESULT_EXTENDED = True  # a result names its task and how many times it was retried
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"

# --- Auth ---
AUTH_USER_MODEL = "partnerhub.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out credentials before any check
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="optional")
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_FORMS = {"login": "partnerhub.core.forms.accounts.LoginForm"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "PartnerHub"

# Failed logins (partnerhub/core/accounts.py): django-axes locks a login name from an address after a few failures
# on every login path (allauth, Django admin, the API token endpoint), answered 429 with Retry-After; an address with
# many failures gets 429 for its further failures only, never for a correct password.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "partnerhub.core.accounts.axes_username"
AXES_CLIENT_IP_CALLABLE = "partnerhub.core.accounts.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "partnerhub.core.accounts.axes_lockout_response"
LOGIN_IP_FAILURE_LIMIT = env.int("LOGIN_IP_FAILURE_LIMIT", default=30)
LOGIN_IP_FAILURE_WINDOW = 15 * 60  # seconds
# allauth's own login limit is per login name only (its per-address one refused correct passwords too), above axes's
# so that axes locks first and a success resets the count on every path.
ACCOUNT_RATE_LIMITS = {"login_failed": f"{2 * AXES_FAILURE_LIMIT}/15m/key"}
# Proxies whose X-Forwarded-For is believed (addresses or networks, e.g. "10.0.0.0/8"); none by default, so a
# client can never choose the address the limits count.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# --- Security headers and cookies (tightened further outside DEBUG in production.py) ---
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
_secure = not DEBUG
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=_secure)
CSRF_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=_secure)
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_SSL_REDIRECT = env.bool("DJANGO_SSL_REDIRECT", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Static files: all ours, served by whitenoise; no CDN. ---
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# plotly.js's cartesian bundle is vendored in static/vendor/plotly/ (scripts/vendor_plotly.py; no CDN).
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Proofs of performance of investment claims: never under a public URL, served only by a tenant view.
    "investment_proofs": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.str("PARTNERHUB_PROOFS_ROOT", default=str(BASE_DIR / "var" / "proofs"))},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Email ---
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="PartnerHub <no-reply@partnerhub.localhost>")
INVITATION_TTL_DAYS = env.int("INVITATION_TTL_DAYS", default=7)

# --- API ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "partnerhub.core.api.schema.PartnerHubAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "partnerhub.core.api.errors.exception_handler",
    "NUM_PROXIES": 0,  # the client address is REMOTE_ADDR, resolved by TrustedProxyMiddleware; never X-Forwarded-For
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PartnerHub API",
    "DESCRIPTION": "Partner program performance reviews. Every tenant resource lives under /api/v1/t/<tenant>/.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation's error statuses and the one error body (partnerhub/core/api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "partnerhub.core.api.schema.add_error_component",
    ],
    # Partner type, tier and stage are one choice set each, whichever serializer names them.
    "ENUM_NAME_OVERRIDES": {
        "PartnerTypeEnum": "partnerhub.core.models.Partner.Type",
        "PartnerTierEnum": "partnerhub.core.models.Partner.Tier",
        "PartnerStageEnum": "partnerhub.core.models.Partner.Stage",
        # "at least" / "at most" a threshold: a remediation checkpoint's comparator, a tier's metric requirement.
        "ThresholdComparisonEnum": [("gte", "gte"), ("lte", "lte")],
    },
}

# --- Audit ---
AUDITLOG_LOGENTRY_MODEL = "partnerhub.AuditEntry"
AUDITLOG_INCLUDE_ALL_MODELS = False

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# Dates as pages show them ("3 Dec 2026"): the product's format module over Django's locale formats.
FORMAT_MODULE_PATH = ["partnerhub.core.formats"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# auditlog's own migrations would create its default LogEntry table even though AuditEntry replaces it.
MIGRATION_MODULES = {"auditlog": None}
# Imports: files above this many rows are committed by a Celery worker with progress shown in the page.
IMPORT_SYNC_MAX_ROWS = env.int("IMPORT_SYNC_MAX_ROWS", default=5000)
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES + 1024 * 1024
# Proof files of investment claims: at most this large each (and of the types recognition.domain.proofs accepts).
PROOF_MAX_BYTES = env.int("PROOF_MAX_BYTES", default=10 * 1024 * 1024)

# --- Scheduled work: each app declares its beat entries on its AppConfig (django-celery-beat copies them into its
# database schedule when beat starts) ---
from partnerhub.registry import beat_schedule_of  # noqa: E402

CELERY_BEAT_SCHEDULE = beat_schedule_of(INSTALLED_APPS, BASE_DIR)
