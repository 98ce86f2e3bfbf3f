"""Settings of Clauses, driven by environment variables.

The defaults are the embedded mode (`make run`): SQLite under var/, Celery tasks run in-process,
e-mails printed on the console, private files under var/. Production sets the variables listed
in README.md and CLAUSES_ENV=production, which makes the essential ones mandatory.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# "development" (default: make run, tests) or "production".
CLAUSES_ENV = env("CLAUSES_ENV", default="development")
if CLAUSES_ENV not in ("development", "production"):
    raise ImproperlyConfigured("CLAUSES_ENV doit valoir « development » ou « production ».")
IS_PRODUCTION = CLAUSES_ENV == "production"

DEBUG = env.bool("DEBUG", default=False)
if IS_PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("DEBUG ne peut pas être activé en production.")
    missing = [name for name in ("SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "SITE_URL") if name not in env]
    if missing:
        raise ImproperlyConfigured(f"Variables d'environnement manquantes en production : {', '.join(missing)}.")

DEVELOPMENT_SECRET_KEY = "development-only-secret-key-not-for-production"
SECRET_KEY = env("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if SECRET_KEY == DEVELOPMENT_SECRET_KEY and ALLOWED_HOSTS and not DEBUG:
    # Serving real host names with the published development key would let anyone forge sessions.
    raise ImproperlyConfigured("Définissez SECRET_KEY : la clé de développement ne peut pas servir un site public.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Applications
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    # Ours, in dependency order: each app may only import from the apps above it.
    "clauses",
    "clauses.accounts",
    "marches",
    "participants",
    "suivi",
    "comites",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "clauses.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "clauses.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "clauses.accounts.middleware.SessionTimeoutMiddleware",
    "clauses.accounts.middleware.ActiveMembershipMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during authentication into its French page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clauses.urls"
WSGI_APPLICATION = "clauses.wsgi.application"

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
                "clauses.accounts.context_processors.active_membership",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise (postgres:///clauses in tests).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'clauses.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# Faults (issue 9): a connection kept between requests (CONN_MAX_AGE > 0) is checked before its first use in each
# request, so that the app survives a PostgreSQL restart without being restarted itself.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # Writers wait for each other instead of failing with "database is locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the reports' grouped queries cross its cost threshold, and compiling took longer than
    # running them (a dashboard's contracts query: 2.5 s of compilation for 0.5 s of work on the national dataset).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Accounts
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses any attempt on a locked-out account
    "django.contrib.auth.backends.ModelBackend",
]
# Passwords as the CNIL recommends (délibération 2022-100): 12 characters of four kinds, or 14 of three kinds.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "clauses.accounts.validators.CnilPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600  # an invitation link stays valid three days
# A session lasts one working day at most, and ends after SESSION_IDLE_TIMEOUT seconds without a request.
SESSION_COOKIE_AGE = 10 * 3600
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Lockout (django-axes): after 5 failed attempts on an account, it is refused for 15 minutes, whatever the
# address (behind a proxy every user shares one). Attempts are kept in the database; successful logins are not.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "clauses.accounts.security.axes_username"
AXES_CLIENT_STR_CALLABLE = "clauses.accounts.security.axes_client_str"  # logs name no account in clear
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# axes.W006 asks to lock on addresses too. Not here: a facilitation team works behind one office address (and every
# user behind a proxy), where five typing errors in a quarter of an hour would lock the whole team out.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Second factor (django-otp): optional, offered to facilitators and administrators; a TOTP application, plus
# single-use recovery codes. Each wrong code doubles the wait before the next try.
OTP_TOTP_ISSUER = "Clauses"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin site never shows a TOTP key nor a recovery code

# Content Security Policy (django-csp): our own scripts and styles only, nothing inline but style attributes
# (progress bars' widths); no framing, no form posted elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# French, Paris time, French formats (21/11/2026, 1 234,5)
LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["clauses.formats"]

# Static files (vendored under static/, served by WhiteNoise in production after collectstatic)
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")

# Private files (proofs, CVs, generated PDFs): never under a public URL, served by permission-checked views.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=VAR_DIR / "private")
STORAGES = {
    "default": {
        "BACKEND": "clauses.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("STATIC_MANIFEST", default=IS_PRODUCTION)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        ),
    },
}
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# Backups (`make backup` / `manage.py backup`): where dated backup folders are written (database and private files).
BACKUP_DIR = env.path("BACKUP_DIR", default=VAR_DIR / "backups")

# E-mail: printed on the console unless EMAIL_URL says otherwise (smtp+tls://user:password@host:587).
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Clauses <ne-pas-repondre@clauses.localhost>")
EMAIL_SUBJECT_PREFIX = "[Clauses] "

# Celery: in-process ("eager") unless REDIS_URL is set.
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
# Kept figures (reporting.kept) are refreshed by a worker as soon as data change; in-process, the dashboard computes
# the structures whose figures no longer hold, and the night's refresh catches up.
KEPT_FIGURES_REFRESH = env.bool("KEPT_FIGURES_REFRESH", default=not CELERY_TASK_ALWAYS_EAGER)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE
# Faults (issue 9): with Redis down, a page that queues a task gives up publishing after one more try instead of
# four (each connection attempt bounded by CELERY_BROKER_CONNECTION_TIMEOUT); what was not queued is sent again
# by "resend-report-jobs" below.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
# Periodic jobs (Celery beat) are all listed here, in one place.
CELERY_BEAT_SCHEDULE: dict = {
    # R-SEQ: every morning, propose the return to their référent of people whose clause contract has ended.
    "propose-returns-to-referents": {
        "task": "suivi.tasks.propose_returns_to_referents",
        "schedule": crontab(hour=6, minute=0),
    },
    # R-OUTCOME: every morning, put the checks at 6, 12, 18 and 24 months in the to-do list as they fall due.
    "create-due-outcome-checks": {
        "task": "suivi.tasks.create_due_outcome_checks",
        "schedule": crontab(hour=6, minute=30),
    },
    # Bilans asked for while the task queue was down, or lost with a worker: sent again (issue 9, faults).
    "resend-report-jobs": {
        "task": "reporting.tasks.resend_report_jobs",
        "schedule": 60.0,
    },
    # Kept figures (dashboards, consolidation): every structure's rows computed again for the new day.
    "refresh-kept-figures": {
        "task": "reporting.tasks.refresh_kept_figures",
        "schedule": crontab(hour=0, minute=30),
    },
}

# --- Personal data (RGPD, issue 9) -------------------------------------------------------------------------------
# A participant's personal data are anonymised this many months after the end of their last follow-up
# (suivi.retention says what that end is); the log of who viewed a record is kept this many months (CNIL: access
# logs 6 months to a year). A view by the same user of the same record, same kind, is logged once per window.
RETENTION_MONTHS = env.int("RETENTION_MONTHS", default=24)
VIEW_LOG_RETENTION_MONTHS = env.int("VIEW_LOG_RETENTION_MONTHS", default=12)
VIEW_LOG_WINDOW_MINUTES = 5
# A fiche navette that ended without a person (refused, returned and never sent again, left pending, a draft) is
# anonymised this many months after its last event: a year covers a prescriber sending it again or asking why it was
# refused, and the year's figures of fiches received, which the anonymised row still feeds (status, reason, dates).
REFERRAL_RETENTION_MONTHS = env.int("REFERRAL_RETENTION_MONTHS", default=12)
# An hour-import spreadsheet (names and hours) is erased this many days after it was applied: a quarter covers
# checking an import against the employer's timesheets and the next months' imports; the hours themselves, with
# their history and the import they came from, stay. One still waiting that long is abandoned and erased too.
IMPORT_FILE_RETENTION_DAYS = env.int("IMPORT_FILE_RETENTION_DAYS", default=90)
CELERY_BEAT_SCHEDULE |= {
    # Every night: anonymise the people and the fiches navettes whose retention is over, erase the hour-import
    # spreadsheets kept long enough (suivi.retention.anonymise_due), and prune the view log.
    "anonymise-participants": {"task": "suivi.tasks.anonymise_participants", "schedule": crontab(hour=2, minute=0)},
    "prune-participant-view-logs": {
        "task": "participants.tasks.prune_view_logs",
        "schedule": crontab(hour=2, minute=30),
    },
}

# Forms and UI
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
PAGINATE_BY = 25

# Security: on whenever DEBUG is off. Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER_NAME.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
    if proxy_header := env("SECURE_PROXY_SSL_HEADER_NAME", default=""):
        SECURE_PROXY_SSL_HEADER = (proxy_header, "https")

# Logging: to the console, never personal data (log identifiers, not names).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},  # failures and lockouts only, not every successful login
    },
}

# Absolute address of the site, for links in e-mails.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Antivirus (issue 9): uploads (proofs, imports) are streamed to clamd when CLAMD_ADDRESS is set
# (tcp://host:3310 or unix:///path/clamd.ctl). Fail closed: clamd unreachable → upload refused, unless
# CLAMD_FAIL_OPEN=true. See clauses/antivirus.py.
CLAMD_ADDRESS = env("CLAMD_ADDRESS", default="")
CLAMD_TIMEOUT = env.float("CLAMD_TIMEOUT", default=10.0)
CLAMD_FAIL_OPEN = env.bool("CLAMD_FAIL_OPEN", default=False)
