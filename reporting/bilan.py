"""The figures of a bilan (R-BILAN), read from the database for a set of awards over a period.

Every figure is computed by a fixed number of grouped queries, whatever the number of markets or people; nobody is
named: people are counted, never listed. The same figures feed the PDF and the tests, which compare them with a
scenario built from scratch.
"""

from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Q, Sum

from clauses.accounts.enums import PrescriberType
from marches.models import Award
from participants.enums import QualificationLevel, Sex
from participants.models import EligibilityCriterion, EligibilityDiagnosis, Participant
from suivi import hours as rules
from suivi.enums import CHECK_MONTHS, CheckStatus, ContractType, HourKind, OutcomeCategory
from suivi.indicators import contract_hours_total
from suivi.models import LONG_CONTRACT_HOURS, HourEntry, Outcome, OutcomeCheck, WorkContract

ZERO = Decimal(0)
AGE_BANDS = (("moins de 26 ans", 0, 25), ("26 à 49 ans", 26, 49), ("50 ans et plus", 50, 200))
DURATION_BANDS = (
    ("moins d'un mois", 0, 30),
    ("1 à 3 mois", 31, 91),
    ("3 à 6 mois", 92, 182),
    ("6 mois et plus", 183, None),
)


@dataclass
class Line:
    """Hours of one market, lot or company: required, done in the period, done up to the end of the period."""

    label: str
    detail: str = ""
    required: Decimal = ZERO
    done_period: Decimal = ZERO
    done_total: Decimal = ZERO

    @property
    def remaining(self):
        return max(self.required - self.done_total, ZERO)

    @property
    def percent(self):
        return self.done_total * 100 / self.required if self.required else None

    def add(self, other):
        self.required += other.required
        self.done_period += other.done_period
        self.done_total += other.done_total


@dataclass
class Bilan:
    start: date
    end: date
    markets: list = field(default_factory=list)  # [(market Line, [lot Line with .companies=[company Lines]])]
    total: Line = field(default_factory=lambda: Line("Total"))
    by_kind: dict = field(default_factory=dict)
    by_month: list = field(default_factory=list)  # [(month, hours)]
    people: int = 0
    sex: list = field(default_factory=list)
    age: list = field(default_factory=list)
    qualification: list = field(default_factory=list)
    qpv: int = 0
    rqth: int = 0
    publics: list = field(default_factory=list)
    prescribers: list = field(default_factory=list)
    contracts: int = 0
    contract_types: list = field(default_factory=list)
    durations: list = field(default_factory=list)
    trades: list = field(default_factory=list)
    long_contracts: int = 0
    long_considered: int = 0
    outcomes: list = field(default_factory=list)
    checks: list = field(default_factory=list)  # [(months, done, [(category label, n)])]

    @property
    def long_share(self):
        return self.long_contracts * 100 / self.long_considered if self.long_considered else None

    @property
    def women(self):
        return dict(self.sex).get(Sex.FEMME.label, 0)


def _age(birth_date, on):
    return relativedelta(on, birth_date).years


def _band(value, bands):
    for label, low, high in bands:
        if value >= low and (high is None or value <= high):
            return label
    return bands[-1][0]


def _ordered(counter, labels):
    return [(label, counter[label]) for label in labels if counter[label]]


def compute(awards, start: date, end: date) -> Bilan:
    """The bilan of `awards` (a queryset of Award) for the months from `start` to `end` (both included)."""
    first, last = rules.month_start(start), rules.month_start(end)
    bilan = Bilan(start=start, end=end)
    awards = awards.select_related("lot__market__buyer", "company").order_by(
        "lot__market__reference", "lot__number", "company__name", "pk"
    )
    entries = HourEntry.objects.filter(award__in=awards.values("pk")).counted()
    _hours(bilan, awards, entries, first, last)
    period = entries.filter(month__gte=first, month__lte=last)
    bilan.by_kind = {
        HourKind(row["kind"]).label: row["total"]
        for row in period.order_by().values("kind").annotate(total=Sum("hours"))
    }
    by_month = dict(period.order_by().values_list("month").annotate(total=Sum("hours")))
    month, months = first, []
    while month <= last:
        months.append((month, by_month.get(month, ZERO)))
        month = rules.add_months(month, 1)
    bilan.by_month = months
    people = Participant.objects.filter(contracts__assignments__hour_entries__in=period.values("pk")).distinct()
    _people(bilan, people, awards, end)
    contracts = WorkContract.objects.filter(assignments__hour_entries__in=period.values("pk")).distinct()
    _contracts(bilan, contracts, end)
    _outcomes(bilan, people, end)
    return bilan


def _hours(bilan, awards, entries, first, last):
    done = {
        row["award"]: row
        for row in entries.filter(month__lte=last)
        .order_by()
        .values("award")
        .annotate(total=Sum("hours"), period=Sum("hours", filter=Q(month__gte=first)))
    }
    markets = OrderedDict()
    for award in awards:
        row = done.get(award.pk, {})
        market, lot = award.lot.market, award.lot
        company = Line(
            award.company.name,
            award.get_role_display(),
            award.hours_committed,
            row.get("period") or ZERO,
            row.get("total") or ZERO,
        )
        market_line, lots = markets.setdefault(
            market.pk, (Line(f"{market.reference} — {market.title}", market.buyer.name), OrderedDict())
        )
        lot_line = lots.setdefault(lot.pk, Line(f"Lot {lot.number} — {lot.title}", lot.get_trade_display()))
        lot_line.companies = [*getattr(lot_line, "companies", []), company]
        lot_line.add(company)
        market_line.add(company)
        bilan.total.add(company)
    bilan.markets = [(market_line, list(lots.values())) for market_line, lots in markets.values()]


def _people(bilan, people, awards, end):
    rows = list(
        people.values(
            "pk", "sex", "birth_date", "qualification_level", "qpv_resident", "rqth",
            "referent_organisation__prescriber_type",
        )
    )  # fmt: skip
    bilan.people = len(rows)
    sex = Counter(Sex(row["sex"]).label for row in rows if row["sex"])
    bilan.sex = _ordered(sex, [Sex.FEMME.label, Sex.HOMME.label])
    ages = Counter(_band(_age(row["birth_date"], end), AGE_BANDS) for row in rows)
    bilan.age = _ordered(ages, [label for label, *_ in AGE_BANDS])
    levels = Counter(
        QualificationLevel(row["qualification_level"]).label if row["qualification_level"] else "non renseigné"
        for row in rows
    )
    bilan.qualification = _ordered(levels, [*QualificationLevel.labels, "non renseigné"])
    bilan.qpv = sum(1 for row in rows if row["qpv_resident"])
    bilan.rqth = sum(1 for row in rows if row["rqth"])
    prescribers = Counter(
        PrescriberType(row["referent_organisation__prescriber_type"]).label
        if row["referent_organisation__prescriber_type"]
        else "sans référent prescripteur"
        for row in rows
    )
    bilan.prescribers = prescribers.most_common()
    # Eligibility category: the publics the people met for these markets (a person may belong to several).
    labels = dict(EligibilityCriterion.objects.values_list("code", "label"))
    met = Counter()
    diagnoses = EligibilityDiagnosis.objects.filter(
        participant__in=[row["pk"] for row in rows],
        market__in=awards.values("lot__market"),
        eligible=True,
    ).values_list("participant", "criteria_met")
    seen = {}
    for participant, criteria in diagnoses:
        seen.setdefault(participant, set()).update(criteria or ())
    for criteria in seen.values():
        met.update(labels.get(code, code) for code in criteria)
    bilan.publics = met.most_common()


def _contracts(bilan, contracts, end):
    rows = list(
        contracts.annotate(total=contract_hours_total()).values(
            "contract_type", "start_date", "actual_end_date", "planned_end_date", "rome_code", "job_title", "total"
        )
    )
    bilan.contracts = len(rows)
    bilan.contract_types = Counter(ContractType(row["contract_type"]).label for row in rows).most_common()
    durations = Counter()
    trades = Counter()
    for row in rows:
        finish = row["actual_end_date"] or row["planned_end_date"]
        if finish:
            durations[_band((finish - row["start_date"]).days, DURATION_BANDS)] += 1
        else:
            durations["CDI"] += 1
        trades[f"{row['rome_code']} {row['job_title']}".strip() if row["rome_code"] else row["job_title"]] += 1
        # R-HRS-5: a contract's length is known once it ended by the period's end, or once it reached 300 hours.
        ended = finish is not None and finish <= end
        if row["total"] >= LONG_CONTRACT_HOURS or ended:
            bilan.long_considered += 1
            bilan.long_contracts += row["total"] >= LONG_CONTRACT_HOURS
    bilan.durations = _ordered(durations, [label for label, *_ in DURATION_BANDS] + ["CDI"])
    bilan.trades = trades.most_common(12)


def _outcomes(bilan, people, end):
    category_labels = dict(OutcomeCategory.choices)
    outcomes = Counter(
        Outcome.objects.filter(participant__in=people.values("pk"), date__lte=end)
        .order_by()
        .values_list("category", flat=True)
    )
    bilan.outcomes = [(category_labels[c], outcomes[c]) for c in OutcomeCategory.values if outcomes[c]]
    checks = (
        OutcomeCheck.objects.filter(participant__in=people.values("pk"), checked_on__lte=end)
        .exclude(status=CheckStatus.A_FAIRE)
        .order_by()
        .values("months", "category")
        .annotate(n=Count("pk"))
    )
    by_months = {months: Counter() for months in CHECK_MONTHS}
    for row in checks:
        by_months[row["months"]][category_labels.get(row["category"], "personne injoignable")] += row["n"]
    bilan.checks = [
        (months, sum(counter.values()), counter.most_common()) for months, counter in by_months.items() if counter
    ]


def for_buyer(buyer):
    return Award.objects.filter(lot__market__buyer=buyer)


def for_market(market):
    return Award.objects.filter(lot__market=market)


def for_company(company):
    return Award.objects.filter(company=company)
