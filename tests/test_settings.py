"""The one settings module, read in fresh processes under different environments."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

SNAPSHOT = """
import json
from django.conf import settings
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "ENGINE": settings.DATABASES["default"]["ENGINE"],
    "NAME": str(settings.DATABASES["default"]["NAME"]),
    "ATOMIC_REQUESTS": settings.DATABASES["default"]["ATOMIC_REQUESTS"],
    "EAGER": settings.CELERY_TASK_ALWAYS_EAGER,
    "EMAIL_BACKEND": settings.EMAIL_BACKEND,
    "PRIVATE": str(settings.STORAGES["default"]["OPTIONS"]["location"]),
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "LANGUAGE_CODE": settings.LANGUAGE_CODE,
    "TIME_ZONE": settings.TIME_ZONE,
    "LOGIN_REQUIRED": "django.contrib.auth.middleware.LoginRequiredMiddleware" in settings.MIDDLEWARE,
}))
"""

ENV_KEYS = (
    "DEBUG",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "SECURE_SSL_REDIRECT",
    "CLAUSES_ENV",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "EMAIL_URL",
    "PRIVATE_MEDIA_ROOT",
    "SITE_URL",
)


def read_settings(**env):
    clean = {key: value for key, value in os.environ.items() if key not in ENV_KEYS}
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {SNAPSHOT}"],
        env={**clean, "DJANGO_SETTINGS_MODULE": "clauses.settings", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result


def test_defaults_are_the_embedded_mode_with_debug_off():
    result = read_settings()
    assert result.returncode == 0, result.stderr
    snapshot = json.loads(result.stdout)
    assert snapshot["DEBUG"] is False
    assert snapshot["ENGINE"] == "django.db.backends.sqlite3"
    assert snapshot["NAME"] == str(settings.BASE_DIR / "var" / "clauses.sqlite3")
    assert snapshot["EAGER"] is True
    assert snapshot["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert snapshot["PRIVATE"] == str(settings.BASE_DIR / "var" / "private")
    assert snapshot["ATOMIC_REQUESTS"] is True
    assert snapshot["LOGIN_REQUIRED"] is True
    assert (snapshot["LANGUAGE_CODE"], snapshot["TIME_ZONE"]) == ("fr-fr", "Europe/Paris")


def test_security_settings_are_on_when_debug_is_off():
    snapshot = json.loads(read_settings().stdout)
    assert snapshot["SESSION_COOKIE_SECURE"] and snapshot["CSRF_COOKIE_SECURE"] and snapshot["SECURE_SSL_REDIRECT"]
    assert snapshot["SECURE_HSTS_SECONDS"] >= 31536000


def test_debug_on_request_lifts_https_only_settings():
    snapshot = json.loads(read_settings(DEBUG="true").stdout)
    assert snapshot["DEBUG"] is True
    assert not snapshot["SESSION_COOKIE_SECURE"] and not snapshot["SECURE_SSL_REDIRECT"]
    assert snapshot["SECURE_HSTS_SECONDS"] == 0


def test_production_comes_from_the_environment():
    snapshot = json.loads(
        read_settings(
            CLAUSES_ENV="production",
            SECRET_KEY="s" * 50,
            DATABASE_URL="postgres://clauses@db.interne:5432/clauses",
            ALLOWED_HOSTS="clauses.exemple.fr",
            SITE_URL="https://clauses.exemple.fr",
            REDIS_URL="redis://redis.interne:6379/0",
        ).stdout
    )
    assert snapshot["ENGINE"] == "django.db.backends.postgresql"
    assert snapshot["EAGER"] is False


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "SITE_URL"])
def test_production_refuses_to_start_without_its_essentials(missing):
    env = {
        "CLAUSES_ENV": "production",
        "SECRET_KEY": "s" * 50,
        "DATABASE_URL": "postgres:///clauses",
        "ALLOWED_HOSTS": "clauses.exemple.fr",
        "SITE_URL": "https://clauses.exemple.fr",
    }
    del env[missing]
    result = read_settings(**env)
    assert result.returncode != 0
    assert f"Variables d'environnement manquantes en production : {missing}" in result.stderr


def test_public_host_names_refuse_the_development_key():
    result = read_settings(ALLOWED_HOSTS="clauses.exemple.fr")
    assert result.returncode != 0
    assert "la clé de développement ne peut pas servir un site public" in result.stderr


def test_production_refuses_debug():
    result = read_settings(
        CLAUSES_ENV="production",
        DEBUG="true",
        SECRET_KEY="s" * 50,
        DATABASE_URL="postgres:///clauses",
        ALLOWED_HOSTS="x",
    )
    assert "DEBUG ne peut pas être activé en production" in result.stderr


def test_french_formats(settings):
    from datetime import date

    from django.template import Context, Template

    rendered = Template("{% load ui %}{{ d|date }} · {{ n|hours }} · {{ p|percent }}").render(
        Context({"d": date(2026, 11, 21), "n": 1234.5, "p": 62.4})
    )
    assert rendered == "21/11/2026 · 1\u202f234,5\u00a0h · 62\u00a0%"


def test_healthz_answers_503_when_the_database_is_unreachable():
    """A real unreachable database (nothing listens on port 9), through the whole middleware stack."""
    probe = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz'); print(r.status_code, json.dumps(r.json()['checks']['database']))"
    )
    clean = {key: value for key, value in os.environ.items() if key not in ENV_KEYS}
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "clauses.settings",
            "DATABASE_URL": "postgres://clauses@127.0.0.1:9/clauses",
            "ALLOWED_HOSTS": "testserver",
            "SECRET_KEY": "s" * 50,
            "SECURE_SSL_REDIRECT": "false",
            "LOG_LEVEL": "CRITICAL",
        },
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '503 {"status": "error", "detail": "base de donn\\u00e9es injoignable"}'


@pytest.mark.django_db
def test_postgresql_compiles_no_query_just_in_time():
    """JIT compilation cost the reports more than it saved (see settings)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
