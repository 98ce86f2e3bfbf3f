from django.db import models


class OfferStatus(models.TextChoices):
    BROUILLON = "brouillon", "brouillon"
    PUBLIEE = "publiee", "publiée"
    POURVUE = "pourvue", "pourvue"
    CLOTUREE = "cloturee", "clôturée"


OFFER_TONES = {
    OfferStatus.BROUILLON: "secondary",
    OfferStatus.PUBLIEE: "primary",
    OfferStatus.POURVUE: "success",
    OfferStatus.CLOTUREE: "secondary",
}

# What may follow each status of an offer.
OFFER_TRANSITIONS = {
    OfferStatus.BROUILLON: (OfferStatus.PUBLIEE, OfferStatus.CLOTUREE),
    OfferStatus.PUBLIEE: (OfferStatus.POURVUE, OfferStatus.CLOTUREE, OfferStatus.BROUILLON),
    OfferStatus.POURVUE: (OfferStatus.PUBLIEE, OfferStatus.CLOTUREE),
    OfferStatus.CLOTUREE: (OfferStatus.PUBLIEE,),
}


class OfferRequirement(models.TextChoices):
    """Exigences particulières of the liaison form (seed 001)."""

    PERMIS_B = "permis_b", "permis B"
    VEHICULE = "vehicule", "véhicule personnel"
    PERMIS_POIDS_LOURD = "permis_pl", "permis poids lourd (C, CE)"
    CACES = "caces", "CACES"
    HABILITATION_ELECTRIQUE = "habilitation_electrique", "habilitation électrique"
    TRAVAIL_EXTERIEUR = "exterieur", "travail en extérieur"
    TRAVAIL_HAUTEUR = "hauteur", "travail en hauteur"
    PORT_CHARGES = "charges", "port de charges"
    HORAIRES_DECALES = "horaires_decales", "horaires décalés ou coupés"
    DEPLACEMENTS = "deplacements", "déplacements sur plusieurs chantiers"


class ExperienceLevel(models.TextChoices):
    DEBUTANT = "debutant", "débutant accepté"
    SIX_MOIS = "6_mois", "6 mois d'expérience"
    UN_AN = "1_an", "1 an d'expérience"
    DEUX_ANS = "2_ans", "2 ans d'expérience et plus"


class ContractType(models.TextChoices):
    CDI = "cdi", "CDI"
    CDD = "cdd", "CDD"
    CDDI = "cddi", "CDDI (contrat à durée déterminée d'insertion)"
    CTTI = "ctti", "CTTI (contrat de travail temporaire d'insertion)"
    INTERIM = "interim", "contrat de mission (intérim)"
    CUI_PEC = "cui_pec", "CUI – Parcours emploi compétences"
    USAGE = "usage", "contrat d'usage (association intermédiaire)"
    APPRENTISSAGE = "apprentissage", "contrat d'apprentissage"
    PROFESSIONNALISATION = "professionnalisation", "contrat de professionnalisation"
    AUTRE = "autre", "autre"


# R-ELIG-4: hours of these contracts count only under conditions.
WORK_STUDY_CONTRACTS = (ContractType.APPRENTISSAGE, ContractType.PROFESSIONNALISATION)
# Contracts without a planned end.
OPEN_ENDED_CONTRACTS = (ContractType.CDI,)


class ContractModality(models.TextChoices):
    """How the person works for the company holding the obligation."""

    EMBAUCHE_DIRECTE = "embauche_directe", "embauche directe par l'entreprise"
    MISSION_INTERIM = "mission_interim", "mission d'intérim (ETT ou ETTI)"
    MISE_A_DISPOSITION = "mise_a_disposition", "mise à disposition (AI, GEIQ, groupement d'employeurs)"


class EndReason(models.TextChoices):
    TERME = "terme", "arrivée au terme"
    RUPTURE_ESSAI = "rupture_essai", "rupture pendant la période d'essai"
    DEMISSION = "demission", "démission"
    RUPTURE_CONVENTIONNELLE = "rupture_conventionnelle", "rupture conventionnelle ou anticipée d'un commun accord"
    LICENCIEMENT = "licenciement", "licenciement"
    ABANDON = "abandon", "abandon de poste"
    AUTRE = "autre", "autre"


class PositioningStatus(models.TextChoices):
    PROPOSE = "propose", "proposé"
    PRESENTE = "presente", "présenté à l'employeur"
    RETENU = "retenu", "retenu"
    NON_RETENU = "non_retenu", "non retenu"


POSITIONING_TONES = {
    PositioningStatus.PROPOSE: "info",
    PositioningStatus.PRESENTE: "primary",
    PositioningStatus.RETENU: "success",
    PositioningStatus.NON_RETENU: "secondary",
}
POSITIONING_OPEN = (PositioningStatus.PROPOSE, PositioningStatus.PRESENTE)


class NonRetentionReason(models.TextChoices):
    PROFIL = "profil", "profil ne correspondant pas au poste"
    EXPERIENCE = "experience", "expérience ou qualification insuffisante"
    ENTRETIEN = "entretien", "entretien non concluant"
    ABSENT = "absent", "candidat absent à l'entretien"
    DESISTEMENT = "desistement", "le candidat s'est désisté"
    POSTE_POURVU = "poste_pourvu", "poste pourvu par un autre candidat"
    ELIGIBILITE = "eligibilite", "éligibilité à la clause non confirmée"
    MOBILITE = "mobilite", "contraintes de mobilité ou d'horaires"
    AUTRE = "autre", "autre raison (précisée dans le message)"


class RecontactMethod(models.TextChoices):
    """How the référent of a former beneficiary was told before a new positioning (R-RECONTACT)."""

    TELEPHONE = "telephone", "par téléphone"
    EMAIL = "email", "par e-mail"
    RENDEZ_VOUS = "rendez_vous", "lors d'un rendez-vous"


class HourKind(models.TextChoices):
    TRAVAIL = "travail", "heures travaillées"
    FORMATION = "formation", "heures de formation"
    SOUS_TRAITANCE = "sous_traitance", "heures sous-traitées (SIAE, EA)"


PERSON_KINDS = (HourKind.TRAVAIL, HourKind.FORMATION)


class HourSource(models.TextChoices):
    RELEVE_ENTREPRISE = "releve_entreprise", "relevé de l'entreprise"
    RELEVE_ETTI = "releve_etti", "relevé de l'agence d'intérim (ETT, ETTI)"
    IMPORT = "import", "import d'un tableau de suivi"
    SAISIE = "saisie", "saisie par le facilitateur"


class ImportStatus(models.TextChoices):
    EN_ATTENTE = "en_attente", "en attente de confirmation"
    APPLIQUE = "applique", "importé"
    ABANDONNE = "abandonne", "abandonné"
