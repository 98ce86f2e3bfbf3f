"""Faults (issue 9) with the real components: a Redis server of the test's own stopped while a bilan is asked for,
a Celery worker's process killed (SIGKILL) while it makes a bilan, and PostgreSQL cutting the connections of a
running gunicorn (what a restart does to its clients)."""

import io
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings
from django.urls import reverse

from clauses import queueing
from clauses.bench import database_url
from clauses.celery import app as celery_app
from reporting import services
from reporting.models import JobStatus, ReportJob, ReportKind
from reporting.tasks import resend_report_jobs, send_report
from reporting.views.bilans import UNAVAILABLE
from tests.html import text
from tests.integration.conftest import running_worker
from tests.pdf import pdf_text
from tests.reporting.test_bilans import scenario

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, what, timeout=30, logs=()):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            for log in logs:
                print(Path(log).read_text())
            raise AssertionError(f"toujours pas au bout de {timeout} s : {what}")
        time.sleep(0.05)
    return value


@contextmanager
def redis_server(port, tmp_path):
    """A Redis of the test's own (nothing saved on disk): stopping it loses what it held, as a restart would."""
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--daemonize", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    probe = redis.Redis(port=port, socket_connect_timeout=0.2)

    def answers():
        try:
            return probe.ping()
        except redis.ConnectionError:
            return False

    try:
        wait_until(answers, "le serveur Redis répond", timeout=10)
        yield process
    finally:
        probe.close()
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def private_broker(monkeypatch):
    """This process publishes to a Redis of the test's own (port chosen here), through a producer pool of its own."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setattr(settings, "CELERY_TASK_ALWAYS_EAGER", False)
    monkeypatch.setitem(celery_app.conf, "broker_url", url)
    monkeypatch.setitem(celery_app.conf, "broker_write_url", None)
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)
    yield url
    if celery_app._pool is not None:
        celery_app.amqp.producer_pool.force_close_all()
        celery_app._pool.force_close_all()


def port_of(url):
    return int(url.rsplit(":", 1)[1].split("/")[0])


BILAN = {"kind": ReportKind.BILAN_ACHETEUR, "start": "2026-01-01", "end": "2026-10-31"}


def test_a_bilan_asked_while_redis_is_down_is_kept_and_made_once_redis_is_back(
    client, world, private_broker, tmp_path
):
    scenario(world)
    client.force_login(world.facilitateur.user)
    port = port_of(private_broker)
    with redis_server(port, tmp_path):
        assert queueing.send(resend_report_jobs)  # the web process holds a live connection to the queue…
    # … and Redis stops.
    started = time.monotonic()
    response = client.post(reverse("reporting:bilan_request"), {**BILAN, "buyer": world.buyer.public_id}, follow=True)
    took = time.monotonic() - started
    assert response.status_code == 200 and took < 5, took
    page = text(response)
    assert UNAVAILABLE in page and "en préparation" not in page
    job = ReportJob.objects.get()  # recorded whole, waiting, and nothing else
    assert (job.status, job.queued_at, job.attempts, job.started_at, bool(job.file)) == (
        JobStatus.EN_ATTENTE, None, 0, None, False,
    )  # fmt: skip
    assert "momentanément indisponible" in text(client.get(job.get_absolute_url()))
    assert resend_report_jobs(unsent_after=0) == 0  # still down: nothing sent, nothing lost
    job.refresh_from_db()
    assert job.queued_at is None

    with redis_server(port, tmp_path), running_worker(private_broker, tmp_path, queue="celery") as worker:
        assert resend_report_jobs(unsent_after=0) == 1  # what the beat task does every minute
        wait_until(
            lambda: ReportJob.objects.filter(pk=job.pk, status=JobStatus.TERMINE).exists(),
            "le bilan est prêt", timeout=60, logs=[worker["log"]],
        )  # fmt: skip
        assert resend_report_jobs(unsent_after=0) == 0  # made once, sent once
    job.refresh_from_db()
    assert job.queued_at is not None and job.attempts == 1
    with job.file.open("rb") as document:
        content = " ".join(pdf_text(document.read()).split())
    assert "411,67 h" in content and f"Bilan de {world.buyer.name}" in content


def _pool_child(process):
    """The pid of the prefork worker's child process (the one that runs the tasks)."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    return int(children[0]) if len(children) == 1 else None


def _lock_waiters(cursor):
    cursor.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    return cursor.fetchone()[0]


def test_a_worker_killed_while_it_makes_a_bilan_tries_once_more_then_offers_to_retry(
    client, world, private_broker, tmp_path
):
    """The year's batch waits on one of its bilans, whose row the test holds locked from a connection of its own:
    the worker is reliably in the middle of the job when its process is killed (SIGKILL)."""
    scenario(world)
    parent, _ = services.report_request_year(structure=world.structure, year=2026, by=world.admin.user)
    child = parent.children.get()
    with (
        redis_server(port_of(private_broker), tmp_path),
        running_worker(private_broker, tmp_path, queue="celery", pool="prefork") as worker,
        psycopg.connect(database_url()) as holder,
        psycopg.connect(database_url(), autocommit=True) as watcher,
        watcher.cursor() as watching,
    ):
        holder.execute("SELECT 1 FROM reporting_reportjob WHERE id = %s FOR UPDATE", [child.pk])
        assert send_report(parent.pk)
        logs = [worker["log"]]
        for attempt in (1, 2):
            # The killed process's server side keeps waiting on the lock (PostgreSQL does not look at the client
            # while it waits): the second try is the second waiter. A new pool process starts within 5 s.
            wait_until(lambda a=attempt: _lock_waiters(watching) == a, f"essai {attempt} en cours", logs=logs)
            parent.refresh_from_db()
            assert (parent.status, parent.attempts) == (JobStatus.EN_COURS, attempt)
            os.kill(wait_until(lambda: _pool_child(worker["process"]), "le processus du worker"), signal.SIGKILL)
        wait_until(
            lambda: ReportJob.objects.filter(pk=parent.pk, status=JobStatus.ECHEC).exists(),
            "le bilan en échec après deux interruptions", logs=logs,
        )  # fmt: skip
        holder.rollback()
        parent.refresh_from_db()
        assert parent.attempts == 2 and "interrompue deux fois" in parent.error
        client.force_login(world.facilitateur.user)
        page = text(client.get(parent.get_absolute_url()))
        assert "interrompue deux fois" in page and "Relancer" in page

        response = client.post(reverse("reporting:job_retry", args=[parent.public_id]), follow=True)
        assert "Le bilan est relancé." in text(response)
        wait_until(
            lambda: ReportJob.objects.filter(pk=parent.pk, status=JobStatus.TERMINE).exists(),
            "le bilan relancé est prêt", timeout=60, logs=logs,
        )  # fmt: skip
        assert worker["process"].poll() is None  # the same worker, still serving
    parent.refresh_from_db()
    assert parent.attempts == 1
    with parent.file.open("rb") as archive, zipfile.ZipFile(io.BytesIO(archive.read())) as packed:
        (name,) = packed.namelist()
        assert "411,67 h" in " ".join(pdf_text(packed.read(name)).split())


@contextmanager
def gunicorn(tmp_path, application_name):
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DATABASE_URL": f"{database_url()}?application_name={application_name}",
        "CONN_MAX_AGE": "600",  # persistent connections: the ones a restart breaks
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "SECURE_SSL_REDIRECT": "false",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "REDIS_URL": "",
    }
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "clauses.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "--threads", "1"],
            cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"

    def up():
        assert process.poll() is None, log.read_text()
        try:
            return urllib.request.urlopen(f"{base}/healthz", timeout=2)  # noqa: S310 (local URL)
        except OSError:
            return None

    try:
        wait_until(up, "gunicorn répond", timeout=20, logs=[log])
        yield base, log
    finally:
        process.terminate()
        process.wait(timeout=10)


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (local URL)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_app_recovers_when_postgresql_cuts_its_connections(world, tmp_path):
    """A restart of PostgreSQL ends every server process of its clients: pg_terminate_backend does the same to the
    running app's persistent connection, without stopping the cluster others use. The next request answers."""
    name = f"clauses-faults-{os.getpid()}"
    with gunicorn(tmp_path, name) as (base, log), psycopg.connect(database_url(), autocommit=True) as admin:
        assert _get(f"{base}/healthz") == 200
        backends = admin.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [name]).fetchall()
        assert len(backends) == 1  # the one connection, kept between requests
        admin.execute("SELECT pg_terminate_backend(%s)", [backends[0][0]])
        wait_until(
            lambda: not admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", backends[0]).fetchone(),
            "la connexion coupée",
        )
        statuses = [_get(f"{base}/healthz"), _get(f"{base}{reverse('accounts:login')}")]
        assert statuses == [200, 200], Path(log).read_text()
        again = admin.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [name]).fetchall()
        assert len(again) == 1 and again != backends  # connected again, once
