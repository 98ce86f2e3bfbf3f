"""Reads about contracts and hours: totals per contract and the parcours quality indicator (R-HRS-5).

Every figure is computed by grouped queries and subqueries, never a query per row.
"""

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from marches.progress import HOURS_FIELD, ZERO
from suivi.models import LONG_CONTRACT_HOURS, HourEntry, WorkContract


def contract_hours_total():
    """Every hour recorded on a contract (worked and training, every market): a subquery for an annotation."""
    summed = (
        HourEntry.objects.filter(assignment__contract=OuterRef("pk"))
        .order_by()
        .values("assignment__contract")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    return Coalesce(Subquery(summed, output_field=HOURS_FIELD), Value(ZERO, output_field=HOURS_FIELD))


@dataclass(frozen=True)
class Share:
    """R-HRS-5: contracts of at least 300 hours (about 8 weeks) among the contracts whose length is known."""

    long: int
    considered: int

    @property
    def percent(self):
        return self.long * 100 / self.considered if self.considered else None


def _decided(today):
    """A contract's length is known once it ended, or once it reached 300 hours whatever comes next."""
    running = WorkContract.objects.running_on(today).values("pk")
    return Q(total__gte=LONG_CONTRACT_HOURS) | (~Q(pk__in=running) & Q(start_date__lte=today))


def long_contract_share(contracts, today) -> Share:
    figures = (
        contracts.annotate(total=contract_hours_total())
        .filter(_decided(today))
        .aggregate(long=Count("pk", filter=Q(total__gte=LONG_CONTRACT_HOURS)), considered=Count("pk"))
    )
    return Share(figures["long"], figures["considered"])


def long_contract_share_by(contracts, field, today) -> dict:
    """The same share for each value of `field` (e.g. "company"): one grouped query."""
    rows = (
        contracts.annotate(total=contract_hours_total())
        .filter(_decided(today))
        .order_by()
        .values(field)
        .annotate(long=Count("pk", filter=Q(total__gte=LONG_CONTRACT_HOURS)), considered=Count("pk"))
    )
    return {row[field]: Share(row["long"], row["considered"]) for row in rows}
