"""A national-scale dataset for benchmarks: the volume of the Alliance Villes Emploi consolidation for 2021
(58 454 markets, 25.1 million insertion hours, 75 194 contracts, 57 231 participants, 3 576 buyers,
369 facilitating structures), for each of five years, on PostgreSQL.

Everything is drawn from a seed, structure by structure, with a generator of its own per structure
(`random.Random(f"{seed}-{index}")`: string seeds do not follow PYTHONHASHSEED), and written with
`bulk_create` a structure at a time: no save per row, no history rows (a bulk load, like a migration of
former tools' data). The sizes follow a Zipf law: one very large structure (about 8 % of the country),
and in it one very large buyer (a quarter of its markets) and companies of very unequal sizes.
"""

import itertools
import json
import math
import operator
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone
from stdnum import luhn

from clauses.accounts.enums import OrganisationKind, PrescriberType, Region, Role, StructureType
from clauses.accounts.models import Membership, Organisation, User
from marches.enums import (
    AwardRole,
    BuyerType,
    CompanyKind,
    CompanySize,
    LegalBasis,
    MarketNature,
    MarketStatus,
    Sector,
    TargetPublic,
    Trade,
)
from marches.models import Award, Buyer, Company, Lot, Market
from participants.enums import ConsentMethod, CriterionCode, QualificationLevel, Sex, SocialBenefit
from participants.models import Consent, EligibilityDiagnosis, Participant, name_key
from suivi.enums import ContractModality, ContractType, EndReason, HourKind, HourSource
from suivi.models import Assignment, HourEntry, WorkContract

DOMAIN = "national.clauses.test"
PASSWORD = "demo-clauses-2026"
BATCH = 5000

# What the network reported for one year (Alliance Villes Emploi, activity 2021).
PER_YEAR = {
    "markets": 58_454,
    "hours": 25_100_000,
    "contracts": 75_194,
    "participants": 57_231,
    "buyers": 3_576,
}
STRUCTURES = 369
ZIPF_STRUCTURES = 0.8  # the largest structure holds about 8 % of the country
LARGEST_BUYER_SHARE = 0.25  # of its structure's markets
HOURS_PER_CONTRACT = PER_YEAR["hours"] / PER_YEAR["contracts"]  # about 334
CONTRACTS_PER_PERSON = PER_YEAR["contracts"] / PER_YEAR["participants"]  # about 1.31
REALISATION = (0.8, 1.5)  # hours done / hours committed, once a market is over

# --- Vocabulary -----------------------------------------------------------------------------------------------

# (commune, postcode, region)
CITIES = [
    ("Paris", "75013", "11"), ("Marseille", "13003", "93"), ("Lyon", "69008", "84"), ("Toulouse", "31100", "76"),
    ("Nice", "06300", "93"), ("Nantes", "44100", "52"), ("Montpellier", "34070", "76"), ("Strasbourg", "67100", "44"),
    ("Bordeaux", "33300", "75"), ("Lille", "59000", "32"), ("Rennes", "35200", "53"), ("Reims", "51100", "44"),
    ("Toulon", "83000", "93"), ("Saint-Étienne", "42000", "84"), ("Le Havre", "76600", "28"),
    ("Grenoble", "38100", "84"), ("Dijon", "21000", "27"), ("Angers", "49000", "52"), ("Nîmes", "30000", "76"),
    ("Villeurbanne", "69100", "84"), ("Clermont-Ferrand", "63000", "84"), ("Le Mans", "72000", "52"),
    ("Aix-en-Provence", "13090", "93"), ("Brest", "29200", "53"), ("Tours", "37000", "24"), ("Amiens", "80000", "32"),
    ("Limoges", "87000", "75"), ("Annecy", "74000", "84"), ("Perpignan", "66000", "76"), ("Metz", "57000", "44"),
    ("Besançon", "25000", "27"), ("Orléans", "45000", "24"), ("Rouen", "76000", "28"),
    ("Mulhouse", "68100", "44"),
    ("Caen", "14000", "28"), ("Nancy", "54000", "44"), ("Argenteuil", "95100", "11"), ("Roubaix", "59100", "32"),
    ("Tourcoing", "59200", "32"), ("Montreuil", "93100", "11"), ("Avignon", "84000", "93"),
    ("Nanterre", "92000", "11"),
    ("Poitiers", "86000", "75"), ("Créteil", "94000", "11"), ("Pau", "64000", "75"), ("La Rochelle", "17000", "75"),
    ("Calais", "62100", "32"), ("Cannes", "06400", "93"), ("Béziers", "34500", "76"), ("Colmar", "68000", "44"),
    ("Bourges", "18000", "24"), ("Saint-Nazaire", "44600", "52"), ("Quimper", "29000", "53"),
    ("Valence", "26000", "84"), ("Troyes", "10000", "44"), ("Chambéry", "73000", "84"), ("Niort", "79000", "75"),
    ("Lorient", "56100", "53"), ("Beauvais", "60000", "32"), ("Cholet", "49300", "52"), ("Vannes", "56000", "53"),
    ("Évreux", "27000", "28"), ("Laval", "53000", "52"), ("Belfort", "90000", "27"), ("Albi", "81000", "76"),
    ("Angoulême", "16000", "75"), ("Saint-Brieuc", "22000", "53"), ("Chartres", "28000", "24"),
    ("Blois", "41000", "24"), ("Châteauroux", "36000", "24"), ("Tarbes", "65000", "76"), ("Auxerre", "89000", "27"),
    ("Nevers", "58000", "27"), ("Montauban", "82000", "76"), ("Périgueux", "24000", "75"), ("Agen", "47000", "75"),
    ("Bayonne", "64100", "75"), ("Dunkerque", "59140", "32"), ("Arras", "62000", "32"), ("Douai", "59500", "32"),
    ("Lens", "62300", "32"), ("Valenciennes", "59300", "32"), ("Maubeuge", "59600", "32"), ("Cergy", "95000", "11"),
    ("Évry-Courcouronnes", "91000", "11"), ("Melun", "77000", "11"), ("Meaux", "77100", "11"),
    ("Mantes-la-Jolie", "78200", "11"), ("Saint-Denis", "93200", "11"), ("Bobigny", "93000", "11"),
    ("Fort-de-France", "97200", "02"), ("Pointe-à-Pitre", "97110", "01"), ("Saint-Denis", "97400", "04"),
    ("Cayenne", "97300", "03"), ("Ajaccio", "20000", "94"), ("Bastia", "20200", "94"),
]  # fmt: skip
STRUCTURE_KINDS = [
    ("Maison de l'emploi de {city}", StructureType.MDE),
    ("PLIE de {city}", StructureType.PLIE),
    ("{city} Métropole — clauses sociales", StructureType.EPCI),
    ("Ville de {city} — service clauses", StructureType.COLLECTIVITE),
]
FIRST_NAMES = {
    Sex.FEMME: ["Aïcha", "Amandine", "Amina", "Aurélie", "Awa", "Camille", "Céline", "Chloé", "Fatou", "Fatima",
                "Inès", "Julie", "Karima", "Laura", "Léa", "Manon", "Mariam", "Marie", "Nadia", "Nathalie",
                "Océane", "Rokia", "Sabrina", "Samira", "Sandrine", "Sarah", "Sophie", "Yasmine", "Zineb", "Élodie"],
    Sex.HOMME: ["Abdel", "Adama", "Alexandre", "Ali", "Amadou", "Antoine", "Bilal", "Bruno", "Cédric", "David",
                "Dylan", "Florian", "Hamza", "Ibrahim", "Jordan", "Julien", "Karim", "Kevin", "Lucas", "Mamadou",
                "Mehdi", "Mohamed", "Moussa", "Nicolas", "Omar", "Rachid", "Samuel", "Sébastien", "Thomas", "Yacine",
                "Youssef", "Ousmane", "Jérôme", "Christophe", "Patrick", "Enzo", "Théo", "Nabil", "Issa", "Sami"],
}  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon",
    "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel",
    "Girard", "Andre", "Lefevre", "Mercier", "Dupont", "Lambert", "Bonnet", "Francois", "Martinez", "Legrand",
    "Garnier", "Faure", "Rousseau", "Blanc", "Guerin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin",
    "Morin", "Mathieu", "Clement", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Benali",
    "Diallo", "Traoré", "Koné", "Camara", "Cissé", "Diop", "Ndiaye", "Sow", "Touré", "Haddad", "Belkacem",
    "Mansouri", "Boukhari", "Cherif", "Hamidi", "Amrani", "Benaissa", "Yilmaz", "Kaya", "Demir", "Pereira",
    "Ferreira", "Da Silva", "Rodrigues", "Nowak", "Kowalski", "Popescu", "Nguyen", "Tran", "Le Gall", "Le Goff",
    "Tanguy", "Vasseur", "Delattre", "Leclercq", "Lemaire", "Dufour", "Caron", "Boulanger", "Marchand", "Renaud",
    "Brun", "Giraud", "Joly", "Riviere", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud", "Roche", "Schmitt",
]  # fmt: skip
COMPANY_WORDS = [
    "Bâtiment", "Constructions", "BTP", "Rénovation", "Travaux", "Services", "Propreté", "Environnement",
    "Paysages", "Réseaux", "Électricité", "Génie climatique", "Menuiseries", "Peinture", "Façades", "Voirie",
]  # fmt: skip
COMPANY_PREFIXES = ["Entreprise", "Société", "Groupe", "Établissements", "SARL", "SAS", "Atelier", "Compagnie"]
INCLUSIVE_NAMES = {
    CompanyKind.ETTI: "Intérim d'insertion", CompanyKind.ETT: "Intérim", CompanyKind.GEIQ: "GEIQ BTP",
    CompanyKind.EI: "Entreprise d'insertion", CompanyKind.ACI: "Chantier d'insertion",
    CompanyKind.EA: "Entreprise adaptée",
    CompanyKind.AI: "Association intermédiaire",
}  # fmt: skip
BUYER_NAMES = {
    BuyerType.COMMUNE: "Ville de {city}", BuyerType.EPCI: "Communauté d'agglomération de {city}",
    BuyerType.BAILLEUR_SOCIAL: "{city} Habitat", BuyerType.DEPARTEMENT: "Département — {city}",
    BuyerType.REGION: "Région — {city}", BuyerType.ETAT: "Préfecture — {city}",
    BuyerType.ETABLISSEMENT_PUBLIC_NATIONAL: "Établissement public national — {city}",
    BuyerType.SEM: "SEM d'aménagement de {city}", BuyerType.ENTREPRISE_PUBLIQUE: "Réseau de transport de {city}",
    BuyerType.SECURITE_SOCIALE: "CPAM de {city}", BuyerType.ETABLISSEMENT_SANTE: "Centre hospitalier de {city}",
    BuyerType.ENTREPRISE_PRIVEE: "Aménageur privé — {city}", BuyerType.AUTRE: "Syndicat mixte de {city}",
}  # fmt: skip
BUYER_WEIGHTS = {
    BuyerType.COMMUNE: 30, BuyerType.EPCI: 12, BuyerType.BAILLEUR_SOCIAL: 20, BuyerType.DEPARTEMENT: 6,
    BuyerType.REGION: 2, BuyerType.ETAT: 5, BuyerType.ETABLISSEMENT_PUBLIC_NATIONAL: 3, BuyerType.SEM: 5,
    BuyerType.ENTREPRISE_PUBLIQUE: 4, BuyerType.SECURITE_SOCIALE: 2, BuyerType.ETABLISSEMENT_SANTE: 5,
    BuyerType.ENTREPRISE_PRIVEE: 3, BuyerType.AUTRE: 3,
}  # fmt: skip
# sector: (weight, nature, trades, titles)
SECTORS = {
    Sector.BATIMENT: (40, MarketNature.TRAVAUX,
                      [Trade.GROS_OEUVRE, Trade.MENUISERIE, Trade.PLATRERIE, Trade.PEINTURE, Trade.ELECTRICITE,
                       Trade.PLOMBERIE_CVC, Trade.COUVERTURE, Trade.FACADES, Trade.SOLS, Trade.DEMOLITION],
                      ["Construction d'un groupe scolaire", "Réhabilitation de logements sociaux",
                       "Extension de la médiathèque", "Rénovation énergétique d'une résidence",
                       "Construction d'un gymnase", "Restructuration de l'hôtel de ville"]),
    Sector.TRAVAUX_PUBLICS: (15, MarketNature.TRAVAUX, [Trade.VRD, Trade.DEMOLITION],
                             ["Aménagement de voirie", "Requalification des espaces publics",
                              "Création d'une ligne de tramway", "Renouvellement des réseaux d'eau"]),
    Sector.ESPACES_VERTS: (8, MarketNature.SERVICES, [Trade.ENTRETIEN_ESPACES_VERTS, Trade.ESPACES_VERTS_TRAVAUX],
                           ["Entretien des espaces verts", "Aménagement paysager d'un parc"]),
    Sector.PROPRETE: (12, MarketNature.SERVICES, [Trade.NETTOYAGE],
                      ["Nettoyage des locaux administratifs", "Entretien des parties communes"]),
    Sector.DECHETS: (6, MarketNature.SERVICES, [Trade.COLLECTE_DECHETS],
                     ["Collecte des déchets ménagers", "Gestion de la déchèterie"]),
    Sector.RESTAURATION: (4, MarketNature.SERVICES, [Trade.RESTAURATION], ["Restauration scolaire"]),
    Sector.TRANSPORT: (3, MarketNature.SERVICES, [Trade.TRANSPORT], ["Transport scolaire"]),
    Sector.SECURITE: (3, MarketNature.SERVICES, [Trade.GARDIENNAGE], ["Gardiennage des bâtiments"]),
    Sector.SERVICES_PERSONNE: (3, MarketNature.SERVICES, [Trade.AUTRE], ["Portage de repas à domicile"]),
    Sector.INFORMATIQUE: (2, MarketNature.SERVICES, [Trade.INTELLECTUEL], ["Maintenance du parc informatique"]),
    Sector.FOURNITURES: (2, MarketNature.FOURNITURES, [Trade.FOURNITURE, Trade.FOURNITURE_POSE],
                         ["Fourniture et pose de mobilier urbain"]),
    Sector.AUTRE: (2, MarketNature.SERVICES, [Trade.AUTRE], ["Prestations diverses"]),
}  # fmt: skip
LEGAL_BASES = {
    LegalBasis.L2112_2: 80, LegalBasis.R2152_7: 8, LegalBasis.L2113_12: 3, LegalBasis.L2113_13: 2,
    LegalBasis.R2123_1: 5, LegalBasis.L2113_15: 1, LegalBasis.AUTRE: 1,
}  # fmt: skip
CONTRACT_TYPES = {
    ContractType.INTERIM: 30, ContractType.CDD: 25, ContractType.CTTI: 12, ContractType.CDDI: 10,
    ContractType.CDI: 8, ContractType.PROFESSIONNALISATION: 5, ContractType.APPRENTISSAGE: 4,
    ContractType.CUI_PEC: 2, ContractType.USAGE: 2, ContractType.AUTRE: 2,
}  # fmt: skip
WEEKLY_HOURS = {Decimal(35): 60, Decimal(24): 12, Decimal(28): 8, Decimal(20): 8, Decimal("17.5"): 6, Decimal(39): 6}
CRITERIA = {
    CriterionCode.DELD: 15, CriterionCode.DETLD: 11, CriterionCode.RSA: 12, CriterionCode.ASS: 4,
    CriterionCode.AAH: 4, CriterionCode.RQTH: 8, CriterionCode.JEUNE: 18, CriterionCode.SENIOR: 8,
    CriterionCode.JUSTICE: 6, CriterionCode.REFUGIE: 6, CriterionCode.SIAE: 5,
}  # fmt: skip
JOBS = {
    Trade.GROS_OEUVRE: ("Maçon", "F1703"), Trade.MENUISERIE: ("Menuisier poseur", "F1607"),
    Trade.PLATRERIE: ("Plaquiste", "F1604"), Trade.PEINTURE: ("Peintre en bâtiment", "F1606"),
    Trade.ELECTRICITE: ("Électricien du bâtiment", "F1602"), Trade.PLOMBERIE_CVC: ("Plombier chauffagiste", "F1603"),
    Trade.COUVERTURE: ("Couvreur", "F1610"), Trade.FACADES: ("Façadier", "F1611"), Trade.SOLS: ("Carreleur", "F1608"),
    Trade.DEMOLITION: ("Manœuvre démolition", "F1704"), Trade.VRD: ("Ouvrier VRD", "F1702"),
    Trade.ENTRETIEN_ESPACES_VERTS: ("Ouvrier paysagiste", "A1203"),
    Trade.ESPACES_VERTS_TRAVAUX: ("Ouvrier paysagiste", "A1203"), Trade.NETTOYAGE: ("Agent de propreté", "K2204"),
    Trade.COLLECTE_DECHETS: ("Ripeur", "K2303"), Trade.RESTAURATION: ("Commis de cuisine", "G1602"),
    Trade.TRANSPORT: ("Conducteur de car", "N4103"), Trade.GARDIENNAGE: ("Agent de sécurité", "K2503"),
    Trade.INTELLECTUEL: ("Technicien informatique", "I1401"), Trade.FOURNITURE: ("Magasinier", "N1103"),
    Trade.FOURNITURE_POSE: ("Poseur", "F1613"), Trade.AUTRE: ("Agent polyvalent", "K2110"),
}  # fmt: skip


@dataclass
class Totals:
    structures: int = 0
    users: int = 0
    buyers: int = 0
    markets: int = 0
    lots: int = 0
    companies: int = 0
    awards: int = 0
    participants: int = 0
    contracts: int = 0
    hour_entries: int = 0
    hours: Decimal = Decimal(0)
    largest: dict = field(default_factory=dict)

    def add(self, other):
        for name in ("buyers", "markets", "lots", "companies", "awards", "participants", "contracts", "hour_entries"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.hours += other.hours


# --- Drawing helpers ------------------------------------------------------------------------------------------


def zipf_weights(n, exponent):
    weights = [1 / (rank + 1) ** exponent for rank in range(n)]
    total = sum(weights)
    return [weight / total for weight in weights]


def split(total, weights, minimum=1):
    """`total` spread along `weights` in whole numbers (largest remainders), each at least `minimum`."""
    raw = [total * weight for weight in weights]
    counts = [max(minimum, math.floor(value)) for value in raw]
    remainders = sorted(range(len(raw)), key=lambda i: (raw[i] - math.floor(raw[i]), -i), reverse=True)
    missing = total - sum(counts)
    for i in remainders[: max(0, missing)]:
        counts[i] += 1
    return counts


def pick(rng, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def new_uuid(rng):
    """A version 4 UUID drawn from `rng`, as the 32 hexadecimal digits PostgreSQL reads."""
    bits = rng.getrandbits(128) & ~(0xF000 << 64) & ~(0xC000 << 48) | (0x4000 << 64) | (0x8000 << 48)
    return f"{bits:032x}"


def siret(index, establishment=1):
    """A valid SIRET (Luhn), unique for each index below 10^8."""
    base = f"{(index * 7919 + 12_345_678) % 100_000_000:08d}"
    siren = base + luhn.calc_check_digit(base)
    body = f"{siren}{establishment:04d}"
    return body + luhn.calc_check_digit(body)


def month_start(day):
    return day.replace(day=1)


def next_month(month):
    return date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)


def hours(value):
    return Decimal(value).quantize(Decimal("0.01"))


# --- The plan -------------------------------------------------------------------------------------------------


@dataclass
class Plan:
    """How much of the country each structure holds."""

    seed: int
    years: int
    fraction: float
    today: date

    @property
    def first_year(self):
        return self.today.year - self.years + 1

    def structure_count(self):
        return max(3, round(STRUCTURES * min(1.0, self.fraction * 20)))

    def per_structure(self, name, minimum=1):
        total = round(PER_YEAR[name] * self.fraction)
        return split(total, zipf_weights(self.structure_count(), ZIPF_STRUCTURES), minimum=minimum)


class Copy:
    """The rows of one model, written with PostgreSQL's COPY (no model instances, no save per row).

    Primary keys are numbered here, after the table's largest one, so that children can point at their parents
    before anything is written; `finish` moves the table's sequence past them. Values are given by attribute name
    (`market_id`); the others take the field's default. Keys starting with "_" are for the generator only."""

    def __init__(self, model, now):
        self.table = model._meta.db_table
        self.fields = [f for f in model._meta.concrete_fields]
        self.defaults = {f.attname: self._default(f, now) for f in self.fields}
        self.rows = []
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{self.table}"')
            self.next_id = cursor.fetchone()[0] + 1

    @staticmethod
    def _default(field, now):
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return now
        if field.has_default():
            # Callable defaults give one value for every row: fine for lists and dates, never for identifiers.
            return None if field.unique else field.get_default()
        return None if field.null else ""

    def add(self, **values):
        values["id"] = self.next_id
        self.next_id += 1
        self.rows.append(values)
        return values

    def flush(self):
        if not self.rows:
            return
        names = [f.attname for f in self.fields]
        defaults = {name: self.defaults[name] for name in names}
        row_values = operator.itemgetter(*names)  # one C call per row
        json_positions = [i for i, f in enumerate(self.fields) if isinstance(f, models.JSONField)]
        columns = ", ".join(f'"{f.column}"' for f in self.fields)
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f'COPY "{self.table}" ({columns}) FROM STDIN') as copy:
                for row in self.rows:
                    values = row_values({**defaults, **row})
                    if json_positions:
                        values = list(values)
                        for i in json_positions:
                            values[i] = json.dumps(values[i])
                    copy.write_row(values)
        self.rows = []

    def finish(self):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{self.table}\"', 'id'), MAX(id)) FROM \"{self.table}\""
            )


TABLES = {
    "buyers": Buyer, "companies": Company, "markets": Market, "lots": Lot, "awards": Award,
    "people": Participant, "consents": Consent, "contracts": WorkContract, "diagnoses": EligibilityDiagnosis,
    "assignments": Assignment, "hours": HourEntry,
}  # fmt: skip


def generate(*, seed=2021, years=5, fraction=1.0, today=None, log=None):
    """Write the dataset; returns its Totals. The database must hold no market yet (checked by the command)."""
    plan = Plan(seed=seed, years=years, fraction=fraction, today=today or timezone.localdate())
    log = log or (lambda message: None)
    password = make_password(PASSWORD)
    with transaction.atomic():
        network, structures = _organisations(plan)
        users = _users(plan, network, structures, password)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        superuser = cursor.fetchone()[0]
    tables = {name: Copy(model, now) for name, model in TABLES.items()}
    totals = Totals(structures=len(structures), users=len(users))
    markets = plan.per_structure("markets")
    buyers = plan.per_structure("buyers", minimum=3)
    for index, structure in enumerate(structures):
        rng = random.Random(f"{seed}-{index}")
        written = _structure(rng, plan, tables, index, structure, users[index], markets[index], buyers[index])
        with transaction.atomic(), connection.cursor() as cursor:
            # The rows point only at rows written before them or in this same load: skip the foreign key
            # triggers, a lookup per row (PostgreSQL superuser only, as a database's owner loads it here).
            if superuser:
                cursor.execute("SET LOCAL session_replication_role = replica")
            for table in tables.values():  # parents first
                table.flush()
            if superuser:
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        totals.add(written)
        if index == 0:
            totals.largest = written.largest
        if index % 25 == 0 or index == len(structures) - 1:
            log(f"{index + 1}/{len(structures)} structures, {totals.markets} marchés, {totals.hours:.0f} heures")
    for table in tables.values():
        table.finish()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return totals


def _organisations(plan):
    rng = random.Random(f"{plan.seed}-organisations")
    network = Organisation.objects.create(
        public_id=new_uuid(rng), name="Réseau national des facilitateurs", kind=OrganisationKind.RESEAU
    )
    names = [(kind, city) for city in CITIES for kind in STRUCTURE_KINDS]
    rng.shuffle(names)
    # The largest structure is a big city's: the first city with a metropolis.
    names.remove((STRUCTURE_KINDS[2], CITIES[2]))
    names.insert(0, (STRUCTURE_KINDS[2], CITIES[2]))
    structures = []
    for (pattern, structure_type), (city, postcode, region) in names[: plan.structure_count()]:
        structures.append(
            Organisation(
                public_id=new_uuid(rng), name=pattern.format(city=city), kind=OrganisationKind.FACILITATION,
                structure_type=structure_type, postcode=postcode, city=city,
                region=region if region in Region.values else "",
            )
        )  # fmt: skip
    Organisation.objects.bulk_create(structures, batch_size=BATCH)
    prescribers = []
    for structure in structures:
        for prescriber_type, label in (
            (PrescriberType.FRANCE_TRAVAIL, "France Travail"),
            (PrescriberType.MISSION_LOCALE, "Mission Locale"),
            (PrescriberType.CAP_EMPLOI, "Cap emploi"),
        ):
            prescribers.append(
                Organisation(
                    public_id=new_uuid(rng), name=f"{label} {structure.city} ({structure.name[:40]})",
                    kind=OrganisationKind.PRESCRIPTEUR, prescriber_type=prescriber_type, city=structure.city,
                    postcode=structure.postcode, registered_by=structure,
                )
            )  # fmt: skip
    Organisation.objects.bulk_create(prescribers, batch_size=BATCH)
    Through = Organisation.partner_structures.through
    Through.objects.bulk_create(
        [
            Through(from_organisation_id=prescriber.pk, to_organisation_id=prescriber.registered_by_id)
            for prescriber in prescribers
        ],
        batch_size=BATCH,
    )
    for i, structure in enumerate(structures):
        structure.prescribers = prescribers[3 * i : 3 * i + 3]
    return network, structures


def _users(plan, network, structures, password):
    """Per structure: an admin, facilitators (more in bigger ones), a committee member and a counsellor per
    prescriber; one national network head. Addresses say which structure: admin.001@…, facilitateur.001.2@…"""
    rng = random.Random(f"{plan.seed}-users")
    sizes = plan.per_structure("markets")
    users, memberships, per_structure = [], [], []

    def person(email, organisation, role):
        sex = rng.choice([Sex.FEMME, Sex.HOMME])
        user = User(
            public_id=new_uuid(rng), email=email, first_name=rng.choice(FIRST_NAMES[sex]),
            last_name=rng.choice(LAST_NAMES), password=password,
        )  # fmt: skip
        users.append(user)
        memberships.append((user, organisation, role))
        return user

    person(f"reseau@{DOMAIN}", network, Role.RESEAU)
    for index, structure in enumerate(structures):
        number = f"{index + 1:03d}"
        staff = {
            "admin": person(f"admin.{number}@{DOMAIN}", structure, Role.ADMIN),
            "facilitators": [
                person(f"facilitateur.{number}.{k + 1}@{DOMAIN}", structure, Role.FACILITATEUR)
                for k in range(max(1, min(12, sizes[index] // 250 + 1)))
            ],
            "committee": person(f"comite.{number}@{DOMAIN}", structure, Role.COMITE),
            "counsellors": [
                person(f"prescripteur.{number}.{k + 1}@{DOMAIN}", prescriber, Role.PRESCRIPTEUR)
                for k, prescriber in enumerate(structure.prescribers)
            ],
        }
        per_structure.append(staff)
    User.objects.bulk_create(users, batch_size=BATCH)
    Membership.objects.bulk_create(
        [
            Membership(public_id=new_uuid(rng), user=user, organisation=organisation, role=role)
            for user, organisation, role in memberships
        ],
        batch_size=BATCH,
    )
    return per_structure


# --- One structure --------------------------------------------------------------------------------------------


def _structure(rng, plan, tables, index, structure, staff, markets_per_year, buyer_count):
    written = Totals()
    buyers = _buyers(rng, tables, index, structure, buyer_count)
    companies, inclusive, temping = _companies(rng, tables, index, structure, max(8, round(markets_per_year * 0.55)))
    buyer_weights = zipf_weights(len(buyers), 1.0)
    if index == 0:
        # One very large buyer: a quarter of the largest structure's markets.
        rest = sum(buyer_weights[1:])
        buyer_weights = [LARGEST_BUYER_SHARE] + [w / rest * (1 - LARGEST_BUYER_SHARE) for w in buyer_weights[1:]]
    company_weights = list(itertools.accumulate(zipf_weights(len(companies), 0.8)))
    awards = []
    for year in range(plan.first_year, plan.today.year + 1):
        for number in range(markets_per_year):
            market = _market(rng, plan, tables, structure, buyers, buyer_weights, year, number)
            if market is None:
                continue
            written.markets += 1
            for lot_number in range(1, _lot_count(rng) + 1):
                lot = _lot(rng, tables, market, lot_number)
                written.lots += 1
                if market["status"] not in (MarketStatus.ATTRIBUE, MarketStatus.EXECUTION, MarketStatus.TERMINE):
                    continue
                holder = rng.choices(companies, cum_weights=company_weights)[0]
                partner = rng.choices(companies, cum_weights=company_weights)[0] if rng.random() < 0.08 else None
                if partner is not None and partner is not holder:
                    share = hours(lot["required_hours"] * Decimal("0.7"))
                    awards.append(_award(rng, tables, lot, holder, AwardRole.TITULAIRE, share))
                    awards.append(
                        _award(rng, tables, lot, partner, AwardRole.COTRAITANT, lot["required_hours"] - share)
                    )
                else:
                    awards.append(_award(rng, tables, lot, holder, AwardRole.TITULAIRE, lot["required_hours"]))
    written.buyers, written.companies, written.awards = len(buyers), len(companies), len(awards)
    if index == 0:
        written.largest = {"buyer": uuid.UUID(buyers[0]["public_id"]), "structure": uuid.UUID(structure.public_id)}
    _people_and_hours(rng, plan, tables, structure, staff, awards, inclusive, temping, written)
    return written


def _buyers(rng, tables, index, structure, count):
    buyers = []
    for k in range(count):
        buyer_type = BuyerType.BAILLEUR_SOCIAL if (index == 0 and k == 0) else pick(rng, BUYER_WEIGHTS)
        city = structure.city if k < 3 else rng.choice(CITIES)[0]
        name = BUYER_NAMES[buyer_type].format(city=city) + ("" if k < 3 else f" ({k + 1})")
        buyers.append(
            tables["buyers"].add(
                public_id=new_uuid(rng), structure_id=structure.pk, name=name, buyer_type=buyer_type,
                siret=siret(index * 10_000 + k, 2), city=city, postcode=structure.postcode,
                contact_name=f"{rng.choice(FIRST_NAMES[Sex.FEMME])} {rng.choice(LAST_NAMES)}",
                contact_role="Responsable de la commande publique",
            )
        )  # fmt: skip
    return buyers


def _companies(rng, tables, index, structure, count):
    """Ordinary companies (the first are the biggest), then temping and inclusive ones."""
    special = [CompanyKind.ETTI, CompanyKind.ETT, CompanyKind.GEIQ, CompanyKind.EI, CompanyKind.ACI, CompanyKind.EA]
    kinds = [CompanyKind.CLASSIQUE] * (count - len(special)) + special
    companies = []
    for k, kind in enumerate(kinds):
        if kind == CompanyKind.CLASSIQUE:
            name = f"{rng.choice(COMPANY_PREFIXES)} {rng.choice(LAST_NAMES)} {rng.choice(COMPANY_WORDS)}"
            size = pick(rng, {CompanySize.TPE: 30, CompanySize.PME: 45, CompanySize.ETI: 15, CompanySize.GE: 10})
        else:
            name, size = f"{INCLUSIVE_NAMES[kind]} {structure.city}", CompanySize.PME
        companies.append(
            tables["companies"].add(
                public_id=new_uuid(rng), structure_id=structure.pk, siret=siret(5_000_000 + index * 20_000 + k),
                name=f"{name} ({k + 1})", kind=kind, size=size, city=structure.city, postcode=structure.postcode,
            )
        )  # fmt: skip
    ordinary = [c for c in companies if c["kind"] == CompanyKind.CLASSIQUE]
    inclusive = [c for c in companies if c["kind"] in (CompanyKind.EI, CompanyKind.ACI, CompanyKind.EA)]
    temping = [c for c in companies if c["kind"] in (CompanyKind.ETTI, CompanyKind.ETT)]
    return ordinary, inclusive, temping


def _market(rng, plan, tables, structure, buyers, buyer_weights, year, number):
    attribution = date(year, 1, 1) + timedelta(days=rng.randrange(365))
    if attribution > plan.today + relativedelta(months=6):
        return None
    sector = rng.choices(list(SECTORS), weights=[s[0] for s in SECTORS.values()])[0]
    weight, nature, trades, titles = SECTORS[sector]
    start = attribution + timedelta(days=rng.randrange(20, 90))
    end = start + relativedelta(months=rng.choice([6, 9, 12, 12, 18, 24, 24, 36, 48]))
    if attribution > plan.today:
        status, attribution_date = MarketStatus.CONSULTATION, None
    elif end < plan.today:
        status, attribution_date = MarketStatus.TERMINE, attribution
    elif start <= plan.today:
        status, attribution_date = MarketStatus.EXECUTION, attribution
    else:
        status, attribution_date = MarketStatus.ATTRIBUE, attribution
    buyer = rng.choices(buyers, weights=buyer_weights)[0]
    amount = Decimal(round(math.exp(rng.gauss(13.0, 1.1)), -2))
    return tables["markets"].add(
        public_id=new_uuid(rng), structure_id=structure.pk, buyer_id=buyer["id"], reference=f"{year}-{number + 1:05d}",
        title=f"{rng.choice(titles)} — {buyer['city']}", nature=nature, sector=sector,
        legal_basis=pick(rng, LEGAL_BASES), estimated_amount_ht=amount, status=status,
        publication_date=attribution - timedelta(days=rng.randrange(40, 120)),
        expected_attribution_date=attribution, attribution_date=attribution_date,
        notification_date=attribution_date and attribution_date + timedelta(days=rng.randrange(5, 30)),
        start_date=start, end_date=end, city=buyer["city"], postcode=buyer["postcode"],
        target_publics=[TargetPublic.DELD, TargetPublic.JEUNES, TargetPublic.MINIMA_SOCIAUX],
    )  # fmt: skip


def _lot_count(rng):
    draw = rng.random()
    return 1 if draw < 0.9 else 2 if draw < 0.97 else rng.randrange(3, 6)


def _lot(rng, tables, market, number):
    trade = rng.choice(SECTORS[market["sector"]][2])
    # Committed hours: log-normal, median about 270 h, mean about 420 h; the field holds at most 9 999.99 h.
    required = min(Decimal("9999"), Decimal(round(math.exp(rng.gauss(5.6, 0.95)))))
    return tables["lots"].add(
        public_id=new_uuid(rng), market_id=market["id"], number=number, title=f"Lot {number} — {Trade(trade).label}",
        trade=trade, amount_ht=market["estimated_amount_ht"], required_hours=required, _market=market,
    )  # fmt: skip


def _award(rng, tables, lot, company, role, committed):
    return tables["awards"].add(
        public_id=new_uuid(rng), lot_id=lot["id"], company_id=company["id"], role=role, amount_ht=lot["amount_ht"],
        hours_committed=hours(committed), _lot=lot,
    )  # fmt: skip


# --- People, contracts and hours ------------------------------------------------------------------------------


def _people_and_hours(rng, plan, tables, structure, staff, awards, inclusive, temping, written):
    people, seen_diagnoses = [], {}
    facilitators = staff["facilitators"]
    this_month = month_start(plan.today)
    hour_rows = tables["hours"]
    first_entry = len(hour_rows.rows)
    for award in awards:
        lot = award["_lot"]
        market = lot["_market"]
        if market["start_date"] > plan.today:
            continue
        span = max(1, (market["end_date"] - market["start_date"]).days)
        elapsed = (min(plan.today, market["end_date"]) - market["start_date"]).days
        progress = min(1.0, max(0.0, elapsed / span))
        target = float(award["hours_committed"]) * rng.uniform(*REALISATION) * progress
        if target < 20:
            continue
        if inclusive and rng.random() < 0.05:
            # Part of the obligation subcontracted to an inclusive company: hours without a participant.
            sub_hours = target * 0.3
            target -= sub_hours
            subcontractor = rng.choice(inclusive)
            months = max(1, min(6, int(sub_hours // 150) + 1))
            first = month_start(market["start_date"])
            for m in range(months):
                month = first + relativedelta(months=m)
                if month > this_month:
                    break
                hour_rows.add(
                    public_id=new_uuid(rng), award_id=award["id"], subcontractor_id=subcontractor["id"], month=month,
                    kind=HourKind.SOUS_TRAITANCE, hours=hours(sub_hours / months), source=HourSource.RELEVE_ENTREPRISE,
                )  # fmt: skip
        while target >= 20:
            contract_hours = min(target, max(35.0, math.exp(rng.gauss(6.4, 0.7))))
            target -= contract_hours
            person = _person_for(rng, tables, structure, staff, people, market)
            contract = _contract(rng, plan, tables, structure, person, award, market, contract_hours, temping)
            if contract is None:
                continue
            written.contracts += 1
            key = (person["id"], market["id"])
            if key not in seen_diagnoses:
                seen_diagnoses[key] = tables["diagnoses"].add(
                    public_id=new_uuid(rng), participant_id=person["id"], market_id=market["id"],
                    assessed_on=market["attribution_date"], eligible=True, criteria_met=person["_criteria"],
                    valid_until=market["attribution_date"] + relativedelta(years=2),
                    assessed_by_id=rng.choice(facilitators).pk, assessed_at=contract["created_at"],
                )  # fmt: skip
            assignment = tables["assignments"].add(
                public_id=new_uuid(rng), contract_id=contract["id"], award_id=award["id"],
                counts=rng.random() < 0.97, diagnosis_id=seen_diagnoses[key]["id"], checked_at=contract["created_at"],
            )  # fmt: skip
            for entry in contract["_hours"]:
                entry["assignment_id"] = assignment["id"]
    entries = hour_rows.rows[first_entry:]
    written.participants, written.hour_entries = len(people), len(entries)
    written.hours = sum((entry["hours"] for entry in entries), Decimal(0))


def _person_for(rng, tables, structure, staff, people, market):
    """A new person, or (about one contract in four) someone the structure already follows."""
    if people and rng.random() > 1 / CONTRACTS_PER_PERSON:
        return people[-rng.randrange(1, min(len(people), 400) + 1)]
    sex = Sex.FEMME if rng.random() < 0.28 else Sex.HOMME
    criterion = pick(rng, CRITERIA)
    age = 19 + int(rng.random() ** 1.4 * 43) if criterion != CriterionCode.JEUNE else rng.randrange(18, 26)
    if criterion == CriterionCode.SENIOR:
        age = rng.randrange(50, 63)
    reference = market["start_date"]
    first, last = rng.choice(FIRST_NAMES[sex]), rng.choice(LAST_NAMES)
    city, postcode, _ = rng.choice(CITIES) if rng.random() < 0.2 else (structure.city, structure.postcode, "")
    qpv = rng.random() < 0.35
    referent = f"{rng.choice(FIRST_NAMES[Sex.FEMME])} {rng.choice(LAST_NAMES)}"
    person = tables["people"].add(
        public_id=new_uuid(rng), structure_id=structure.pk, last_name=last, first_name=first,
        birth_date=reference - timedelta(days=age * 365 + rng.randrange(365)), sex=sex,
        name_key=name_key(last, first), postcode=postcode, city=city, qpv_resident=qpv,
        qualification_level=pick(rng, {QualificationLevel.SANS: 35, QualificationLevel.NIVEAU_3: 35,
                                       QualificationLevel.NIVEAU_4: 20, QualificationLevel.NIVEAU_5: 10}),
        registration_date=reference - timedelta(days=rng.randrange(200, 1500)),
        social_benefit={CriterionCode.RSA: SocialBenefit.RSA, CriterionCode.ASS: SocialBenefit.ASS,
                        CriterionCode.AAH: SocialBenefit.AAH}.get(criterion, ""),
        rqth=criterion == CriterionCode.RQTH, refugee=criterion == CriterionCode.REFUGIE,
        under_justice=criterion == CriterionCode.JUSTICE, siae_employee=criterion == CriterionCode.SIAE,
        referent_organisation_id=rng.choice(structure.prescribers).pk, referent_name=referent,
        created_by_id=rng.choice(staff["facilitators"]).pk,
        _criteria=[criterion] + ([CriterionCode.QPV] if qpv else []),
    )  # fmt: skip
    people.append(person)
    tables["consents"].add(
        public_id=new_uuid(rng), participant_id=person["id"], method=ConsentMethod.ECRIT, collected_by_name=referent,
        given_on=reference - timedelta(days=rng.randrange(10, 60)),
    )  # fmt: skip
    return person


def _contract(rng, plan, tables, structure, person, award, market, contract_hours, temping):
    """A contract on one award and its hours month by month, from its start until its hours are done."""
    contract_type = pick(rng, CONTRACT_TYPES)
    interim = contract_type in (ContractType.INTERIM, ContractType.CTTI) and temping
    weekly = pick(rng, WEEKLY_HOURS)
    monthly = float(weekly) * 52 / 12
    window = (min(plan.today, market["end_date"]) - market["start_date"]).days
    start = market["start_date"] + timedelta(days=rng.randrange(max(1, window - 20)))
    this_month = month_start(plan.today)
    training = contract_type in (ContractType.APPRENTISSAGE, ContractType.PROFESSIONNALISATION)
    source = HourSource.RELEVE_ETTI if interim else HourSource.RELEVE_ENTREPRISE
    rows, left, month, day = [], contract_hours, month_start(start), start
    while left > 0.5 and month <= this_month:
        following = next_month(month)
        worked = round(min(left, monthly * rng.uniform(0.85, 1.0) * min(1.0, (following - day).days / 30)) * 2) / 2
        if worked <= 0:
            break
        rows.append(
            tables["hours"].add(
                public_id=new_uuid(rng), award_id=award["id"], month=month, kind=HourKind.TRAVAIL,
                hours=hours(worked), source=source,
            )
        )  # fmt: skip
        if training and rng.random() < 0.5:
            rows.append(
                tables["hours"].add(
                    public_id=new_uuid(rng), award_id=award["id"], month=month, kind=HourKind.FORMATION,
                    hours=hours(round(worked * 0.2)), source=HourSource.RELEVE_ENTREPRISE,
                )
            )  # fmt: skip
        left -= worked
        month = day = following
    if not rows:
        return None
    last_day = next_month(rows[-1]["month"]) - timedelta(days=1)
    ended = left <= 0.5 and last_day < plan.today
    planned_end = max(start, last_day if ended else plan.today + relativedelta(months=rng.randrange(1, 7)))
    job, rome = JOBS.get(award["_lot"]["trade"], JOBS[Trade.AUTRE])
    created = timezone.make_aware(datetime.combine(start, time(9)))
    contract = tables["contracts"].add(
        public_id=new_uuid(rng), structure_id=structure.pk, participant_id=person["id"],
        employer_id=rng.choice(temping)["id"] if interim else award["company_id"], company_id=award["company_id"],
        contract_type=contract_type,
        modality=ContractModality.MISSION_INTERIM if interim else ContractModality.EMBAUCHE_DIRECTE,
        start_date=start, planned_end_date=None if contract_type == ContractType.CDI else planned_end,
        actual_end_date=max(start, last_day) if ended else None,
        end_reason=pick(rng, {EndReason.TERME: 85, EndReason.DEMISSION: 5, EndReason.ABANDON: 5,
                              EndReason.RUPTURE_ESSAI: 5}) if ended else "",
        weekly_hours=weekly, job_title=job, rome_code=rome, created_by_id=person["created_by_id"],
        created_at=created, updated_at=created, _hours=rows,
    )  # fmt: skip
    return contract
