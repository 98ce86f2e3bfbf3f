"""Stored files: every FileField is known, private, named by us, and served only by a view that checks rights,
as an attachment with a safe name; spreadsheet exports never carry a formula."""

import re
from io import BytesIO

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from clauses.exports import FORMULA_STARTS, _csv_cell, _xlsx_cell
from clauses.storage import PrivateFileSystemStorage
from participants.models import Proof, proof_upload_to
from reporting.models import ReportJob, report_upload_to
from suivi.models import HourImport
from suivi.models.hours import import_upload_to
from tests.hostile.values import HOSTILE_FILES, PROFILE
from tests.reporting.factories import ReportJobFactory
from tests.test_access import close_quietly

# Every stored file of the project, and the view that serves it (None: never served back).
FILE_FIELDS = {
    "participants.Proof.file": "participants:proof_download",
    "suivi.HourImport.file": None,  # an import is read once, previewed, applied; its file is never downloaded
    "reporting.ReportJob.file": "reporting:job_download",
}
HOSTILE_NAMES = [name for name, _ in HOSTILE_FILES] + ["C:\\Windows\\system32\\cmd.exe", "a\r\nSet-Cookie: x=1.pdf"]


def test_every_file_field_is_listed_and_private():
    found = {
        f"{model._meta.label}.{field.name}": field
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }
    assert found.keys() == FILE_FIELDS.keys(), "nouveau champ fichier : dites quelle vue le sert, et testez-la"
    for field in found.values():
        assert isinstance(field.storage, PrivateFileSystemStorage), field
        with pytest.raises(ValueError):
            field.storage.url("x.pdf")  # no public address, ever


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_storage_names_never_come_from_the_uploaded_name(name):
    names = [
        proof_upload_to(Proof(content_type="application/pdf"), name),
        import_upload_to(HourImport(original_name=name), name),
        report_upload_to(ReportJob(), name),
    ]
    for stored in names:
        assert re.fullmatch(r"(justificatifs|imports|bilans)/\d{4}/\d{2}/[0-9a-f]{32}\.(pdf|csv|xlsx|zip)", stored)


def _assert_safe_attachment(response):
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert not set("\r\n\x00/") & set(disposition), disposition  # a quote comes escaped: \"
    assert response["X-Content-Type-Options"] == "nosniff"
    close_quietly(response)


def test_a_proof_with_a_hostile_name_downloads_as_a_safe_attachment(db, client, world):
    client.force_login(world.facilitateur.user)
    for name in ("../../../../etc/passwd.pdf", 'x"; filename=evil.exe; a=".pdf', "n\x00ul\r\n.pdf", "é" * 300):
        response = client.post(
            reverse("participants:proof_upload", args=[world.participant.public_id]),
            {
                "kind": "france_travail",
                "issue_date": "2026-10-01",
                "file": SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n"),
            },
        )
        assert response.status_code == 302, name
        proof = Proof.objects.filter(participant=world.participant).latest("pk")
        assert "/" not in proof.original_name and len(proof.original_name) <= 100
        download = client.get(reverse("participants:proof_download", args=[proof.public_id]))
        _assert_safe_attachment(download)
        assert download["Content-Disposition"].rstrip('"').endswith(".pdf"), download["Content-Disposition"]


def test_a_bilan_downloads_as_a_safe_attachment_and_only_for_its_structure(db, client, world):
    job = ReportJobFactory(structure=world.structure, requested_by=world.facilitateur.user, done=True)
    client.force_login(world.facilitateur.user)
    _assert_safe_attachment(client.get(reverse("reporting:job_download", args=[job.public_id])))
    client.force_login(world.other_admin.user)
    assert client.get(reverse("reporting:job_download", args=[job.public_id])).status_code == 404


@settings(parent=PROFILE, max_examples=200)
@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=40))
def test_exported_text_never_starts_a_formula(value):
    """CSV: text a spreadsheet would read as a formula is prefixed with an apostrophe; XLSX: text is a string cell,
    never a formula, whatever it starts with. (Pure functions: 200 examples cost milliseconds.)"""
    cell = _csv_cell(value)
    assert not cell.startswith(FORMULA_STARTS)
    assert cell in (value, "'" + value)
    sheet = Workbook(write_only=True).create_sheet()
    assert _xlsx_cell(sheet, value).data_type == "s"


def test_an_xlsx_export_drops_control_characters_and_keeps_formulas_as_text(db, client, world):
    """A control character pasted in a title made openpyxl refuse the whole export (a server error)."""
    from openpyxl import load_workbook

    title = '=HYPERLINK("http://exemple.invalid","cliquez")'
    world.market.title = title + "\x1f\x0b"
    world.market.save()
    client.force_login(world.facilitateur.user)
    response = client.get(reverse("reporting:export", args=["marches", "xlsx"]))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == title]
    assert cells and all(cell.data_type == "s" for cell in cells)
