"""Figures kept ahead (`KeptFigures`): each structure's dashboard and consolidation of each year, so that the pages
of a network add parts up instead of grouping a million hours (the national dashboard: 15 s computed, well under a
second added up). Filtered dashboards (one buyer, a territory) are computed when asked.

- Every change of a structure's data raises the version of its rows (`mark`, from `reporting.receivers`): saves and
  deletions by Django's signals, bulk writes by `clauses.changes`. With a Celery worker, a refresh of the
  structure is queued at once; every night, every row is refreshed for the new day, and the rows older than a week
  whatever their marks (`SWEEP_AFTER`).
- A page adds up the rows that hold and computes, in one go, the structures whose rows do not: its figures are
  always those of the data as they are, the keeping only makes them fast.
- The parts add up because a person, a contract and an hour belong to one structure.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from clauses.accounts.enums import OrganisationKind
from clauses.accounts.models import Organisation
from clauses.changes import keys_of, structures_from
from clauses.queueing import queue_after_commit
from marches.progress import today
from reporting import consolidation as conso
from reporting import dashboard as board
from reporting.models import KeptFigures, KeptRow

YEARS = 6  # the years a dashboard offers: this one and the five before
# What the kept parts hold and how they are computed. Raise it with any change of the figures, their labels or the
# consolidation's tables: every row is then computed again, by the night's refresh or `manage.py kept_figures`.
FORMAT = 1
SWEEP_AFTER = timedelta(days=7)  # the night's refresh also computes again rows older than this, whatever marks say
LABELS = ("label_1", "label_2", "label_3", "label_4")
VALUES = ("value_1", "value_2", "value_3", "value_4", "value_5")
if any(spec.labels > len(LABELS) or spec.figures > len(VALUES) for spec in conso.SPECS.values()):
    raise ImproperlyConfigured("KeptRow holds four labels and five figures: widen it for the consolidation's tables.")


def _end(year, on):
    return board.period(year, on)[1]


def holding(structure_ids, year, on):
    """The kept figures of `year` that hold on `on`: computed at their structure's last change, up to `on`."""
    return KeptFigures.objects.filter(
        structure__in=structure_ids, year=year, end=_end(year, on), computed_version=F("version"), format=FORMAT
    )


def dashboard(structures, year, *, on) -> board.Dashboard:
    """The unfiltered dashboard of `structures`: kept parts, plus the others computed now."""
    ids = list(structures.values_list("pk", flat=True))
    held = dict(holding(ids, year, on).values_list("structure", "dashboard"))
    parts = list(held.values())
    missing = [pk for pk in ids if pk not in held]
    if missing:
        parts.append(board.figures(missing, year, on=on))
    return board.board(board.add(parts), year, on=on)


def consolidate(structures, year, on) -> list:
    """The consolidation tables of `structures`: the kept rows summed by the database, plus the rows computed now
    of the structures whose kept figures do not hold."""
    ids = list(structures.values_list("pk", flat=True))
    # The rows held, read once: the sum and the structures computed now come from the same ones.
    held = dict(holding(ids, year, on).values_list("pk", "structure"))
    found = set(held.values())
    summed = (
        KeptRow.objects.filter(figures__in=list(held))
        .order_by()
        .values("table", *LABELS)
        .annotate(**{f"sum_{value}": Sum(value) for value in VALUES})
    )
    rows = {}
    for row in summed:
        spec = conso.SPECS.get(row["table"])
        if spec is None:  # a table no longer shown
            continue
        labels = [row[label] for label in LABELS[: spec.labels]]
        figures = [spec.figure(i, row[f"sum_{value}"] or 0) for i, value in enumerate(VALUES[: spec.figures])]
        rows.setdefault(row["table"], []).append([*labels, *figures])
    missing = [pk for pk in ids if pk not in found]
    if missing:
        for key, computed in conso.rows(missing, year, on).items():
            rows.setdefault(key, []).extend(computed)
    return conso.tables(rows)


def _kept_rows(figures_id, rows_by_key):
    for key, rows in rows_by_key.items():
        spec = conso.SPECS[key]
        for row in rows:
            labels = dict(zip(LABELS[: spec.labels], row[: spec.labels], strict=True))
            values = dict(zip(VALUES[: spec.figures], [Decimal(str(v)) for v in row[spec.labels :]], strict=True))
            yield KeptRow(figures_id=figures_id, table=key, **labels, **values)


# --- Keeping the parts ---------------------------------------------------------------------------------------


def refresh(structure_ids=None, *, on=None, years=None, sweep=False) -> int:
    """Compute again the rows that do not hold (all facilitation structures by default), the current year first;
    with `sweep`, also those computed more than SWEEP_AFTER ago (a change no mark told of: raw SQL, a data
    migration, labels shared by every structure). A row changed while it was computed is left as it is, for the next
    refresh. Returns the rows written."""
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
        stale = ~Q(end=end, computed_version=F("version"), format=FORMAT)
        if sweep:
            stale |= Q(computed_at__lt=timezone.now() - SWEEP_AFTER)
        stale = (
            KeptFigures.objects.filter(stale, structure__in=ids, year=year)
            .order_by("structure")
            .values_list("pk", "structure", "version")
        )
        for pk, structure, version in stale:
            dashboard, rows = board.figures([structure], year, on=on), conso.rows([structure], year, on)
            with transaction.atomic():
                # Not if a change came meanwhile, nor over figures computed since for a later day.
                if KeptFigures.objects.filter(Q(end=None) | Q(end__lte=end), pk=pk, version=version).update(
                    dashboard=dashboard, end=end, computed_version=version, format=FORMAT, computed_at=timezone.now()
                ):
                    KeptRow.objects.filter(figures_id=pk).delete()
                    KeptRow.objects.bulk_create(_kept_rows(pk, rows), batch_size=1000)
                    written += 1
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
    transaction.on_commit(changes, robust=True)  # a failure is logged; the change stays saved
