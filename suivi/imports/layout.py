"""The column layout of an import: each column's French name, when to fill it in, what it holds, and the
headers that mean it; the limits of a file."""

import re
import unicodedata
from dataclasses import dataclass

from suivi.enums import HourKind

MAX_FILE_SIZE = 5 * 1024 * 1024
MAX_ROWS = 5000  # rows holding hours
MAX_SCANNED_ROWS = 100_000  # rows read, empty ones included (a sheet formatted down to its millionth row)
MAX_COLUMNS = 60
MAX_UNCOMPRESSED_SIZE = 60 * 1024 * 1024  # what the ZIP of an XLSX may hold once inflated
HEADER_SEARCH_ROWS = 10

XLSX = "xlsx"
CSV = "csv"

# --- The column layout ----------------------------------------------------------------------------------------

STOP_WORDS = {"de", "du", "des", "d", "l", "la", "le", "les", "en", "a", "au", "aux", "par", "pour"}


def header_key(value):
    """'Heures de formation (h)' → 'heures formation': case, accents, punctuation, brackets and small words
    do not matter."""
    # A header or a name is short: the cut keeps the bracket removal linear on any cell.
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", str(value or "")[:200])
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(word for word in text.split() if word not in STOP_WORDS)


@dataclass(frozen=True)
class Column:
    key: str
    name: str  # as written in the template
    when: str  # when to fill it in
    explanation: str
    example: str
    synonyms: tuple = ()

    @property
    def keys(self):
        return {header_key(self.name), *(header_key(s) for s in self.synonyms)}


COLUMNS = (
    Column(
        "month", "Mois", "obligatoire",
        "Le mois des heures : 10/2026, 2026-10, « octobre 2026 » ou une date du mois. La colonne peut manquer "
        "si vous choisissez le mois au moment d'envoyer le fichier.",
        "10/2026",
        ("mois concerne", "mois heures", "mois annee", "periode", "mois realisation", "mois travail", "date"),
    ),
    Column(
        "last_name", "Nom", "pour une personne",
        "Le nom de la personne, tel qu'enregistré dans sa fiche (majuscules, accents et tirets indifférents).",
        "DUPONT",
        ("nom famille", "nom naissance", "nom usage", "nom salarie", "nom participant", "nom beneficiaire",
         "nom personne"),
    ),
    Column(
        "first_name", "Prénom", "pour une personne", "Son prénom.", "Karim",
        ("prenoms", "prenom salarie", "prenom participant", "prenom beneficiaire", "prenom personne"),
    ),
    Column(
        "birth_date", "Date de naissance", "conseillée",
        "JJ/MM/AAAA. Elle distingue deux personnes de même nom : sans elle, le nom doit suffire.",
        "03/05/1990",
        ("naissance", "ne le", "nee le", "ne e le", "date naiss", "ddn"),
    ),
    Column(
        "company_siret", "SIRET entreprise", "si besoin",
        "Le SIRET de l'entreprise où la personne travaille (l'entreprise utilisatrice, pas l'agence d'intérim) ; "
        "pour des heures sous-traitées, celui de l'entreprise qui sous-traite. Les espaces sont acceptés. "
        "Nécessaire quand la personne a plusieurs contrats le même mois.",
        "123 456 789 00012",
        ("siret", "siret titulaire", "siret attributaire", "siret entreprise utilisatrice",
         "siret entreprise titulaire"),
    ),
    Column(
        "market", "Marché", "si besoin",
        "La référence du marché, telle qu'enregistrée dans Clauses. Nécessaire quand le contrat sert plusieurs "
        "marchés, et pour des heures sous-traitées.",
        "2026-TRX-014",
        ("reference marche", "ref marche", "n marche", "numero marche", "reference", "ref", "operation",
         "reference operation", "marche public"),
    ),
    Column(
        "lot", "Lot", "si besoin",
        "Le numéro du lot. Inutile quand le marché n'a qu'un lot ou que le contrat ne sert qu'un lot de ce marché.",
        "2",
        ("n lot", "numero lot", "no lot", "lot n"),
    ),
    Column(
        "worked", "Heures travaillées", "une colonne d'heures au moins",
        "Les heures travaillées dans le mois : 151,67 ou 7h30. Une cellule vide ne change rien.",
        "151,67",
        ("heures", "heures travail", "nombre heures", "nb heures", "heures realisees", "heures effectuees",
         "heures insertion", "heures travaillees mois"),
    ),
    Column(
        "training", "Heures de formation", "une colonne d'heures au moins",
        "Les heures de formation du mois, s'il y en a.",
        "14",
        ("formation", "heures formation", "nb heures formation", "nombre heures formation"),
    ),
    Column(
        "subcontractor_siret", "SIRET sous-traitant", "pour la sous-traitance",
        "Pour des heures confiées à une SIAE (EI, ETTI, AI, ACI) ou à une EA / un ESAT, sans personne nommée : "
        "le SIRET de cette structure. Laissez alors Nom et Prénom vides.",
        "987 654 321 00019",
        ("siret siae", "siret ea", "siret structure insertion", "siret sous traitance"),
    ),
    Column(
        "subcontracted", "Heures sous-traitées", "pour la sous-traitance",
        "Les heures réalisées par ce sous-traitant dans le mois, pour le marché et le lot de la ligne.",
        "120",
        ("heures sous traitance", "sous traitance", "heures siae", "heures sous traitant"),
    ),
)  # fmt: skip
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
HOUR_COLUMNS = {"worked": HourKind.TRAVAIL, "training": HourKind.FORMATION, "subcontracted": HourKind.SOUS_TRAITANCE}
HEADER = [column.name for column in COLUMNS]

RULES = (
    "Le fichier est un classeur Excel (.xlsx) ou un fichier CSV (séparateur point-virgule ou virgule), "
    f"de {MAX_FILE_SIZE // 1024 // 1024} Mo au plus.",
    "Seule la première feuille du classeur qui porte les en-têtes est lue.",
    f"Les en-têtes sont cherchés dans les {HEADER_SEARCH_ROWS} premières lignes : un titre au-dessus du tableau "
    "ne gêne pas.",
    "L'ordre des colonnes est libre ; les colonnes inconnues (remarques, totaux…) sont ignorées.",
    "Les lignes vides, les lignes sans heures et les lignes de total sont ignorées.",
    f"{MAX_ROWS:,} lignes d'heures au plus par fichier.".replace(",", "\u202f"),
    "Une cellule d'heures vide ne change rien : pour corriger des heures, écrivez la bonne valeur, 0 au besoin.",
)


def column_of(key):
    for column in COLUMNS:
        if key in column.keys:
            return column.key
    return None
