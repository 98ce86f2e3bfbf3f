"""Figures kept ahead (`KeptFigures`): each structure's dashboard and consolidation of each year, so that the pages
of a network add parts up instead of grouping a million hours (the national dashboard: 15 s computed, well under a
second added up). Filtered dashboards (one buyer, a territory) are computed when asked.

- Every change of a structure's data raises the version of its rows (`mark`, from `reporting.receivers`): saves and
  deletions by Django's signals, bulk writes by `clauses.changes`. With a Celery worker, a refresh of the
  structure is queued at once; every night, every row is refreshed for the new day.
- A page adds up the rows that hold and computes, in one go, the structures whose rows do not: its figures are
  always those of the data as they are, the keeping only makes them fast.
- The parts add up because a person, a contract and an hour belong to one structure.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from clauses.accounts.enums import OrganisationKind
from clauses.accounts.models import Organisation
from clauses.changes import keys_of, structures_from
from clauses.queueing import queue_after_commit
from marches.progress import today
from reporting import consolidation as conso
from reporting import dashboard as board
from reporting.models import KeptFigures

logger = logging.getLogger(__name__)

YEARS = 6  # the years a dashboard offers: this one and the five before


def _end(year, on):
    return board.period(year, on)[1]


def _held(structure_ids, year, on, field):
    """{structure id: its part} for the rows of `year` that hold on `on`."""
    rows = KeptFigures.objects.filter(
        structure__in=structure_ids, year=year, end=_end(year, on), computed_version=F("version")
    ).values_list("structure", field)
    return dict(rows)


def dashboard(structures, year, *, on) -> board.Dashboard:
    """The unfiltered dashboard of `structures`: kept parts, plus the others computed now."""
    ids = list(structures.values_list("pk", flat=True))
    held = _held(ids, year, on, "dashboard")
    parts = list(held.values())
    missing = [pk for pk in ids if pk not in held]
    if missing:
        parts.append(board.figures(missing, year, on=on))
    return board.board(board.add(parts), year, on=on)


def consolidate(structures, year, on) -> list:
    ids = list(structures.values_list("pk", flat=True))
    held = _held(ids, year, on, "consolidation")
    rows = {}
    for part in [*held.values(), *([conso.rows(missing, year, on)] if (missing := set(ids) - set(held)) else [])]:
        for key, found in part.items():
            rows.setdefault(key, []).extend(found)
    return conso.tables(rows)


# --- Keeping the parts ---------------------------------------------------------------------------------------


def refresh(structure_ids=None, *, on=None, years=None) -> int:
    """Compute again the rows that do not hold (all facilitation structures by default), the current year first.
    A row changed while it was computed is left as it is, for the next refresh. Returns the rows written."""
    on = on or today()
    years = list(years or range(on.year, on.year - YEARS, -1))
    structures = Organisation.objects.filter(kind=OrganisationKind.FACILITATION)
    if structure_ids is not None:
        structures = structures.filter(pk__in=structure_ids)
    ids = list(structures.order_by("pk").values_list("pk", flat=True))
    # The rows exist before they are computed: a change made meanwhile raises their version.
    KeptFigures.objects.bulk_create(
        [KeptFigures(structure_id=pk, year=year) for pk in ids for year in years], ignore_conflicts=True
    )
    written = 0
    for year in years:
        end = _end(year, on)
        stale = (
            KeptFigures.objects.filter(structure__in=ids, year=year)
            .exclude(end=end, computed_version=F("version"))
            .order_by("structure")
            .values_list("pk", "structure", "version")
        )
        for pk, structure, version in stale:
            written += KeptFigures.objects.filter(pk=pk, version=version).update(
                dashboard=board.figures([structure], year, on=on),
                consolidation=conso.rows([structure], year, on),
                end=end,
                computed_version=version,
                computed_at=timezone.now(),
            )
    return written


def mark(structure_ids):
    """The data of these structures changed: their kept rows no longer hold (and are refreshed, with a worker)."""
    structure_ids = sorted(set(structure_ids))
    if not structure_ids:
        return
    KeptFigures.objects.filter(structure__in=structure_ids).update(version=F("version") + 1)
    if settings.KEPT_FIGURES_REFRESH:
        from reporting.tasks import refresh_kept_figures

        queue_after_commit(refresh_kept_figures, structure_ids)


class _Changes:
    """The changes of one transaction, told once it commits (a rollback drops them with its commit callbacks).
    Every change registers the same object again, so that whoever runs the callbacks runs it; it runs once."""

    def __init__(self):
        self.keys, self.structures, self.done = {}, set(), False

    def __call__(self):
        if self.done:
            return
        self.done = True
        structures = set(self.structures)
        for model, keys in self.keys.items():
            structures |= structures_from(model, keys)
        mark(structures)


def touched(model, objects=(), structures=()):
    """Note objects saved or deleted (their structures are looked up at commit, once per model) and structures
    changed in bulk."""
    connection = transaction.get_connection()
    last = connection.run_on_commit[-1][1] if connection.in_atomic_block and connection.run_on_commit else None
    changes = last if isinstance(last, _Changes) and not last.done else _Changes()
    if objects:
        changes.keys.setdefault(model, set()).update(keys_of(model, objects))
    changes.structures.update(structures)
    transaction.on_commit(changes)
