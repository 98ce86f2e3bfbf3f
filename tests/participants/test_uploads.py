"""Uploaded proofs: checked by content and size, stored under random names, served only to those who may see them."""

import io
import os
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from participants.models import Proof
from tests.html import text
from tests.participants.factories import MINIMAL_PDF, pdf_upload, png_bytes

pytestmark = pytest.mark.django_db

ELF_EXECUTABLE = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200


def upload(client, participant, file, kind="france_travail", issue_date="2026-10-01"):
    return client.post(
        reverse("participants:proof_upload", args=[participant.public_id]),
        {"kind": kind, "issue_date": issue_date, "file": file},
    )


@pytest.fixture
def facilitator(client, world):
    client.force_login(world.facilitateur.user)
    return client


def test_a_pdf_is_stored_under_a_random_name_in_private_storage(facilitator, world, settings):
    response = upload(facilitator, world.participant, pdf_upload("Attestation Pôle emploi DUPONT.pdf"))
    assert response.status_code == 302
    proof = Proof.objects.filter(participant=world.participant).latest("uploaded_at")
    assert proof.content_type == "application/pdf"
    assert proof.original_name == "Attestation Pôle emploi DUPONT.pdf"
    stored = os.path.basename(proof.file.name)
    assert "DUPONT" not in proof.file.name and len(stored) == len("0123456789abcdef0123456789abcdef.pdf")
    assert str(settings.STORAGES["default"]["OPTIONS"]["location"]) in proof.file.path


def test_private_storage_has_no_public_address(world):
    with pytest.raises(ValueError):
        world.proof.file.url  # noqa: B018


def test_a_png_is_accepted_by_its_content_whatever_its_extension(facilitator, world):
    upload(facilitator, world.participant, SimpleUploadedFile("scan.pdf", png_bytes()), kind="identite")
    assert Proof.objects.filter(participant=world.participant, content_type="image/png").exists()


def test_a_renamed_executable_is_refused(facilitator, world):
    count = Proof.objects.count()
    response = upload(facilitator, world.participant, SimpleUploadedFile("attestation.pdf", ELF_EXECUTABLE))
    assert response.status_code == 200
    assert "ni un PDF, ni une image JPEG ou PNG" in text(response)
    assert Proof.objects.count() == count


def test_a_truncated_pdf_is_refused(facilitator, world):
    response = upload(facilitator, world.participant, SimpleUploadedFile("a.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n"))
    assert "Ce PDF est incomplet ou abîmé" in text(response)


def test_an_oversized_file_is_refused(facilitator, world):
    big = MINIMAL_PDF[:-6] + b" " * (10 * 1024 * 1024) + b"%%EOF\n"
    count = Proof.objects.count()
    response = upload(facilitator, world.participant, SimpleUploadedFile("gros.pdf", big))
    assert "Le fichier pèse 10,0 Mo : 10 Mo au plus." in text(response)
    assert Proof.objects.count() == count


def test_a_path_traversal_name_stays_a_plain_name(facilitator, world, tmp_path):
    upload(facilitator, world.participant, pdf_upload("../../../../etc/cron.d/evil.pdf"))
    proof = Proof.objects.filter(participant=world.participant).latest("uploaded_at")
    assert proof.original_name == "evil.pdf"
    assert ".." not in proof.file.name and proof.file.name.startswith("justificatifs/")
    assert not os.path.exists("/etc/cron.d/evil.pdf")


def test_download_is_an_attachment_with_the_original_name(facilitator, world):
    response = facilitator.get(reverse("participants:proof_download", args=[world.proof.public_id]))
    assert response["Content-Disposition"].startswith('attachment; filename="attestation.pdf"')
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_the_issue_date_is_required_and_checked(facilitator, world):
    response = upload(facilitator, world.participant, pdf_upload(), issue_date="")
    assert "Indiquez la date d'émission" in text(response)
    response = upload(facilitator, world.participant, pdf_upload(), issue_date="2099-01-01")
    assert "La date d'émission est dans le futur" in text(response)


def test_a_decompression_bomb_is_refused(facilitator, world):
    """A PNG whose header announces 50 000 × 50 000 pixels: refused before it is ever decoded."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (1, 1)).save(buffer, format="PNG")
    data = bytearray(buffer.getvalue())
    data[16:24] = struct.pack(">II", 50_000, 50_000)  # width and height in the IHDR chunk
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    response = upload(facilitator, world.participant, SimpleUploadedFile("scan.png", bytes(data)), kind="identite")
    assert response.status_code == 200
    assert "démesurée" in text(response) or "abîmée ou illisible" in text(response)


def test_a_malformed_png_is_refused_not_a_server_error(facilitator, world):
    data = bytearray(png_bytes())
    data[11] = 0x0B  # the IHDR length byte
    response = upload(facilitator, world.participant, SimpleUploadedFile("scan.png", bytes(data)), kind="identite")
    assert response.status_code == 200 and "abîmée ou illisible" in text(response)


def test_a_very_long_name_with_control_characters_is_shortened_not_refused(facilitator, world):
    name = "relevé\x07\n" + "x" * 240 + ".pdf" + "f" * 40
    response = upload(facilitator, world.participant, pdf_upload(name))
    assert response.status_code == 302
    proof = Proof.objects.filter(participant=world.participant).latest("uploaded_at")
    assert (
        len(proof.original_name) <= 100
        and "\n" not in proof.original_name
        and proof.original_name.startswith("relevé")
    )


def test_the_technical_admin_shows_a_proof_without_exposing_its_file(client, world):
    user = world.admin.user
    user.is_staff = user.is_superuser = True
    user.save()
    client.force_login(user)
    page = text(client.get(reverse("admin:participants_proof_change", args=[world.proof.pk])))
    assert reverse("participants:proof_download", args=[world.proof.public_id]) in page
    assert client.get(reverse("admin:participants_proof_add")).status_code == 403
