import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_embedded_tasks_without_login(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": {"status": "ok", "vendor": "postgresql"},
            "broker": {"status": "embedded", "detail": "tâches exécutées dans le processus web"},
        },
    }


def test_healthz_shows_no_secret(client, settings):
    body = client.get(reverse("healthz")).content.decode()
    for secret in (settings.SECRET_KEY, settings.DATABASES["default"]["NAME"], "redis://", "postgres://"):
        assert secret not in body
