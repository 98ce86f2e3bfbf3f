from django.db import models


class OrganisationKind(models.TextChoices):
    FACILITATION = "facilitation", "structure porteuse (facilitation)"
    PRESCRIPTEUR = "prescripteur", "prescripteur"
    FINANCEUR = "financeur", "financeur ou institution"
    RESEAU = "reseau", "tête de réseau (nationale ou régionale)"
    AUTRE = "autre", "autre partenaire"


class StructureType(models.TextChoices):
    """What kind of body carries the facilitation (only for OrganisationKind.FACILITATION)."""

    PLIE = "plie", "PLIE"
    MDE = "mde", "Maison de l'emploi"
    COLLECTIVITE = "collectivite", "collectivité territoriale"
    EPCI = "epci", "intercommunalité (EPCI)"
    ASSOCIATION = "association", "association"
    GIP = "gip", "GIP"
    AUTRE = "autre", "autre"


class PrescriberType(models.TextChoices):
    """Sub-type of a prescriber organisation (only for OrganisationKind.PRESCRIPTEUR)."""

    FRANCE_TRAVAIL = "france_travail", "France Travail"
    MISSION_LOCALE = "mission_locale", "Mission Locale"
    CAP_EMPLOI = "cap_emploi", "Cap emploi"
    PLIE = "plie", "PLIE"
    CONSEIL_DEPARTEMENTAL = "conseil_departemental", "conseil départemental"
    SPIP = "spip", "SPIP (service pénitentiaire d'insertion et de probation)"
    PJJ = "pjj", "PJJ (protection judiciaire de la jeunesse)"
    SIAE = "siae", "SIAE (structure d'insertion par l'activité économique)"
    CCAS = "ccas", "CCAS / CIAS"
    ASSOCIATION = "association", "association"
    AUTRE = "autre", "autre prescripteur"


class Role(models.TextChoices):
    FACILITATEUR = "facilitateur", "facilitateur"
    PRESCRIPTEUR = "prescripteur", "prescripteur"
    COMITE = "comite", "membre de comité"
    ADMIN = "admin", "administrateur"
    RESEAU = "reseau", "administrateur de réseau"


# Which roles a membership may have in each kind of organisation.
ROLES_BY_ORGANISATION_KIND = {
    OrganisationKind.FACILITATION: (Role.FACILITATEUR, Role.ADMIN, Role.COMITE),
    OrganisationKind.PRESCRIPTEUR: (Role.PRESCRIPTEUR,),
    OrganisationKind.RESEAU: (Role.RESEAU,),
    OrganisationKind.FINANCEUR: (),
    OrganisationKind.AUTRE: (),
}


class Region(models.TextChoices):
    """French regions by INSEE code."""

    AUVERGNE_RHONE_ALPES = "84", "Auvergne-Rhône-Alpes"
    BOURGOGNE_FRANCHE_COMTE = "27", "Bourgogne-Franche-Comté"
    BRETAGNE = "53", "Bretagne"
    CENTRE_VAL_DE_LOIRE = "24", "Centre-Val de Loire"
    CORSE = "94", "Corse"
    GRAND_EST = "44", "Grand Est"
    HAUTS_DE_FRANCE = "32", "Hauts-de-France"
    ILE_DE_FRANCE = "11", "Île-de-France"
    NORMANDIE = "28", "Normandie"
    NOUVELLE_AQUITAINE = "75", "Nouvelle-Aquitaine"
    OCCITANIE = "76", "Occitanie"
    PAYS_DE_LA_LOIRE = "52", "Pays de la Loire"
    PROVENCE_ALPES_COTE_D_AZUR = "93", "Provence-Alpes-Côte d'Azur"
    GUADELOUPE = "01", "Guadeloupe"
    MARTINIQUE = "02", "Martinique"
    GUYANE = "03", "Guyane"
    LA_REUNION = "04", "La Réunion"
    MAYOTTE = "06", "Mayotte"
