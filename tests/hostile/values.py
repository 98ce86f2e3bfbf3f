"""Hostile values, one hypothesis strategy per kind of form field.

A field's kind comes from the widget the form renders (see `tests.hostile.forms`): what a browser, a script or an
attacker can send is what the page offers, plus anything else. Every strategy mixes hand-picked nasties (the
values that broke real applications) with generated ones, so that a few examples in CI already try the worst and
a long local run (`HYPOTHESIS_PROFILE=thorough`) explores further.
"""

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# The marker submitted as text: it must never come back unescaped in a page, and must come out of a PDF as text.
MARKER = '<script>alert("clauses-xss")</script>'
MARKERS = (MARKER, '"><img src=x onerror=alert("clauses-xss")>', "<b>clauses-gras</b>")

# Two profiles: CI runs a few examples per form, reproducibly; a developer runs many more on purpose:
#   HYPOTHESIS_PROFILE=thorough pytest tests/hostile
settings.register_profile(
    "hostile-ci",
    max_examples=2,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    max_examples=150,
    deadline=None,
    derandomize=False,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PROFILE = settings.get_profile("thorough" if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else "hostile-ci")

NASTY_TEXT = [
    *MARKERS,
    "'; DROP TABLE participants_participant; --",
    "1' OR '1'='1",
    'Robert"); DELETE FROM accounts_user; --',
    "x" * 10_000,
    "é" * 10_000,
    "nul\x00octet",
    "\u202eevil\u202c droite-à-gauche",
    "zéro\u200blargeur\ufeff",
    "👩🏽‍🔧🇫🇷 emoji",
    "e\u0301\u0301\u0301 combinés Z̵̢̛a̴l̷g̸o̵",
    "{{ 7|add:7 }} {% now 'Y' %} ${7*7} %(x)s %s",
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "   ",
    "",
    "\r\n\t",
    "..\\..\\..\\windows\\win.ini",
    "../../../etc/passwd",
    "ﷺ𝕏𝔸﷽",
    "\U0010ffff\ue000",
]
NASTY_NUMBERS = [
    "-1",
    "-0",
    "0",
    "1e308",
    "-1e308",
    "1e-308",
    "NaN",
    "nan",
    "inf",
    "-Infinity",
    "99999999999999999999999999999999",
    "2147483648",
    "-9223372036854775809",
    "1,5",
    "1.5.5",
    "0x10",
    "١٢٣",
    "12 heures",
    " 7 ",
    "",
]
NASTY_DATES = [
    "31/02/2026",
    "29/02/2025",
    "0000-00-00",
    "00/00/0000",
    "99999-01-01",
    "01/01/99999",
    "2026-13-01",
    "01/01/0001",
    "31/12/9999",
    "9999-12-31T23:59",
    "1900-01-01",
    "-1",
    "aujourd'hui",
    "2026-02-30",
    "",
]
NASTY_MONTHS = ["2026-00", "13/2026", "99999-01", "0000-00", "02/-1", "", "2026-02-30"]
CHECKBOX_VALUES = ["on", "off", "2", "<script>", "\x00", ""]
NASTY_CHOICES = ["", "-1", "0", "999999999", "<script>", "00000000-0000-0000-0000-000000000000", "a" * 300, "\x00"]

# Text that hypothesis makes up: any character a UTF-8 form can carry (lone surrogates cannot be sent).
generated_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)

text = st.one_of(st.sampled_from(NASTY_TEXT), generated_text)
numbers = st.one_of(
    st.sampled_from(NASTY_NUMBERS),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
dates = st.one_of(st.sampled_from(NASTY_DATES), st.dates().map(lambda d: d.strftime("%d/%m/%Y")), text)
months = st.one_of(st.sampled_from(NASTY_MONTHS), text)
checkbox = st.sampled_from(CHECKBOX_VALUES)


def choice(options):
    """An invalid value most of the time; a valid one sometimes, so that the other fields get tried too."""
    invalid = st.sampled_from(NASTY_CHOICES)
    return st.one_of(invalid, st.sampled_from(options)) if options else invalid


# Files: wrong content under a trusted name, empty, truncated, hostile names. (Size limits are checked once in
# tests/hostile/test_files.py: a 10 MB body per example would blow the time budget.)
HOSTILE_FILES = [
    ("justificatif.pdf", b"MZ\x90\x00\x03 this is an executable"),
    ("vide.pdf", b""),
    ("tronque.pdf", b"%PDF-1.7\n1 0 obj\n"),
    ("image.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),
    ("../../../../etc/passwd", b"root:x:0:0:root:/root:/bin/bash\n"),
    ("/etc/shadow", b"%PDF-1.4\n%%EOF\n"),
    ("nul\x00.pdf", b"%PDF-1.4\n%%EOF\n"),
    ("n" * 400 + ".pdf", b"%PDF-1.4\n%%EOF\n"),
    ("<script>alert(1)</script>.csv", b"=cmd|' /C calc'!A0;2\r\n"),
    ("classeur.xlsx", b"PK\x03\x04" + b"\x00" * 60),
    ("heures.csv", "Mois;Nom\r\n03/2026;\x00é".encode("utf-16")),
]
files = st.sampled_from(HOSTILE_FILES)

NASTY_EMAILS = ["a@b", "<x>@y.fr", "a@" + "b" * 300 + ".fr", "@", "a@b@c.fr"]
NASTY_PHONES = ["+33 6 00 00 00 00 00 00", "0600000000" * 20, "-1"]
NASTY_TIMES = ["25:61", "-1:00", "12h", "99:99:99"]
BY_KIND = {
    "text": text,
    "textarea": text,
    "email": st.one_of(text, st.sampled_from(NASTY_EMAILS)),
    "tel": st.one_of(text, st.sampled_from(NASTY_PHONES)),
    "url": text,
    "search": text,
    "password": text,
    "hidden": text,
    "number": numbers,
    "date": dates,
    "datetime-local": dates,
    "time": st.one_of(st.sampled_from(NASTY_TIMES), text),
    "month": months,
    "checkbox": checkbox,
    "radio": checkbox,
    "file": files,
}


def hostile_value(field):
    """The strategy for one field (`tests.hostile.forms.Field`)."""
    if field.kind == "select":
        return choice(field.options)
    return BY_KIND.get(field.kind, text)


# The hand-picked values of each kind, every one of which the deterministic pass (tests/hostile/test_forms.py) sends
# to every field of that kind; hypothesis then draws random ones on top.
HAND_PICKED = {
    "email": NASTY_TEXT + NASTY_EMAILS,
    "tel": NASTY_TEXT + NASTY_PHONES,
    "number": NASTY_NUMBERS,
    "date": NASTY_DATES,
    "datetime-local": NASTY_DATES,
    "time": NASTY_TIMES + NASTY_TEXT,
    "month": NASTY_MONTHS,
    "checkbox": CHECKBOX_VALUES,
    "radio": CHECKBOX_VALUES,
    "select": NASTY_CHOICES,
    "file": HOSTILE_FILES,
}


def hand_picked(field):
    """Every hand-picked hostile value for one field (`tests.hostile.forms.Field`): its kind's, text otherwise."""
    return HAND_PICKED.get(field.kind, NASTY_TEXT)
