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


@dataclass(frozen=True)
class Spec:
    """A table's layout: its first `labels` columns name a row, the others are figures (summed when two rows, or two
    structures' rows, have the same labels); rows are sorted by `order`."""

    title: str
    header: tuple
    labels: int = 1
    order: str | tuple = "largest"  # "largest" first on the first figure, "labels" alphabetical, or these labels
    note: str = ""

    @property
    def figures(self):
        return len(self.header) - self.labels

    def figure(self, index, value):
        """The `index`-th figure of a row as the table shows it: hours as decimals, the others as counts."""
        return value if self.header[self.labels + index] == "Heures" else int(value)


SPECS = {
    "buyer_type": Spec("Heures par type d'acheteur", ("Type d'acheteur", "Heures", "Personnes")),
    "marches": Spec(
        "Marchés attribués par montant, secteur et fondement juridique",
        ("Tranche de montant HT", "Secteur", "Fondement juridique", "Marchés"), labels=3, order="labels",
    ),
    "fondement_entreprise": Spec(
        "Heures par fondement juridique et type d'entreprise",
        ("Fondement juridique", "Type d'entreprise", "Heures"), labels=2,
    ),
    "taille": Spec("Heures par taille d'entreprise", ("Effectif", "Heures", "Personnes")),
    "metiers": Spec("Heures par métier (corps d'état)", ("Métier", "Heures", "Personnes")),
    "beneficiaires": Spec(
        "Bénéficiaires par public, sexe, âge et qualification",
        ("Public", "Sexe", "Âge", "Qualification", "Personnes"), labels=4, order="labels",
        note="Une personne relevant de plusieurs publics est comptée dans chacun.",
    ),
    "prescripteurs": Spec("Bénéficiaires par type de prescripteur", ("Prescripteur", "Personnes")),
    "situations": Spec(
        "Situation à 6, 12, 18 et 24 mois",
        ("Échéance", *[label for _, label in [*OutcomeCategory.choices, ("", "personne injoignable")]]),
        order=tuple(f"{months} mois" for months in CHECK_MONTHS),
    ),
}  # fmt: skip


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
    """Computed now (`reporting.kept.consolidate` reads the figures kept ahead)."""
    return tables(rows(structures, year, on))


def rows(structures, year: int, on: date) -> dict:
    """The rows of each table for `structures`, before they are merged and sorted by `tables`. As plain JSON (hours
    as text), so that rows of several structures can be kept, put together and settled as one."""
    start, end = date(year, 1, 1), min(date(year, 12, 31), on)
    entries = HourEntry.objects.filter(
        award__lot__market__structure__in=structures, month__gte=start, month__lte=end
    ).counted()
    markets = Market.objects.filter(structure__in=structures, status__in=ATTRIBUTED)
    people = Participant.objects.filter(pk__in=entries.values("assignment__contract__participant"))
    found = {
        "buyer_type": _hours_by(entries, "award__lot__market__buyer__buyer_type", BuyerType.choices),
        "marches": _markets(markets),
        "fondement_entreprise": _legal_basis_by_company(entries),
        "taille": _hours_by(entries, "award__company__size", CompanySize.choices),
        "metiers": _hours_by(entries, "award__lot__trade", Trade.choices),
        "beneficiaires": _people(people, end, markets),
        "prescripteurs": _prescribers(people),
        "situations": _checks(people, end),
    }
    return {key: [[str(value) if isinstance(value, Decimal) else value for value in row] for row in found[key]]
            for key in SPECS}  # fmt: skip


def tables(rows_by_key) -> list[Table]:
    """The tables of `rows` (of one structure, or put together from several): rows with the same labels summed,
    then sorted."""
    return [_settle(key, spec, rows_by_key.get(key, [])) for key, spec in SPECS.items()]


def _settle(key, spec, found):
    merged = {}
    for row in found:
        labels, values = (
            tuple(row[: spec.labels]),
            [Decimal(v) if isinstance(v, str) else v for v in row[spec.labels :]],
        )
        merged[labels] = [a + b for a, b in zip(merged[labels], values, strict=True)] if labels in merged else values
    rows = [[*labels, *values] for labels, values in merged.items()]
    if spec.order == "largest":
        rows.sort(key=lambda row: (-row[spec.labels], row[: spec.labels]))
    elif spec.order == "labels":
        rows.sort(key=lambda row: row[: spec.labels])
    else:
        rows.sort(key=lambda row: spec.order.index(row[0]) if row[0] in spec.order else len(spec.order))
    return Table(key, spec.title, list(spec.header), rows, spec.note)


def _hours_by(entries, field, choices):
    rows = entries.order_by().values(field).annotate(hours=Sum("hours"), people=Count(
        "assignment__contract__participant", distinct=True))  # fmt: skip
    return [[_label(choices, row[field]), row["hours"], row["people"]] for row in rows]


def _markets(markets):
    rows = markets.order_by().values("sector", "legal_basis", band=_amount_band()).annotate(n=Count("pk"))
    counter = Counter()
    for row in rows:
        counter[
            (row["band"], _label(Sector.choices, row["sector"]), _label(LegalBasis.choices, row["legal_basis"]))
        ] += row["n"]
    return [[*key, n] for key, n in counter.items()]


def _legal_basis_by_company(entries):
    rows = (
        entries.order_by()
        .values("award__lot__market__legal_basis", "award__company__kind")
        .annotate(hours=Sum("hours"))
    )
    return [[_label(LegalBasis.choices, row["award__lot__market__legal_basis"]),
             _label(CompanyKind.choices, row["award__company__kind"]), row["hours"]] for row in rows]  # fmt: skip


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
    return [[*key, n] for key, n in counter.items()]


def _prescribers(people):
    rows = people.order_by().values("referent_organisation__prescriber_type").annotate(n=Count("pk", distinct=True))
    return [[_label(PrescriberType.choices, row["referent_organisation__prescriber_type"], "sans référent"), row["n"]]
            for row in rows]  # fmt: skip


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
    return [[f"{months} mois", *[found.get((months, code), 0) for code, _ in categories]] for months in CHECK_MONTHS]


def total_hours(table):
    return sum((row[1] for row in table.rows), Decimal(0))
