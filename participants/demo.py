"""Demo participants, consents, proofs, diagnoses and fiches navettes (used by `manage.py seed_demo`). Idempotent.

Everything is drawn from `random.Random(2027)` into a plan laid out around the day (`today`): about 200 people
followed by the two demo structures, their proofs (small generated PDFs, no real personal data), eligibility
diagnoses on the markets of the marches demo, and about 60 fiches navettes in every status, sent by counsellors
of the structures' prescribers. The writes go through `participants.services`, as the views do, so that the
checks run and every status change of a fiche is logged; the dates of what happened (sent, returned, verified…)
are then moved back to the plan's days.

Running the seed twice the same day changes nothing: each object is looked up by its natural key first (a person
by structure, name and birth date; a fiche by structure, prescriber, name and birth date; a proof by its owner,
kind and file name; a diagnosis by participant and market). Birth dates are fixed (drawn back from
`BIRTH_REFERENCE`), so a later day finds the same people: it only adds what is missing and leaves the rest as it
is, like a real file that ages (attestations get old, drafts wait).
"""

import random
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from django.utils import timezone

from clauses.accounts.demo import DEMO_DOMAIN, PARTNERS, PEOPLE, upsert
from clauses.accounts.enums import OrganisationKind, PrescriberType, Role
from clauses.accounts.models import Membership, User
from marches.enums import NOT_YET_ATTRIBUTED, MarketStatus, TargetPublic, Trade
from marches.models import Market
from participants import eligibility, services
from participants.enums import (
    ConsentMethod,
    Obstacle,
    ProofKind,
    ProofStatus,
    QualificationLevel,
    ReferralStatus,
    RefusalReason,
    Sex,
    SocialBenefit,
)
from participants.models import (
    Consent,
    EligibilityCriterion,
    EligibilityDiagnosis,
    Participant,
    Proof,
    Referral,
    ReferralEvent,
    name_key,
)

SEED = 2027
# Birth dates are part of a person's natural key: drawn back from a fixed day, not from `today`.
BIRTH_REFERENCE = date(2026, 9, 1)
PEOPLE_PER_STRUCTURE = {"sud_loire": 143, "val_de_somme": 48}
# Proofs of these kinds must be at most three months old on the day they are judged (migration 0002).
SHORT_LIVED = {
    ProofKind.ATTESTATION_FRANCE_TRAVAIL,
    ProofKind.ATTESTATION_CAF,
    ProofKind.ATTESTATION_ASS,
    ProofKind.ATTESTATION_JUSTICE,
    ProofKind.ATTESTATION_SIAE,
    ProofKind.DOMICILE,
}

# --- Prescribers' counsellors ---------------------------------------------------------------------------------

COUNSELLORS = [
    # e-mail (local part), first name, last name, job title, organisation, days since the last login
    ("sandrine.joly", "Sandrine", "Joly", "Référente insertion RSA",
     "Département de Loire-Atlantique — délégation Nantes", 3),
    ("yann.lefloch", "Yann", "Le Floch", "Conseiller en insertion professionnelle",
     "Chantier d'insertion Les Ateliers de l'Erdre", 5),
    ("fatou.ndiaye", "Fatou", "Ndiaye", "Accompagnatrice socioprofessionnelle", "Association Tremplin Emploi Rezé", 1),
    ("nicolas.fournier", "Nicolas", "Fournier", "Conseiller emploi, accompagnement global",
     "France Travail Nantes Est", 4),
    ("ines.bouzid", "Inès", "Bouzid", "Conseillère en insertion professionnelle",
     "Mission Locale Nantes Métropole", 2),
    ("mathilde.leroux", "Mathilde", "Leroux", "Conseillère en insertion professionnelle",
     "Mission Locale Amiens Somme", 2),
    ("david.lemoine", "David", "Lemoine", "Chargé d'accompagnement", "Cap emploi Somme", 6),
    ("sylvain.devaux", "Sylvain", "Devaux", "Conseiller emploi", "France Travail Amiens Nord", 8),
]  # fmt: skip

# --- Names ----------------------------------------------------------------------------------------------------

ORIGINS = {
    # origin: (men's first names, women's first names, last names)
    "france": (
        ["Thomas", "Nicolas", "Julien", "Kévin", "Anthony", "Jérémy", "Maxime", "Alexandre", "Romain", "Florian",
         "Dylan", "Enzo", "Lucas", "Hugo", "Théo", "Mathis", "Baptiste", "Quentin", "Jordan", "Steven", "Cédric",
         "Sébastien", "Frédéric", "Laurent", "Pascal", "Thierry", "Patrick", "Didier", "Philippe", "Jean-Marc",
         "Éric", "Franck", "Joël", "Gilles", "Stéphane", "Ludovic", "Grégory", "Arnaud", "Mickaël", "Jonathan",
         "Fabrice", "Olivier", "Bruno", "Alain", "Dominique", "Tony", "Rudy", "Killian", "Loïc", "Yannick"],
        ["Julie", "Émilie", "Aurélie", "Céline", "Sandrine", "Nathalie", "Stéphanie", "Laetitia", "Jessica", "Manon",
         "Léa", "Chloé", "Océane", "Marine", "Mélanie", "Christelle", "Martine", "Sylvie", "Brigitte", "Kelly",
         "Virginie", "Audrey", "Vanessa", "Coralie", "Mégane", "Alison"],
        ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon",
         "Laurent", "Lefèvre", "Michel", "David", "Bertrand", "Roux", "Vincent", "Morel", "Girard", "André",
         "Mercier", "Dupont", "Bonnet", "François", "Legrand", "Faure", "Rousseau", "Blanc", "Guérin", "Muller",
         "Henry", "Roussel", "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Fontaine", "Chevalier", "Robin",
         "Masson", "Marchand", "Duval", "Denis", "Brunet", "Barbier", "Giraud", "Renard", "Gaillard", "Picard",
         "Collin", "Meunier", "Boyer", "Royer"],
    ),
    "maghreb": (
        ["Mohamed", "Karim", "Mehdi", "Yassine", "Sofiane", "Bilal", "Nabil", "Rachid", "Samir", "Hicham", "Walid",
         "Farid", "Mourad", "Khalid", "Ayoub", "Anis", "Ilyes", "Nassim", "Redouane", "Adel"],
        ["Fatima", "Samira", "Nadia", "Leïla", "Yasmina", "Sarah", "Amel", "Sonia", "Houda", "Malika", "Khadija",
         "Nora"],
        ["Bensaïd", "Haddad", "Cherif", "Mansouri", "Amrani", "Belkacem", "Zerrouki", "El Idrissi", "Benkhaled",
         "Boukhari", "Bouazza", "Hamdi", "Meziane", "Saïdi", "Brahimi", "Khelifi", "Ouali", "Taleb", "Aït Ali",
         "Belhadj", "Chaouch", "Ferhat", "Benyahia", "Lahlou"],
    ),
    "afrique": (
        ["Ibrahima", "Mamadou", "Moussa", "Ousmane", "Abdoulaye", "Seydou", "Cheikh", "Youssouf", "Boubacar",
         "Lamine", "Souleymane", "Alpha", "Idrissa", "Modibo", "Serge", "Jean-Baptiste", "Christian", "Prince"],
        ["Fatoumata", "Aminata", "Awa", "Kadiatou", "Mariam", "Aïssatou", "Hawa", "Rokia", "Grâce", "Ruth"],
        ["Diallo", "Traoré", "Diop", "Koné", "Camara", "Sow", "Cissé", "Keïta", "Touré", "Fofana", "Sylla", "Bamba",
         "Coulibaly", "Kouassi", "Mbemba", "Nsimba", "Kabongo", "Sissoko", "Konaté", "Baldé", "Barry", "Bah"],
    ),
    "portugal": (
        ["João", "Paulo", "Ricardo", "Manuel", "Tiago", "Rui", "Nuno", "Carlos"],
        ["Maria", "Ana", "Sofia", "Catarina", "Cristina"],
        ["Da Silva", "Ferreira", "Pereira", "Rodrigues", "Gonçalves", "Fernandes", "Lopes", "Teixeira", "Martins",
         "Carvalho", "Dos Santos", "Oliveira"],
    ),
    "turquie": (
        ["Emre", "Mehmet", "Hakan", "Murat", "Burak", "Kemal", "Serkan"],
        ["Elif", "Zeynep", "Ayşe", "Emine"],
        ["Yilmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk", "Aydın", "Arslan", "Doğan"],
    ),
    "europe_est": (
        ["Marius", "Andrei", "Bogdan", "Florin", "Dragan", "Milan", "Piotr", "Tomasz"],
        ["Ioana", "Elena", "Agnieszka", "Irina"],
        ["Popescu", "Ionescu", "Dumitru", "Stoica", "Kowalski", "Nowak", "Petrović", "Jovanović"],
    ),
    "asie": (
        ["Duc", "Minh", "Tuan", "Sokha", "Vanna"],
        ["Thi Lan", "Mai", "Linh", "Sophea"],
        ["Nguyen", "Tran", "Pham", "Chea", "Sok", "Vong"],
    ),
    # People who came as refugees (Afghanistan, Sudan, Eritrea, Syria)
    "exil": (
        ["Ahmad", "Omar", "Mustafa", "Tesfay", "Yonas", "Abdelaziz", "Idriss", "Mohammad", "Jawad", "Samiullah",
         "Haroun", "Yohannes", "Hamid", "Khaled", "Abdallah"],
        ["Rahel", "Nour", "Hiba", "Zahra", "Saba", "Marwa", "Selam"],
        ["Haidari", "Ahmadi", "Rahimi", "Osman", "Tesfaye", "Ibrahim", "Hassan", "Mohammadi", "Hussaini",
         "Alkhalil", "Haile", "Gebremedhin", "Yousif", "Abakar", "Noorzai"],
    ),
}  # fmt: skip
REGIONAL_LAST_NAMES = {
    "sud_loire": ["Le Gall", "Le Goff", "Le Roux", "Kerboul", "Tanguy", "Guillou", "Le Bihan", "Jaouen", "Hamon",
                  "Cadiou", "Bodin", "Pineau", "Rialland", "Hervouet", "Chiron", "Sorin", "Audrain", "Thébaud"],
    "val_de_somme": ["Vasseur", "Delattre", "Leclercq", "Lemaire", "Dufour", "Boulanger", "Delamotte", "Poiret",
                     "Lecomte", "Flament", "Devos", "Dewailly", "Caron", "Lenglet", "Bocquet", "Delahaye",
                     "Mortier", "Wattebled"],
}  # fmt: skip
ORIGIN_WEIGHTS = {
    "sud_loire": {"france": 48, "maghreb": 20, "afrique": 15, "portugal": 5, "turquie": 3, "europe_est": 5, "asie": 4},
    "val_de_somme": {"france": 55, "maghreb": 18, "afrique": 12, "portugal": 4, "turquie": 4, "europe_est": 6,
                     "asie": 1},
}  # fmt: skip

# --- Places ---------------------------------------------------------------------------------------------------

COMMUNES = {
    # (commune, postcode, weight)
    "sud_loire": [("Nantes", "44000", 6), ("Nantes", "44100", 6), ("Nantes", "44200", 4), ("Nantes", "44300", 6),
                  ("Rezé", "44400", 6), ("Saint-Herblain", "44800", 6), ("Orvault", "44700", 3),
                  ("Bouguenais", "44340", 3), ("Saint-Sébastien-sur-Loire", "44230", 3), ("Vertou", "44120", 2),
                  ("Couëron", "44220", 2), ("Carquefou", "44470", 1), ("La Chapelle-sur-Erdre", "44240", 1),
                  ("Bouaye", "44830", 1), ("Sainte-Luce-sur-Loire", "44980", 1)],
    "val_de_somme": [("Amiens", "80000", 8), ("Amiens", "80080", 6), ("Amiens", "80090", 5),
                     ("Longueau", "80330", 2), ("Camon", "80450", 2), ("Rivery", "80136", 1),
                     ("Salouël", "80480", 1), ("Corbie", "80800", 1)],
}  # fmt: skip
QPVS = {
    # (quartier prioritaire, commune, postcode)
    "sud_loire": [("Bellevue", "Nantes", "44100"), ("Bellevue", "Saint-Herblain", "44800"),
                  ("Malakoff", "Nantes", "44000"), ("Les Dervallières", "Nantes", "44100"),
                  ("Le Breil", "Nantes", "44100"), ("Nantes Nord", "Nantes", "44300"),
                  ("Bottière - Pin Sec", "Nantes", "44300"), ("Clos Toreau", "Nantes", "44200"),
                  ("Château", "Rezé", "44400"), ("Plaisance", "Orvault", "44700"),
                  ("Le Sillon de Bretagne", "Saint-Herblain", "44800")],
    "val_de_somme": [("Nord-Amiens", "Amiens", "80080"), ("Étouvie", "Amiens", "80080"),
                     ("Pierre Rollin", "Amiens", "80090"), ("Marcel Pagnol", "Amiens", "80090")],
}  # fmt: skip

# --- Situations -----------------------------------------------------------------------------------------------

# How many people of each situation, per 100, and what each needs to prove it (one kind per requirement).
PROFILE_WEIGHTS = {
    "deld": 15, "detld": 11, "rsa": 12, "ass": 4, "aah": 4, "rqth": 8, "jeune": 18, "senior": 8, "justice": 6,
    "refugie": 6, "siae": 5, "hors": 3,
}  # fmt: skip
PROFILE_PUBLIC = {
    "deld": TargetPublic.DELD,
    "detld": TargetPublic.DETLD,
    "rsa": TargetPublic.MINIMA_SOCIAUX,
    "ass": TargetPublic.MINIMA_SOCIAUX,
    "aah": TargetPublic.MINIMA_SOCIAUX,
    "rqth": TargetPublic.RQTH,
    "jeune": TargetPublic.JEUNES,
    "senior": TargetPublic.SENIORS,
    "justice": TargetPublic.JUSTICE,
    "refugie": TargetPublic.REFUGIES,
    "siae": TargetPublic.SIAE,
    "hors": "",
}
K = ProofKind
PROFILE_PROOFS = {
    "deld": [K.ATTESTATION_FRANCE_TRAVAIL],
    "detld": [K.ATTESTATION_FRANCE_TRAVAIL],
    "rsa": [K.ATTESTATION_CAF],
    "ass": [K.ATTESTATION_ASS],
    "aah": [K.NOTIFICATION_AAH],
    "rqth": [K.NOTIFICATION_RQTH],
    "jeune": [K.IDENTITE],
    "senior": [K.IDENTITE, K.ATTESTATION_FRANCE_TRAVAIL],
    "justice": [K.ATTESTATION_JUSTICE],
    "refugie": [K.TITRE_SEJOUR],
    "siae": [K.ATTESTATION_SIAE],
    "hors": [],
}
FEMALE_SHARE = {"rsa": 0.45, "aah": 0.3, "ass": 0.3, "justice": 0.08, "refugie": 0.2}
OBSTACLE_WEIGHTS = {
    "refugie": {Obstacle.LANGUE: 6, Obstacle.ADMINISTRATIF: 5, Obstacle.LOGEMENT: 3, Obstacle.MOBILITE: 3},
    "justice": {Obstacle.LOGEMENT: 5, Obstacle.ADMINISTRATIF: 3, Obstacle.FINANCES: 3, Obstacle.MOBILITE: 3},
    "jeune": {Obstacle.MOBILITE: 6, Obstacle.FINANCES: 2, Obstacle.LOGEMENT: 2, Obstacle.NUMERIQUE: 1},
    "rsa": {Obstacle.FINANCES: 5, Obstacle.GARDE_ENFANTS: 4, Obstacle.MOBILITE: 4, Obstacle.NUMERIQUE: 2},
    "senior": {Obstacle.NUMERIQUE: 5, Obstacle.MOBILITE: 2, Obstacle.FINANCES: 2},
}
DEFAULT_OBSTACLES = {
    Obstacle.MOBILITE: 5, Obstacle.FINANCES: 3, Obstacle.NUMERIQUE: 2, Obstacle.LOGEMENT: 2,
    Obstacle.GARDE_ENFANTS: 2, Obstacle.ADMINISTRATIF: 2, Obstacle.LANGUE: 1,
}  # fmt: skip

# Which prescriber usually follows whom (by prescriber type); the first one that the structure has is used.
REFERENTS = {
    "deld": [(PrescriberType.FRANCE_TRAVAIL, 7), (PrescriberType.ASSOCIATION, 3)],
    "detld": [(PrescriberType.FRANCE_TRAVAIL, 7), (PrescriberType.ASSOCIATION, 3)],
    "senior": [(PrescriberType.FRANCE_TRAVAIL, 1)],
    "ass": [(PrescriberType.FRANCE_TRAVAIL, 1)],
    "hors": [(PrescriberType.FRANCE_TRAVAIL, 1)],
    "rsa": [(PrescriberType.CONSEIL_DEPARTEMENTAL, 7), (PrescriberType.ASSOCIATION, 3)],
    "aah": [(PrescriberType.CAP_EMPLOI, 1)],
    "rqth": [(PrescriberType.CAP_EMPLOI, 1)],
    "jeune": [(PrescriberType.MISSION_LOCALE, 1)],
    "justice": [(PrescriberType.SPIP, 1)],
    "refugie": [(PrescriberType.ASSOCIATION, 6), (PrescriberType.FRANCE_TRAVAIL, 4)],
    "siae": [(PrescriberType.SIAE, 1)],
}
# Whom each kind of prescriber sends in a fiche navette.
PRESCRIBER_PROFILES = {
    PrescriberType.FRANCE_TRAVAIL: ["deld", "deld", "detld", "senior", "ass", "hors"],
    PrescriberType.MISSION_LOCALE: ["jeune"],
    PrescriberType.CAP_EMPLOI: ["rqth", "rqth", "aah"],
    PrescriberType.SPIP: ["justice"],
    PrescriberType.CONSEIL_DEPARTEMENTAL: ["rsa"],
    PrescriberType.SIAE: ["siae"],
    PrescriberType.ASSOCIATION: ["refugie", "rsa", "deld", "detld", "hors"],
}

NOTES = [
    "Disponible immédiatement, y compris en horaires décalés.",
    "Permis B en cours de financement (aide à la mobilité demandée).",
    "Ne peut pas commencer avant 9 h (garde d'enfants) : à revoir en janvier.",
    "A obtenu le CACES R482 (engins de chantier) pendant son parcours.",
    "Souhaite un poste accessible en tram ou en bus.",
    "Bonne expérience de chantier : à positionner en priorité sur un poste de manœuvre.",
    "Atelier de français à visée professionnelle en cours, deux matinées par semaine.",
    "A fait une immersion concluante chez un titulaire ; l'entreprise est prête à le revoir.",
    "Attend la réponse d'une formation qualifiante : point à faire le mois prochain.",
]

# --- Fiches navettes ------------------------------------------------------------------------------------------

REFERRALS_PER_PRESCRIBER = {
    "France Travail Nantes Est": 9,
    "Mission Locale Nantes Métropole": 8,
    "Cap emploi Loire-Atlantique": 5,
    "SPIP de Loire-Atlantique": 4,
    "Département de Loire-Atlantique — délégation Nantes": 7,
    "Chantier d'insertion Les Ateliers de l'Erdre": 4,
    "Association Tremplin Emploi Rezé": 5,
    "France Travail Amiens Nord": 8,
    "Mission Locale Amiens Somme": 6,
    "Cap emploi Somme": 4,
}
REFERRAL_STATUSES = {
    ReferralStatus.BROUILLON: 8,
    ReferralStatus.SOUMISE: 10,
    ReferralStatus.EN_VERIFICATION: 9,
    ReferralStatus.A_COMPLETER: 10,
    ReferralStatus.ACCEPTEE: 14,
    ReferralStatus.REFUSEE: 9,
}
LINKED_ACCEPTED = 4  # accepted fiches of people the structure already follows (found by name and birth date)
RETURNED_THEN_ACCEPTED = 3
REFUSAL_CYCLE = [
    RefusalReason.PAS_DE_BESOIN,
    RefusalReason.INJOIGNABLE,
    RefusalReason.PROJET,
    RefusalReason.AUTRE,
    RefusalReason.PAS_DE_BESOIN,
    RefusalReason.INJOIGNABLE,
]
RETURN_CYCLE = ["missing", "stale", "missing", "motivation", "missing"]

TRADES = {
    # trade: (jobs, weight for men, weight for women)
    Trade.GROS_OEUVRE: (["Aide-maçon", "Manœuvre bâtiment", "Coffreur bancheur"], 8, 1),
    Trade.VRD: (["Manœuvre TP", "Aide-canalisateur", "Ouvrier de voirie"], 7, 1),
    Trade.PEINTURE: (["Peintre en bâtiment", "Aide-peintre"], 4, 3),
    Trade.PLATRERIE: (["Plaquiste", "Aide-plaquiste"], 3, 1),
    Trade.ELECTRICITE: (["Aide-électricien", "Électricien"], 3, 1),
    Trade.MENUISERIE: (["Poseur de menuiseries"], 2, 1),
    Trade.NETTOYAGE: (["Agent de propreté", "Agent d'entretien", "Laveur de vitres"], 4, 8),
    Trade.ENTRETIEN_ESPACES_VERTS: (["Ouvrier paysagiste", "Agent d'entretien des espaces verts"], 4, 3),
    Trade.RESTAURATION: (["Commis de cuisine", "Agent de restauration"], 2, 4),
    Trade.GARDIENNAGE: (["Agent de sécurité", "Agent d'accueil"], 2, 2),
    Trade.COLLECTE_DECHETS: (["Ripeur", "Agent de collecte"], 3, 1),
}
# The trade as said in a sentence ("aucun recrutement en … n'est prévu").
TRADE_NAMES = {
    Trade.GROS_OEUVRE: "gros œuvre",
    Trade.VRD: "travaux publics",
    Trade.PEINTURE: "peinture",
    Trade.PLATRERIE: "plâtrerie",
    Trade.ELECTRICITE: "électricité",
    Trade.MENUISERIE: "menuiserie",
    Trade.NETTOYAGE: "propreté",
    Trade.ENTRETIEN_ESPACES_VERTS: "entretien des espaces verts",
    Trade.RESTAURATION: "restauration collective",
    Trade.GARDIENNAGE: "sécurité et accueil",
    Trade.COLLECTE_DECHETS: "collecte des déchets",
    Trade.AUTRE: "vente",
}
EXPERIENCE = {
    Trade.GROS_OEUVRE: "{Il} a déjà travaillé comme aide-maçon en intérim et connaît les règles de sécurité sur "
    "chantier.",
    Trade.VRD: "{Il} a une première expérience de manœuvre sur un chantier de voirie et souhaite passer le CACES.",
    Trade.PEINTURE: "{Il} a fait une immersion de deux semaines chez un peintre, avec un très bon retour de "
    "l'entreprise.",
    Trade.PLATRERIE: "Intéressé{e} par le métier de plaquiste, {il} a validé une période de mise en situation en "
    "milieu professionnel.",
    Trade.ELECTRICITE: "{Il} a suivi une préqualification aux métiers de l'électricité et veut la mettre en pratique.",
    Trade.MENUISERIE: "{Il} a acquis de bonnes bases en menuiserie lors d'un chantier d'insertion.",
    Trade.NETTOYAGE: "{Il} a déjà travaillé comme agent d'entretien et accepte les horaires décalés.",
    Trade.ENTRETIEN_ESPACES_VERTS: "{Il} a travaillé deux saisons en maraîchage et aime le travail en extérieur.",
    Trade.RESTAURATION: "{Il} a travaillé en plonge et en préparation froide dans une cuisine collective.",
    Trade.GARDIENNAGE: "{Il} prépare le titre d'agent de prévention et de sécurité et cherche un premier poste.",
    Trade.COLLECTE_DECHETS: "Prêt{e} à commencer tôt le matin, {il} a déjà remplacé un ripeur pendant un été.",
    Trade.AUTRE: "{Il} souhaite travailler dans la vente et a fait un stage en grande surface.",
}
SCHOOL = {
    QualificationLevel.SANS: "sorti{e} de l'école sans diplôme",
    QualificationLevel.NIVEAU_3: "titulaire d'un CAP mais sans expérience professionnelle",
    QualificationLevel.NIVEAU_4: "sans emploi ni formation depuis l'obtention de son bac professionnel",
}
SITUATION = {
    "deld": "{Il} est inscrit{e} à France Travail depuis {months} mois et cherche un emploi durable.",
    "detld": "Inscrit{e} à France Travail depuis {months} mois, {il} a enchaîné des missions courtes sans "
    "parvenir à se stabiliser.",
    "rsa": "Bénéficiaire du RSA, {il} est accompagné{e} par le Département et souhaite reprendre une activité "
    "salariée.",
    "ass": "{Il} perçoit l'ASS après une longue période de chômage et veut retrouver un poste stable.",
    "aah": "Bénéficiaire de l'AAH, {il} a construit avec son conseiller un projet compatible avec sa situation.",
    "rqth": "Reconnu{e} travailleur handicapé, {il} recherche un poste adapté, validé avec son conseiller.",
    "jeune": "À {age} ans, {school}, {il} est suivi{e} dans le cadre du contrat d'engagement jeune.",
    "senior": "À {age} ans, après vingt ans dans l'industrie et un licenciement économique, {il} veut mettre son "
    "expérience au service d'un chantier.",
    "justice": "Suivi{e} par le SPIP dans le cadre d'un aménagement de peine, {il} doit justifier d'une activité "
    "professionnelle.",
    "refugie": "Réfugié{e} statutaire, {il} suit des cours de français et a une expérience professionnelle dans "
    "son pays d'origine.",
    "siae": "Salarié{e} en parcours d'insertion sur notre chantier depuis {months_siae} mois, {il} est prêt{e} à "
    "passer en entreprise.",
    "hors": "Inscrit{e} à France Travail depuis quelques mois, {il} cherche un emploi rapidement.",
}
READINESS = [
    "Disponible immédiatement, {il} est très motivé{e} par un poste sur les chantiers clausés du territoire.",
    "{Il} est ponctuel{le}, fiable et s'est pleinement investi{e} dans l'accompagnement.",
    "Le projet est validé ; {il} attend une opportunité pour démarrer.",
    "{Il} a participé à l'information collective sur la clause sociale et souhaite être positionné{e}.",
]
CONSTRAINT = {
    Obstacle.MOBILITE: "Sans permis, {il} se déplace en transports en commun : un poste accessible en tram ou en "
    "bus serait idéal.",
    Obstacle.GARDE_ENFANTS: "{Il} cherche une solution de garde pour pouvoir commencer tôt le matin.",
    Obstacle.LANGUE: "Son niveau de français suffit pour les consignes de sécurité ; les cours se poursuivent.",
    Obstacle.LOGEMENT: "{Il} est hébergé{e} temporairement ; une demande de logement est en cours.",
}
MISSING_MESSAGES = {
    K.ATTESTATION_FRANCE_TRAVAIL: "Merci de joindre l'attestation France Travail de moins de trois mois.",
    K.ATTESTATION_CAF: "Merci de joindre l'attestation CAF de moins de trois mois qui mentionne le RSA.",
    K.ATTESTATION_ASS: "Merci de joindre l'attestation de paiement de l'ASS de moins de trois mois.",
    K.NOTIFICATION_AAH: "Merci de joindre la notification d'AAH en cours de validité.",
    K.NOTIFICATION_RQTH: "La notification RQTH n'est pas jointe : merci de l'ajouter (la page de décision suffit).",
    K.IDENTITE: "Merci de joindre une pièce d'identité en cours de validité (recto verso).",
    K.TITRE_SEJOUR: "Merci de joindre le titre de séjour ou la décision de l'OFPRA en cours de validité.",
    K.ATTESTATION_JUSTICE: "Merci de joindre l'attestation du SPIP de moins de trois mois.",
    K.ATTESTATION_SIAE: "Merci de joindre l'attestation d'emploi en SIAE ou le PASS IAE : la fiche n°2 seule ne "
    "suffit pas.",
}
STALE_MESSAGE = "L'{document} jointe date de plus de trois mois : merci d'en joindre une plus récente."
# The attestations as named in a sentence
ATTESTATIONS = {
    K.ATTESTATION_FRANCE_TRAVAIL: "attestation France Travail",
    K.ATTESTATION_CAF: "attestation CAF",
    K.ATTESTATION_ASS: "attestation de paiement de l'ASS",
    K.ATTESTATION_JUSTICE: "attestation du SPIP",
    K.ATTESTATION_SIAE: "attestation d'emploi en SIAE",
    K.DOMICILE: "attestation de domicile",
}
MOTIVATION_MESSAGE = (
    "Merci de préciser le projet professionnel et les disponibilités {du candidat} (horaires, mobilité) : "
    "en l'état, nous ne pouvons pas {la} positionner sur un poste."
)
ACCEPT_MESSAGES = [
    "Candidature retenue : {le candidat} sera reçu{e} la semaine prochaine par notre chargée de relations "
    "entreprises. Merci pour la qualité de la fiche.",
    "Fiche complète, merci. {Le candidat} rejoint notre vivier et sera proposé{e} au prochain recrutement en {trade}.",
    "Bienvenue dans le dispositif : premier rendez-vous fixé avec {le candidat}. Nous vous tiendrons informé du "
    "positionnement.",
]
REFUSAL_MESSAGES = {
    RefusalReason.NON_ELIGIBLE: "{Le candidat} n'entre pas à ce jour dans les publics de la clause (inscription "
    "récente, pas de minimum social). Nous pourrons réexaminer sa situation dans quelques mois.",
    RefusalReason.PAS_DE_BESOIN: "Aucun recrutement en {trade} n'est prévu sur les marchés en cours. Nous "
    "conservons la fiche et vous recontacterons dès qu'une opportunité se présente.",
    RefusalReason.PROJET: "Le projet {du candidat} (vente) est éloigné des postes proposés sur les marchés "
    "clausés ; une découverte des métiers du bâtiment ou de la propreté pourrait lui être proposée.",
    RefusalReason.INJOIGNABLE: "Nous n'avons pas pu joindre {le candidat} malgré trois appels et un SMS en deux "
    "semaines. N'hésitez pas à nous réadresser la fiche si sa situation évolue.",
    RefusalReason.DOUBLON: "{Le candidat} est déjà suivi{e} par notre structure : nous prenons contact avec son "
    "référent de parcours pour coordonner l'accompagnement.",
    RefusalReason.AUTRE: "{Le candidat} a signé un CDD de six mois par ses propres moyens : nous clôturons la "
    "fiche. Bonne nouvelle !",
}
REVIEW_NOTES = [
    "Échange téléphonique : projet cohérent, disponible rapidement.",
    "Entretien d'accueil réalisé ; bonne connaissance des contraintes du chantier.",
    "Appel au candidat : motivation confirmée, mobilité à organiser.",
    "Justificatifs vérifiés sur originaux lors de l'entretien.",
]
PROOF_REFUSALS = [
    "Copie illisible : merci d'en fournir une nouvelle.",
    "Document incomplet : il manque la deuxième page.",
    "Le document ne mentionne pas la période d'inscription.",
]

# The names files have: the structure's scans, and what prescribers send.
FILE_NAMES = {
    K.ATTESTATION_FRANCE_TRAVAIL: ("attestation-france-travail.pdf", "Attestation FT.pdf"),
    K.ATTESTATION_CAF: ("attestation-caf-rsa.pdf", "attestation_caf.pdf"),
    K.ATTESTATION_ASS: ("attestation-paiement-ass.pdf", "Attestation ASS.pdf"),
    K.NOTIFICATION_AAH: ("notification-aah.pdf", "Notification AAH.pdf"),
    K.NOTIFICATION_RQTH: ("notification-rqth-mdph.pdf", "Notification MDPH.pdf"),
    K.IDENTITE: ("piece-identite.pdf", "CNI recto verso.pdf"),
    K.TITRE_SEJOUR: ("titre-de-sejour.pdf", "Titre de sejour.pdf"),
    K.DOMICILE: ("justificatif-domicile.pdf", "Justificatif domicile.pdf"),
    K.ATTESTATION_SIAE: ("attestation-employeur-siae.pdf", "PASS IAE.pdf"),
    K.ATTESTATION_JUSTICE: ("attestation-spip.pdf", "Attestation SPIP.pdf"),
    K.DIPLOME: ("diplome.pdf", "Diplome.pdf"),
    K.FICHE_2_IAE: ("fiche-2-iae.pdf", "Fiche 2 IAE.pdf"),
    K.CV: ("cv.pdf", "CV.pdf"),
}
# How long a long-lived document stays valid (years), when it has an end date.
VALIDITY_YEARS = {
    K.NOTIFICATION_RQTH: (3, 10),
    K.NOTIFICATION_AAH: (5, 10),
    K.TITRE_SEJOUR: (4, 10),
    K.IDENTITE: (15, 15),
}


# --- The plan -------------------------------------------------------------------------------------------------


@dataclass
class ProofPlan:
    kind: str
    name: str
    issue: date | None
    valid_until: date | None = None
    status: str = ProofStatus.VERIFIE
    note: str = ""
    uploaded: datetime | None = None
    verified: datetime | None = None
    stage: int = 0  # for a fiche: 0 with the first sending, 1 added when completing it


@dataclass
class Person:
    key: str  # structure
    profile: str
    last_name: str
    first_name: str
    sex: str
    birth_date: date
    email: str = ""
    phone: str = ""
    postcode: str = ""
    city: str = ""
    qpv_resident: bool = False
    qpv_name: str = ""
    qualification_level: str = ""
    registration_date: date | None = None
    social_benefit: str = SocialBenefit.AUCUN
    rqth: bool = False
    refugee: bool = False
    under_justice: bool = False
    siae_employee: bool = False
    young_inactive: bool = False
    obstacles: list = field(default_factory=list)
    # Follow-up by the structure
    referent_org: object = None
    referent: object = None
    facilitator: object = None
    consent_on: date | None = None
    consent_method: str = ConsentMethod.ECRIT
    created: datetime | None = None
    notes: str = ""
    proofs: list = field(default_factory=list)
    diagnoses: list = field(default_factory=list)  # (market, moment)

    def facts(self):
        return eligibility.Facts(
            birth_date=self.birth_date,
            registration_date=self.registration_date,
            social_benefit=self.social_benefit,
            rqth=self.rqth,
            refugee=self.refugee,
            under_justice=self.under_justice,
            siae_employee=self.siae_employee,
            qualification_level=self.qualification_level,
            young_inactive=self.young_inactive,
            qpv_resident=self.qpv_resident,
        )

    def identity(self):
        return {
            "last_name": self.last_name,
            "first_name": self.first_name,
            "birth_date": self.birth_date,
            "sex": self.sex,
            "email": self.email,
            "phone": self.phone,
            "postcode": self.postcode,
            "city": self.city,
            "qpv_resident": self.qpv_resident,
            "qualification_level": self.qualification_level,
            "registration_date": self.registration_date,
            "social_benefit": self.social_benefit,
            "rqth": self.rqth,
            "refugee": self.refugee,
            "under_justice": self.under_justice,
            "siae_employee": self.siae_employee,
            "young_inactive": self.young_inactive,
            "obstacles": self.obstacles,
        }


@dataclass
class Step:
    action: str  # submit, review, return, refuse, accept
    moment: datetime
    message: str = ""
    reason: str = ""


@dataclass
class Fiche:
    person: Person
    organisation: object
    counsellor: object
    reviewer: object
    status: str
    claimed: list
    target_trade: str
    target_job: str
    motivation: str
    consent_confirmed: bool
    consent_method: str
    consent_on: date | None
    created: datetime
    proofs: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    checks: dict = field(default_factory=dict)
    review_note: str = ""
    link: bool = False  # accepted: attach to the participant already known


@dataclass
class Context:
    """What the plan is drawn from: the day, the accounts and the markets of the demo."""

    today: date
    structures: dict  # key → Organisation
    prescribers: dict  # key → [Organisation]
    counsellors: dict  # organisation pk → [User]
    facilitators: dict  # key → [User]
    markets: dict  # key → [Market]


def _weighted(rng, weights):
    items = list(weights)
    return rng.choices(items, weights=[weights[item] for item in items])[0]


def _moment(rng, day, after=None):
    """A working hour of `day`, after `after` if given (same day)."""
    moment = timezone.make_aware(datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59))))
    if after is not None and moment <= after:
        moment = after + timedelta(minutes=rng.randint(15, 90))
    return moment


def _months_ago(rng, today, low, high):
    return today - relativedelta(months=rng.randint(low, high)) - timedelta(days=rng.randint(0, 27))


def _agree(text, sex, **values):
    """Gender agreement of the French templates: {Il}, {il}, {e}, {le} (ponctuel{le}), {la} (le/la positionner),
    {Le candidat}, {le candidat}, {du candidat}."""
    woman = sex == Sex.FEMME
    return text.format(
        **values,
        Il="Elle" if woman else "Il",
        il="elle" if woman else "il",
        e="e" if woman else "",
        le="le" if woman else "",
        la="la" if woman else "le",
        **{
            "Le candidat": "La candidate" if woman else "Le candidat",
            "le candidat": "la candidate" if woman else "le candidat",
            "du candidat": "de la candidate" if woman else "du candidat",
        },
    )


class NamePool:
    """Unique (last name, first name) pairs over the whole demo, staff's names excepted."""

    def __init__(self, rng, taken):
        self.rng = rng
        self.used = set(taken)

    def draw(self, key, sex, origin=None):
        for _ in range(200):
            chosen = origin or _weighted(self.rng, ORIGIN_WEIGHTS[key])
            men, women, last_names = ORIGINS[chosen]
            if chosen == "france":
                last_names = last_names + REGIONAL_LAST_NAMES[key]
            first = self.rng.choice(women if sex == Sex.FEMME else men)
            last = self.rng.choice(last_names)
            if name_key(last, first) not in self.used:
                self.used.add(name_key(last, first))
                return last, first, chosen
        raise RuntimeError("Plus de noms disponibles pour la démonstration.")


def _slug(text):
    return name_key(text, "").replace(" ", "")


def _person(who, rng, ctx, names, key, profile):
    """Someone's identity (drawn from `who`: the same whatever the day) and situation (from `rng`), consistent
    with `profile`."""
    today = ctx.today
    sex = Sex.FEMME if who.random() < FEMALE_SHARE.get(profile, 0.24) else Sex.HOMME
    origin = None
    if profile == "refugie":
        origin = "exil" if who.random() < 0.75 else "afrique"
    last, first, origin = names.draw(key, sex, origin)
    ages = {"jeune": (18, 24), "senior": (50, 61), "ass": (35, 57), "detld": (30, 58), "hors": (27, 45)}
    age = who.randint(*ages.get(profile, (26, 49)))
    birth_date = BIRTH_REFERENCE - relativedelta(years=age) - timedelta(days=who.randint(0, 360))
    person = Person(key=key, profile=profile, last_name=last, first_name=first, sex=sex, birth_date=birth_date)

    if rng.random() < 0.3:
        person.qpv_name, person.city, person.postcode = rng.choice(QPVS[key])
        person.qpv_resident = True
    else:
        communes = COMMUNES[key]
        person.city, person.postcode, _ = rng.choices(communes, weights=[w for *_, w in communes])[0]
    person.phone = f"06 39 98 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}"  # the range kept for fiction
    if rng.random() < 0.45:
        person.email = f"{_slug(first)}.{_slug(last)}@courriel.test"

    if profile == "jeune":
        person.qualification_level = rng.choices(
            [QualificationLevel.SANS, QualificationLevel.NIVEAU_3, QualificationLevel.NIVEAU_4], weights=[5, 4, 1]
        )[0]
        person.young_inactive = person.qualification_level == QualificationLevel.NIVEAU_4 or rng.random() < 0.2
    else:
        levels = [QualificationLevel.SANS, QualificationLevel.NIVEAU_3, QualificationLevel.NIVEAU_4]
        levels += [QualificationLevel.NIVEAU_5, QualificationLevel.NIVEAU_6]
        weights = [1, 6, 2, 1, 0] if profile == "hors" else [25, 40, 20, 10, 5]
        person.qualification_level = rng.choices(levels, weights=weights)[0]

    registered = {
        "deld": (1.0, 12, 22),
        "detld": (1.0, 25, 80),
        "senior": (1.0, 6, 40),
        "ass": (1.0, 30, 90),
        "hors": (1.0, 2, 9),
        "rsa": (0.6, 3, 40),
        "aah": (0.6, 6, 48),
        "rqth": (0.7, 4, 40),
        "jeune": (0.5, 2, 14),
        "justice": (0.5, 1, 10),
        "refugie": (0.7, 2, 20),
        "siae": (0.3, 14, 40),
    }
    share, low, high = registered[profile]
    if rng.random() < share:
        person.registration_date = _months_ago(rng, today, low, high)
    if profile == "deld":
        # 12 full months at least, whatever the draw of days
        person.registration_date = min(person.registration_date, today - relativedelta(months=12, days=3))
    person.social_benefit = {"rsa": SocialBenefit.RSA, "ass": SocialBenefit.ASS, "aah": SocialBenefit.AAH}.get(
        profile, SocialBenefit.RSA if profile in ("detld", "justice", "refugie") and rng.random() < 0.15 else ""
    )
    person.rqth = profile == "rqth" or (profile == "aah" and rng.random() < 0.8)
    person.refugee = profile == "refugie"
    person.under_justice = profile == "justice"
    person.siae_employee = profile == "siae"
    weights = OBSTACLE_WEIGHTS.get(profile, DEFAULT_OBSTACLES)
    count = rng.choices([0, 1, 2, 3], weights=[3, 4, 3, 1])[0]
    obstacles = set()
    for _ in range(count):
        obstacles.add(_weighted(rng, weights))
    if person.sex == Sex.HOMME and rng.random() < 0.7:
        obstacles.discard(Obstacle.GARDE_ENFANTS)
    person.obstacles = [o for o in Obstacle.values if o in obstacles]  # in the enum's order
    return person


def _referent(rng, ctx, person):
    organisations = ctx.prescribers[person.key]
    by_type = {org.prescriber_type: org for org in organisations}
    options = [(kind, weight) for kind, weight in REFERENTS[person.profile] if kind in by_type]
    if not options:  # no such prescriber here: France Travail follows them
        options = [
            (
                PrescriberType.FRANCE_TRAVAIL
                if PrescriberType.FRANCE_TRAVAIL in by_type
                else organisations[0].prescriber_type,
                1,
            )
        ]
    kind = rng.choices([k for k, _ in options], weights=[w for _, w in options])[0]
    organisation = by_type[kind]
    return organisation, rng.choice(ctx.counsellors[organisation.pk])


def _fits(person, market, on):
    """Whether the market retains the person's public and their situation holds on `on`."""
    public = PROFILE_PUBLIC[person.profile]
    if market.target_publics and public not in market.target_publics:
        return False
    return eligibility.facts_hold(person.profile, person.facts(), on)[0]


def _choose_markets(rng, ctx, person):
    """One or two markets to judge the person's eligibility on: mostly markets being executed (recent ones first),
    sometimes a market still in consultation (a provisional diagnosis)."""
    today = ctx.today
    markets = ctx.markets[person.key]
    attributed = [
        m for m in markets if m.status in (MarketStatus.ATTRIBUE, MarketStatus.EXECUTION) and m.attribution_date
    ]
    upcoming = [m for m in markets if m.status in NOT_YET_ATTRIBUTED]
    if person.profile == "hors":
        pool = attributed or upcoming
        return [rng.choice(pool)] if pool else []
    fitting = [m for m in attributed if _fits(person, m, m.attribution_date)]
    fitting_upcoming = [m for m in upcoming if _fits(person, m, today)]
    chosen = []
    if fitting and (rng.random() < 0.75 or not fitting_upcoming):
        weights = [1 / (1 + (today - m.attribution_date).days / 180) for m in fitting]  # recent ones hire more
        chosen.append(rng.choices(fitting, weights=weights)[0])
    elif fitting_upcoming:
        chosen.append(rng.choice(fitting_upcoming))
    if chosen and rng.random() < 0.3:
        others = [m for m in fitting_upcoming + fitting if m not in chosen]
        if others:
            chosen.append(rng.choice(others))
    return chosen


def _plan_proofs(rng, ctx, person, diagnosed, failure):
    """The person's proofs: those of their situation — recent attestations, long-lived documents still valid (the
    proofs are checked on the day of the diagnosis) — and some others. `failure` spoils the main one: missing, too
    old, expired, not verified, refused, or a fiche n°2 only."""
    today = ctx.today
    proofs = []
    for kind in PROFILE_PROOFS[person.profile]:
        if kind == K.ATTESTATION_ASS and rng.random() < 0.3:
            kind = K.ATTESTATION_FRANCE_TRAVAIL
        if kind == K.IDENTITE and person.refugee:
            kind = K.TITRE_SEJOUR
        name = FILE_NAMES[kind][0]
        if kind in SHORT_LIVED:
            if failure == "stale" or (not diagnosed and rng.random() < 0.15):
                issue = today - timedelta(days=rng.randint(100, 280))  # never renewed: too old now
            else:
                issue = today - timedelta(days=rng.randint(3, 85))
            proofs.append(ProofPlan(kind, name, issue))
            if rng.random() < 0.1:  # the one it replaced stays in the file
                older = issue - timedelta(days=rng.randint(90, 200))
                proofs.append(ProofPlan(kind, name.replace(".pdf", "-precedente.pdf"), older))
        else:
            issue = today - timedelta(days=rng.randint(60, 1400))
            if kind == K.IDENTITE:
                issue = min(max(issue, person.birth_date + relativedelta(years=16)), today - timedelta(days=30))
            low, high = VALIDITY_YEARS[kind]
            valid_until = issue + relativedelta(years=rng.randint(low, high))
            if failure == "expired":
                valid_until = today - timedelta(days=rng.randint(10, 120))
                issue = valid_until - relativedelta(years=low)
            elif valid_until < today + timedelta(days=30) or rng.random() < 0.1:
                valid_until = today + timedelta(days=rng.randint(10, 55))  # to renew soon: "à échéance" list
            proofs.append(ProofPlan(kind, name, issue, valid_until))
    if failure == "missing":
        proofs = []
    elif failure == "fiche_2":
        proofs = [ProofPlan(K.FICHE_2_IAE, FILE_NAMES[K.FICHE_2_IAE][0], today - timedelta(days=rng.randint(5, 60)))]
    elif failure in ("unverified", "refused") and proofs:
        proofs[0].status = ProofStatus.A_VERIFIER if failure == "unverified" else ProofStatus.REFUSE
        proofs[0].note = rng.choice(PROOF_REFUSALS) if failure == "refused" else ""

    extras = []
    if person.qpv_resident and rng.random() < 0.45:
        extras.append(ProofPlan(K.DOMICILE, FILE_NAMES[K.DOMICILE][0], today - timedelta(days=rng.randint(3, 85))))
    if rng.random() < 0.3 or (failure == "missing" and not extras):
        extras.append(ProofPlan(K.CV, FILE_NAMES[K.CV][0], None))
    if person.qualification_level in (QualificationLevel.NIVEAU_3, QualificationLevel.NIVEAU_4) and (
        rng.random() < 0.1
    ):
        issue = person.birth_date + relativedelta(years=rng.randint(17, 20), months=6)
        if issue < today:
            extras.append(ProofPlan(K.DIPLOME, FILE_NAMES[K.DIPLOME][0], issue))
    proofs = (proofs + extras)[:3]
    if not diagnosed:
        for proof in proofs:
            draw = rng.random()
            if draw < 0.14:
                proof.status = ProofStatus.A_VERIFIER
            elif draw < 0.2:
                proof.status, proof.note = ProofStatus.REFUSE, rng.choice(PROOF_REFUSALS)
    return proofs


def _plan_person(who, ctx, names, key, profile):
    today = ctx.today
    rng = random.Random(who.getrandbits(64))  # this person's own story: what depends on the day stays here
    person = _person(who, rng, ctx, names, key, profile)
    person.referent_org, person.referent = _referent(rng, ctx, person)
    person.facilitator = rng.choice(ctx.facilitators[key])
    person.consent_method = rng.choices(list(ConsentMethod), weights=[6, 3, 2])[0]
    person.notes = rng.choice(NOTES) if rng.random() < 0.25 else ""

    markets = _choose_markets(rng, ctx, person) if rng.random() < 0.6 else []
    failure = None
    if markets and person.profile != "hors" and rng.random() < 0.22:
        modes = ["missing", "unverified", "refused"]
        kinds = PROFILE_PROOFS[person.profile]
        if any(k in SHORT_LIVED for k in kinds):
            modes.append("stale")
        if any(k in VALIDITY_YEARS for k in kinds):
            modes.append("expired")
        if person.profile == "siae":
            modes.append("fiche_2")
        failure = rng.choice(modes)
    if not markets and rng.random() < 0.08:
        person.proofs = []  # just met: no document yet
    else:
        person.proofs = _plan_proofs(rng, ctx, person, bool(markets), failure)

    # The consent comes first; then the documents are scanned, checked, and the eligibility judged.
    dated = [p.issue for p in person.proofs if p.issue and p.kind in SHORT_LIVED]
    person.consent_on = min([today - timedelta(days=14), *dated]) - timedelta(days=rng.randint(0, 120))
    person.created = _moment(rng, person.consent_on)
    latest = person.created
    for proof in person.proofs:
        day = max(proof.issue or person.consent_on, person.consent_on) + timedelta(days=rng.randint(0, 10))
        proof.uploaded = _moment(rng, min(day, today), after=person.created)
        if proof.status != ProofStatus.A_VERIFIER:
            day = proof.uploaded.date() + timedelta(days=rng.randint(0, 6))
            proof.verified = _moment(rng, min(day, today), after=proof.uploaded)
        latest = max(latest, proof.verified or proof.uploaded)
    for market in markets:
        day = latest.date() + timedelta(days=rng.randint(0, 10))
        person.diagnoses.append((market, _moment(rng, min(day, today), after=latest)))
    return person


def _quota(rng, total):
    """`total` situations in the proportions of PROFILE_WEIGHTS (each at least once), shuffled."""
    counts = {code: max(1, round(weight * total / 100)) for code, weight in PROFILE_WEIGHTS.items()}
    while sum(counts.values()) > total:
        counts[max(counts, key=counts.get)] -= 1
    while sum(counts.values()) < total:
        counts["deld"] += 1
    profiles = [code for code, count in counts.items() for _ in range(count)]
    rng.shuffle(profiles)
    return profiles


def _motivation(rng, person, trade, today):
    months = eligibility.full_months(person.registration_date, today) if person.registration_date else 0
    situation = SITUATION[person.profile].format(
        months=months,
        age=eligibility.age_on(person.birth_date, today),
        months_siae=rng.randint(8, 22),
        school=SCHOOL.get(person.qualification_level, ""),
        Il="{Il}",
        il="{il}",
        e="{e}",
    )
    sentences = [situation, EXPERIENCE[trade], rng.choice(READINESS)]
    constraints = [o for o in person.obstacles if o in CONSTRAINT]
    if constraints and rng.random() < 0.6:
        sentences.append(CONSTRAINT[rng.choice(constraints)])
    return _agree(" ".join(sentences), person.sex)


def _chain(rng, start_ago, gaps):
    """Days ago of successive steps: each `gap` (low, high) days after the previous one, never after today."""
    days, current = [], start_ago
    for low, high in gaps:
        current = max(current - rng.randint(low, high), 0)
        days.append(current)
    return days


def _plan_fiche(who, ctx, names, organisation, status, variant, linked_person=None):
    today = ctx.today
    rng = random.Random(who.getrandbits(64))  # the fiche's own story
    key = next(k for k, orgs in ctx.prescribers.items() if organisation in orgs)
    if linked_person is not None:
        person = replace(linked_person, proofs=[], diagnoses=[])
        if who.random() < 0.5:
            person.last_name = person.last_name.upper()  # typed in capitals: still found by name and birth date
    else:
        profiles = PRESCRIBER_PROFILES[organisation.prescriber_type]
        profile = "hors" if variant == RefusalReason.NON_ELIGIBLE else who.choice(profiles)
        if profile == "hors" and variant != RefusalReason.NON_ELIGIBLE:
            profile = "deld"
        person = _person(who, rng, ctx, names, key, profile)
    counsellor = rng.choice(ctx.counsellors[organisation.pk])
    reviewer = rng.choice(ctx.facilitators[key])
    if variant == RefusalReason.PROJET:
        trade = Trade.AUTRE
        job = "Employé de libre-service" if person.sex == Sex.HOMME else "Employée de libre-service"
    else:
        trades = list(TRADES)
        weights = [TRADES[t][2 if person.sex == Sex.FEMME else 1] for t in trades]
        trade = rng.choices(trades, weights=weights)[0]
        job = rng.choice(TRADES[trade][0])
    facts = person.facts()
    claimed = [code for code in PROFILE_WEIGHTS if code != "hors" and eligibility.facts_hold(code, facts, today)[0]]
    if person.qpv_resident:
        claimed.append("qpv")

    # When it happened, in days ago
    S = ReferralStatus
    created_ago = {
        S.BROUILLON: (1, 20),
        S.SOUMISE: (1, 12),
        S.EN_VERIFICATION: (4, 25),
        S.A_COMPLETER: (6, 40),
        S.ACCEPTEE: (15, 150),
        S.REFUSEE: (8, 160),
    }[status]
    low, high = created_ago
    if linked_person is not None:  # sent after the structure met the person (two weeks ago at least)
        high = min(high, (today - linked_person.created.date()).days - 5)
    created_ago = rng.randint(min(low, high), high)
    consent_confirmed = status != S.BROUILLON or rng.random() < 0.5
    consent_on = today - timedelta(days=created_ago + rng.randint(0, 10)) if consent_confirmed else None
    created = _moment(rng, today - timedelta(days=created_ago))
    fiche = Fiche(
        person=person,
        organisation=organisation,
        counsellor=counsellor,
        reviewer=reviewer,
        status=status,
        claimed=claimed,
        target_trade=trade,
        target_job=job,
        motivation=_motivation(rng, person, trade, today),
        consent_confirmed=consent_confirmed,
        consent_method=rng.choices(list(ConsentMethod), weights=[5, 3, 2])[0],
        consent_on=consent_on,
        created=created,
        link=linked_person is not None and status == S.ACCEPTEE,
    )

    # What the prescriber attaches
    issue_day = today - timedelta(days=created_ago)
    main = []
    for kind in PROFILE_PROOFS[person.profile]:
        if kind == K.IDENTITE and person.refugee:
            kind = K.TITRE_SEJOUR
        if kind in SHORT_LIVED:
            age = rng.randint(100, 200) if variant == "stale" else rng.randint(2, 60)
            main.append(ProofPlan(kind, FILE_NAMES[kind][1], issue_day - timedelta(days=age)))
        else:
            issue = issue_day - timedelta(days=rng.randint(200, 1500))
            if kind == K.IDENTITE:
                issue = max(issue, person.birth_date + relativedelta(years=16))
            low, high = VALIDITY_YEARS[kind]
            valid_until = max(issue + relativedelta(years=rng.randint(low, high)), today + timedelta(days=60))
            main.append(ProofPlan(kind, FILE_NAMES[kind][1], issue, valid_until))
    if variant in ("missing", "returned") and main:
        main[0].stage = 1  # sent without it; added when completing the fiche
    extras = []
    if rng.random() < 0.5:
        extras.append(ProofPlan(K.CV, FILE_NAMES[K.CV][1], None))
    if person.qpv_resident and rng.random() < 0.3:
        extras.append(ProofPlan(K.DOMICILE, FILE_NAMES[K.DOMICILE][1], issue_day - timedelta(days=rng.randint(5, 60))))
    fiche.proofs = (main + extras)[:3]
    if status == S.BROUILLON:
        fiche.proofs = fiche.proofs[: rng.randint(0, 2)]
    if variant == "missing" and status == S.A_COMPLETER:
        fiche.proofs = [p for p in fiche.proofs if p.stage == 0]  # not added yet
    for proof in fiche.proofs:
        proof.status = ProofStatus.A_VERIFIER

    # The steps
    steps = []

    def step(action, ago, **kwargs):
        previous = steps[-1].moment if steps else created
        steps.append(Step(action, _moment(rng, today - timedelta(days=ago), after=previous), **kwargs))

    missing_kind = next((p.kind for p in main if p.stage == 1), None)
    stale_kind = next((p.kind for p in main if p.kind in SHORT_LIVED), None)
    if status == S.BROUILLON:
        pass
    elif status == S.SOUMISE:
        (submit,) = _chain(rng, created_ago, [(0, 1)])
        step("submit", submit)
    elif status == S.EN_VERIFICATION:
        submit, review = _chain(rng, created_ago, [(0, 2), (1, 4)])
        step("submit", submit)
        step("review", review)
        fiche.checks = {"parcours_checked": True, "motivation_checked": rng.random() < 0.6}
    elif status == S.A_COMPLETER:
        submit, review, back = _chain(rng, created_ago, [(0, 2), (1, 3), (0, 3)])
        step("submit", submit)
        if rng.random() < 0.6:
            step("review", review)
            fiche.checks = {"parcours_checked": True}
        if variant == "missing" and missing_kind:
            message = MISSING_MESSAGES[missing_kind]
        elif variant == "stale" and stale_kind:
            message = STALE_MESSAGE.format(document=ATTESTATIONS[stale_kind])
        else:
            message = _agree(MOTIVATION_MESSAGE, person.sex)
        step("return", back, message=message)
    elif status == S.ACCEPTEE:
        if variant == "returned" and missing_kind:
            submit, back, again, review, accept = _chain(rng, created_ago, [(0, 2), (2, 6), (2, 8), (1, 4), (0, 3)])
            step("submit", submit)
            step("return", back, message=MISSING_MESSAGES[missing_kind])
            step("submit", again)
        else:
            for proof in fiche.proofs:
                proof.stage = 0
            submit, review, accept = _chain(rng, created_ago, [(0, 2), (2, 7), (0, 4)])
            step("submit", submit)
        step("review", review)
        step("accept", accept, message=_agree(rng.choice(ACCEPT_MESSAGES), person.sex, trade=TRADE_NAMES[trade]))
        fiche.checks = {name: True for name in ("parcours_checked", "motivation_checked", "eligibility_checked")}
        fiche.checks["fit_checked"] = True
        for proof in fiche.proofs:
            proof.status = ProofStatus.VERIFIE
    elif status == S.REFUSEE:
        for proof in fiche.proofs:
            proof.stage = 0
        submit, review, refuse = _chain(rng, created_ago, [(0, 2), (1, 5), (0, 5)])
        step("submit", submit)
        if rng.random() < 0.5:
            step("review", review)
            fiche.checks = {"parcours_checked": True, "motivation_checked": True}
        message = _agree(REFUSAL_MESSAGES[variant], person.sex, trade=TRADE_NAMES[trade])
        step("refuse", refuse, message=message, reason=variant)
    if fiche.checks:
        fiche.review_note = rng.choice(REVIEW_NOTES)
    if status == S.EN_VERIFICATION:
        for proof in fiche.proofs:
            proof.status = ProofStatus.VERIFIE if rng.random() < 0.6 else ProofStatus.A_VERIFIER
    # Upload and check moments
    resubmit = next((s.moment for s in steps[1:] if s.action == "submit"), None)
    review_moment = next((s.moment for s in reversed(steps) if s.action == "review"), None)
    for proof in fiche.proofs:
        proof.uploaded = created if proof.stage == 0 else resubmit - timedelta(minutes=rng.randint(10, 120))
        if proof.status != ProofStatus.A_VERIFIER:
            proof.verified = review_moment
    fiche.steps = steps
    return fiche


def _assign_variants(slots):
    """For each (organisation, status) slot, what happens: why refused, why returned, linked or not."""
    variants = []
    refusals = iter(REFUSAL_CYCLE * 3)
    returns = iter(RETURN_CYCLE * 4)
    non_eligible = doublon = linked = returned = 0
    for organisation, status in slots:
        variant = None
        if status == ReferralStatus.REFUSEE:
            kind = organisation.prescriber_type
            if non_eligible < 2 and kind in (PrescriberType.FRANCE_TRAVAIL, PrescriberType.ASSOCIATION):
                variant, non_eligible = RefusalReason.NON_ELIGIBLE, non_eligible + 1
            elif not doublon:
                variant, doublon = RefusalReason.DOUBLON, 1
            else:
                variant = next(refusals)
        elif status == ReferralStatus.A_COMPLETER:
            variant = next(returns)
        elif status == ReferralStatus.ACCEPTEE:
            if linked < LINKED_ACCEPTED:
                variant, linked = "linked", linked + 1
            elif returned < RETURNED_THEN_ACCEPTED:
                variant, returned = "returned", returned + 1
        variants.append(variant)
    return variants


def plan(who, ctx):
    """The people and the fiches navettes of the demo, as plain values, laid out around `ctx.today`.

    `who` draws who they are — names, birth dates, who sends whom: the natural keys, the same whatever the day —
    and a seed for each one's own story (situation, proofs, steps), which the day and the markets shape.
    """
    staff = [(last, first) for _, first, last, *_ in PEOPLE] + [(last, first) for _, first, last, *_ in COUNSELLORS]
    names = NamePool(who, {name_key(last, first) for last, first in staff})
    people = []
    for key, total in PEOPLE_PER_STRUCTURE.items():
        for profile in _quota(who, total):
            people.append(_plan_person(who, ctx, names, key, profile))

    organisations = {org.name: org for orgs in ctx.prescribers.values() for org in orgs}
    slots = [organisations[name] for name, count in REFERRALS_PER_PRESCRIBER.items() for _ in range(count)]
    statuses = [status for status, count in REFERRAL_STATUSES.items() for _ in range(count)]
    who.shuffle(statuses)
    slots = list(zip(slots, statuses, strict=True))
    used = set()
    fiches = []
    for (organisation, status), variant in zip(slots, _assign_variants(slots), strict=True):
        linked_person = None
        if variant in ("linked", RefusalReason.DOUBLON):
            key = next(k for k, orgs in ctx.prescribers.items() if organisation in orgs)
            profiles = PRESCRIBER_PROFILES[organisation.prescriber_type]
            known = [i for i, p in enumerate(people) if p.key == key and p.profile in profiles and i not in used]
            if known:
                index = who.choice(known)
                used.add(index)
                linked_person = people[index]
            elif variant == RefusalReason.DOUBLON:
                variant = RefusalReason.AUTRE
            else:
                variant = None
        fiches.append(_plan_fiche(who, ctx, names, organisation, status, variant, linked_person))
    return people, fiches


# --- Writing it -----------------------------------------------------------------------------------------------


def demo_pdf(title, lines):
    """A small valid one-page PDF (Helvetica, WinAnsi) showing `title` and `lines`."""

    def literal(text):
        out = []
        for byte in text.encode("cp1252"):
            char = chr(byte)
            if char in "\\()":
                out.append("\\" + char)
            elif 32 <= byte < 127:
                out.append(char)
            else:
                out.append(f"\\{byte:03o}")
        return "(" + "".join(out) + ")"

    content = ["BT", "/F1 15 Tf", "56 780 Td", literal(title) + " Tj", "/F1 10 Tf"]
    for line in lines:
        content += ["0 -20 Td", literal(line) + " Tj"]
    content.append("ET")
    stream = "\n".join(content).encode("ascii")
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 4 0 R>>>>/Contents 5 0 R>>",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>",
        b"<</Length %d>>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        pdf += b"%010d 00000 n \n" % offset
    pdf += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(pdf)


def _proof_file(proof):
    label = ProofKind(proof.kind).label
    lines = ["Document de démonstration — aucune donnée réelle."]
    if proof.issue:
        lines.append(f"Émis le {proof.issue:%d/%m/%Y}.")
    if proof.valid_until:
        lines.append(f"Valable jusqu'au {proof.valid_until:%d/%m/%Y}.")
    lines.append("Clauses — jeu de données de démonstration.")
    content = demo_pdf(label[0].upper() + label[1:], lines)
    return SimpleUploadedFile(proof.name, content, content_type="application/pdf")


def _seed_counsellors(accounts):
    """The prescribers' counsellors the accounts demo lacks; the demo logins are left as they are."""
    organisations = accounts["organisations"]
    password = accounts["users"]["prescripteur"].password  # the demo password, already hashed
    now = timezone.now()
    counsellors = {}
    for local, _, _, _, roles, _ in PEOPLE:
        for organisation_name, role in roles:
            if role == Role.PRESCRIPTEUR:
                counsellors.setdefault(organisations[organisation_name].pk, []).append(accounts["users"][local])
    for local, first_name, last_name, job_title, organisation_name, days in COUNSELLORS:
        user, _ = upsert(
            User,
            {"email": f"{local}@{DEMO_DOMAIN}"},
            {"first_name": first_name, "last_name": last_name, "job_title": job_title},
            create_defaults={"password": password, "last_login": now - timedelta(days=days)},
        )
        organisation = organisations[organisation_name]
        upsert(
            Membership, {"user": user, "organisation": organisation}, {"role": Role.PRESCRIPTEUR, "is_active": True}
        )
        counsellors.setdefault(organisation.pk, []).append(user)
    return counsellors


def _context(accounts, markets_result, today, counsellors):
    structures = accounts["structures"]
    organisations = accounts["organisations"]
    prescribers = {key: [] for key in structures}
    for key, name, kind, *_ in PARTNERS:
        if kind == OrganisationKind.PRESCRIPTEUR:
            prescribers[key].append(organisations[name])
    facilitators = {key: [] for key in structures}
    by_name = {org.name: key for key, org in structures.items()}
    for local, _, _, _, roles, _ in PEOPLE:
        for organisation_name, role in roles:
            if role == Role.FACILITATEUR and organisation_name in by_name:
                facilitators[by_name[organisation_name]].append(accounts["users"][local])
    if markets_result is not None:
        all_markets = list(markets_result["markets"])
    else:
        all_markets = list(Market.objects.filter(structure__in=structures.values()).order_by("pk"))
    markets = {key: [m for m in all_markets if m.structure_id == org.pk] for key, org in structures.items()}
    return Context(today, structures, prescribers, counsellors, facilitators, markets)


class Writer:
    """Writes the plan through the services, skipping what exists, and remembers the dates to set afterwards."""

    def __init__(self, ctx):
        self.ctx = ctx
        structures = list(ctx.structures.values())
        self.people = {
            (p.structure_id, p.name_key, p.birth_date): p for p in Participant.objects.filter(structure__in=structures)
        }
        consents = Consent.objects.filter(participant__structure__in=structures)
        self.consents = set(consents.values_list("participant_id", "given_on"))
        self.consented = set(consents.filter(withdrawn_on__isnull=True).values_list("participant_id", flat=True))
        self.proof_keys = set(
            Proof.objects.filter(structure__in=structures, participant__isnull=False).values_list(
                "participant_id", "kind", "original_name"
            )
        )
        self.diagnosis_keys = set(
            EligibilityDiagnosis.objects.filter(participant__structure__in=structures).values_list(
                "participant_id", "market_id"
            )
        )
        self.referral_keys = set(
            Referral.objects.filter(structure__in=structures).values_list(
                "structure_id", "prescriber_organisation_id", "last_name", "first_name", "birth_date"
            )
        )
        self.criteria = {c.code: c for c in EligibilityCriterion.objects.all()}
        # Dates to move back once everything is written (QuerySet.bulk_update: no history row)
        self.dated = {
            model: [] for model in (Participant, Consent, Proof, EligibilityDiagnosis, Referral, ReferralEvent)
        }

    def _add_proof(self, plan, by, participant=None, referral=None):
        proof = services.proof_add(
            structure=participant.structure if participant else referral.structure,
            kind=plan.kind,
            uploaded_file=_proof_file(plan),
            issue_date=plan.issue,
            valid_until=plan.valid_until,
            by=by,
            participant=participant,
            referral=referral,
        )
        proof.uploaded_at = plan.uploaded
        self.dated[Proof].append(proof)
        return proof

    def _verify(self, proof, plan, by):
        if plan.status == ProofStatus.A_VERIFIER:
            return
        services.proof_verify(proof=proof, status=plan.status, note=plan.note, by=by)
        proof.verified_at = plan.verified

    def person(self, plan):
        structure = self.ctx.structures[plan.key]
        key = (structure.pk, name_key(plan.last_name, plan.first_name), plan.birth_date)
        participant = self.people.get(key)
        if participant is None:
            consent = Consent(given_on=plan.consent_on, method=plan.consent_method)
            participant = services.participant_create(
                participant=Participant(
                    structure=structure,
                    **plan.identity(),
                    qpv_name=plan.qpv_name,
                    referent_organisation=plan.referent_org,
                    referent_name=plan.referent.full_name,
                    referent_email=plan.referent.email,
                    notes=plan.notes,
                ),
                consent=consent,
                by=plan.facilitator,
            )
            self.people[key] = participant
            participant.created_at = participant.updated_at = plan.created
            self.dated[Participant].append(participant)
            consent.created_at = plan.created
            self.dated[Consent].append(consent)
        elif participant.pk not in self.consented and (participant.pk, plan.consent_on) not in self.consents:
            services.consent_record(
                participant=participant,
                consent=Consent(given_on=plan.consent_on, method=plan.consent_method),
                by=plan.facilitator,
            )
        for proof_plan in plan.proofs:
            if (participant.pk, proof_plan.kind, proof_plan.name) in self.proof_keys:
                continue
            proof = self._add_proof(proof_plan, plan.facilitator, participant=participant)
            self._verify(proof, proof_plan, plan.facilitator)
        for market, moment in plan.diagnoses:
            if (participant.pk, market.pk) in self.diagnosis_keys:
                continue
            diagnosis = services.diagnosis_assess(
                participant=participant, market=market, by=plan.facilitator, today=self.ctx.today
            )
            diagnosis.assessed_at = min(moment, timezone.now())
            self.dated[EligibilityDiagnosis].append(diagnosis)
        return participant

    def fiche(self, plan):
        person = plan.person
        structure = self.ctx.structures[person.key]
        key = (structure.pk, plan.organisation.pk, person.last_name, person.first_name, person.birth_date)
        if key in self.referral_keys:
            return None
        referral = Referral(
            structure=structure,
            prescriber_organisation=plan.organisation,
            created_by=plan.counsellor,
            **person.identity(),
            target_trade=plan.target_trade,
            target_job=plan.target_job,
            motivation=plan.motivation,
            consent_confirmed=plan.consent_confirmed,
            consent_method=plan.consent_method,
            consent_date=plan.consent_on,
        )
        referral.full_clean()
        referral.save()
        referral.claimed_criteria.set([self.criteria[code] for code in plan.claimed if code in self.criteria])
        proofs = [(p, self._add_proof(p, plan.counsellor, referral=referral)) for p in plan.proofs if p.stage == 0]
        moments, decided, participant = [], None, None
        for step in plan.steps:
            if step.action == "submit":
                if moments:  # completed after a return: the missing documents come with it
                    proofs += [
                        (p, self._add_proof(p, plan.counsellor, referral=referral)) for p in plan.proofs if p.stage
                    ]
                services.referral_submit(referral=referral, by=plan.counsellor)
                moments.append(step.moment)
                referral.submitted_at = step.moment
            elif step.action == "review":
                for name, value in plan.checks.items():
                    setattr(referral, name, value)
                referral.review_note = plan.review_note
                if services.referral_save_review(referral=referral, by=plan.reviewer):
                    moments.append(step.moment)
                for proof_plan, proof in proofs:
                    if proof.status == ProofStatus.A_VERIFIER:
                        self._verify(proof, proof_plan, plan.reviewer)
            elif step.action == "return":
                services.referral_return(referral=referral, message=step.message, by=plan.reviewer)
                moments.append(step.moment)
                decided = step.moment
            elif step.action == "refuse":
                services.referral_refuse(referral=referral, reason=step.reason, message=step.message, by=plan.reviewer)
                moments.append(step.moment)
                decided = step.moment
            elif step.action == "accept":
                existing = None
                if plan.link:
                    existing = services.possible_duplicates(
                        structure=structure,
                        last_name=referral.last_name,
                        first_name=referral.first_name,
                        birth_date=referral.birth_date,
                    ).first()
                participant = services.referral_accept(
                    referral=referral, by=plan.reviewer, existing=existing, message=step.message
                )
                moments.append(step.moment)
                decided = step.moment
        referral.created_at = plan.created
        referral.decided_at = decided
        referral.updated_at = moments[-1] if moments else plan.created
        self.dated[Referral].append(referral)
        for event, moment in zip(referral.events.order_by("pk"), moments, strict=True):
            event.at = moment
            self.dated[ReferralEvent].append(event)
        if participant is not None:
            key = (structure.pk, participant.name_key, participant.birth_date)
            known = self.people.get(key)
            if known is None:  # created by the acceptance
                self.people[key] = participant
                participant.created_at = decided
            else:
                participant.created_at = known.created_at
            participant.updated_at = decided
            self.dated[Participant].append(participant)
            consent = participant.consents.order_by("-pk").first()
            consent.created_at = decided
            self.dated[Consent].append(consent)
        return referral

    def move_dates_back(self):
        now = timezone.now()
        fields = {
            Participant: ["created_at", "updated_at"],
            Consent: ["created_at"],
            Proof: ["uploaded_at", "verified_at"],
            EligibilityDiagnosis: ["assessed_at"],
            Referral: ["created_at", "submitted_at", "decided_at", "updated_at"],
            ReferralEvent: ["at"],
        }
        for model, objects in self.dated.items():
            unique = list({obj.pk: obj for obj in objects}.values())
            for obj in unique:
                for name in fields[model]:
                    value = getattr(obj, name)
                    if value is not None and value > now:
                        setattr(obj, name, now)
            model.objects.bulk_update(unique, fields[model], batch_size=200)


def seed(accounts, markets_result=None, today=None):
    """Create what is missing of the demo's participants, proofs, diagnoses and fiches navettes.

    `accounts`: what `clauses.accounts.demo.seed()` returns; `markets_result`: what `marches.demo.seed()` returns
    (the markets are read from the database without it).
    """
    today = today or timezone.localdate()
    counsellors = _seed_counsellors(accounts)
    ctx = _context(accounts, markets_result, today, counsellors)
    people, fiches = plan(random.Random(SEED), ctx)  # drawn whole first: the same whatever already exists

    writer = Writer(ctx)
    for person in people:
        writer.person(person)
    for fiche in fiches:
        writer.fiche(fiche)
    writer.move_dates_back()
    return summary(ctx.structures.values())


def summary(structures):
    """Counts of the demo structures' participants, proofs, diagnoses and fiches navettes by status."""
    structures = list(structures)
    by_status = dict(
        Referral.objects.filter(structure__in=structures)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {
        "participants": Participant.objects.filter(structure__in=structures).count(),
        "proofs": Proof.objects.filter(structure__in=structures).count(),
        "diagnoses": EligibilityDiagnosis.objects.filter(participant__structure__in=structures).count(),
        "referrals": {status: by_status.get(status, 0) for status in ReferralStatus.values},
    }


# How the summary line of `seed_demo` names the fiches of each status (plural).
STATUS_PLURALS = {
    ReferralStatus.BROUILLON: ("brouillon", "brouillons"),
    ReferralStatus.SOUMISE: ("envoyée", "envoyées"),
    ReferralStatus.EN_VERIFICATION: ("en vérification", "en vérification"),
    ReferralStatus.A_COMPLETER: ("à compléter", "à compléter"),
    ReferralStatus.ACCEPTEE: ("acceptée", "acceptées"),
    ReferralStatus.REFUSEE: ("refusée", "refusées"),
}


def summary_line(counts):
    statuses = ", ".join(f"{n} {STATUS_PLURALS[status][n > 1]}" for status, n in counts["referrals"].items())
    return (
        f"Participants : {counts['participants']} personnes, {counts['proofs']} justificatifs, "
        f"{counts['diagnoses']} diagnostics, {sum(counts['referrals'].values())} fiches navettes ({statuses})."
    )
