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


# --- Follow-up during and after the clause (R-SEQ, R-INCIDENT, R-REFERENT, R-OUTCOME) ---------------------------


class HandoffKind(models.TextChoices):
    """The passages de relais of R-SEQ and R-RECONTACT."""

    ENTREE = "entree", "entrée dans la clause"
    RETOUR = "retour", "retour au référent en fin de clause"
    RECONTACT = "recontact", "recontact d'un ancien bénéficiaire"


class HandoffStatus(models.TextChoices):
    A_ENVOYER = "a_envoyer", "à envoyer"
    ENVOYE = "envoye", "envoyé, en attente d'accusé"
    ACCUSE = "accuse", "réception confirmée"
    ANNULE = "annule", "annulé"


HANDOFF_TONES = {
    HandoffStatus.A_ENVOYER: "warning",
    HandoffStatus.ENVOYE: "info",
    HandoffStatus.ACCUSE: "success",
    HandoffStatus.ANNULE: "secondary",
}


class HandoffDocument(models.TextChoices):
    """Documents handed over with a passage de relais."""

    CV = "cv", "CV"
    FICHE_NAVETTE = "fiche_navette", "fiche navette"
    JUSTIFICATIFS = "justificatifs", "justificatifs d'éligibilité"
    CONTRAT = "contrat", "contrat de travail"
    BILAN_COMPETENCES = "bilan_competences", "document de suivi des compétences"
    ATTESTATION = "attestation", "attestation d'heures ou de fin de contrat"


class FollowUpKind(models.TextChoices):
    VISITE = "visite", "visite de chantier"
    TELEPHONE = "telephone", "point téléphonique"
    REUNION = "reunion", "réunion sur site"
    INCIDENT = "incident", "incident"


# R-RESERVED: when the employer structure runs the follow-up, only incidents are recorded by the facilitator.
PLANNED_FOLLOW_UP = (FollowUpKind.VISITE, FollowUpKind.TELEPHONE, FollowUpKind.REUNION)


class IncidentType(models.TextChoices):
    SOUFFRANCE = "souffrance", "souffrance au travail"
    CONFLIT = "conflit", "conflit avec l'encadrement ou l'équipe"
    ABSENCES = "absences", "absences ou retards répétés"
    SECURITE = "securite", "sécurité, accident du travail"
    SANTE = "sante", "arrêt de travail ou poste à aménager"
    MOBILITE = "mobilite", "mobilité, transport"
    SITUATION = "situation", "situation personnelle (logement, garde, finances)"
    CONDITIONS = "conditions", "conditions de travail non conformes"
    AUTRE = "autre", "autre difficulté"


class Severity(models.TextChoices):
    FAIBLE = "faible", "faible"
    MOYENNE = "moyenne", "moyenne"
    GRAVE = "grave", "grave"
    URGENTE = "urgente", "urgente"


SEVERITY_TONES = {
    Severity.FAIBLE: "secondary",
    Severity.MOYENNE: "warning",
    Severity.GRAVE: "danger",
    Severity.URGENTE: "danger",
}


class ReviewMoment(models.TextChoices):
    DEBUT = "debut", "début de contrat"
    FIN = "fin", "fin de contrat"


class SkillArea(models.TextChoices):
    TECHNIQUE = "technique", "savoir-faire techniques"
    SAVOIR_ETRE = "savoir_etre", "savoir-être professionnels"
    SECURITE = "securite", "sécurité et règles du chantier"


class SkillLevel(models.IntegerChoices):
    NON_ACQUIS = 1, "non acquis"
    EN_COURS = 2, "en cours d'acquisition"
    ACQUIS = 3, "acquis"
    MAITRISE = 4, "maîtrisé"


# The skills every start-of-contract document proposes; the job's own skills are added by the facilitator.
DEFAULT_SKILLS = (
    (SkillArea.SAVOIR_ETRE, "Ponctualité et assiduité"),
    (SkillArea.SAVOIR_ETRE, "Respect des consignes et de la hiérarchie"),
    (SkillArea.SAVOIR_ETRE, "Travail en équipe"),
    (SkillArea.SAVOIR_ETRE, "Communication avec les collègues et les clients"),
    (SkillArea.SECURITE, "Port des équipements de protection individuelle"),
    (SkillArea.SECURITE, "Respect des règles de sécurité du site"),
    (SkillArea.TECHNIQUE, "Utilisation des outils et du matériel"),
    (SkillArea.TECHNIQUE, "Qualité et finition du travail"),
    (SkillArea.TECHNIQUE, "Autonomie dans les tâches confiées"),
)


class OutcomeCategory(models.TextChoices):
    """R-OUTCOME: the kinds of sortie the buyers' bilans count."""

    EMPLOI_DURABLE = "emploi_durable", "emploi durable"
    EMPLOI_TRANSITION = "emploi_transition", "emploi de transition"
    SORTIE_POSITIVE = "sortie_positive", "sortie positive"
    AUTRE = "autre", "autre situation"


OUTCOME_TONES = {
    OutcomeCategory.EMPLOI_DURABLE: "success",
    OutcomeCategory.EMPLOI_TRANSITION: "primary",
    OutcomeCategory.SORTIE_POSITIVE: "info",
    OutcomeCategory.AUTRE: "secondary",
}


class Situation(models.TextChoices):
    """A person's situation at the end of the clause or at a check, each in one R-OUTCOME category."""

    CDI = "cdi", "CDI"
    CDD_LONG = "cdd_long", "CDD de 6 mois ou plus"
    INTERIM_LONG = "interim_long", "intérim de 6 mois ou plus"
    CREATION = "creation", "création ou reprise d'entreprise"
    FONCTION_PUBLIQUE = "fonction_publique", "titularisation dans la fonction publique"
    CDD_COURT = "cdd_court", "CDD de moins de 6 mois"
    INTERIM_COURT = "interim_court", "intérim de moins de 6 mois"
    CONTRAT_AIDE = "contrat_aide", "contrat aidé (CUI-PEC, CDDI, alternance…)"
    FORMATION = "formation", "formation pré-qualifiante ou qualifiante"
    AUTRE_SIAE = "autre_siae", "embauche dans une autre SIAE"
    RECHERCHE = "recherche", "en recherche d'emploi"
    INACTIVITE = "inactivite", "inactivité (santé, famille…)"
    DEMENAGEMENT = "demenagement", "déménagement hors du territoire"
    SANS_NOUVELLES = "sans_nouvelles", "sans nouvelles"
    AUTRE = "autre", "autre situation"


SITUATION_CATEGORY = {
    Situation.CDI: OutcomeCategory.EMPLOI_DURABLE,
    Situation.CDD_LONG: OutcomeCategory.EMPLOI_DURABLE,
    Situation.INTERIM_LONG: OutcomeCategory.EMPLOI_DURABLE,
    Situation.CREATION: OutcomeCategory.EMPLOI_DURABLE,
    Situation.FONCTION_PUBLIQUE: OutcomeCategory.EMPLOI_DURABLE,
    Situation.CDD_COURT: OutcomeCategory.EMPLOI_TRANSITION,
    Situation.INTERIM_COURT: OutcomeCategory.EMPLOI_TRANSITION,
    Situation.CONTRAT_AIDE: OutcomeCategory.EMPLOI_TRANSITION,
    Situation.FORMATION: OutcomeCategory.SORTIE_POSITIVE,
    Situation.AUTRE_SIAE: OutcomeCategory.SORTIE_POSITIVE,
    Situation.RECHERCHE: OutcomeCategory.AUTRE,
    Situation.INACTIVITE: OutcomeCategory.AUTRE,
    Situation.DEMENAGEMENT: OutcomeCategory.AUTRE,
    Situation.SANS_NOUVELLES: OutcomeCategory.AUTRE,
    Situation.AUTRE: OutcomeCategory.AUTRE,
}

# R-OUTCOME: the situation is checked 6, 12, 18 and 24 months after the first clause contract.
CHECK_MONTHS = (6, 12, 18, 24)


class CheckStatus(models.TextChoices):
    A_FAIRE = "a_faire", "à faire"
    FAIT = "fait", "fait"
    INJOIGNABLE = "injoignable", "personne injoignable"
