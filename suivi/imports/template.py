"""The template to fill in: an XLSX with its "Mode d'emploi" sheet, pre-filled with the running contracts."""

import io
from datetime import date

from django.db.models import Prefetch
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from clauses.exports import xlsx_text
from participants.models import name_key
from suivi.imports.layout import COLUMNS, HEADER, RULES
from suivi.imports.rows import siret_label
from suivi.models import Assignment

# --- The template ---------------------------------------------------------------------------------------------


def template_rows(contracts, month):
    """One row per contract running in `month` × market it serves: who, where, and empty hours to fill in."""
    running = (
        contracts.active_in(month)
        .select_related("participant", "company")
        .prefetch_related(
            Prefetch("assignments", queryset=Assignment.objects.select_related("award__lot__market", "award__company"))
        )
    )
    rows = []
    for contract in running:
        person = contract.participant
        for assignment in contract.assignments.all():
            lot = assignment.award.lot
            values = {
                "month": f"{month:%m/%Y}",  # text: a spreadsheet keeps it as written
                "last_name": person.last_name.upper(),
                "first_name": person.first_name,
                "birth_date": person.birth_date,
                "company_siret": siret_label(contract.company.siret),  # spaced: never turned into 1,23E+13
                "market": lot.market.reference,
                "lot": lot.number,
            }
            rows.append([values.get(column.key) for column in COLUMNS])
    at = {column.key: index for index, column in enumerate(COLUMNS)}
    rows.sort(
        key=lambda r: (
            name_key(r[at["last_name"]], r[at["first_name"]]),
            r[at["birth_date"]],
            r[at["market"]],
            r[at["lot"]],
        )
    )
    return rows


def _write_cell(sheet, value, bold=False, wrap=False):
    if isinstance(value, str):
        value = xlsx_text(value)  # a control character in a name would make the whole template fail
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    elif isinstance(value, date):
        cell.number_format = "DD/MM/YYYY"
    if bold:
        cell.font = Font(bold=True)
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def template_xlsx(rows):
    """The template as an XLSX: the table to fill in, then the layout explained on a sheet "Mode d'emploi"."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Heures")
    widths = [10, 20, 16, 18, 20, 16, 6, 18, 18, 20, 18]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_write_cell(sheet, name, bold=True) for name in HEADER])
    for row in rows:
        sheet.append([_write_cell(sheet, value) for value in row])
    guide = workbook.create_sheet("Mode d'emploi")
    for letter, width in zip("ABCD", (22, 26, 80, 20), strict=True):
        guide.column_dimensions[letter].width = width
    guide.append([_write_cell(guide, "Import des heures dans Clauses", bold=True)])
    guide.append(
        [_write_cell(guide, "Une ligne par personne, mois et marché ; ou par sous-traitant, mois et marché.")]
    )
    for rule in RULES:
        guide.append([_write_cell(guide, "• " + rule)])
    guide.append([])
    guide.append(
        [_write_cell(guide, title, bold=True) for title in ("Colonne", "À remplir", "Explication", "Exemple")]
    )
    for column in COLUMNS:
        guide.append(
            [
                _write_cell(guide, column.name, bold=True),
                _write_cell(guide, column.when, wrap=True),
                _write_cell(guide, column.explanation, wrap=True),
                _write_cell(guide, column.example),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
