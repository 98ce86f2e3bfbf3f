from django.db import models


class BuyerType(models.TextChoices):
    COMMUNE = "commune", "commune"
    EPCI = "epci", "intercommunalité (EPCI)"
    DEPARTEMENT = "departement", "département"
    REGION = "region", "région"
    ETAT = "etat", "État – services déconcentrés"
    ETABLISSEMENT_PUBLIC_NATIONAL = "etablissement_public_national", "établissement public national"
    BAILLEUR_SOCIAL = "bailleur_social", "bailleur social"
    SEM = "sem", "société d'économie mixte (SEM)"
    ENTREPRISE_PUBLIQUE = "entreprise_publique", "entreprise publique"
    SECURITE_SOCIALE = "securite_sociale", "organisme de sécurité sociale"
    ETABLISSEMENT_SANTE = "etablissement_sante", "établissement de santé"
    ENTREPRISE_PRIVEE = "entreprise_privee", "entreprise privée"
    AUTRE = "autre", "autre"


class MarketNature(models.TextChoices):
    TRAVAUX = "travaux", "travaux"
    SERVICES = "services", "services"
    FOURNITURES = "fournitures", "fournitures"


class MarketStatus(models.TextChoices):
    PROGRAMME = "programme", "programmé"
    CONSULTATION = "consultation", "en consultation"
    ATTRIBUE = "attribue", "attribué"
    EXECUTION = "execution", "en exécution"
    TERMINE = "termine", "terminé"
    ABANDONNE = "abandonne", "abandonné"


# Not yet attributed: the programmation (anticipation) view lists these.
NOT_YET_ATTRIBUTED = (MarketStatus.PROGRAMME, MarketStatus.CONSULTATION)
# Attributed and not abandoned: these carry obligations.
ATTRIBUTED = (MarketStatus.ATTRIBUE, MarketStatus.EXECUTION, MarketStatus.TERMINE)

STATUS_TONES = {
    MarketStatus.PROGRAMME: "secondary",
    MarketStatus.CONSULTATION: "info",
    MarketStatus.ATTRIBUE: "info",
    MarketStatus.EXECUTION: "primary",
    MarketStatus.TERMINE: "success",
    MarketStatus.ABANDONNE: "secondary",
}


class LegalBasis(models.TextChoices):
    """Legal basis of the social clause in the Code de la commande publique."""

    L2112_2 = "L2112-2", "L2112-2 — condition d'exécution"
    R2152_7 = "R2152-7", "R2152-7 — critère d'attribution"
    L2113_12 = "L2113-12", "L2113-12 — marché réservé EA / ESAT"
    L2113_13 = "L2113-13", "L2113-13 — marché réservé SIAE"
    L2113_15 = "L2113-15", "L2113-15 — marché réservé ESS"
    R2123_1 = "R2123-1", "R2123-1 — marché d'insertion et de qualification"
    AUTRE = "autre", "autre"


RESERVED_BASES = (LegalBasis.L2113_12, LegalBasis.L2113_13, LegalBasis.L2113_15)


class Sector(models.TextChoices):
    BATIMENT = "batiment", "bâtiment"
    TRAVAUX_PUBLICS = "travaux_publics", "travaux publics et voirie"
    ESPACES_VERTS = "espaces_verts", "espaces verts et environnement"
    PROPRETE = "proprete", "propreté et nettoyage"
    DECHETS = "dechets", "collecte et traitement des déchets"
    RESTAURATION = "restauration", "restauration collective"
    TRANSPORT = "transport", "transport et logistique"
    SECURITE = "securite", "sécurité et gardiennage"
    SERVICES_PERSONNE = "services_personne", "services à la personne"
    INFORMATIQUE = "informatique", "informatique et numérique"
    FOURNITURES = "fournitures", "fournitures et équipements"
    AUTRE = "autre", "autre"


class QpvLocation(models.TextChoices):
    DANS = "dans", "dans un QPV"
    PROCHE = "proche", "à proximité d'un QPV"
    HORS = "hors", "hors QPV"


class TargetPublic(models.TextChoices):
    """The publics of the clause (seed 003, fiche 1). The eligibility criteria of `participants` refer to them."""

    DELD = "deld", "demandeurs d'emploi de longue durée (12 mois et plus)"
    DETLD = "detld", "demandeurs d'emploi de très longue durée (24 mois et plus)"
    MINIMA_SOCIAUX = "minima_sociaux", "bénéficiaires des minima sociaux (RSA, ASS, AAH…)"
    RQTH = "rqth", "travailleurs handicapés (RQTH)"
    JEUNES = "jeunes", "jeunes de moins de 26 ans peu qualifiés ou sans expérience"
    SENIORS = "seniors", "demandeurs d'emploi de 50 ans et plus"
    JUSTICE = "justice", "personnes sous main de justice"
    REFUGIES = "refugies", "réfugiés et bénéficiaires de la protection subsidiaire"
    SIAE = "siae", "salariés d'une SIAE"


class CompanyKind(models.TextChoices):
    CLASSIQUE = "classique", "entreprise classique"
    EI = "ei", "entreprise d'insertion (EI)"
    ETTI = "etti", "entreprise de travail temporaire d'insertion (ETTI)"
    AI = "ai", "association intermédiaire (AI)"
    ACI = "aci", "atelier et chantier d'insertion (ACI)"
    EA = "ea", "entreprise adaptée (EA)"
    ESAT = "esat", "ESAT"
    GEIQ = "geiq", "groupement d'employeurs pour l'insertion et la qualification (GEIQ)"
    REGIE = "regie", "régie de quartier"
    ETT = "ett", "entreprise de travail temporaire (ETT)"
    GE = "ge", "groupement d'employeurs"
    AUTRE = "autre", "autre"


# Structures whose own staff follow the person (R-RESERVED) and whose subcontracted hours count (R-HRS-1).
INCLUSIVE_KINDS = (
    CompanyKind.EI,
    CompanyKind.ETTI,
    CompanyKind.AI,
    CompanyKind.ACI,
    CompanyKind.EA,
    CompanyKind.ESAT,
    CompanyKind.GEIQ,
    CompanyKind.REGIE,
)


class CompanySize(models.TextChoices):
    TPE = "tpe", "moins de 10 salariés"
    PME = "pme", "10 à 249 salariés"
    ETI = "eti", "250 à 4 999 salariés"
    GE = "ge", "5 000 salariés et plus"


class AwardRole(models.TextChoices):
    TITULAIRE = "titulaire", "titulaire"
    COTRAITANT = "cotraitant", "cotraitant"
    SOUS_TRAITANT = "sous_traitant", "sous-traitant"


class Trade(models.TextChoices):
    """Trade (corps d'état or service) of a lot: drives the calibration presets and the GPEC view."""

    GROS_OEUVRE = "gros_oeuvre", "gros œuvre, maçonnerie"
    DEMOLITION = "demolition", "démolition, désamiantage"
    VRD = "vrd", "VRD, terrassement, voirie"
    CHARPENTE_METALLIQUE = "charpente_metallique", "charpente et structure métallique"
    CHARPENTE_BOIS = "charpente_bois", "charpente bois, ossature"
    COUVERTURE = "couverture", "couverture, étanchéité"
    FACADES = "facades", "façades, ravalement"
    MENUISERIE = "menuiserie", "menuiseries intérieures et extérieures"
    SERRURERIE = "serrurerie", "serrurerie, métallerie"
    PLATRERIE = "platrerie", "plâtrerie, cloisons, isolation"
    PEINTURE = "peinture", "peinture intérieure, revêtements muraux"
    SOLS = "sols", "carrelage, sols souples"
    ELECTRICITE = "electricite", "électricité"
    PLOMBERIE_CVC = "plomberie_cvc", "plomberie, chauffage, ventilation"
    ESPACES_VERTS_TRAVAUX = "espaces_verts_travaux", "aménagement paysager"
    NETTOYAGE = "nettoyage", "nettoyage, propreté des locaux"
    ENTRETIEN_ESPACES_VERTS = "entretien_espaces_verts", "entretien des espaces verts"
    COLLECTE_DECHETS = "collecte_dechets", "collecte des déchets"
    RESTAURATION = "restauration", "restauration collective"
    GARDIENNAGE = "gardiennage", "gardiennage, accueil"
    TRANSPORT = "transport", "transport, livraison"
    FOURNITURE_POSE = "fourniture_pose", "fourniture avec pose ou installation"
    FOURNITURE = "fourniture", "fourniture seule"
    INTELLECTUEL = "intellectuel", "prestations intellectuelles"
    AUTRE = "autre", "autre"
