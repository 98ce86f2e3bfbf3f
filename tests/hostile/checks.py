"""What every answer to hostile input must satisfy."""

import re
from urllib.parse import urlparse

from django.db import connection

from tests.hostile.forms import error_texts
from tests.hostile.values import MARKERS

# Tables a request may write to even when it refuses the form, and why.
WRITTEN_ANYWAY = {
    "django_session": "les messages (« Enregistré », erreurs) sont gardés dans la session",
    "axes_accessattempt": "django-axes compte les échecs de connexion",
    "axes_accessfailurelog": "django-axes journalise les échecs de connexion",
    "axes_accesslog": "django-axes journalise les connexions",
    "otp_totp_totpdevice": "django-otp compte les codes erronés (attente croissante entre deux essais)",
    "otp_static_staticdevice": "django-otp compte les codes de secours erronés",
}
ENGLISH = re.compile(
    r"\b(this field|is required|enter a|ensure|select a|must|should|the|invalid|characters|at most|at least|"
    r"please|number|value)\b",
    re.IGNORECASE,
)


def writes():
    """Rows inserted, updated or deleted so far in this transaction, per table (PostgreSQL's own counters: they
    count every attempted write, even one rolled back by a savepoint, so a half-save undone later still shows)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables "
            "WHERE n_tup_ins + n_tup_upd + n_tup_del > 0"
        )
        return dict(cursor.fetchall())


def written(before, after):
    return {table for table, count in after.items() if count != before.get(table, 0)} - WRITTEN_ANYWAY.keys()


def html_of(response):
    if "html" not in response.get("Content-Type", ""):
        return ""
    return response.content.decode()


def assert_no_raw_markup(html, where):
    raw = [marker for marker in MARKERS if marker in html]
    assert not raw, f"texte non échappé dans {where} : {raw}"


def assert_french_errors(html, where):
    texts = error_texts(html)
    assert texts, f"{where} : refusé sans message d'erreur visible"
    english = [text for text in texts if ENGLISH.search(text)]
    assert not english, f"{where} : messages d'erreur pas en français : {english}"


def assert_local_redirect(response):
    target = urlparse(response["Location"])
    assert target.netloc in ("", "testserver") and target.scheme in ("", "http"), (
        f"redirection hors du site : {response['Location']}"
    )
