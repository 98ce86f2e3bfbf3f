"""R-HRS-4: how far each obligation is — required, done, remaining, % done, projection at the current pace.

One module for awards, lots, markets, buyers and companies:
- `Progress` is the pure computation (plain values, no database);
- `attach_*` put a `.progress` on each object of a list (a page, a detail) in a constant number of queries,
  whatever the number of objects: the figures come from annotations and one grouped query, never per row.

Hours done come from `done_hours()`: the hour entries (suivi.HourEntry, the single source of truth) that count
(R-HRS-1), reached through the awards' reverse relation, so that `marches` never imports `suivi`.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from marches.enums import ATTRIBUTED, MarketStatus

ZERO = Decimal(0)
HOURS_FIELD = DecimalField(max_digits=12, decimal_places=2)
WATCH_THRESHOLD = Decimal("0.8")  # projected below 80 % of the requirement: behind


class Pace:
    """Where an obligation stands against its period. Labels are shown; tones colour the text."""

    NO_REQUIREMENT = ("aucune heure exigée", "secondary")
    NOT_ATTRIBUTED = ("marché pas encore attribué", "secondary")
    ABANDONED = ("marché abandonné", "secondary")
    MET = ("objectif atteint", "success")
    NOT_STARTED = ("pas encore commencé", "secondary")
    STARTING = ("en démarrage", "secondary")
    UNKNOWN = ("dates d'exécution à renseigner", "secondary")
    ON_TRACK = ("dans les temps", "success")
    WATCH = ("à surveiller", "warning")
    BEHIND = ("en retard", "danger")
    MISSED = ("échu, objectif non atteint", "danger")


# Hours arrive monthly: during the first weeks of execution a pace means nothing yet.
GRACE_PERIOD = timedelta(days=31)
# Worst first: a combination of obligations takes the pace of its worst part.
SEVERITY = [Pace.MISSED, Pace.BEHIND, Pace.WATCH, Pace.UNKNOWN, Pace.ON_TRACK, Pace.STARTING, Pace.NOT_STARTED]


@dataclass(frozen=True)
class Progress:
    required: Decimal
    done: Decimal
    projected: Decimal | None  # hours expected at the end of the period at the current pace
    start: date | None = None
    end: date | None = None
    today: date | None = None
    parts: tuple = ()  # the obligations a combined progress is made of
    fixed_pace: tuple | None = None  # a pace decided by the market's status (not attributed, abandoned)

    @classmethod
    def of(cls, required, done, start, end, today, status=None):
        """The progress of one obligation over its period [start, end] seen on `today`.

        `status` is the market's: an obligation only runs once the market is attributed.
        """
        required, done = Decimal(required or 0), Decimal(done or 0)
        if status == MarketStatus.ABANDONNE:
            return cls(required, done, None, start, end, today, fixed_pace=Pace.ABANDONED)
        if status is not None and status not in ATTRIBUTED:
            return cls(required, done, None, start, end, today, fixed_pace=Pace.NOT_ATTRIBUTED)
        return cls(required, done, _projection(done, start, end, today), start, end, today)

    @classmethod
    def combine(cls, parts, today=None):
        """Several obligations together (a buyer's markets, a company's awards).

        Required and done add up. The projection adds each part's own: a part not yet started is expected to
        deliver its requirement, a part without projection counts what it has done. The pace is the worst pace
        among the parts still running, so that one late market is never hidden by the others.
        """
        parts = tuple(parts)
        projections = []
        for part in parts:
            if part.projected is not None:
                projections.append(part.projected)
            elif part.pace in (Pace.NOT_STARTED, Pace.STARTING):
                projections.append(max(part.required, part.done))
            else:
                projections.append(part.done)
        return cls(
            required=sum((p.required for p in parts), ZERO),
            done=sum((p.done for p in parts), ZERO),
            projected=sum(projections, ZERO) if parts else None,
            start=min((p.start for p in parts if p.start), default=None),
            end=max((p.end for p in parts if p.end), default=None),
            today=today,
            parts=parts,
        )

    @property
    def remaining(self):
        return max(self.required - self.done, ZERO)

    @property
    def percent(self):
        """Share of the requirement done, in percent (None when nothing is required)."""
        if not self.required:
            return None
        return self.done * 100 / self.required

    @property
    def projected_percent(self):
        if not self.required or self.projected is None:
            return None
        return self.projected * 100 / self.required

    @property
    def pace(self):
        if self.fixed_pace:
            return self.fixed_pace
        if not self.required:
            return Pace.NO_REQUIREMENT
        if self.done >= self.required:
            return Pace.MET
        if self.parts:
            running = [p.pace for p in self.parts if p.required and p.done < p.required and not p.fixed_pace]
            return min(running, key=SEVERITY.index) if running else Pace.NO_REQUIREMENT
        if self.today and self.start and self.today < self.start:
            return Pace.NOT_STARTED
        if self.today and self.end and self.today > self.end:
            return Pace.MISSED
        if self.today and self.start and self.today < self.start + GRACE_PERIOD:
            return Pace.STARTING
        if self.projected is None:
            return Pace.UNKNOWN
        if self.projected >= self.required:
            return Pace.ON_TRACK
        if self.projected >= self.required * WATCH_THRESHOLD:
            return Pace.WATCH
        return Pace.BEHIND

    @property
    def pace_label(self):
        return self.pace[0]

    @property
    def pace_tone(self):
        return self.pace[1]

    @property
    def is_behind(self):
        return self.pace in (Pace.BEHIND, Pace.MISSED)


def _projection(done, start, end, today):
    """Hours at `end` if the pace since `start` goes on; None when the period is unknown or not begun."""
    if not (start and end and today) or end <= start or today <= start:
        return None
    elapsed = (min(today, end) - start).days
    total = (end - start).days
    return (done * total / elapsed).quantize(Decimal("0.01"))


def today():
    return timezone.localdate()


# --- Figures from the database -------------------------------------------------------------------------------


# R-HRS-1: an hour entry counts when it is subcontracted (no contract) or when its contract's assignment to the
# award counts (eligibility at the market's attribution, R-ELIG-4). Paths seen from Award.
COUNTED_ENTRY = Q(hour_entries__assignment__isnull=True) | Q(hour_entries__assignment__counts=True)


def done_hours(award_group):
    """Counted hours on the awards grouped by `award_group`, the path from Award to the outer row ("pk" for an
    award, "lot" for a lot, "lot__market" for a market): one grouped subquery, never a query per row.

    Each hour entry belongs to exactly one award, so mutualised hours are never counted twice (R-HRS-2).
    """
    from marches.models import Award

    awards = Award.objects.filter(**{award_group: OuterRef("pk")})
    return _sum_subquery(awards, award_group, Sum("hour_entries__hours", filter=COUNTED_ENTRY))


def _sum_subquery(queryset, group_field, total):
    """Coalesce(Subquery(`total` — a field name or an aggregate — over `queryset` grouped by `group_field`), 0)."""
    total = Sum(total) if isinstance(total, str) else total
    summed = queryset.order_by().values(group_field).annotate(total=total).values("total")
    return Coalesce(Subquery(summed, output_field=HOURS_FIELD), Value(ZERO, output_field=HOURS_FIELD))


def with_market_hours(markets):
    """Annotate markets with `required_total` (sum of their lots) and `done_total`."""
    from marches.models import Lot

    return markets.annotate(
        required_total=_sum_subquery(Lot.objects.filter(market=OuterRef("pk")), "market", "required_hours"),
        done_total=done_hours("lot__market"),
    )


def with_lot_hours(lots):
    return lots.annotate(done_total=done_hours("lot"))


def with_award_hours(awards):
    return awards.annotate(done_total=done_hours("pk"))


# --- Progress on lists and details ---------------------------------------------------------------------------


def attach_market_progress(markets, on=None):
    """`markets` come from `with_market_hours`; each gets `.progress` over its execution period."""
    on = on or today()
    for market in markets:
        market.progress = Progress.of(
            market.required_total, market.done_total, market.start_date, market.end_date, on, market.status
        )
    return markets


def attach_lot_progress(lots, on=None):
    """`lots` come from `with_lot_hours` with their market selected."""
    on = on or today()
    for lot in lots:
        market = lot.market
        lot.progress = Progress.of(
            lot.required_hours, lot.done_total, market.start_date, market.end_date, on, market.status
        )
    return lots


def attach_award_progress(awards, on=None):
    """`awards` come from `with_award_hours` with lot and market selected."""
    on = on or today()
    for award in awards:
        market = award.lot.market
        award.progress = Progress.of(
            award.hours_committed, award.done_total, market.start_date, market.end_date, on, market.status
        )
    return awards


def attach_buyer_progress(buyers, on=None):
    """Each buyer gets `.progress` over its attributed markets (one query for the whole list)."""
    from marches.models import Market

    on = on or today()
    buyers = list(buyers)
    markets = with_market_hours(
        Market.objects.filter(buyer__in=[b.pk for b in buyers], status__in=ATTRIBUTED).only(
            "pk", "buyer_id", "status", "start_date", "end_date"
        )
    )
    parts = defaultdict(list)
    for market in attach_market_progress(markets, on):
        parts[market.buyer_id].append(market.progress)
    for buyer in buyers:
        buyer.progress = Progress.combine(parts[buyer.pk], on)
        buyer.market_count = len(parts[buyer.pk])
    return buyers


def progress_by_company(awards, on=None):
    """{company id: the combined progress of its awards among `awards`}, read as plain rows (one query, no model
    instance per award: a company with thousands of awards stays cheap)."""
    on = on or today()
    rows = with_award_hours(awards.order_by()).values_list(
        "company_id", "hours_committed", "done_total", "lot__market__start_date", "lot__market__end_date",
        "lot__market__status",
    )  # fmt: skip
    parts = defaultdict(list)
    for company_id, required, done, start, end, status in rows:
        parts[company_id].append(Progress.of(required, done, start, end, on, status))
    return {company_id: Progress.combine(company_parts, on) for company_id, company_parts in parts.items()}


def attach_company_progress(companies, on=None):
    """Each company gets `.progress` over its awards in attributed markets (one query for the whole list)."""
    from marches.models import Award

    on = on or today()
    companies = list(companies)
    progress = progress_by_company(
        Award.objects.filter(company__in=[c.pk for c in companies], lot__market__status__in=ATTRIBUTED), on
    )
    for company in companies:
        company.progress = progress.get(company.pk) or Progress.combine([], on)
        company.award_count = len(company.progress.parts)
    return companies
