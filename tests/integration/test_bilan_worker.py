"""R-BILAN through the real stack: a bilan asked for, rendered by a Celery worker on Redis into a PDF whose text
carries exactly the figures of the scenario, and names nobody."""

from decimal import Decimal
from pathlib import Path

import pytest

from clauses.templatetags.ui import hours as format_hours
from reporting import services
from reporting.models import JobStatus, ReportKind
from reporting.tasks import render_report
from tests.pdf import pdf_text
from tests.reporting.test_bilans import END, START, scenario

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_r_bilan_rendered_by_a_worker_shows_the_scenarios_figures(world, worker):
    award = scenario(world)
    job, _ = services.report_request(
        structure=world.structure, kind=ReportKind.BILAN_ACHETEUR, target=world.buyer, start=START, end=END,
        by=world.facilitateur.user,
    )  # fmt: skip
    result = render_report.apply_async(args=[job.pk], queue=worker["queue"])
    try:
        assert result.get(timeout=120) == JobStatus.TERMINE
    except Exception:
        print(Path(worker["log"]).read_text())
        raise
    job.refresh_from_db()
    assert job.progress == 100 and job.finished_at is not None
    with job.file.open("rb") as document:
        text = " ".join(pdf_text(document.read()).split())
    assert "411,67 h" in text  # 140 + 151,67 + 20 (training) + 100
    assert "mar." in text and "252" in text  # March, rounded on the month chart
    assert f"Bilan de {world.buyer.name} du 01/01/2026 au 31/10/2026" in text
    remaining = " ".join(format_hours(award.hours_committed - Decimal("411.67")).split())
    assert remaining in text  # what the company still owes, in the table and the total
    for person in (world.participant, world.sibling_participant):
        assert person.last_name not in text
