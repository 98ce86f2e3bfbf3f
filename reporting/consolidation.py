"""National consolidation tables (R-CONSO): the year's figures of one structure, of a region's or of every
structure, in the tables the national network collects. Grouped queries only; people are counted, never listed."""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Case, Count, Q, Sum, Value, When

from clauses.accounts.enums import PrescriberType
from marches.enums import ATTRIBUTED, BuyerType, CompanyKind, CompanySize, LegalBasis, Sector, Trade
from marches.models import Market
from participants.enums import QualificationLevel, Sex
from participants.models import EligibilityCriterion, EligibilityDiagnosis, Participant
from reporting.bilan import AGE_BANDS
from suivi.enums import CHECK_MONTHS, CheckStatus, OutcomeCategory
from suivi.models import HourEntry, OutcomeCheck

AMOUNT_BANDS = (
    ("moins de 90 000 €", 0, 90_000),
    ("90 000 € à 1 M€", 90_000, 1_000_000),
    ("1 à 5,5 M€", 1_000_000, 5_538_000),
    ("5,5 M€ et plus", 5_538_000, None),
)


@dataclass
class Table:
    key: str
    title: str
    header: list
    rows: list
    note: str = ""


def _label(choices, value, empty="non renseigné"):
    return dict(choices).get(value, empty) if value else empty


def _amount_band():
    """The amount band of a market, computed by the database."""
    return Case(
        *[
            When(Q(estimated_amount_ht__gte=low) & (Q() if high is None else Q(estimated_amount_ht__lt=high)),
                 then=Value(label))
            for label, low, high in AMOUNT_BANDS
        ],
        default=Value("montant non renseigné"),
    )  # fmt: skip


def consolidate(structures, year: int, on: date) -> list[Table]:
    start, end = date(year, 1, 1), min(date(year, 12, 31), on)
    entries = HourEntry.objects.filter(
        award__lot__market__structure__in=structures, month__gte=start, month__lte=end
    ).counted()
    markets = Market.objects.filter(structure__in=structures, status__in=ATTRIBUTED)
    people = Participant.objects.filter(pk__in=entries.values("assignment__contract__participant"))
    tables = [
        _hours_by(entries, "buyer_type", "Heures par type d'acheteur", "Type d'acheteur",
                  "award__lot__market__buyer__buyer_type", BuyerType.choices),
        _markets(markets),
        _legal_basis_by_company(entries),
        _hours_by(entries, "taille", "Heures par taille d'entreprise", "Effectif", "award__company__size",
                  CompanySize.choices),
        _hours_by(entries, "metiers", "Heures par métier (corps d'état)", "Métier", "award__lot__trade",
                  Trade.choices),
        _people(people, end, markets),
        _prescribers(people),
        _checks(people, end),
    ]  # fmt: skip
    return tables


def _hours_by(entries, key, title, column, field, choices):
    rows = entries.order_by().values(field).annotate(hours=Sum("hours"), people=Count(
        "assignment__contract__participant", distinct=True)).order_by("-hours")  # fmt: skip
    return Table(
        key, title, [column, "Heures", "Personnes"],
        [[_label(choices, row[field]), row["hours"], row["people"]] for row in rows],
    )  # fmt: skip


def _markets(markets):
    rows = markets.order_by().values("sector", "legal_basis", band=_amount_band()).annotate(n=Count("pk"))
    counter = Counter()
    for row in rows:
        counter[
            (row["band"], _label(Sector.choices, row["sector"]), _label(LegalBasis.choices, row["legal_basis"]))
        ] += row["n"]
    return Table(
        "marches", "Marchés attribués par montant, secteur et fondement juridique",
        ["Tranche de montant HT", "Secteur", "Fondement juridique", "Marchés"],
        [[*key, n] for key, n in sorted(counter.items())],
    )  # fmt: skip


def _legal_basis_by_company(entries):
    rows = (
        entries.order_by()
        .values("award__lot__market__legal_basis", "award__company__kind")
        .annotate(hours=Sum("hours"))
        .order_by("award__lot__market__legal_basis", "-hours")
    )
    return Table(
        "fondement_entreprise", "Heures par fondement juridique et type d'entreprise",
        ["Fondement juridique", "Type d'entreprise", "Heures"],
        [[_label(LegalBasis.choices, row["award__lot__market__legal_basis"]),
          _label(CompanyKind.choices, row["award__company__kind"]), row["hours"]] for row in rows],
    )  # fmt: skip


def _people(people, end, markets):
    rows = list(people.values("pk", "sex", "birth_date", "qualification_level"))
    labels = dict(EligibilityCriterion.objects.values_list("code", "label"))
    publics = {}
    for participant, criteria in EligibilityDiagnosis.objects.filter(
        participant__in=people.values("pk"), market__in=markets, eligible=True
    ).values_list("participant", "criteria_met"):
        publics.setdefault(participant, set()).update(criteria or ())
    counter = Counter()
    for row in rows:
        age = relativedelta(end, row["birth_date"]).years
        band = next(label for label, low, high in AGE_BANDS if low <= age <= high)
        for code in sorted(publics.get(row["pk"], ())) or [""]:
            counter[(labels.get(code, "non renseigné") if code else "non renseigné", _label(Sex.choices, row["sex"]),
                     band, _label(QualificationLevel.choices, row["qualification_level"]))] += 1  # fmt: skip
    return Table(
        "beneficiaires", "Bénéficiaires par public, sexe, âge et qualification",
        ["Public", "Sexe", "Âge", "Qualification", "Personnes"],
        [[*key, n] for key, n in sorted(counter.items())],
        "Une personne relevant de plusieurs publics est comptée dans chacun.",
    )  # fmt: skip


def _prescribers(people):
    rows = (
        people.order_by()
        .values("referent_organisation__prescriber_type")
        .annotate(n=Count("pk", distinct=True))
        .order_by("-n")
    )
    return Table(
        "prescripteurs", "Bénéficiaires par type de prescripteur", ["Prescripteur", "Personnes"],
        [[_label(PrescriberType.choices, row["referent_organisation__prescriber_type"], "sans référent"), row["n"]]
         for row in rows],
    )  # fmt: skip


def _checks(people, end):
    rows = (
        OutcomeCheck.objects.filter(participant__in=people.values("pk"), checked_on__lte=end)
        .exclude(status=CheckStatus.A_FAIRE)
        .order_by()
        .values("months", "category")
        .annotate(n=Count("pk"))
    )
    found = {(row["months"], row["category"]): row["n"] for row in rows}
    categories = [*OutcomeCategory.choices, ("", "personne injoignable")]
    return Table(
        "situations", "Situation à 6, 12, 18 et 24 mois", ["Échéance", *[label for _, label in categories]],
        [[f"{months} mois", *[found.get((months, code), 0) for code, _ in categories]] for months in CHECK_MONTHS],
    )  # fmt: skip


def total_hours(table):
    return sum((row[1] for row in table.rows), Decimal(0))
