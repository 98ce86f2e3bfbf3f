"""Settings of Clauses, driven by environment variables.

The defaults are the embedded mode (`make run`): SQLite under var/, Celery tasks run in-process,
e-mails printed on the console, private files under var/. Production sets the variables listed
in README.md and CLAUSES_ENV=production, which makes the essential ones mandatory.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
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
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "clauses.accounts.middleware.ActiveMembershipMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
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
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600  # an invitation link stays valid three days
SESSION_COOKIE_AGE = 10 * 3600  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

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
    # Kept figures (dashboards, consolidation): every structure's rows computed again for the new day.
    "refresh-kept-figures": {
        "task": "reporting.tasks.refresh_kept_figures",
        "schedule": crontab(hour=0, minute=30),
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
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
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
    },
}

# Absolute address of the site, for links in e-mails.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
