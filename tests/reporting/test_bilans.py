"""Bilans (R-BILAN): the figures of a scenario built here, the PDF that carries them and names nobody, asking twice,
failing and retrying, the year's batch, and the pages."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from marches.enums import CompanyKind, MarketStatus
from marches.models import Buyer
from reporting import bilan as figures
from reporting import services
from reporting.models import JobStatus, ReportJob, ReportKind
from suivi.enums import HourKind
from suivi.models import HourEntry
from tests.conftest import diagnosis_for
from tests.marches.factories import AwardFactory, CompanyFactory
from tests.participants.factories import give_distinctive_names
from tests.pdf import pdf_text
from tests.reporting.factories import ReportJobFactory
from tests.suivi.factories import hours

pytestmark = pytest.mark.django_db

START, END = datetime.date(2026, 1, 1), datetime.date(2026, 10, 31)


def scenario(world):
    """Two people on the world's market: the participant (Feb 140 h, Mar 151,67 h, Apr 20 h of training) and the
    sibling participant (Mar 100 h); hours of December 2025 before the period."""
    diagnosis_for(world.sibling_participant, world.market)  # the sibling's hours count too (R-ELIG-1)
    give_distinctive_names(world.participant, world.sibling_participant)
    mine = world.contract.assignments.get()
    sibling = world.sibling_contract.assignments.get()
    mine.refresh_from_db(), sibling.refresh_from_db()
    assert mine.counts and sibling.counts
    hours(mine, datetime.date(2026, 2, 1), "140")
    hours(mine, datetime.date(2026, 3, 1), "151.67")
    hours(mine, datetime.date(2026, 4, 1), "20", kind=HourKind.FORMATION)
    hours(sibling, datetime.date(2026, 3, 1), "100")
    return world.award


def test_r_bilan_figures_are_those_of_the_database(world):
    award = scenario(world)
    data = figures.compute(figures.for_buyer(world.buyer), START, END)
    assert data.total.required == award.hours_committed
    assert data.total.done_period == Decimal("411.67")
    assert data.total.done_total == Decimal("411.67")
    assert data.total.remaining == award.hours_committed - Decimal("411.67")
    ((market, lots),) = data.markets
    assert market.label.startswith(world.market.reference)
    assert lots[0].companies[0].label == world.company.name
    assert dict(data.by_month)[datetime.date(2026, 3, 1)] == Decimal("251.67")
    assert len(data.by_month) == 10
    assert data.by_kind == {"heures travaillées": Decimal("391.67"), "heures de formation": Decimal("20")}
    assert data.people == 2 and data.contracts == 2
    assert sum(n for _, n in data.sex) == 2


def test_r_bilan_counts_only_the_period_and_the_buyers_markets(world):
    scenario(world)
    hours(world.other_contract.assignments.get(), datetime.date(2026, 3, 1), "77")  # another structure's
    data = figures.compute(figures.for_buyer(world.buyer), datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    assert data.total.done_period == Decimal("251.67")
    assert data.total.done_total == Decimal("391.67")  # February counted in the cumulative figure


def test_r_bilan_lists_the_markets_of_the_period_and_sums_the_others_in_one_line(world):
    scenario(world)
    ended = dict(
        status=MarketStatus.TERMINE, start_date=datetime.date(2024, 1, 8), end_date=datetime.date(2025, 6, 30)
    )
    dates = {
        "finished before": ended,
        "finished, hours sent late": ended,
        "not started": dict(status=MarketStatus.ATTRIBUE, start_date=datetime.date(2027, 1, 4), end_date=None),
    }
    awards = {
        name: AwardFactory(
            lot__market__structure=world.structure,
            lot__market__buyer=world.buyer,
            company=world.company,
            **{f"lot__market__{field}": value for field, value in fields.items()},
        )  # fmt: skip
        for name, fields in dates.items()
    }
    subcontractor = CompanyFactory(structure=world.structure, kind=CompanyKind.EI)
    for name, month, value in (("finished before", datetime.date(2025, 3, 1), "35"),
                                ("finished, hours sent late", datetime.date(2026, 2, 1), "12")):  # fmt: skip
        HourEntry.objects.create(
            award=awards[name], subcontractor=subcontractor, month=month, kind=HourKind.SOUS_TRAITANCE,
            hours=Decimal(value),
        )  # fmt: skip
    data = figures.compute(figures.for_buyer(world.buyer), START, END)
    listed = {line.label.split(" — ")[0] for line, _ in data.markets}
    assert listed == {world.market.reference, awards["finished, hours sent late"].lot.market.reference}
    assert data.others_count == 2 and data.others.label.startswith("2 autres marchés")
    assert data.others.done_total == Decimal("35") and data.others.done_period == 0
    assert data.others.required == sum(awards[name].hours_committed for name in ("finished before", "not started"))
    for figure in ("required", "done_period", "done_total"):
        lines = sum(getattr(line, figure) for line, _ in data.markets) + getattr(data.others, figure)
        assert lines == getattr(data.total, figure), figure
    assert data.total.done_period == Decimal("423.67") and data.total.done_total == Decimal("458.67")
    job, _ = services.report_request(
        structure=world.structure, kind=ReportKind.BILAN_ACHETEUR, target=world.buyer, start=START, end=END,
        by=world.facilitateur.user,
    )  # fmt: skip
    text = " ".join(pdf_text(services.bilan_document(job)).split())
    assert "2 autres marchés, ni en exécution ni avec des" in text  # the label wraps in its cell
    assert awards["finished, hours sent late"].lot.market.reference in text
    assert awards["finished before"].lot.market.reference not in text


def test_r_bilan_pdf_shows_the_figures_and_names_nobody(world):
    scenario(world)
    job, created = services.report_request(
        structure=world.structure, kind=ReportKind.BILAN_ACHETEUR, target=world.buyer, start=START, end=END,
        by=world.facilitateur.user,
    )  # fmt: skip
    assert created
    text = " ".join(pdf_text(services.bilan_document(job)).split())
    assert world.buyer.name in text and world.structure.name in text
    assert "411,67 h" in text  # done in the period
    assert "Heures par marché, lot et entreprise" in text and world.company.name in text
    assert "Note méthodologique" in text and "Page 1 sur" in text
    assert "fév." in text and "mar." in text  # the month chart's axis
    for person in (world.participant, world.sibling_participant):
        assert person.last_name not in text and person.first_name not in text


def test_asking_twice_for_a_bilan_being_made_returns_the_same_job(world):
    first, created = services.report_request(
        structure=world.structure, kind=ReportKind.BILAN_ACHETEUR, target=world.buyer, start=START, end=END,
        by=world.facilitateur.user,
    )  # fmt: skip
    again, created_again = services.report_request(
        structure=world.structure, kind=ReportKind.BILAN_ACHETEUR, target=world.buyer, start=START, end=END,
        by=world.admin.user,
    )  # fmt: skip
    assert created and not created_again and again == first
    assert ReportJob.objects.count() == 1


def test_a_bilan_lost_on_the_way_can_be_asked_for_again(world):
    """A worker stopped mid-job leaves it 'en cours' forever: past half an hour, asking again makes it anew."""
    ask = dict(structure=world.structure, kind=ReportKind.BILAN_ACHETEUR, target=world.buyer, start=START, end=END,
               by=world.facilitateur.user)  # fmt: skip
    lost, _ = services.report_request(**ask)
    ReportJob.objects.filter(pk=lost.pk).update(
        status=JobStatus.EN_COURS, started_at=timezone.now() - datetime.timedelta(minutes=29)
    )
    assert services.report_request(**ask) == (lost, False)  # still being made
    ReportJob.objects.filter(pk=lost.pk).update(started_at=timezone.now() - datetime.timedelta(minutes=31))
    again, created = services.report_request(**ask)
    assert created and again != lost
    lost.refresh_from_db()
    assert lost.status == JobStatus.ECHEC and "interrompue" in lost.error and lost.finished_at
    assert services.report_run(again.pk) == JobStatus.TERMINE
    assert services.report_run(lost.pk) == JobStatus.ECHEC  # the lost job's message, delivered late, does nothing


def test_a_message_of_a_job_another_worker_is_running_does_nothing(world):
    """A job sent twice (sent again by the beat task while its first message runs): the second delivery leaves it
    to the worker running it; a delivery given back after a lost worker (redelivered) takes it over."""
    job, _ = services.report_request(
        structure=world.structure, kind=ReportKind.BILAN_ACHETEUR, target=world.buyer, start=START, end=END,
        by=world.facilitateur.user,
    )  # fmt: skip
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.EN_COURS, started_at=timezone.now(), attempts=1)
    assert services.report_run(job.pk) == JobStatus.EN_COURS
    job.refresh_from_db()
    assert job.attempts == 1 and not job.file
    assert services.report_run(job.pk, redelivered=True) == JobStatus.TERMINE
    job.refresh_from_db()
    assert job.attempts == 2 and job.is_done


def test_the_jobs_sent_again_are_those_the_queue_never_took_or_lost(world):
    ask = dict(structure=world.structure, kind=ReportKind.BILAN_ACHETEUR, start=START, by=world.facilitateur.user)
    now = timezone.now()
    minutes = datetime.timedelta(minutes=1)
    unsent, _ = services.report_request(**ask, target=world.buyer, end=END)
    just_asked, _ = services.report_request(**ask, target=world.buyer, end=datetime.date(2026, 9, 30))
    queued, _ = services.report_request(**ask, target=world.buyer, end=datetime.date(2026, 8, 31))
    lost, _ = services.report_request(**ask, target=world.buyer, end=datetime.date(2026, 7, 31))
    running, _ = services.report_request(**ask, target=world.buyer, end=datetime.date(2026, 6, 30))
    ReportJob.objects.filter(pk=unsent.pk).update(created_at=now - 2 * minutes)
    ReportJob.objects.filter(pk=queued.pk).update(created_at=now - 2 * minutes, queued_at=now - 2 * minutes)
    ReportJob.objects.filter(pk=lost.pk).update(status=JobStatus.EN_COURS, started_at=now - 31 * minutes)
    ReportJob.objects.filter(pk=running.pk).update(status=JobStatus.EN_COURS, started_at=now - 29 * minutes)
    assert services.report_jobs_to_send(now) == [unsent.pk, lost.pk]
    assert just_asked.pk in services.report_jobs_to_send(now + 2 * minutes)


def test_another_structures_buyer_is_refused(world):
    with pytest.raises(ValidationError):
        services.report_request(
            structure=world.structure, kind=ReportKind.BILAN_ACHETEUR, target=world.other_buyer, start=START,
            end=END, by=world.facilitateur.user,
        )  # fmt: skip


def test_a_failure_is_told_in_french_and_can_be_retried(world):
    job, _ = services.report_request(
        structure=world.structure, kind=ReportKind.BILAN_ACHETEUR, target=world.buyer, start=START, end=END,
        by=world.facilitateur.user,
    )  # fmt: skip
    Buyer.objects.filter(pk=world.buyer.pk).update(structure=world.other_structure)  # the target is gone
    assert services.report_run(job.pk) == JobStatus.ECHEC
    job.refresh_from_db()
    assert job.error.startswith("Le bilan n'a pas pu être préparé") and not job.file
    Buyer.objects.filter(pk=world.buyer.pk).update(structure=world.structure)
    services.report_retry(job=job, by=world.facilitateur.user)
    assert services.report_run(job.pk) == JobStatus.TERMINE
    job.refresh_from_db()
    assert job.is_done and job.progress == 100


def test_every_buyers_bilan_of_a_year_in_one_zip(world):
    scenario(world)
    second = AwardFactory(lot__market__structure=world.structure)
    parent, created = services.report_request_year(structure=world.structure, year=2026, by=world.admin.user)
    assert created and parent.children.count() == 2
    assert services.report_run(parent.pk) == JobStatus.TERMINE
    parent.refresh_from_db()
    with parent.file.open("rb") as archive, zipfile.ZipFile(io.BytesIO(archive.read())) as packed:
        names = packed.namelist()
        assert len(names) == 2 and all(name.endswith(".pdf") for name in names)
        texts = [pdf_text(packed.read(name)) for name in names]
    assert any(second.lot.market.buyer.name in text for text in texts)
    assert services.report_request_year(structure=world.structure, year=2026, by=world.admin.user)[1] is True


def test_a_year_batch_is_alive_while_its_bilans_move_and_asked_again_once_lost(world):
    ask = dict(structure=world.structure, year=2026, by=world.admin.user)
    parent, _ = services.report_request_year(**ask)
    (child,) = parent.children.all()
    long_ago = timezone.now() - datetime.timedelta(minutes=45)
    ReportJob.objects.filter(pk=parent.pk).update(status=JobStatus.EN_COURS, started_at=long_ago)
    ReportJob.objects.filter(pk=child.pk).update(
        status=JobStatus.TERMINE, started_at=long_ago, finished_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    assert services.report_request_year(**ask) == (parent, False)  # its last bilan finished 5 minutes ago
    ReportJob.objects.filter(pk=child.pk).update(
        status=JobStatus.EN_COURS, finished_at=None, started_at=timezone.now() - datetime.timedelta(minutes=40)
    )
    again, created = services.report_request_year(**ask)
    assert created and again != parent
    parent.refresh_from_db(), child.refresh_from_db()
    assert (parent.status, child.status) == (JobStatus.ECHEC, JobStatus.ECHEC)
    assert "interrompue" in parent.error and again.children.count() == 1


def test_the_year_batch_needs_an_elapsed_year(world):
    with pytest.raises(ValidationError, match="année"):
        services.report_request_year(structure=world.structure, year=2100, by=world.admin.user)


# --- Pages ----------------------------------------------------------------------------------------------------


def test_asking_on_the_page_renders_the_bilan_and_offers_the_download(
    client, world, django_capture_on_commit_callbacks
):
    scenario(world)
    client.force_login(world.facilitateur.user)
    assert client.get(reverse("reporting:bilan_list")).status_code == 200
    data = {"kind": ReportKind.BILAN_ACHETEUR, "buyer": world.buyer.public_id, "start": "2026-01-01",
            "end": "2026-10-31"}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:bilan_request"), data)
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == JobStatus.TERMINE
    status = client.get(job.get_absolute_url(), headers={"HX-Request": "true"})
    assert "Télécharger le bilan (PDF)" in status.content.decode() and "every 2s" not in status.content.decode()
    download = client.get(reverse("reporting:job_download", args=[job.public_id]))
    assert download["Content-Type"] == "application/pdf"
    assert "411,67 h" in pdf_text(b"".join(download.streaming_content))


def test_a_running_job_page_polls_until_done(client, world):
    job, _ = services.report_request(
        structure=world.structure, kind=ReportKind.BILAN_ACHETEUR, target=world.buyer, start=START, end=END,
        by=world.facilitateur.user,
    )  # fmt: skip
    client.force_login(world.facilitateur.user)
    # Not yet taken by the queue (its broker was down): the page says so and asks again only every 30 s.
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 30s"' in page and "momentanément indisponible" in page
    job.queued_at = timezone.now()
    job.save(update_fields=["queued_at"])
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 2s"' in page and "en attente" in page and "indisponible" not in page


def test_a_bad_request_says_what_is_wrong_in_french_and_saves_nothing(client, world):
    client.force_login(world.facilitateur.user)
    response = client.post(
        reverse("reporting:bilan_request"),
        {"kind": ReportKind.BILAN_ACHETEUR, "start": "2026-10-31", "end": "2026-01-01"},
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Choisissez donneur d&#x27;ordre." in content or "Choisissez donneur d'ordre." in content
    assert "La fin de la période précède son début." in content
    assert not ReportJob.objects.exists()


def test_the_bilan_list_issues_the_same_queries_however_many_bilans(client, world):
    client.force_login(world.facilitateur.user)
    ReportJobFactory.create_batch(2, structure=world.structure, done=True, requested_by=world.admin.user)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("reporting:bilan_list"))
    ReportJobFactory.create_batch(8, structure=world.structure, done=True, requested_by=world.facilitateur.user)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("reporting:bilan_list"))
    assert len(many) == len(few)


def test_a_markets_page_leads_to_its_bilan_ready_to_ask(client, world):
    client.force_login(world.facilitateur.user)
    market_page = client.get(world.market.get_absolute_url()).content.decode()
    link = f"?kind=bilan_marche&amp;market={world.market.public_id}"
    assert link in market_page
    form = client.get(reverse("reporting:bilan_list") + link.replace("&amp;", "&")).context["form"]
    assert form.initial["kind"] == ReportKind.BILAN_MARCHE and form.initial["market"] == str(world.market.public_id)
