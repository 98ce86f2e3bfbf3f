"""Checks on uploaded proofs: the content decides (PDF, JPEG or PNG), never the extension; 10 MB at most."""

import os
import unicodedata
import warnings

from django.core.exceptions import ValidationError
from PIL import Image

from clauses.antivirus import check_upload
from participants.models import MAX_PROOF_SIZE

SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
NOT_ACCEPTED = (
    "Ce fichier n'est ni un PDF, ni une image JPEG ou PNG : c'est son contenu qui compte, pas son extension."
)


def detect_content_type(uploaded):
    """The verified type of an uploaded file, or a French ValidationError. Reads the file, then rewinds it."""
    if uploaded.size == 0:
        raise ValidationError("Le fichier est vide.")
    if uploaded.size > MAX_PROOF_SIZE:
        megabytes = f"{uploaded.size / 1024 / 1024:.1f}".replace(".", ",")
        raise ValidationError(f"Le fichier pèse {megabytes} Mo : 10 Mo au plus.")
    uploaded.seek(0)
    head = uploaded.read(8)
    content_type = next((kind for signature, kind in SIGNATURES if head.startswith(signature)), None)
    if content_type is None:
        uploaded.seek(0)
        raise ValidationError(NOT_ACCEPTED)
    try:
        if content_type == "application/pdf":
            uploaded.seek(max(uploaded.size - 2048, 0))
            if b"%%EOF" not in uploaded.read():
                raise ValidationError("Ce PDF est incomplet ou abîmé : enregistrez-le de nouveau et réessayez.")
        else:
            _check_image(uploaded)
    finally:
        uploaded.seek(0)
    check_upload(uploaded)  # clamd, when configured (fail closed)
    return content_type


MAX_IMAGE_PIXELS = 60_000_000  # a 300 dpi A3 scan holds about 17 million


def _check_image(uploaded):
    """Any failure of the image library on a hostile or broken file is a refusal, never a crash."""
    uploaded.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(uploaded) as image:
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise ValidationError("Cette image est démesurée : numérisez-la en résolution normale.")
                image.verify()
    except ValidationError:
        raise
    except Exception as error:  # noqa: BLE001 - Pillow raises many kinds of errors on a bad file
        raise ValidationError("Cette image est abîmée ou illisible.") from error


def clean_file_name(name, limit=100):
    """The name to show and to offer on download: no folders, no control characters, not too long."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c)[0] != "C")
    name = name.strip().lstrip(".") or "document"
    stem, extension = os.path.splitext(name)
    extension = extension[:10]
    return stem[: limit - len(extension)] + extension
