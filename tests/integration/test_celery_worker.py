"""A real Celery worker on Redis runs our tasks against the test database."""

from pathlib import Path

import pytest
from django.urls import reverse

from clauses.accounts.tasks import send_invitation_email
from clauses.celery import app as celery_app

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_worker_sends_the_invitation_email(world, worker):
    invited = world.facilitateur.user
    invited.set_unusable_password()
    invited.save()
    result = send_invitation_email.apply_async(args=[world.facilitateur.pk], queue=worker["queue"])
    try:
        returned = result.get(timeout=60)
    except Exception:
        print(Path(worker["log"]).read_text())
        raise
    assert returned == str(world.facilitateur.public_id)
    mails = list(worker["mail_dir"].iterdir())
    assert len(mails) == 1
    content = mails[0].read_text()
    assert f"To: {world.facilitateur.user.email}" in content
    assert "/compte/mot-de-passe/nouveau/" in content


def test_r_outcome_worker_creates_the_checks_due(world, worker):
    """The daily beat task, run by a real worker: the checks due of the world's people (first contracts started on
    2 February 2026) enter the to-do list, once."""
    from django.utils import timezone

    from suivi.models import OutcomeCheck
    from suivi.outcomes import checks_to_create
    from suivi.tasks import create_due_outcome_checks

    result = create_due_outcome_checks.apply_async(queue=worker["queue"])
    try:
        created = result.get(timeout=60)
    except Exception:
        print(Path(worker["log"]).read_text())
        raise
    today = timezone.localdate()
    contracts = [world.contract, world.sibling_contract, world.other_contract]
    expected = sorted(
        (c.participant_id, months) for c in contracts for months in checks_to_create(c.start_date, today)
    )
    assert expected  # 6 months at least have passed since February 2026
    assert created == len(expected)
    assert sorted(OutcomeCheck.objects.values_list("participant_id", "months")) == expected
    assert create_due_outcome_checks.apply_async(queue=worker["queue"]).get(timeout=60) == 0


def test_healthz_reaches_the_broker(client, broker):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == {"status": "ok"}


def test_healthz_reports_a_dead_broker(client, broker, monkeypatch):
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:9/0")
    monkeypatch.setitem(celery_app.conf, "broker_write_url", None)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == {"status": "error", "detail": "file de tâches injoignable"}


def test_worker_refreshes_the_kept_figures_of_a_structure(world, worker):
    """The refresh a change queues, run by a real worker: the structure's six years are computed, and the network
    dashboard then adds them up with the figures computed from the hours."""
    from decimal import Decimal

    from django.utils import timezone

    from reporting import kept
    from reporting.dashboard import dashboard
    from reporting.models import KeptFigures
    from reporting.tasks import refresh_kept_figures
    from tests.reporting.test_bilans import scenario

    scenario(world)
    result = refresh_kept_figures.apply_async(args=[[world.structure.pk]], queue=worker["queue"])
    try:
        written = result.get(timeout=120)
    except Exception:
        print(Path(worker["log"]).read_text())
        raise
    assert written == kept.YEARS
    row = KeptFigures.objects.get(structure=world.structure, year=2026)
    assert row.computed_version == row.version and Decimal(row.dashboard["done_period"]) == Decimal("411.67")
    on = timezone.localdate()
    structures = type(world.structure).objects.filter(pk=world.structure.pk)
    assert kept.dashboard(structures, 2026, on=on).bilan == dashboard(structures, 2026, on=on).bilan
