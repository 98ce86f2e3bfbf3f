"""Import of hours from the facilitators' tracking spreadsheets (XLSX or CSV): read, resolve, preview, apply.

The file decides what it is by its content, never by its extension: an XLSX is a ZIP that openpyxl opens (read
only, cached values of formulas, never run); anything else must be text in UTF-8 or Windows-1252 with a header
row. A row is resolved to a contract's assignment (a person's hours) or to an award and a subcontractor
(subcontracted hours); every cell then goes through `services.validate_cells` (R-HRS-3) with the row number as
its key, so that every refusal names the row the facilitator sees in their spreadsheet.

All or nothing: confirming re-reads the stored file, resolves it again against the database as it is now, and
writes through `services.hours_save`, which writes nothing when one cell is wrong. Importing the same values
again changes nothing; an empty cell is skipped, never a deletion.
"""

from suivi.imports.layout import COLUMNS, CSV, HEADER, MAX_FILE_SIZE, MAX_ROWS, MAX_UNCOMPRESSED_SIZE, RULES, XLSX
from suivi.imports.reading import ImportFileError, read_table
from suivi.imports.service import (
    Outcome,
    Preview,
    build_preview,
    default_month_of,
    hour_import_apply,
    hour_import_cancel,
    hour_import_create,
    preview_import,
)
from suivi.imports.template import template_rows, template_xlsx

__all__ = [
    "COLUMNS",
    "CSV",
    "HEADER",
    "MAX_FILE_SIZE",
    "MAX_ROWS",
    "MAX_UNCOMPRESSED_SIZE",
    "RULES",
    "XLSX",
    "ImportFileError",
    "Outcome",
    "Preview",
    "build_preview",
    "default_month_of",
    "hour_import_apply",
    "hour_import_cancel",
    "hour_import_create",
    "preview_import",
    "read_table",
    "template_rows",
    "template_xlsx",
]
