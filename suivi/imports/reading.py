"""Reading an uploaded file by its content (XLSX through openpyxl, read only; CSV in UTF-8 or Windows-1252), finding
its header, and reading its cells as French spreadsheets write them."""

import csv
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from clauses.exports import FORMULA_STARTS
from suivi import hours as rules
from suivi.imports.layout import (
    COLUMN_BY_KEY,
    CSV,
    HEADER_SEARCH_ROWS,
    HOUR_COLUMNS,
    MAX_COLUMNS,
    MAX_FILE_SIZE,
    MAX_ROWS,
    MAX_SCANNED_ROWS,
    MAX_UNCOMPRESSED_SIZE,
    XLSX,
    column_of,
    header_key,
)

# --- Reading the file -----------------------------------------------------------------------------------------


class ImportFileError(ValidationError):
    """The file as a whole cannot be read: nothing is stored."""


@dataclass
class Table:
    kind: str
    columns: dict  # column key → index
    rows: list  # (row number as the user sees it, [values])
    ignored_columns: list = field(default_factory=list)


NOT_A_SPREADSHEET = (
    "Ce fichier n'est ni un classeur Excel (.xlsx) ni un fichier CSV : c'est son contenu qui compte, pas son "
    "extension. Enregistrez votre tableau au format .xlsx ou CSV et envoyez-le de nouveau."
)


def check_size(size):
    if size > MAX_FILE_SIZE:
        megabytes = f"{size / 1024 / 1024:.1f}".replace(".", ",")
        raise ImportFileError(f"Le fichier pèse {megabytes} Mo : {MAX_FILE_SIZE // 1024 // 1024} Mo au plus.")


def detect_kind(data):
    """XLSX or CSV, from the content; a French ImportFileError for anything else."""
    if not data:
        raise ImportFileError("Le fichier est vide.")
    check_size(len(data))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            "Ce fichier est un ancien classeur Excel (.xls) ou un classeur protégé par un mot de passe : "
            "enregistrez-le au format .xlsx sans mot de passe, ou en CSV, puis envoyez-le de nouveau."
        )
    if data.startswith(b"PK\x03\x04"):
        return XLSX
    if b"\x00" in data[:65536]:
        raise ImportFileError(NOT_A_SPREADSHEET)
    return CSV


def _check_zip(data):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            # The declared sizes first: nothing is inflated before they are known to be reasonable.
            if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED_SIZE:
                raise ImportFileError(
                    "Ce classeur est démesuré une fois ouvert : gardez seulement le tableau des heures, sur une "
                    "feuille, et envoyez-le de nouveau."
                )
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    if b"opendocument" in member.read(100):
                        raise ImportFileError(
                            "Ce fichier est un classeur OpenDocument (.ods) : enregistrez-le au format .xlsx ou CSV."
                        )
            if "xl/workbook.xml" not in names:
                raise ImportFileError(NOT_A_SPREADSHEET)
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, NotImplementedError) as error:
        raise ImportFileError("Ce classeur Excel est abîmé ou illisible.") from error


MAX_EMPTY_RUN = 10_000  # this many empty rows in a row: the table has ended (a sheet formatted to its end)


def _collect(rows):
    """The rows of a sheet as lists, up to the end of its table; ImportFileError beyond MAX_SCANNED_ROWS."""
    collected, filled = [], 0  # rows read, and up to the last one holding something
    for row in rows:
        row = list(row[:MAX_COLUMNS])
        collected.append(row)
        if not all(is_empty(value) for value in row):
            filled = len(collected)
        elif len(collected) - filled >= MAX_EMPTY_RUN:
            break
        if len(collected) > MAX_SCANNED_ROWS:
            raise ImportFileError(_too_many_rows())
    return collected[:filled]


def _xlsx_rows(data):
    """The rows of the first worksheet holding a header, as lists of values (formulas give their last computed
    value, never run); an empty list when no sheet has one."""
    _check_zip(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it does not read
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds of errors on a broken file
        raise ImportFileError("Ce classeur Excel est abîmé ou illisible.") from error
    try:
        for sheet in workbook.worksheets:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rows = _collect(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True))
            if _find_header(rows) is not None:
                _refuse_formulas_without_value(data, sheet.title, rows)
                return [rows]
        return []
    except ImportFileError:
        raise
    except Exception as error:  # noqa: BLE001
        raise ImportFileError("Ce classeur Excel est abîmé ou illisible.") from error
    finally:
        workbook.close()


def _refuse_formulas_without_value(data, title, rows):
    """A formula saved without its computed value (a file written by a program, never opened in a spreadsheet)
    reads as an empty cell: refuse the file rather than import it in part."""
    if not any(value is None for row in rows for value in row):
        return
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        formulas = workbook[title].iter_rows(max_row=len(rows), max_col=MAX_COLUMNS, values_only=True)
        for number, (values, written) in enumerate(zip(rows, formulas, strict=False), start=1):
            for position, (value, formula) in enumerate(zip(values, written, strict=False)):
                if value is None and isinstance(formula, str) and formula.startswith("="):
                    raise ImportFileError(
                        f"La cellule {get_column_letter(position + 1)}{number} contient une formule sans valeur "
                        "calculée : ouvrez le fichier dans votre tableur, enregistrez-le, puis envoyez-le de nouveau."
                    )
    finally:
        workbook.close()


def _too_many_rows():
    return (
        f"Le fichier compte plus de {MAX_ROWS:,} lignes d'heures : découpez-le (par mois ou par marché) "
        "et envoyez les morceaux l'un après l'autre."
    ).replace(",", "\u202f")


def _decode(data):
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(
        "Ce fichier CSV n'est ni en UTF-8 ni en Windows-1252 : enregistrez-le en « CSV UTF-8 » depuis votre tableur."
    )


def _csv_rows(text, delimiter):
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _collect(reader)
    except csv.Error as error:
        raise ImportFileError(
            f"Ce fichier CSV est mal formé vers la ligne {reader.line_num} : une cellule démesurée, ou des "
            "guillemets non refermés ?"
        ) from error


def _csv_candidates(data):
    """The CSV read with each plausible separator: the header decides which one is right."""
    text = _decode(data)
    head = text[:20000]
    candidates = []
    for delimiter in (";", ",", "\t"):
        if delimiter in head:
            candidates.append(_csv_rows(text, delimiter))
    return candidates or [_csv_rows(text, ";")]


def _find_header(rows):
    """(index, {column key: position}, ignored) of the best header among the first rows, or None."""
    best = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found, duplicates, ignored = {}, {}, []
        for position, value in enumerate(row):
            key = column_of(header_key(value)) if value not in (None, "") else None
            if key is None:
                if value not in (None, ""):
                    ignored.append(str(value)[:40])
                continue
            if key in found:
                duplicates.setdefault(key, [found[key]]).append(position)
            else:
                found[key] = position
        if len(found) >= 2 and found.keys() & HOUR_COLUMNS.keys():
            if best is None or len(found) > len(best[1]):
                best = (index, found, ignored, duplicates)
    return best


def read_table(data, *, has_default_month=False):
    """The table of hours in the file: its header and rows. Raises ImportFileError when it cannot be read."""
    kind = detect_kind(data)
    candidates = _xlsx_rows(data) if kind == XLSX else _csv_candidates(data)
    found = None
    for rows in candidates:
        header = _find_header(rows)
        if header is not None and (found is None or len(header[1]) > len(found[1][1])):
            found = (rows, header)
    if found is None:
        raise ImportFileError(
            f"Aucune ligne d'en-têtes reconnue dans les {HEADER_SEARCH_ROWS} premières lignes : le tableau doit "
            "nommer ses colonnes (Mois, Nom, Prénom, Date de naissance, SIRET entreprise, Marché, Lot, Heures "
            "travaillées…). Téléchargez le modèle pour voir la disposition attendue."
        )
    rows, (index, columns, ignored, duplicates) = found
    problems = []
    for key, positions in duplicates.items():
        letters = ", ".join(get_column_letter(p + 1) for p in positions)
        problems.append(
            f"La colonne « {COLUMN_BY_KEY[key].name} » apparaît plusieurs fois (colonnes {letters}) : "
            "gardez-en une seule."
        )
    if "month" not in columns and not has_default_month:
        problems.append("Ajoutez une colonne « Mois », ou choisissez le mois des heures en envoyant le fichier.")
    if columns.keys() & {"worked", "training"} and not {"last_name", "first_name"} <= columns.keys():
        problems.append("Ajoutez les colonnes « Nom » et « Prénom » : elles disent à qui sont les heures.")
    if "subcontracted" in columns and "subcontractor_siret" not in columns:
        problems.append(
            "Ajoutez la colonne « SIRET sous-traitant » : elle dit qui a réalisé les heures sous-traitées."
        )
    if "subcontracted" in columns and "market" not in columns:
        problems.append("Ajoutez la colonne « Marché » : les heures sous-traitées sont celles d'un marché.")
    if problems:
        raise ImportFileError(problems)
    data_rows, overflowing = [], []
    width = max(columns.values()) + 1
    header_width = len(rows[index])
    for number, row in enumerate(rows[index + 1 :], start=index + 2):
        # A spreadsheet writes every row of a CSV with as many cells as its header: one more is a shifted row.
        if kind == CSV and len(row) > header_width:
            overflowing.append(number)
        row = list(row[:width]) + [None] * (width - len(row))
        if all(is_empty(value) for value in row):
            continue
        data_rows.append((number, row))
    if overflowing:
        # A decimal comma in a comma-separated file splits '151,67' into two cells and shifts the rest.
        shown = ", ".join(str(number) for number in overflowing[:10]) + (" …" if len(overflowing) > 10 else "")
        raise ImportFileError(
            f"Ligne{'s' if len(overflowing) > 1 else ''} {shown} : plus de cellules que d'en-têtes. Dans "
            "un CSV séparé par des virgules, une virgule décimale (151,67) décale les colonnes : enregistrez le "
            "fichier avec le point-virgule comme séparateur, ou les nombres entre guillemets."
        )
    with_hours = sum(1 for _, row in data_rows if any(not is_empty(row[columns[k]]) for k in hour_keys(columns)))
    if with_hours > MAX_ROWS:
        raise ImportFileError(_too_many_rows())
    return Table(kind=kind, columns=columns, rows=data_rows, ignored_columns=ignored)


def hour_keys(columns):
    return [key for key in HOUR_COLUMNS if key in columns]


def is_empty(value):
    return value is None or (isinstance(value, str) and not value.strip())


# --- Reading cells --------------------------------------------------------------------------------------------


class CellError(ValueError):
    pass


def cell_text(value):
    """A cell as text: integral numbers without '.0', our own formula guard (a leading apostrophe) removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).replace("\u00a0", " ").replace("\u202f", " ").split())
    if text.startswith("'") and text[1:2] and text[1] in FORMULA_STARTS:
        text = text[1:]
    return text


MONTH_WORDS = {
    "janvier": 1, "janv": 1, "jan": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "mar": 3, "avril": 4,
    "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "sept": 9, "sep": 9,
    "octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "decembre": 12, "dec": 12,
}  # fmt: skip


def _serial_date(value):
    """An Excel day number (a date cell saved without its format), when plausible."""
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 < value < 80000:
        moment = from_excel(value)
        return moment.date() if isinstance(moment, datetime) else None
    return None


def parse_month_cell(value):
    if isinstance(value, datetime):
        return value.date().replace(day=1)
    if isinstance(value, date):
        return value.replace(day=1)
    serial = _serial_date(value) if isinstance(value, int | float) and value > 20000 else None
    if serial:
        return serial.replace(day=1)
    text = cell_text(value)
    month = rules.parse_month(text.split(" ")[0] if re.match(r"^\d{4}-\d{2}-\d{2} \d", text) else text)
    if month:
        return month
    words = header_key(text).split()  # 'Oct.-26' → ['oct', '26']
    if len(words) == 2 and words[0] in MONTH_WORDS and words[1].isdigit() and len(words[1]) in (2, 4):
        year = int(words[1]) + (2000 if len(words[1]) == 2 else 0)
        if 1900 < year < 2200:
            return date(year, MONTH_WORDS[words[0]], 1)
    raise CellError(f"Mois : « {text[:40]} » n'est pas un mois lisible (écrivez par exemple 10/2026).")


def parse_date_cell(value, label):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    serial = _serial_date(value)
    if serial:
        return serial
    text = cell_text(value)
    text = re.sub(r"[ T]00:00(:00)?$", "", text)
    for pattern in (r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", r"(\d{4})-(\d{1,2})-(\d{1,2})"):
        match = re.fullmatch(pattern, text)
        if match:
            parts = [int(p) for p in match.groups()]
            year, month, day = parts if len(match.group(1)) == 4 else parts[::-1]
            try:
                return date(year, month, day)
            except ValueError:
                break
    raise CellError(f"{label} : « {text[:40]} » n'est pas une date lisible (écrivez-la JJ/MM/AAAA).")


MAX_HOURS_READ = Decimal(100_000)  # beyond this, a cell holds something else than hours (a total, an amount…)


def parse_hours_cell(value, label):
    """'7,5', '7.5', '7,5 h', '1 234,5', '7h30', 7.5, a duration → Decimal; None when empty."""
    hours = _read_hours(value, label)
    if hours is not None and abs(hours) >= MAX_HOURS_READ:
        raise CellError(f"{label} : « {cell_text(value)[:40]} » heures, ce n'est pas un nombre d'heures plausible.")
    return hours


def _read_hours(value, label):
    if value is None or isinstance(value, bool):
        return None if value is None else _bad_hours(value, label)
    if isinstance(value, timedelta):
        return Decimal(value.total_seconds()) / 3600
    if isinstance(value, time):
        return Decimal(value.hour) + Decimal(value.minute) / 60
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
        return number if number.is_finite() else _bad_hours(value, label)
    text = cell_text(value)
    if not text:
        return None
    compact = text.replace(" ", "").lower()
    match = re.fullmatch(r"(-?\d+)h(\d{1,2})(min)?", compact)
    if match:
        minutes = int(match.group(2))
        if minutes < 60:
            sign = -1 if compact.startswith("-") else 1
            return Decimal(match.group(1)) + sign * Decimal(minutes) / 60
    compact = re.sub(r"(h|heures?)$", "", compact)
    if re.fullmatch(r"[+-]?\d{1,12}([.,]\d{1,6})?", compact):
        try:
            return Decimal(compact.replace(",", "."))
        except InvalidOperation:
            pass
    return _bad_hours(text, label)


def _bad_hours(value, label):
    raise CellError(f"{label} : « {cell_text(value)[:40]} » n'est pas un nombre d'heures.")


def parse_siret_cell(value, label):
    text = cell_text(value)
    if not text:
        return ""
    digits = re.sub(r"[\s.\-]", "", text)
    if not re.fullmatch(r"\d{14}", digits):
        raise CellError(f"{label} : « {text[:40]} » n'est pas un SIRET (14 chiffres).")
    return digits


def parse_lot_cell(value):
    text = cell_text(value)
    if not text:
        return None
    numbers = re.findall(r"[0-9]+", text)
    # 'Lot 2', 'n°2', '02'; not '2 et 3' (which one?), nor a number no lot has
    if len(numbers) != 1 or len(numbers[0]) > 5 or int(numbers[0]) > 32767:
        raise CellError(f"Lot : « {text[:40]} » n'est pas un numéro de lot (un seul numéro par ligne).")
    return int(numbers[0])
