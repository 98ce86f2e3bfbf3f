"""R-GPEC: anticipation. The insertion hours expected from upcoming markets, by trade, set against the candidates
available by trade, to show where training is needed before recruitment.

Upcoming markets: not yet attributed with an expected attribution in the next twelve months, and attributed markets
not started yet (no start date, or a start date after today). Their lots give the trade and the required hours.

Candidates available: participants of the structure without a contract running today and without a sortie into
durable employment; a person's trades are the trades they look for (`Participant.target_trades`) and the target
trades of their accepted fiches navettes. An accepted fiche navette not linked to a participant counts too.

Assumption shown on the page: one candidate for about 400 insertion hours (a contract of three months, about 12
weeks at 35 h), and one full-time equivalent for 1 607 hours a year.

Three queries whatever the number of markets or people: one grouped query for the hours, one for the people, one
for the fiches navettes.
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Exists, Min, OuterRef, Q, Sum
from django.db.models.functions import Coalesce

from marches.enums import NOT_YET_ATTRIBUTED, MarketStatus, Trade
from marches.models import Lot
from participants.enums import ReferralStatus
from participants.models import Consent, Participant, Referral
from suivi.enums import OutcomeCategory
from suivi.models import Outcome, WorkContract

HORIZON_MONTHS = 12
HOURS_PER_CANDIDATE = 400
FTE_HOURS = 1607


@dataclass(frozen=True)
class TradeLine:
    trade: str
    hours: Decimal
    markets: int
    first_date: date | None
    candidates: int

    @property
    def label(self):
        return Trade(self.trade).label if self.trade in Trade.values else self.trade

    @property
    def fte(self):
        return self.hours / FTE_HOURS

    @property
    def posts(self):
        """Candidates the hours call for, at one candidate for about 400 hours."""
        return math.ceil(self.hours / HOURS_PER_CANDIDATE) if self.hours else 0

    @property
    def gap(self):
        """Candidates missing (positive) or in excess (negative)."""
        return self.posts - self.candidates

    @property
    def short(self):
        return self.gap > 0

    @property
    def gap_label(self):
        return f"{self.gap} candidat{'s' if self.gap > 1 else ''}"


@dataclass(frozen=True)
class Gpec:
    lines: list
    on: date
    horizon: date

    @property
    def short_lines(self):
        return sorted((line for line in self.lines if line.short), key=lambda line: -line.gap)

    @property
    def total_hours(self):
        return sum((line.hours for line in self.lines), Decimal(0))

    @property
    def total_posts(self):
        return sum(line.posts for line in self.lines)

    @property
    def total_candidates(self):
        return sum(line.candidates for line in self.lines)


def upcoming_lots(structure, on):
    horizon = on + relativedelta(months=HORIZON_MONTHS)
    return Lot.objects.for_structure(structure).filter(
        Q(market__status__in=NOT_YET_ATTRIBUTED, market__expected_attribution_date__gte=on,
          market__expected_attribution_date__lte=horizon)
        | Q(market__status=MarketStatus.ATTRIBUE, market__start_date__isnull=True)
        | Q(market__status=MarketStatus.ATTRIBUE, market__start_date__gt=on)
    )  # fmt: skip


def hours_by_trade(structure, on):
    rows = (
        upcoming_lots(structure, on)
        .values("trade")
        .annotate(
            hours=Sum("required_hours"),
            markets=Count("market", distinct=True),
            first_date=Min(
                Coalesce("market__start_date", "market__expected_attribution_date", "market__attribution_date")
            ),
        )
        .order_by()
    )
    return {row["trade"]: row for row in rows}


def available_participants(structure, on):
    return (
        Participant.objects.for_structure(structure)
        # Only people still followed: a person who withdrew their consent is no longer a candidate.
        .filter(Exists(Consent.objects.filter(participant=OuterRef("pk"), withdrawn_on__isnull=True)))
        .exclude(Exists(WorkContract.objects.running_on(on).filter(participant=OuterRef("pk"))))
        .exclude(Exists(WorkContract.objects.filter(participant=OuterRef("pk"), start_date__gt=on)))
        .exclude(Exists(Outcome.objects.filter(participant=OuterRef("pk"), category=OutcomeCategory.EMPLOI_DURABLE)))
    )


def candidates_by_trade(structure, on):
    trades_of = defaultdict(set)  # a person counts once per trade, whatever the number of their fiches
    people = available_participants(structure, on)
    for pk, trades in people.values_list("pk", "target_trades"):
        trades_of[("p", pk)].update(trades or ())
    referrals = Referral.objects.for_structure(structure).filter(status=ReferralStatus.ACCEPTEE)
    referrals = referrals.exclude(target_trade="").filter(Q(participant__in=people) | Q(participant__isnull=True))
    for pk, participant_id, trade in referrals.values_list("pk", "participant_id", "target_trade"):
        trades_of[("p", participant_id) if participant_id else ("r", pk)].add(trade)
    counts = defaultdict(int)
    for trades in trades_of.values():
        for trade in trades:
            counts[trade] += 1
    return counts


def gpec(structure, on):
    hours = hours_by_trade(structure, on)
    candidates = candidates_by_trade(structure, on)
    lines = [
        TradeLine(
            trade=trade,
            hours=Decimal(hours[trade]["hours"] or 0) if trade in hours else Decimal(0),
            markets=hours[trade]["markets"] if trade in hours else 0,
            first_date=hours[trade]["first_date"] if trade in hours else None,
            candidates=candidates.get(trade, 0),
        )
        for trade in set(hours) | set(candidates)
    ]
    lines.sort(key=lambda line: (-line.hours, -line.candidates, line.label))
    return Gpec(lines=lines, on=on, horizon=on + relativedelta(months=HORIZON_MONTHS))
