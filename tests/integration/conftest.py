"""A real Celery worker on Redis, consuming a queue of its own, against the test database and the test's files."""

import os
import subprocess
import sys
import uuid
from contextlib import contextmanager

import pytest
from django.conf import settings

from clauses.bench import database_url  # the test database (test_…) as a URL the worker process can use
from clauses.celery import app as celery_app


@pytest.fixture
def broker(monkeypatch):
    if not settings.REDIS_URL:
        pytest.fail("REDIS_URL manque : lancez les tests avec `make test`.")
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setattr(settings, "CELERY_TASK_ALWAYS_EAGER", False)
    return settings.REDIS_URL


@contextmanager
def running_worker(broker_url, tmp_path, *, queue=None, pool="solo", env=None):
    """A worker process on `broker_url`, consuming `queue` (a queue of its own unless told), against the test
    database; yields a dict with its queue, mail folder, log and process."""
    queue = queue or f"test-{uuid.uuid4().hex[:12]}"
    mail_dir = tmp_path / f"mails-{uuid.uuid4().hex[:6]}"
    mail_dir.mkdir()
    log = tmp_path / f"worker-{uuid.uuid4().hex[:6]}.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": f"filemail:///{mail_dir}",  # django-environ drops one leading slash
        # The files the worker writes (bilans) go where the test reads them.
        "PRIVATE_MEDIA_ROOT": str(settings.STORAGES["default"]["OPTIONS"]["location"]),
        **(env or {}),
    }
    options = ["--concurrency", "1"] if pool == "prefork" else []
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "clauses", "worker", "--loglevel", "info", "--pool", pool,
             *options, "--queues", queue, "--hostname", f"{queue}-{uuid.uuid4().hex[:6]}@%h", "--without-gossip",
             "--without-mingle", "--without-heartbeat"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        yield {"queue": queue, "mail_dir": mail_dir, "log": log, "process": process}
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def worker(broker, tmp_path):
    """A worker process consuming a queue of its own, so that no other worker can steal the test's tasks."""
    with running_worker(broker, tmp_path) as started:
        yield started
