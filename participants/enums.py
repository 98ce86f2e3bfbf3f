from django.db import models


class Sex(models.TextChoices):
    FEMME = "F", "femme"
    HOMME = "M", "homme"


class QualificationLevel(models.TextChoices):
    """Niveaux du cadre national des certifications (2019)."""

    SANS = "sans", "sans diplôme (niveaux 1 et 2)"
    NIVEAU_3 = "3", "niveau 3 (CAP, BEP)"
    NIVEAU_4 = "4", "niveau 4 (baccalauréat)"
    NIVEAU_5 = "5", "niveau 5 (bac + 2)"
    NIVEAU_6 = "6", "niveau 6 (licence, bac + 3)"
    NIVEAU_7 = "7", "niveau 7 et plus (master, doctorat)"


# "Peu qualifié" for the young people's criterion: at most a CAP or BEP.
LOW_QUALIFICATION = (QualificationLevel.SANS, QualificationLevel.NIVEAU_3)


class SocialBenefit(models.TextChoices):
    AUCUN = "", "aucun"
    RSA = "rsa", "RSA"
    ASS = "ass", "ASS (allocation de solidarité spécifique)"
    AAH = "aah", "AAH (allocation aux adultes handicapés)"


class Obstacle(models.TextChoices):
    """Freins périphériques à l'emploi: a short fixed list, no health detail (RGPD)."""

    MOBILITE = "mobilite", "mobilité (permis, véhicule, transports)"
    GARDE_ENFANTS = "garde_enfants", "garde d'enfants"
    LOGEMENT = "logement", "logement"
    LANGUE = "langue", "maîtrise du français"
    NUMERIQUE = "numerique", "usages numériques"
    FINANCES = "finances", "situation financière"
    ADMINISTRATIF = "administratif", "démarches administratives"


class ConsentMethod(models.TextChoices):
    ECRIT = "ecrit", "formulaire signé"
    ORAL = "oral", "accord oral, recueilli et noté par le conseiller"
    EMAIL = "email", "accord par e-mail"


class ViewKind(models.TextChoices):
    """What a logged view of a participant's record was (`ParticipantViewLog`)."""

    FICHE = "fiche", "fiche de la personne"
    PARCOURS = "parcours", "frise du parcours"
    JUSTIFICATIF = "justificatif", "téléchargement d'un justificatif"
    DIAGNOSTIC = "diagnostic", "diagnostic d'éligibilité"
    COMPETENCES = "competences", "suivi des compétences"
    EXPORT_JSON = "export_json", "export des données (JSON)"
    EXPORT_PDF = "export_pdf", "export des données (PDF)"
    ADMIN = "admin", "fiche dans l'administration technique"


# Version of the information text given to the person (participants/templates/…/information.html).
INFORMATION_VERSION = "2026-11"


class CriterionCode(models.TextChoices):
    """The criteria the eligibility engine knows how to judge (participants.eligibility.facts_hold)."""

    DELD = "deld", "demandeur d'emploi de longue durée"
    DETLD = "detld", "demandeur d'emploi de très longue durée"
    RSA = "rsa", "bénéficiaire du RSA"
    ASS = "ass", "bénéficiaire de l'ASS"
    AAH = "aah", "bénéficiaire de l'AAH"
    RQTH = "rqth", "travailleur handicapé"
    JEUNE = "jeune", "jeune de moins de 26 ans"
    SENIOR = "senior", "demandeur d'emploi de 50 ans et plus"
    JUSTICE = "justice", "personne sous main de justice"
    REFUGIE = "refugie", "réfugié ou protection subsidiaire"
    SIAE = "siae", "salarié d'une SIAE"
    QPV = "qpv", "résident d'un QPV"


class ProofKind(models.TextChoices):
    IDENTITE = "identite", "pièce d'identité"
    TITRE_SEJOUR = "titre_sejour", "titre de séjour ou décision OFPRA"
    ATTESTATION_FRANCE_TRAVAIL = "france_travail", "attestation d'inscription France Travail"
    ATTESTATION_CAF = "caf", "attestation CAF ou MSA (RSA)"
    ATTESTATION_ASS = "ass", "attestation de paiement de l'ASS"
    NOTIFICATION_AAH = "aah", "notification AAH"
    NOTIFICATION_RQTH = "rqth", "notification RQTH (MDPH)"
    DOMICILE = "domicile", "justificatif de domicile"
    ATTESTATION_SIAE = "siae", "attestation d'emploi en SIAE ou PASS IAE"
    ATTESTATION_JUSTICE = "justice", "attestation du SPIP ou de la PJJ"
    DIPLOME = "diplome", "diplôme ou attestation de niveau"
    FICHE_2_IAE = "fiche_2", "fiche n°2 IAE (critères d'agrément)"
    CV = "cv", "CV"
    AUTRE = "autre", "autre document"


class ProofStatus(models.TextChoices):
    A_VERIFIER = "a_verifier", "à vérifier"
    VERIFIE = "verifie", "vérifié"
    REFUSE = "refuse", "refusé"


class ReferralStatus(models.TextChoices):
    BROUILLON = "brouillon", "brouillon"
    SOUMISE = "soumise", "envoyée"
    EN_VERIFICATION = "en_verification", "en vérification"
    A_COMPLETER = "a_completer", "à compléter"
    ACCEPTEE = "acceptee", "acceptée"
    REFUSEE = "refusee", "refusée"


REFERRAL_TONES = {
    ReferralStatus.BROUILLON: "secondary",
    ReferralStatus.SOUMISE: "info",
    ReferralStatus.EN_VERIFICATION: "primary",
    ReferralStatus.A_COMPLETER: "warning",
    ReferralStatus.ACCEPTEE: "success",
    ReferralStatus.REFUSEE: "danger",
}

# What the prescriber may still change.
REFERRAL_EDITABLE = (ReferralStatus.BROUILLON, ReferralStatus.A_COMPLETER)
# Waiting for the facilitator.
REFERRAL_PENDING = (ReferralStatus.SOUMISE, ReferralStatus.EN_VERIFICATION)


class RefusalReason(models.TextChoices):
    NON_ELIGIBLE = "non_eligible", "ne relève pas des publics de la clause"
    PAS_DE_BESOIN = "pas_de_besoin", "aucun besoin de recrutement adapté à venir"
    PROJET = "projet", "projet professionnel éloigné des métiers proposés"
    INJOIGNABLE = "injoignable", "candidat injoignable ou plus intéressé"
    DOUBLON = "doublon", "candidat déjà suivi par la structure"
    AUTRE = "autre", "autre raison (précisée dans le message)"
