"""The hours import (CSV and XLSX) with hostile cells: huge, negative, NaN and infinite numbers, impossible dates,
10 000-character strings, markup, formulas, unusual unicode, in every column. Never a server error; a refused row
gets a French message naming it; nothing is half-saved (the import is previewed then confirmed, all or nothing: no
hour is written when one row is refused); text from the file is shown escaped in the preview.

Two passes: a deterministic one, one file per format holding a row for every hand-picked value of every column
(the import checks each row on its own, so one file tries them all), and hypothesis drawing files of a few hostile
rows on top. The files are built with the house's helpers (tests/suivi/test_imports.py)."""

import datetime
import re

import pytest
from django.db import transaction
from django.test import Client
from django.utils.html import escape
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from suivi.models import HourEntry, HourImport
from tests.hostile.checks import ENGLISH, assert_french_errors, assert_no_raw_markup, html_of, writes
from tests.hostile.values import MARKERS, NASTY_DATES, NASTY_MONTHS, NASTY_NUMBERS, NASTY_TEXT, PROFILE
from tests.hostile.values import dates as hostile_dates
from tests.hostile.values import months as hostile_months
from tests.hostile.values import numbers as hostile_numbers
from tests.hostile.values import text as hostile_text
from tests.suivi.test_imports import COLUMN, confirm, csv_bytes, row, upload, xlsx_bytes

HOURS_TABLES = {"suivi_hourentry", "suivi_historicalhourentry"}
NASTY_HOURS = [*NASTY_NUMBERS, "1e300", "250000", "-5", "7h99", "=1+1", "=SUM(A1:A9)"]
# Typed cells only a spreadsheet can hold (a CSV carries text).
XLSX_ONLY = [
    10**30,
    -(10**30),
    1e308,
    -1.5,
    True,
    datetime.datetime(9999, 12, 31, 23, 59),
    datetime.date(1, 1, 1),
    datetime.time(25 % 24, 0),
]
HAND_PICKED = {
    "month": NASTY_MONTHS + NASTY_DATES,
    "birth_date": NASTY_DATES,
    "worked": NASTY_HOURS,
    "training": NASTY_HOURS,
    "subcontracted": NASTY_HOURS,
}
STRATEGIES = {
    "month": st.one_of(hostile_months, hostile_dates),
    "birth_date": hostile_dates,
    "worked": hostile_numbers,
    "training": hostile_numbers,
    "subcontracted": hostile_numbers,
}


def _cell(value, fmt):
    """openpyxl refuses control characters in a cell (a spreadsheet cannot hold them): they are dropped there."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if fmt == "xlsx" and isinstance(value, str) else value


def _file(rows, fmt):
    if fmt == "csv":
        return csv_bytes([[str(cell) for cell in line] for line in rows]), "heures.csv"
    return xlsx_bytes([[_cell(cell, fmt) for cell in line] for line in rows]), "heures.xlsx"


def _good(world):
    return row(world.sibling_contract, "03/2026", worked="35")


def _good_row_stored(world):
    march = datetime.date(2026, 3, 1)
    return HourEntry.objects.filter(month=march, hours=35, assignment__contract=world.sibling_contract).exists()


def _hostile_row(world, column, value):
    values = row(world.contract, "04/2026", worked="7")
    values[COLUMN[column]] = value
    return values


def _try(client, world, rows, fmt):
    """Upload, preview, confirm; check the answers and that the hours were written all or not at all. Returns
    whether the file was refused (a row in error, or the whole file), and the preview page."""
    content, filename = _file(rows, fmt)
    imports_before = HourImport.objects.count()
    response = upload(client, content, filename)
    assert response.status_code < 500
    html = html_of(response)
    assert_no_raw_markup(html, "envoi du fichier")
    if response.status_code != 302:  # the whole file refused at upload: said in French, nothing kept
        assert_french_errors(html, "envoi du fichier")
        assert HourImport.objects.count() == imports_before
        return True, html
    hour_import = HourImport.objects.get(public_id=response.url.rstrip("/").split("/")[-1])
    page = client.get(response.url)
    assert page.status_code == 200
    preview = html_of(page)
    assert_no_raw_markup(preview, "aperçu de l'import")
    refused = "en erreur : rien ne sera importé" in preview or "Le fichier ne peut pas être lu" in preview
    if refused:
        assert_french_errors(preview, "aperçu de l'import")
    before, entries = writes(), HourEntry.objects.count()
    done = confirm(client, hour_import)
    assert done.status_code < 500
    assert_no_raw_markup(html_of(done), "confirmation de l'import")
    written = {table for table, count in writes().items() if count != before.get(table, 0)}
    if refused:
        assert not written & HOURS_TABLES, f"import refusé mais heures écrites : {written & HOURS_TABLES}"
        assert HourEntry.objects.count() == entries
    else:  # accepted: the good row written with the others
        assert _good_row_stored(world), "import accepté mais la ligne valide n'est pas enregistrée"
    return refused, preview


@pytest.fixture
def facilitator(world):
    client = Client()
    client.force_login(world.facilitateur.user)
    return client


def _refuses_the_whole_file(value, fmt):
    """A NUL byte makes a CSV binary; a cell starting with "=" is a formula in an XLSX, with no computed value:
    either refuses the whole file (tried alone, so that it hides no other row)."""
    text = isinstance(value, str)
    return text and (fmt == "csv" and "\x00" in value or fmt == "xlsx" and value.startswith("="))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_hand_picked_cell_in_every_column(db, world, facilitator, fmt):
    """One file: a good row, then a row per hand-picked value of each column (the other cells valid); a value that
    refuses the whole file goes in a file of its own."""
    rows, alone = [_good(world)], {}
    for column in COLUMN:
        for value in HAND_PICKED.get(column, NASTY_TEXT) + (XLSX_ONLY if fmt == "xlsx" else []):
            if _refuses_the_whole_file(value, fmt):
                alone.setdefault(value, _hostile_row(world, column, value))
            else:
                rows.append(_hostile_row(world, column, value))
    with transaction.atomic():
        refused, page = _try(facilitator, world, rows, fmt)
        assert refused, "des valeurs hostiles dans chaque colonne, et tout accepté"
        messages = [" ".join(m.split()) for m in re.findall(r"<li>(Ligne \d+ :.*?)</li>", page, re.S)]
        assert messages, "aucune ligne nommée dans les erreurs"
        assert not [m for m in messages if ENGLISH.search(m)], f"messages d'erreur pas en français : {messages}"
        assert any(escape(marker) in page for marker in MARKERS), "texte balisé du fichier non affiché, échappé"
        transaction.set_rollback(True)
    assert alone, "aucune valeur ne refuse le fichier entier : revoir _refuses_the_whole_file"
    for value, hostile in alone.items():
        with transaction.atomic():
            refused, page = _try(facilitator, world, [_good(world), hostile], fmt)
            assert refused, f"fichier accepté avec {value!r}"
            transaction.set_rollback(True)


@settings(parent=PROFILE, max_examples=max(PROFILE.max_examples, 10))
@given(data=st.data())
def test_hostile_cells_never_break_the_import(db, world, facilitator, data):
    fmt = data.draw(st.sampled_from(["csv", "xlsx"]), label="format")
    rows = [_good(world)]
    for _ in range(data.draw(st.integers(1, 3), label="lignes")):
        values = _hostile_row(world, "worked", "7")
        for column in data.draw(st.lists(st.sampled_from(list(COLUMN)), min_size=1, max_size=4, unique=True)):
            strategy = STRATEGIES.get(column, hostile_text)
            if fmt == "xlsx":
                strategy = st.one_of(strategy, st.sampled_from(XLSX_ONLY))
            values[COLUMN[column]] = data.draw(strategy, label=column)
        rows.append(values)
    with transaction.atomic():
        _try(facilitator, world, rows, fmt)
        transaction.set_rollback(True)
