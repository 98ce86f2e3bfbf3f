"""Tables as downloads: CSV for French spreadsheets (semicolons, UTF-8 with BOM) and XLSX (openpyxl).

Text that a spreadsheet would read as a formula (=, +, -, @ first) is kept as text in both formats, so that a
market title can never run anything on the buyer's or the facilitator's computer.
"""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils import formats
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _plain_number(value):
    """1234.50 → '1234,5'; 833.00 → '833': a decimal comma, no grouping, no exponent."""
    value = Decimal(str(value))
    text = format(value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize(), "f")
    return text.replace(".", ",")


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, Decimal | float | int):
        return _plain_number(value)
    if isinstance(value, date | datetime):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(filename, header, rows):
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 with accents correctly only with a BOM
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_text(value):
    """Text as a worksheet may hold it: control characters (a pasted \x1f, \x0b…) are dropped, since openpyxl
    refuses them and the whole export would fail."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _xlsx_cell(sheet, value):
    if isinstance(value, Decimal):
        value = float(value)
    elif isinstance(value, bool):
        value = "oui" if value else "non"
    if isinstance(value, str):
        value = xlsx_text(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    elif isinstance(value, datetime):
        cell.number_format = "DD/MM/YYYY HH:MM"
    elif isinstance(value, date):
        cell.number_format = "DD/MM/YYYY"
    return cell


def xlsx_response(filename, header, rows, title):
    return xlsx_sheets_response(filename, [(title, header, rows)])


def xlsx_sheets_response(filename, sheets):
    """One workbook of several tables: `sheets` is a list of (title, header, rows)."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, header, rows in sheets:
        rows = [list(row) for row in rows]
        sheet = workbook.create_sheet(title[:31])
        # In write-only mode, dimensions and panes are set before the first row.
        for i, name in enumerate(header):
            width = max([len(name)] + [min(len(str(row[i] if row[i] is not None else "")), 60) for row in rows])
            sheet.column_dimensions[get_column_letter(i + 1)].width = width + 2
        sheet.freeze_panes = "A2"
        header_cells = []
        for name in header:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
