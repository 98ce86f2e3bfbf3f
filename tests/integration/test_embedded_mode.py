"""`make run`'s mode, end to end in other processes: SQLite, tasks in-process, demo data, a served site."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest
from django.conf import settings

from clauses.accounts.demo import DEMO_LOGINS, DEMO_PASSWORD
from clauses.accounts.enums import Role

pytestmark = pytest.mark.integration

REMOVED = ("DATABASE_URL", "REDIS_URL", "CELERY_TASK_ALWAYS_EAGER", "SECURE_SSL_REDIRECT", "CLAUSES_ENV", "EMAIL_URL")


@pytest.fixture
def embedded_env(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in REMOVED}
    return env | {
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'clauses.sqlite3'}",
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
    }


def manage(env, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(embedded_env, tmp_path):
    manage(embedded_env, "migrate", "--noinput")
    first = manage(embedded_env, "seed_demo")
    second = manage(embedded_env, "seed_demo")
    assert first == second  # idempotent, and it prints the demo logins every time
    port = free_port()
    log = tmp_path / "runserver.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=settings.BASE_DIR,
            env=embedded_env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail(f"runserver ne répond pas :\n{log.read_text()}")
        yield {"base": base, "seed_output": first}
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_embedded_mode_serves_the_demo_to_a_facilitator(server):
    base = server["base"]
    for email in DEMO_LOGINS.values():
        assert email in server["seed_output"]
    health = json.load(urllib.request.urlopen(base + "/healthz"))
    assert health["checks"]["database"]["vendor"] == "sqlite"
    assert health["checks"]["broker"]["status"] == "embedded"

    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    login_page = browser.open(base + "/compte/connexion/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
    form = {"csrfmiddlewaretoken": token, "username": DEMO_LOGINS[Role.FACILITATEUR], "password": DEMO_PASSWORD}
    home = browser.open(base + "/compte/connexion/", data=urllib.parse.urlencode(form).encode())
    assert home.url == base + "/"
    home_page = home.read().decode()
    assert "Bonjour Camille" in home_page and "PLIE Métropole Sud-Loire" in home_page

    organisations = browser.open(base + "/organisations/").read().decode()
    assert "Mission Locale Nantes Métropole" in organisations
    detail = re.search(r'href="(/organisations/[0-9a-f-]{36}/)"', organisations).group(1)
    # Also the pages whose figures are grouped by the database: the same queries must run on SQLite.
    for path in (detail, "/compte/", "/compte/mot-de-passe/modifier/", "/marches/", "/reporting/tableau-de-bord/",
                 "/reporting/consolidation/"):  # fmt: skip
        assert browser.open(base + path).status == 200
