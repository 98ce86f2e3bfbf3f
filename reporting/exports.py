"""The structure's data as spreadsheets: markets, awards with their progress, contracts and hours.

Each export is declared once in `EXPORTS` (what the exports page shows, whether it holds personal data, who may
download it). The row builders below take querysets the view has already scoped (`visible(request, …)`) and
prepared with the `prepare_*` functions: every figure comes from joins, annotations and the progress helpers,
never from a query per row. Only `contrats_nominatifs` names people; every other export refers to a person by the
anonymous reference of `Participant.__str__`.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Coalesce, ExtractYear

from clauses.accounts.enums import Role
from marches.exports import HEADER as MARKET_HEADER
from marches.exports import market_rows
from marches.progress import attach_award_progress, attach_market_progress, with_award_hours, with_market_hours
from participants.eligibility import age_on
from reporting.bilan import AGE_BANDS
from suivi.indicators import contract_hours_total
from suivi.models import LONG_CONTRACT_HOURS, Assignment

STAFF = (Role.FACILITATEUR, Role.ADMIN)


@dataclass(frozen=True)
class Export:
    name: str
    title: str
    description: str
    personal_data: bool = False
    roles: tuple = STAFF

    def allowed_for(self, role):
        return role in self.roles


EXPORTS = {
    export.name: export
    for export in (
        Export(
            "marches",
            "Marchés",
            "Un marché par ligne : donneur d'ordre, statut, dates, montant, fondement de la clause, heures exigées, "
            "réalisées et restantes, rythme.",
        ),
        Export(
            "attributions",
            "Attributions et avancement",
            "Une entreprise attributaire par lot : SIRET, marché, rôle, heures à réaliser, réalisées, restantes, "
            "pourcentage réalisé et rythme.",
        ),
        Export(
            "contrats",
            "Contrats de travail (anonymes)",
            "Un contrat par ligne, sans nom : référence anonyme du participant, sexe, tranche d'âge au début du "
            "contrat, résidence en QPV, type, dates, durée hebdomadaire, code ROME, entreprise, heures réalisées, "
            "contrat d'au moins 300 heures.",
        ),
        Export(
            "heures",
            "Heures d'insertion",
            "Une ligne par mois, contrat (ou sous-traitant) et marché : lot, entreprise, nature et source des heures, "
            "référence anonyme du contrat et du participant.",
        ),
        Export(
            "contrats_nominatifs",
            "Contrats de travail nominatifs",
            "Les contrats avec le nom, le prénom et la date de naissance de chaque participant.",
            personal_data=True,
            roles=(Role.ADMIN,),
        ),
    )
}
FORMATS = ("csv", "xlsx")


def _year_of_market(prefix=""):
    """The market's year, as on the market list: of its attribution, else of its expected attribution."""
    return ExtractYear(Coalesce(f"{prefix}attribution_date", f"{prefix}expected_attribution_date"))


def _percent(progress):
    return progress.percent.quantize(Decimal("0.1")) if progress.percent is not None else None


def _age_band(birth_date, day):
    age = age_on(birth_date, day)
    return next((label for label, low, high in AGE_BANDS if low <= age <= high), AGE_BANDS[-1][0])


# --- Markets --------------------------------------------------------------------------------------------------


def prepare_markets(markets, year=None):
    markets = markets.select_related("buyer").annotate(year=_year_of_market(), lot_count=Count("lots"))
    if year:
        markets = markets.filter(year=year)
    markets = with_market_hours(markets).order_by("reference", "pk")
    return attach_market_progress(list(markets))


def market_table(markets):
    """The same columns as the market list's own export (marches.exports)."""
    return MARKET_HEADER, list(market_rows(markets))


# --- Awards ---------------------------------------------------------------------------------------------------

AWARD_HEADER = [
    "Marché (référence)",
    "Objet du marché",
    "Donneur d'ordre",
    "Statut du marché",
    "Lot",
    "Intitulé du lot",
    "Entreprise",
    "SIRET",
    "Type d'entreprise",
    "Rôle",
    "Montant HT (€)",
    "Heures à réaliser",
    "Heures réalisées",
    "Heures restantes",
    "Réalisé (%)",
    "Projection fin de marché (h)",
    "Rythme",
]


def prepare_awards(awards, year=None):
    awards = awards.select_related("company", "lot__market__buyer")
    if year:
        awards = awards.annotate(year=_year_of_market("lot__market__")).filter(year=year)
    awards = with_award_hours(awards).order_by("lot__market__reference", "lot__number", "company__name", "pk")
    return attach_award_progress(list(awards))


def award_table(awards):
    rows = []
    for award in awards:
        market, p = award.lot.market, award.progress
        rows.append(
            [
                market.reference,
                market.title,
                market.buyer.name,
                market.get_status_display(),
                award.lot.number,
                award.lot.title,
                award.company.name,
                award.company.siret,
                award.company.get_kind_display(),
                award.get_role_display(),
                award.amount_ht,
                p.required,
                p.done,
                p.remaining,
                _percent(p),
                p.projected,
                p.pace_label,
            ]
        )
    return AWARD_HEADER, rows


# --- Contracts ------------------------------------------------------------------------------------------------

CONTRACT_HEADER = [
    "Contrat",
    "Participant",
    "Sexe",
    "Tranche d'âge au début",
    "Réside en QPV",
    "Type de contrat",
    "Modalité",
    "Début",
    "Fin prévue",
    "Fin effective",
    "Motif de fin",
    "Durée hebdomadaire (h)",
    "Poste",
    "Code ROME",
    "Employeur",
    "Entreprise utilisatrice",
    "SIRET de l'entreprise",
    "Marchés servis",
    "Heures réalisées",
    "300 heures et plus",
]
NAMED_HEADER = ["Nom", "Prénom", "Date de naissance"]


def prepare_contracts(contracts, year=None):
    """Contracts running at some point of `year` (all of them without a year), with their hours."""
    if year:
        contracts = contracts.filter(start_date__lte=date(year, 12, 31)).filter(
            Q(actual_end_date__gte=date(year, 1, 1))
            | Q(actual_end_date__isnull=True, planned_end_date__gte=date(year, 1, 1))
            | Q(actual_end_date__isnull=True, planned_end_date__isnull=True)
        )
    served = Assignment.objects.select_related("award__lot__market").order_by("award__lot__market__reference")
    return list(
        contracts.select_related("participant", "employer", "company")
        .prefetch_related(Prefetch("assignments", queryset=served))
        .annotate(hours_total=contract_hours_total())
        .order_by("start_date", "pk")
    )


def contract_table(contracts, named=False):
    """`named` adds the participant's last name, first name and birth date (admins only, logged)."""
    rows = []
    for contract in contracts:
        person = contract.participant
        identity = [person.last_name, person.first_name, person.birth_date] if named else []
        markets = ", ".join(
            f"{a.award.lot.market.reference} lot {a.award.lot.number}" for a in contract.assignments.all()
        )
        rows.append(
            [
                str(contract),
                str(person),
                *identity,
                person.get_sex_display(),
                _age_band(person.birth_date, contract.start_date),
                person.qpv_resident,
                contract.get_contract_type_display(),
                contract.get_modality_display(),
                contract.start_date,
                contract.planned_end_date,
                contract.actual_end_date,
                contract.get_end_reason_display(),
                contract.weekly_hours,
                contract.job_title,
                contract.rome_code,
                contract.employer.name,
                contract.company.name,
                contract.company.siret,
                markets,
                contract.hours_total,
                contract.hours_total >= LONG_CONTRACT_HOURS,
            ]
        )
    header = CONTRACT_HEADER[:2] + NAMED_HEADER + CONTRACT_HEADER[2:] if named else CONTRACT_HEADER
    return header, rows


# --- Hours ----------------------------------------------------------------------------------------------------

HOUR_HEADER = [
    "Mois",
    "Marché (référence)",
    "Objet du marché",
    "Lot",
    "Entreprise",
    "SIRET",
    "Nature",
    "Heures",
    "Comptées dans l'obligation",
    "Source",
    "Contrat",
    "Participant",
    "Sous-traitant",
]


def prepare_hours(entries, year=None):
    if year:
        entries = entries.filter(month__year=year)
    entries = entries.select_related(
        "award__lot__market", "award__company", "assignment__contract__participant", "subcontractor"
    )
    return list(entries.order_by("month", "award__lot__market__reference", "award__lot__number", "pk"))


def hour_table(entries):
    rows = []
    for entry in entries:
        award, assignment = entry.award, entry.assignment
        contract = assignment.contract if assignment else None
        rows.append(
            [
                f"{entry.month:%m/%Y}",
                award.lot.market.reference,
                award.lot.market.title,
                award.lot.number,
                award.company.name,
                award.company.siret,
                entry.get_kind_display(),
                entry.hours,
                assignment is None or assignment.counts,
                entry.get_source_display(),
                str(contract) if contract else "",
                str(contract.participant) if contract else "",
                entry.subcontractor.name if entry.subcontractor else "",
            ]
        )
    return HOUR_HEADER, rows
