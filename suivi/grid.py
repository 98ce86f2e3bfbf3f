"""Monthly statements as grids of cells: what rows a company's (or a market's) month holds, and how a submitted
grid becomes `services.Cell`s. Rows are read in a constant number of queries, whatever their number."""

import json
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from django.db.models import Q

from marches.enums import ATTRIBUTED, AwardRole
from marches.models import Award
from suivi import hours as rules
from suivi.enums import HourKind
from suivi.models import SUBCONTRACTOR_KINDS, HourEntry, WorkContract
from suivi.services import Cell

PERSON_COLUMNS = (HourKind.TRAVAIL, HourKind.FORMATION)


@dataclass
class GridCell:
    name: str  # the form field's name
    kind: str
    initial: Decimal | None
    label: str
    col: str = ""  # cells of one column, for moving up and down with the keyboard


@dataclass
class GridRow:
    award: object
    assignment: object = None
    subcontractor: object = None
    cells: list = field(default_factory=list)

    @property
    def contract(self):
        return self.assignment.contract if self.assignment else None

    @property
    def is_subcontracting(self):
        return self.assignment is None


def _cell_name(row, kind, month=None):
    prefix = f"{month:%Y-%m}-" if month else ""
    if row.assignment is not None:
        return f"{prefix}{row.assignment.public_id}-{kind}"
    return f"{prefix}{row.award.public_id}-{row.subcontractor.public_id}-{kind}"


def _person_label(assignment, kind, month):
    person = assignment.contract.participant
    market = assignment.award.lot.market
    what = "Heures travaillées" if kind == HourKind.TRAVAIL else "Heures de formation"
    where = f"{market.reference} lot {assignment.award.lot.number}"
    return f"{what} de {person.first_name} {person.last_name} sur {where} en {rules.month_label(month)}"


def _subcontract_label(award, subcontractor, month):
    market = award.lot.market
    where = f"{market.reference} lot {award.lot.number}"
    return f"Heures sous-traitées à {subcontractor.name} sur {where} en {rules.month_label(month)}"


def assignments_for(month, assignments):
    """The contract × award rows of a month: contracts covering at least one day of it."""
    return (
        assignments.filter(contract__in=WorkContract.objects.active_in(month))
        .select_related("contract__participant", "contract__employer", "award__lot__market", "award__company")
        .order_by("contract__participant__last_name", "contract__participant__first_name", "contract__start_date",
                  "award__lot__market__reference", "award__lot__number")
    )  # fmt: skip


def subcontracting_pairs(awards):
    """(award, subcontractor) pairs to offer: SIAE or EA companies holding a part of the same lot, and the
    subcontractors already declared on those awards. Two queries."""
    awards = list(awards.filter(lot__market__status__in=ATTRIBUTED).select_related("lot__market", "company"))
    by_lot = {}
    for award in awards:
        by_lot.setdefault(award.lot_id, []).append(award)
    pairs = {}
    partners = Award.objects.filter(
        lot__in=by_lot.keys(),
        company__kind__in=SUBCONTRACTOR_KINDS,
        role__in=(AwardRole.COTRAITANT, AwardRole.SOUS_TRAITANT),
    ).select_related("company")
    for partner in partners:
        for award in by_lot.get(partner.lot_id, ()):
            if award.company_id != partner.company_id and award.role == AwardRole.TITULAIRE:
                pairs[(award.pk, partner.company_id)] = (award, partner.company)
    awards_by_pk = {award.pk: award for award in awards}
    declared = HourEntry.objects.filter(award__in=awards_by_pk.keys(), subcontractor__isnull=False)
    for entry in declared.select_related("subcontractor"):  # a few rows a month per award: deduplicated here
        pairs.setdefault((entry.award_id, entry.subcontractor_id), (awards_by_pk[entry.award_id], entry.subcontractor))
    return sorted(pairs.values(), key=lambda pair: (pair[0].lot.market.reference, pair[0].lot.number, pair[1].name))


def running_in(awards, month):
    """The awards whose market runs during `month` (or has no dates yet), and those with subcontracted hours
    already declared that month: a company holding thousands of awards over the years has a few dozen a month."""
    following = rules.add_months(month, 1)
    declared = HourEntry.objects.filter(month=month, subcontractor__isnull=False).values("award")
    return awards.filter(
        (Q(lot__market__start_date__isnull=True) | Q(lot__market__start_date__lt=following))
        & (Q(lot__market__end_date__isnull=True) | Q(lot__market__end_date__gte=month))
        | Q(pk__in=declared)
    )


def month_rows(month, assignments, awards):
    """Every row of a month's statement with each cell's current value: assignments and subcontracting."""
    rows = [GridRow(award=a.award, assignment=a) for a in assignments_for(month, assignments)]
    rows += [GridRow(award=award, subcontractor=sub) for award, sub in subcontracting_pairs(running_in(awards, month))]
    entries = HourEntry.objects.filter(month=month).filter(
        Q(assignment__in=[r.assignment.pk for r in rows if r.assignment])
        | Q(award__in={r.award.pk for r in rows if r.subcontractor}, subcontractor__isnull=False)
    )
    values = {}
    for entry in entries:
        key = (entry.assignment_id, entry.kind) if entry.assignment_id else (entry.award_id, entry.subcontractor_id)
        values[key] = entry.hours
    for row in rows:
        if row.assignment is not None:
            for kind in PERSON_COLUMNS:
                row.cells.append(
                    GridCell(
                        _cell_name(row, kind),
                        kind,
                        values.get((row.assignment.pk, kind)),
                        _person_label(row.assignment, kind, month),
                        kind,
                    )
                )
        else:
            row.cells.append(
                GridCell(
                    _cell_name(row, HourKind.SOUS_TRAITANCE),
                    HourKind.SOUS_TRAITANCE,
                    values.get((row.award.pk, row.subcontractor.pk)),
                    _subcontract_label(row.award, row.subcontractor, month),
                    HourKind.TRAVAIL,
                )
            )
    return rows


@dataclass
class ContractMonth:
    month: object
    cells: list  # [(assignment, [GridCell, …])]


def contract_months(contract, assignments, today):
    """The months of a contract up to the current one, each with a cell per market served and kind."""
    last = rules.month_start(min(contract.end_date or today, today))
    months = rules.months_between(contract.start_date, last) if contract.start_date <= today else []
    values = {
        (e.assignment_id, e.month, e.kind): e.hours
        for e in HourEntry.objects.filter(assignment__in=[a.pk for a in assignments])
    }
    rows = []
    for month in reversed(months):
        cells = []
        for assignment in assignments:
            row = GridRow(award=assignment.award, assignment=assignment)
            cells.append(
                (
                    assignment,
                    [
                        GridCell(
                            _cell_name(row, kind, month),
                            kind,
                            values.get((assignment.pk, month, kind)),
                            _person_label(assignment, kind, month),
                            f"{assignment.pk}-{kind}",
                        )
                        for kind in PERSON_COLUMNS
                    ],
                )
            )
        rows.append(ContractMonth(month, cells))
    return rows


def form_cells(rows):
    """{field name: (label, initial)} for HoursGridForm."""
    return {cell.name: (cell.label, cell.initial) for row in rows for cell in row.cells}


def to_cells(rows, month, cleaned_data):
    """The submitted grid as service cells (an empty field means no hours: an existing row is removed)."""
    cells = []
    for row in rows:
        for cell in row.cells:
            cells.append(
                Cell(
                    month=month,
                    kind=cell.kind,
                    hours=cleaned_data.get(cell.name),
                    assignment=row.assignment,
                    award=row.award,
                    subcontractor=row.subcontractor,
                    key=cell.name,
                )
            )
    return cells


def contract_cells(months, cleaned_data):
    return [
        Cell(
            month=item.month,
            kind=cell.kind,
            hours=cleaned_data.get(cell.name),
            assignment=assignment,
            key=cell.name,
        )
        for item in months
        for assignment, cells in item.cells
        for cell in cells
    ]


def totals(rows, values):
    """Totals per kind and overall from {field name: Decimal or None}."""
    result = {kind: Decimal(0) for kind in HourKind.values}
    for row in rows:
        for cell in row.cells:
            result[cell.kind] += values.get(cell.name) or 0
    result["total"] = sum(result[kind] for kind in HourKind.values)
    return result


# --- What the person was shown (optimistic concurrency) --------------------------------------------------------


def shown_values(rows):
    """{field name: Decimal or None}: the values the grid shows, as recorded when it was read."""
    return {cell.name: cell.initial for row in rows for cell in row.cells}


def shown_state(values):
    """The shown values as the hidden field `_affiche` carries them back with the grid."""
    return json.dumps({name: None if value is None else str(value) for name, value in values.items()})


def read_shown_state(text, initial):
    """The values the person was shown, from `_affiche`; a cell missing from it (a grid without the field, a row
    that appeared since) counts as shown with what is recorded now."""
    try:
        sent = json.loads(text or "{}")
        values = {
            name: None if value is None else Decimal(value).quantize(rules.HUNDREDTH)
            for name, value in sent.items()
            if name in initial
        }
    except (ValueError, TypeError, AttributeError, InvalidOperation):
        values = {}
    return {**initial, **values}


def changed_cells(cells, shown):
    """The cells whose submitted value differs from the one shown, each carrying the value shown: only they are
    written, and only if nobody changed them meanwhile."""
    changed = []
    for cell in cells:
        before = shown.get(cell.key)
        if cell.hours != before:
            changed.append(replace(cell, shown=before))
    return changed
