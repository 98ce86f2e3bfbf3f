"""What an import would do (the preview) and its writes: create, apply all at once, abandon."""

import hashlib
import io
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from clauses.antivirus import check_upload
from participants.uploads import clean_file_name
from suivi import hours as rules
from suivi import services
from suivi.enums import HourKind, HourSource, ImportStatus
from suivi.imports.layout import MAX_FILE_SIZE
from suivi.imports.reading import ImportFileError, check_size, read_table
from suivi.imports.rows import CREATED, ERROR, UNCHANGED, UPDATED, Resolver, parse_rows
from suivi.models import HourImport

# --- Preview --------------------------------------------------------------------------------------------------


@dataclass
class Preview:
    kind: str = ""
    rows: list = field(default_factory=list)  # errors first, then in the file's order
    skipped: int = 0
    totals: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error_rows: int = 0
    hours: Decimal = Decimal(0)
    ignored_columns: list = field(default_factory=list)

    @property
    def cells(self):
        return [cell for row in self.rows for cell in row.cells]

    @property
    def ok(self):
        return not self.error_rows and bool(self.rows)

    @property
    def changes(self):
        return self.created + self.updated

    @property
    def messages(self):
        return [message for row in self.rows for message in row.messages]

    @property
    def fingerprint(self):
        """What the preview announces, value by value (created, updated from what, unchanged): confirming checks
        that it still holds, so that the import writes what the facilitator read."""
        shown = sorted(
            (row.number, amount.kind, str(amount.hours), amount.status, str(amount.old))
            for row in self.rows
            for amount in row.amounts
        )
        return hashlib.sha256(repr(shown).encode()).hexdigest()


DUPLICATE = "Ces heures apparaissent deux fois."  # as services.validate_cells says it, without the rows


def _name_duplicates(rows):
    """Two rows giving the same hours (same person or subcontractor, market, month and kind): both named."""
    seen = defaultdict(list)
    for row in rows:
        for cell in row.cells:
            seen[cell.identity].append(row)
    for identity, found in seen.items():
        if len(found) > 1:
            kind = HourKind(identity[-1] if identity[0] == "contract" else HourKind.SOUS_TRAITANCE).label
            for row in found:
                others = [str(other.number) for other in found if other is not row]
                where = (
                    f"ligne {others[0]}" if len(others) == 1 else f"lignes {', '.join(others[:-1])} et {others[-1]}"
                )
                row.fail(
                    f"Les {kind} de {row.who} en {row.month_label} ({row.market_label}) figurent aussi {where} : "
                    "n'en gardez qu'une."
                )


def build_preview(*, data, structure, default_month=None, today=None):
    """What importing `data` would do now: row by row, against what is recorded. Raises ImportFileError."""
    table = read_table(data, has_default_month=default_month is not None)
    rows, skipped, totals = parse_rows(table, default_month)
    resolver = Resolver(structure, rows)
    for row in rows:
        resolver.resolve(row)
    cells = [cell for row in rows for cell in row.cells]
    by_number = {str(row.number): row for row in rows}
    _name_duplicates(rows)
    existing = {}
    if cells:
        errors, existing = services.check_cells(cells, today)
        for key, messages in errors.items():
            for message in messages:
                if message != DUPLICATE or not by_number[key].errors:
                    by_number[key].fail(message)
    preview = Preview(kind=table.kind, skipped=skipped, totals=totals, ignored_columns=table.ignored_columns)
    for row in rows:
        if row.errors:
            preview.error_rows += 1
            for amount in row.amounts:
                amount.status = ERROR
            continue
        shown = []
        for amount, cell in zip(row.amounts, row.cells, strict=True):
            entry = existing.get(cell.identity)
            # What the preview announces is checked again when the import is written, under the lock.
            shown.append(replace(cell, shown=entry.hours if entry is not None else None))
            hours = amount.hours.quantize(rules.HUNDREDTH)
            preview.hours += hours
            if entry is None:
                amount.status = CREATED
                preview.created += 1
            elif entry.hours != hours:
                amount.status, amount.old = UPDATED, entry.hours
                preview.updated += 1
            else:
                amount.status = UNCHANGED
                preview.unchanged += 1
        row.cells = shown
    preview.rows = sorted(rows, key=lambda r: (not r.errors, r.number))
    return preview


def _stored_data(hour_import):
    try:
        with hour_import.file.open("rb") as handle:
            return handle.read(MAX_FILE_SIZE + 1)
    except (OSError, ValueError) as error:  # missing, unreadable, or erased when the import was abandoned
        raise ImportFileError("Le fichier de cet import est introuvable : envoyez-le de nouveau.") from error


def default_month_of(hour_import):
    return rules.parse_month(hour_import.summary.get("month", "")) if hour_import.summary else None


def preview_import(hour_import, today=None):
    return build_preview(
        data=_stored_data(hour_import),
        structure=hour_import.structure,
        default_month=default_month_of(hour_import),
        today=today,
    )


# --- Writes ---------------------------------------------------------------------------------------------------


def hour_import_create(*, structure, uploaded_file, month=None, by) -> HourImport:
    """Check the file can be read, then keep it privately under a random name, waiting for confirmation."""
    check_size(uploaded_file.size)
    uploaded_file.seek(0)
    data = uploaded_file.read(MAX_FILE_SIZE + 1)
    table = read_table(data, has_default_month=month is not None)
    check_upload(io.BytesIO(data))  # clamd, when configured (fail closed), once the file is known readable
    rows, _, _ = parse_rows(table, month)
    hour_import = HourImport(
        structure=structure,
        original_name=clean_file_name(uploaded_file.name, limit=120),
        sha256=hashlib.sha256(data).hexdigest(),
        row_count=len(rows),
        summary={"month": f"{month:%Y-%m}" if month else "", "format": table.kind},
        uploaded_by=by,
    )
    hour_import.file.save("import", ContentFile(data), save=False)  # the name comes from import_upload_to
    try:
        hour_import.save()
    except Exception:
        hour_import.file.delete(save=False)
        raise
    return hour_import


@dataclass
class Outcome:
    applied: bool
    preview: Preview | None = None
    result: services.SaveResult | None = None
    changed: bool = False  # the records changed since the preview the facilitator confirmed

    @property
    def messages(self):
        return self.preview.messages if self.preview else []


@transaction.atomic
def hour_import_apply(*, hour_import, by, fingerprint=None, today=None) -> Outcome:
    """Read the stored file again, resolve it against the records as they are now, and write every hour at once;
    if one row is wrong, nothing is written. With `fingerprint` (of the preview the facilitator read), nothing
    is written either when the preview would now say something else (hours entered meanwhile)."""
    locked = HourImport.objects.select_for_update().select_related("structure").get(pk=hour_import.pk)
    if locked.status != ImportStatus.EN_ATTENTE:
        raise ValidationError(f"Cet import est déjà {locked.get_status_display()}.")
    preview = preview_import(locked, today)
    if not preview.ok:
        return Outcome(applied=False, preview=preview)
    if fingerprint is not None and fingerprint != preview.fingerprint:
        return Outcome(applied=False, preview=preview, changed=True)
    result = services.hours_save(cells=preview.cells, by=by, source=HourSource.IMPORT, hour_import=locked, today=today)
    if result.conflicts and not result.errors:  # hours entered between the preview above and the lock
        return Outcome(applied=False, preview=preview_import(locked, today), changed=True)
    if result.errors:  # something changed since the preview: name the rows again
        by_number = {str(row.number): row for row in preview.rows}
        for key, messages in result.errors.items():
            for message in messages:
                by_number[key].fail(message)
        preview.error_rows = sum(1 for row in preview.rows if row.errors)
        return Outcome(applied=False, preview=preview, result=result)
    locked.status = ImportStatus.APPLIQUE
    locked.applied_at = timezone.now()
    locked.row_count = len(preview.rows)
    locked.summary = {
        **(locked.summary or {}),
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "rows": len(preview.rows),
        "hours": str(preview.hours),
    }
    locked._change_reason = "import confirmé"
    locked.save()
    hour_import.refresh_from_db()
    return Outcome(applied=True, preview=preview, result=result)


def hour_import_cancel(*, hour_import, by) -> HourImport:
    """Give up a waiting import: nothing was written; its file is erased once the change is committed."""
    with transaction.atomic():
        locked = HourImport.objects.select_for_update().get(pk=hour_import.pk)
        if locked.status != ImportStatus.EN_ATTENTE:
            raise ValidationError(f"Cet import est déjà {locked.get_status_display()}.")
        storage, name = locked.file.storage, locked.file.name
        locked.status = ImportStatus.ABANDONNE
        locked.file = ""
        locked._change_reason = "import abandonné"
        locked.save()
        if name:
            transaction.on_commit(lambda: storage.delete(name))
    hour_import.refresh_from_db()
    return hour_import
