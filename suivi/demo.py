"""Demo job offers, positionings, work contracts and monthly hours (used by `manage.py seed_demo`). Idempotent.

Everything is drawn from `random.Random(2028)` into a plan laid out around the day (`today`), over the markets of
the marches demo and the people of the participants demo:

- Each obligation (award) of a market that has started gets a pace: most are on track, some to watch, a few
  behind — every running obligation of a few companies, so that « entreprises en retard » means something — and
  finished markets mostly met theirs. The hours of each award are then laid out to match that pace: contracts one
  after the other on one or more « lanes » (people on the site at the same time), hired while the eligibility
  established at the attribution lasts (R-ELIG-1, 24 months), each worked month ≈ weekly hours × working days
  with some noise, always under the legal ceiling (R-HRS-3). Inclusive companies (ACI, EA, some EI) deliver their
  share as subcontracted hours, without a named participant (R-HRS-1).
- Contracts of every kind: direct hires (CDD, CDI, CDDI in an EI or a régie), ETTI and temp agency placements,
  GEIQ professionalisation, association intermédiaire, apprenticeships; some serve two markets of the same
  company (mutualisation, R-HRS-2); many come from a positioning the employer retained.
- A few do not count, as in real life: an apprenticeship signed before the attribution without an exception (and
  one with a recorded exception, which counts, R-ELIG-4), a person whose eligibility is still to establish, a
  person who is not among the market's publics.
- Job offers in every status, with positionings in every status proposed by prescribers' counsellors and
  facilitators, each step logged (R-FEEDBACK), one of them for a former beneficiary (R-RECONTACT).

Writes go through the services where the checks matter (offers, positionings, contracts, diagnoses, exceptions);
the hours — a few thousand rows — are written with `bulk_create_with_history`, by the same rules as `hours_save`
(checked by tests/test_demo.py). The dates of what happened are then moved back to the plan's days.

Running the seed twice the same day changes nothing: offers are looked up by award and job title, positionings by
offer and candidate, contracts by structure, participant, company and start date (and a person already under
contract over the same days is left as they are), diagnoses by participant and market; hours are only written
for contracts created by the run. On a later day what exists is kept, like a real file that ages.
"""

import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from itertools import combinations

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Sum
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from clauses.accounts.enums import Role
from clauses.accounts.models import Membership
from marches.demo import COMPANIES as MARKET_COMPANIES
from marches.enums import ATTRIBUTED, CompanyKind, MarketStatus, Trade
from marches.models import Award, Company
from participants import eligibility
from participants import services as participant_services
from participants.enums import ReferralStatus, Sex
from participants.models import Consent, EligibilityDiagnosis, Participant, Proof, Referral
from suivi import hours as rules
from suivi import services
from suivi.enums import (
    ContractModality,
    ContractType,
    EndReason,
    ExperienceLevel,
    HourKind,
    HourSource,
    NonRetentionReason,
    OfferRequirement,
    OfferStatus,
    PositioningStatus,
    RecontactMethod,
)
from suivi.models import SUBCONTRACTOR_KINDS, Assignment, HourEntry, JobOffer, Positioning, WorkContract

SEED = 2028
T, K = Trade, CompanyKind
HALF = Decimal("0.5")
ZERO = Decimal(0)
FOREVER = date(2100, 1, 1)  # the end of a contract still running without an end date

# --- Trades: jobs (with their ROME code), and what the liaison form says of them --------------------------------

BTP = {T.GROS_OEUVRE, T.DEMOLITION, T.VRD, T.CHARPENTE_METALLIQUE, T.CHARPENTE_BOIS, T.COUVERTURE, T.FACADES,
       T.MENUISERIE, T.SERRURERIE, T.PLATRERIE, T.PEINTURE, T.SOLS, T.ELECTRICITE, T.PLOMBERIE_CVC,
       T.ESPACES_VERTS_TRAVAUX}  # fmt: skip

JOBS = {
    T.GROS_OEUVRE: [("Aide-maçon", "F1703"), ("Maçon", "F1703"), ("Manœuvre gros œuvre", "F1704"),
                    ("Coffreur bancheur", "F1701")],
    T.DEMOLITION: [("Manœuvre démolition", "F1704"), ("Opérateur de désamiantage", "I1503")],
    T.VRD: [("Manœuvre TP", "F1704"), ("Ouvrier de voirie", "F1702"), ("Aide-canalisateur", "F1705")],
    T.CHARPENTE_METALLIQUE: [("Monteur en charpente métallique", "F1502")],
    T.CHARPENTE_BOIS: [("Aide-charpentier", "F1501"), ("Charpentier bois", "F1501")],
    T.COUVERTURE: [("Aide-couvreur", "F1610"), ("Étancheur", "F1613")],
    T.FACADES: [("Aide-façadier", "F1611"), ("Façadier", "F1611")],
    T.MENUISERIE: [("Poseur de menuiseries", "F1607")],
    T.SERRURERIE: [("Aide-métallier", "H2911"), ("Serrurier-métallier", "H2911")],
    T.PLATRERIE: [("Plaquiste", "F1604"), ("Aide-plâtrier", "F1601")],
    T.PEINTURE: [("Peintre en bâtiment", "F1606"), ("Aide-peintre", "F1606")],
    T.SOLS: [("Carreleur", "F1608"), ("Solier", "F1609")],
    T.ELECTRICITE: [("Aide-électricien", "F1602"), ("Électricien du bâtiment", "F1602")],
    T.PLOMBERIE_CVC: [("Aide-plombier chauffagiste", "F1603"), ("Plombier chauffagiste", "F1603")],
    T.ESPACES_VERTS_TRAVAUX: [("Ouvrier paysagiste", "A1203")],
    T.NETTOYAGE: [("Agent de propreté", "K2204"), ("Agent d'entretien des locaux", "K2204"),
                  ("Laveur de vitres", "K2202")],
    T.ENTRETIEN_ESPACES_VERTS: [("Agent d'entretien des espaces verts", "A1203"), ("Jardinier", "A1203")],
    T.COLLECTE_DECHETS: [("Ripeur", "K2303"), ("Agent de collecte", "K2303")],
    T.RESTAURATION: [("Commis de cuisine", "G1602"), ("Agent de restauration", "G1603"), ("Plongeur", "G1605")],
    T.GARDIENNAGE: [("Agent de sécurité", "K2503"), ("Agent d'accueil", "M1601")],
    T.TRANSPORT: [("Chauffeur-livreur", "N4105")],
    T.FOURNITURE_POSE: [("Monteur-installateur de mobilier", "F1604"), ("Manutentionnaire", "N1105")],
    T.FOURNITURE: [("Préparateur de commandes", "N1103")],
}  # fmt: skip
APPRENTICE_JOBS = {
    T.GROS_OEUVRE: ("Apprenti maçon", "F1703"),
    T.ELECTRICITE: ("Apprenti électricien", "F1602"),
    T.PLOMBERIE_CVC: ("Apprenti plombier chauffagiste", "F1603"),
    T.PEINTURE: ("Apprenti peintre en bâtiment", "F1606"),
    T.MENUISERIE: ("Apprenti menuisier poseur", "F1607"),
    T.COUVERTURE: ("Apprenti couvreur", "F1610"),
    T.CHARPENTE_BOIS: ("Apprenti charpentier", "F1501"),
    T.PLATRERIE: ("Apprenti plâtrier plaquiste", "F1601"),
    T.VRD: ("Apprenti constructeur de routes", "F1702"),
    T.FACADES: ("Apprenti façadier", "F1611"),
    T.ESPACES_VERTS_TRAVAUX: ("Apprenti paysagiste", "A1203"),
    T.ENTRETIEN_ESPACES_VERTS: ("Apprenti jardinier paysagiste", "A1203"),
}
APPRENTICE_SCHOOLS = {
    "sud_loire": "CFA du BTP de Loire-Atlantique (Saint-Herblain)",
    "val_de_somme": "CFA BTP de la Somme (Amiens)",
}

# activities, skills, training wanted, requirements, other requirements
OFFER_TEXTS = {
    T.GROS_OEUVRE: ("Approvisionnement du poste de travail, préparation du mortier et du béton, montage de murs en "
                    "parpaings, participation au coffrage et au ferraillage, nettoyage et repli du chantier.",
                    "Lire un plan simple, respecter les consignes de sécurité, utiliser le petit outillage du maçon.",
                    "CAP maçon apprécié, non exigé", ["charges", "exterieur"], "Chaussures et casque fournis"),
    T.DEMOLITION: ("Curage des logements, tri et évacuation des déchets de chantier, aide aux opérations de "
                   "désamiantage sous la conduite du chef d'équipe, nettoyage de la zone.",
                   "Respect strict des procédures de sécurité, port des équipements de protection, travail en équipe.",
                   "Formation amiante sous-section 4 assurée par l'entreprise", ["charges", "exterieur"],
                   "Aptitude médicale au port des équipements de protection respiratoire"),
    T.VRD: ("Terrassements manuels, pose de bordures et de pavés, réglage des fonds de forme, aide à la pose de "
            "réseaux, balisage et signalisation du chantier.",
            "Respect de la signalisation de chantier, maniement des outils manuels et du petit matériel.",
            "AIPR opérateur apprécié (formation possible)", ["exterieur", "charges", "permis_b"], ""),
    T.CHARPENTE_METALLIQUE: ("Préparation et manutention des éléments, aide au levage et à l'assemblage, boulonnage, "
                             "travail sur nacelle avec le monteur.",
                             "Travail en équipe, lecture d'un repérage de pièces, vigilance en hauteur.",
                             "", ["hauteur", "charges", "caces"], "CACES R486 nacelle apprécié"),
    T.CHARPENTE_BOIS: ("Taille et assemblage d'éléments de charpente à l'atelier, levage et pose sur chantier, "
                       "mise en place des protections collectives.",
                       "Usage des machines portatives, prise de mesures, travail en hauteur.",
                       "CAP charpentier apprécié", ["hauteur", "exterieur"], ""),
    T.COUVERTURE: ("Approvisionnement des matériaux en toiture, dépose de l'ancienne couverture, pose d'isolant et de "
                   "membranes d'étanchéité avec le chef d'équipe.",
                   "Aisance en hauteur, respect des règles de sécurité sur toiture.",
                   "", ["hauteur", "exterieur", "charges"], "Formation travail en hauteur assurée à l'embauche"),
    T.FACADES: ("Montage et démontage d'échafaudages, préparation des supports, pose d'isolation thermique par "
                "l'extérieur, application d'enduits.",
                "Soin, travail en hauteur, respect des temps de séchage.",
                "", ["hauteur", "exterieur"], ""),
    T.MENUISERIE: ("Dépose des anciennes fenêtres, pose des menuiseries neuves, calfeutrement, réglages et "
                   "finitions, évacuation des déchets.",
                   "Précision, prise de cotes, usage de la visseuse et du niveau.",
                   "", ["charges", "deplacements"], ""),
    T.SERRURERIE: ("Préparation et ajustage de pièces métalliques, soudure de pièces simples, pose de garde-corps et "
                   "de clôtures.",
                   "Lecture de plan, soudure à l'arc appréciée, soin des finitions.",
                   "", ["charges", "exterieur"], ""),
    T.PLATRERIE: ("Pose de rails et de plaques de plâtre, isolation, bandes et enduits, ponçage, protection et "
                  "nettoyage des pièces.",
                  "Précision, prise de mesures, respect des finitions.",
                  "", ["charges"], ""),
    T.PEINTURE: ("Protection des sols et des menuiseries, préparation des supports (lessivage, rebouchage, ponçage), "
                 "application des sous-couches et des peintures, nettoyage du matériel.",
                 "Soin et minutie, travail en équipe, respect du planning des autres corps d'état.",
                 "", ["deplacements"], ""),
    T.SOLS: ("Préparation des supports, ragréage, découpe et pose de carrelage ou de sols souples, joints et "
             "finitions.",
             "Minutie, prise de mesures, travail à genoux.",
             "", ["charges"], ""),
    T.ELECTRICITE: ("Tirage de câbles, pose de goulottes et d'appareillages, aide au raccordement des tableaux "
                    "sous la responsabilité de l'électricien.",
                    "Rigueur, lecture d'un schéma simple, respect des consignes de sécurité électrique.",
                    "Habilitation électrique B0 H0 (formation possible)", ["habilitation_electrique"], ""),
    T.PLOMBERIE_CVC: ("Aide à la pose de réseaux (cuivre, multicouche, PVC), d'équipements sanitaires et de "
                      "radiateurs, approvisionnement et rangement du chantier.",
                      "Soin, dextérité, lecture d'un plan simple.",
                      "", ["charges", "deplacements"], ""),
    T.ESPACES_VERTS_TRAVAUX: ("Préparation des sols, plantations, engazonnement, pose de bordures et d'arrosage, "
                              "entretien des plantations pendant la garantie.",
                              "Goût du travail en extérieur, usage du petit matériel motorisé.",
                              "", ["exterieur", "charges", "permis_b"], ""),
    T.NETTOYAGE: ("Nettoyage et entretien des bureaux, des sanitaires et des circulations, vidage des corbeilles, "
                  "utilisation de l'autolaveuse, respect du protocole d'hygiène.",
                  "Autonomie, discrétion, respect des dosages et des fiches techniques des produits.",
                  "", ["horaires_decales"], "Tenue fournie"),
    T.ENTRETIEN_ESPACES_VERTS: ("Tonte, débroussaillage, taille des haies, désherbage manuel et ramassage des "
                                "feuilles, entretien du matériel.",
                                "Usage de la débroussailleuse et de la tondeuse autoportée, travail en équipe.",
                                "", ["exterieur", "permis_b"], ""),
    T.COLLECTE_DECHETS: ("Collecte des bacs d'ordures ménagères et de tri en porte-à-porte, chargement de la benne, "
                         "guidage du chauffeur en marche arrière, propreté des points de collecte.",
                         "Bonne condition physique, ponctualité, respect des consignes de sécurité derrière la benne.",
                         "", ["horaires_decales", "exterieur", "charges"], "Prise de poste à 5 h"),
    T.RESTAURATION: ("Préparations froides et chaudes simples, conditionnement des repas en barquettes, plonge, "
                     "nettoyage de la cuisine selon le plan de maîtrise sanitaire.",
                     "Respect des règles d'hygiène (HACCP), rapidité, travail en équipe.",
                     "", ["horaires_decales"], ""),
    T.GARDIENNAGE: ("Accueil et filtrage des visiteurs, rondes de sûreté, contrôle d'accès, tenue de la main "
                    "courante, premiers gestes en cas d'incident.",
                    "Sens du contact, calme, rédaction d'un compte rendu simple.",
                    "Titre d'agent de prévention et de sécurité", ["horaires_decales"],
                    "Carte professionnelle du CNAPS en cours de validité"),
    T.TRANSPORT: ("Chargement des navettes, livraisons inter-sites selon la tournée, contrôle des bons de livraison.",
                  "Conduite prudente, ponctualité, rigueur.",
                  "", ["permis_b", "horaires_decales"], ""),
    T.FOURNITURE_POSE: ("Réception et déballage du mobilier, montage, installation dans les salles, évacuation des "
                        "emballages.",
                        "Lecture d'une notice de montage, usage de la visseuse, travail en équipe.",
                        "", ["charges", "deplacements"], ""),
    T.FOURNITURE: ("Préparation des commandes, étiquetage, chargement des camions.",
                   "Rigueur, port de charges.", "", ["charges"], ""),
}  # fmt: skip

MISSIONS = {  # what the lot is about, for the workplace line
    T.NETTOYAGE: "locaux",
    T.ENTRETIEN_ESPACES_VERTS: "sites",
    T.GARDIENNAGE: "sites",
    T.RESTAURATION: "cuisine centrale",
    T.COLLECTE_DECHETS: "secteur de collecte",
}

# How each trade hires: kinds of contract and their weights
BTP_KINDS = {"ctti": 5, "cdd": 4, "geiq": 2, "interim": 1, "apprenti": 2.5, "cdi": 1}
KIND_WEIGHTS = {
    T.NETTOYAGE: {"cdd_partiel": 4, "cdi_partiel": 3, "usage": 1.5, "ctti": 1},
    T.ENTRETIEN_ESPACES_VERTS: {"cdd": 3, "cdi": 1, "usage": 1, "ctti": 1, "apprenti": 0.5},
    T.COLLECTE_DECHETS: {"ctti": 4, "cdd": 3, "cdi": 1},
    T.RESTAURATION: {"cdd": 3, "cdd_partiel": 1, "cdi": 1, "ctti": 1},
    T.GARDIENNAGE: {"cdd": 3, "cdi": 2},
    T.TRANSPORT: {"cdd": 3, "ctti": 2},
    T.FOURNITURE_POSE: {"cdd": 2, "ctti": 3},
    T.FOURNITURE: {"cdd": 2, "ctti": 2},
}
# Women among the people each trade hires (weight against men's 1)
WOMEN_WEIGHT = {T.NETTOYAGE: 1.6, T.RESTAURATION: 1.4, T.GARDIENNAGE: 0.6, T.ENTRETIEN_ESPACES_VERTS: 0.6,
                T.PEINTURE: 0.5}  # fmt: skip


@dataclass(frozen=True)
class Kind:
    contract_type: str
    modality: str
    employer: str | None  # the kind of the placing employer; None: the company hires directly
    weekly: tuple
    days: tuple | None  # how long such a contract runs; None: open-ended
    source: str
    training: tuple | None = None  # share of training hours (work-study contracts)


DIRECT, LENT, TEMPING = (
    ContractModality.EMBAUCHE_DIRECTE,
    ContractModality.MISE_A_DISPOSITION,
    ContractModality.MISSION_INTERIM,
)
FIRM, AGENCY = HourSource.RELEVE_ENTREPRISE, HourSource.RELEVE_ETTI
KINDS = {
    "cdd": Kind(ContractType.CDD, DIRECT, None, (35, 35, 35, 39), (30, 160), FIRM),
    "cdd_partiel": Kind(ContractType.CDD, DIRECT, None, (20, 24, 26, 28, 30), (60, 240), FIRM),
    "cdi": Kind(ContractType.CDI, DIRECT, None, (35,), None, FIRM),
    "cdi_partiel": Kind(ContractType.CDI, DIRECT, None, (24, 26, 28, 30), None, FIRM),
    "cddi": Kind(ContractType.CDDI, DIRECT, None, (26, 26, 30, 35), (120, 300), FIRM),
    "ctti": Kind(ContractType.CTTI, TEMPING, K.ETTI, (35,), (14, 70), AGENCY),
    "interim": Kind(ContractType.INTERIM, TEMPING, K.ETT, (35,), (10, 60), AGENCY),
    "usage": Kind(ContractType.USAGE, LENT, K.AI, (15, 20, 24), (30, 150), FIRM),
    "geiq": Kind(ContractType.PROFESSIONNALISATION, LENT, K.GEIQ, (35,), (180, 330), FIRM, (0.15, 0.25)),
    "apprenti": Kind(ContractType.APPRENTISSAGE, DIRECT, None, (35,), (365, 730), FIRM, (0.25, 0.35)),
}
WORK_STUDY_NOTES = {
    "geiq": "Parcours qualifiant du GEIQ : titre professionnel préparé en alternance, tutorat sur le chantier.",
}
CONTRACT_NOTES = {
    "ctti": ["Mission renouvelable ; accompagnement socioprofessionnel assuré par l'ETTI.",
             "Mission de remplacement prolongée à la demande du chef de chantier."],
    "cddi": ["Parcours d'insertion : accompagnement socioprofessionnel par l'encadrante de l'EI.",
             "CDDI renouvelable ; projet de formation qualifiante en cours de construction."],
    "usage": ["Mise à disposition par l'association intermédiaire, quelques heures par semaine."],
    "cdi": ["Embauche durable à l'issue de la clause : très bon retour du chef d'équipe."],
}  # fmt: skip

END_REASONS = {  # how a contract ended early, by type (weights)
    "fixed": {EndReason.RUPTURE_ESSAI: 3, EndReason.DEMISSION: 2, EndReason.RUPTURE_CONVENTIONNELLE: 2,
              EndReason.ABANDON: 1},
    "open": {EndReason.DEMISSION: 3, EndReason.RUPTURE_CONVENTIONNELLE: 2, EndReason.LICENCIEMENT: 1},
}  # fmt: skip

TUTORS = {
    "sud_loire": ["Jean-Luc Moreau", "Patrice Guillet", "Sébastien Rio", "Franck Hamon", "Christophe Bellec",
                  "Sylvain Brochard", "Nathalie Cormier", "Émilie Gaborit", "Thierry Baudouin", "Laurent Pichon",
                  "Valérie Texier", "Olivier Martineau", "Yohann Le Guen", "Marina Jouan", "Régis Templier"],
    "val_de_somme": ["Jean-Marie Caron", "Sylvie Flament", "Pascal Wable", "Hervé Dumont", "Nicolas Becquet",
                     "Francis Leroy", "Sandrine Poulain", "Bruno Delahaye", "Cédric Vasseur", "Maryse Lheureux"],
}  # fmt: skip

# --- Positioning messages -----------------------------------------------------------------------------------------

WHY = [
    "{Il} a confirmé son intérêt pour le poste lors de notre dernier rendez-vous ; disponible dès la semaine "
    "prochaine.",
    "Très motivé{e} par le métier, {il} a réalisé une immersion concluante dans une entreprise du secteur.",
    "Ponctuel{le} et fiable, {il} a déjà travaillé sur des chantiers clausés et connaît les règles de sécurité.",
    "Projet validé avec son conseiller ; {il} peut se rendre sur le site en transports en commun.",
    "{Il} sort d'une formation courte dans le métier et cherche sa première expérience en entreprise.",
    "Disponible immédiatement, {il} accepte les horaires du poste et souhaite un contrat durable.",
]
PRESENTED = [
    "Candidature transmise à l'entreprise ; entretien fixé le {day:%d/%m} à {hour} h sur le chantier.",
    "CV transmis au chef de chantier, qui recevra {le candidat} en entretien le {day:%d/%m}.",
    "Présentation faite à l'entreprise avec la facilitatrice ; entretien le {day:%d/%m} à {hour} h.",
]
RETAINED = [
    "Bonne nouvelle : {le candidat} est retenu{e}. Prise de poste le {start:%d/%m/%Y}. Merci pour cette orientation !",
    "L'entreprise retient {le candidat} après l'entretien ; démarrage prévu le {start:%d/%m/%Y}.",
    "{Le candidat} est retenu{e} : contrat prévu à partir du {start:%d/%m/%Y}. Nous assurons le suivi dans l'emploi.",
]
REJECTED = {
    NonRetentionReason.POSTE_POURVU: "Le poste a été pourvu par un autre candidat présenté avant. Nous gardons la "
    "candidature pour le prochain besoin en {trade}.",
    NonRetentionReason.ENTRETIEN: "L'entretien n'a pas été concluant sur la connaissance des consignes de sécurité : "
    "une période d'immersion pourrait aider avant une nouvelle candidature.",
    NonRetentionReason.ABSENT: "{Le candidat} ne s'est pas présenté{e} à l'entretien et n'a pas répondu à nos deux "
    "relances. Pouvez-vous faire le point avec {la} ?",
    NonRetentionReason.DESISTEMENT: "{Le candidat} s'est désisté{e} : {il} a trouvé un emploi plus proche de chez "
    "{lui}. Bonne nouvelle !",
    NonRetentionReason.EXPERIENCE: "L'entreprise a préféré un profil ayant déjà une première expérience en {trade}. "
    "Une formation courte renforcerait la candidature.",
    NonRetentionReason.MOBILITE: "Le chantier commence à 7 h et n'est pas desservi tôt le matin : sans solution de "
    "transport, le poste n'est pas tenable pour l'instant.",
    NonRetentionReason.PROFIL: "L'entreprise recherchait un profil plus autonome. Nous proposerons {le candidat} sur "
    "un poste d'aide ou de manœuvre.",
    NonRetentionReason.ELIGIBILITE: "L'éligibilité à la clause de ce marché n'a pas pu être confirmée à la date "
    "d'attribution : merci de nous transmettre une attestation à jour.",
}
REJECT_WEIGHTS = {
    NonRetentionReason.POSTE_POURVU: 5,
    NonRetentionReason.ENTRETIEN: 2,
    NonRetentionReason.ABSENT: 2,
    NonRetentionReason.DESISTEMENT: 2,
    NonRetentionReason.EXPERIENCE: 2,
    NonRetentionReason.MOBILITE: 1,
    NonRetentionReason.PROFIL: 1,
}
TRADE_WORDS = {
    T.GROS_OEUVRE: "maçonnerie", T.DEMOLITION: "démolition", T.VRD: "travaux publics",
    T.CHARPENTE_METALLIQUE: "charpente métallique", T.CHARPENTE_BOIS: "charpente", T.COUVERTURE: "couverture",
    T.FACADES: "façades", T.MENUISERIE: "menuiserie", T.SERRURERIE: "métallerie", T.PLATRERIE: "plâtrerie",
    T.PEINTURE: "peinture", T.SOLS: "revêtements de sols", T.ELECTRICITE: "électricité",
    T.PLOMBERIE_CVC: "plomberie", T.ESPACES_VERTS_TRAVAUX: "paysage", T.NETTOYAGE: "propreté",
    T.ENTRETIEN_ESPACES_VERTS: "espaces verts", T.COLLECTE_DECHETS: "collecte des déchets",
    T.RESTAURATION: "restauration collective", T.GARDIENNAGE: "sécurité", T.TRANSPORT: "logistique",
    T.FOURNITURE_POSE: "installation de mobilier", T.FOURNITURE: "logistique",
}  # fmt: skip
RECONTACT_NOTE = (
    "Ancien salarié de la clause, revenu vers nous de lui-même : référente prévenue du nouveau positionnement, "
    "d'accord pour reprendre le suivi."
)
EXCEPTION_JUSTIFICATION = (
    "Apprentissage signé quelques semaines avant l'attribution pour préparer le chantier, avec l'accord du PLIE : "
    "le jeune est resté sur l'opération, l'entreprise s'engage à l'embaucher à l'issue du diplôme."
)
CLOSED_NOTES = [
    "Besoin annulé : l'entreprise a finalement redéployé un salarié d'un autre chantier.",
    "Offre close : le démarrage du lot a été décalé de plusieurs mois par le maître d'ouvrage.",
    "Poste pourvu par l'entreprise par ses propres moyens, hors clause.",
]
DRAFT_NOTES = [
    "Fiche de liaison reçue par courriel, à compléter avec le conducteur de travaux avant publication.",
    "Attendre la date de démarrage confirmée par le maître d'œuvre.",
]
HOUR_NOTES = [
    "Relevé corrigé après échange avec l'entreprise.",
    "Heures déclarées sur le relevé mensuel signé.",
]


# --- Helpers ------------------------------------------------------------------------------------------------------


def _weighted(rng, weights):
    items = list(weights)
    return rng.choices(items, weights=[weights[item] for item in items])[0]


def _moment(rng, day, after=None):
    """A working hour of `day`, after `after` if given."""
    moment = timezone.make_aware(datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59))))
    if after is not None and moment <= after:
        moment = after + timedelta(minutes=rng.randint(20, 240))
    return moment


def _agree(text, sex, **values):
    woman = sex == Sex.FEMME
    return text.format(
        **values,
        Il="Elle" if woman else "Il",
        il="elle" if woman else "il",
        e="e" if woman else "",
        le="le" if woman else "",
        la="la" if woman else "le",
        lui="elle" if woman else "lui",
        **{
            "Le candidat": "La candidate" if woman else "Le candidat",
            "le candidat": "la candidate" if woman else "le candidat",
        },
    )


def _weekdays(first, last):
    """Mondays to Fridays from `first` to `last`, both included."""
    days = (last - first).days + 1
    if days <= 0:
        return 0
    weeks, rest = divmod(days, 7)
    return weeks * 5 + sum(1 for offset in range(rest) if (first.weekday() + offset) % 7 < 5)


def _floor(value, step=HALF):
    return (Decimal(value) / step).to_integral_value(rounding=ROUND_DOWN) * step


def _phone(rng):
    return f"06 39 98 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}"  # the range kept for fiction


def _age(birth_date, day):
    return relativedelta(day, birth_date).years


# --- What the plan is drawn from ----------------------------------------------------------------------------------


@dataclass
class Context:
    """One structure's world: its people, companies, awards and staff, on `today`."""

    today: date
    key: str
    structure: object
    facilitators: list
    counsellors: dict  # e-mail → User (the prescribers' counsellors who follow people)
    awards: list
    employers: dict  # company kind → [Company] (ETTI, ETT, AI, GEIQ)
    inclusive: list  # companies whose hours count without a named participant (R-HRS-1)
    participants: list
    proofs: dict  # participant pk → [eligibility.ProofItem]
    diagnoses: dict  # (participant pk, market pk) → EligibilityDiagnosis
    rules: list
    referrals: list
    available_from: dict  # participant pk → first day they may work (people who came by a fiche navette)
    trades: dict  # company pk → trades it answers (marches demo)
    eligible_cache: dict = field(default_factory=dict)

    @property
    def hours_end(self):
        """Statements arrive monthly: hours are known until the end of last month."""
        return rules.month_start(self.today) - timedelta(days=1)

    @property
    def agency_end(self):
        """Temp agencies send weekly statements: their hours of the current month are partly known."""
        return max(self.today - timedelta(days=3), self.hours_end)

    def eligible_until(self, participant, market):
        """The last day the person may be hired with hours counting on `market` (R-ELIG-1), None when not
        eligible: the diagnosis on record, else what `diagnosis_assess` will find."""
        key = (participant.pk, market.pk)
        if key not in self.eligible_cache:
            diagnosis = self.diagnoses.get(key)
            if diagnosis is not None:
                ok, until = diagnosis.eligible and not diagnosis.provisional, diagnosis.valid_until
            else:
                results = eligibility.assess_all(
                    self.rules,
                    participant.facts(),
                    self.proofs.get(participant.pk, []),
                    market.attribution_date,
                    proofs_on=self.today,
                )
                ok = bool(eligibility.eligible_for(results, market.target_publics))
                until = eligibility.diagnosis_valid_until(market.attribution_date)
            self.eligible_cache[key] = until if ok else None
        return self.eligible_cache[key]


def _contexts(accounts, today):
    structures = accounts["structures"]
    rules_ = participant_services.active_rules()
    trades_by_name = {(s, name): trades for s, name, *_, trades in MARKET_COMPANIES}
    staff = defaultdict(list)
    for membership in (
        Membership.objects.filter(organisation__in=structures.values(), role=Role.FACILITATEUR, is_active=True)
        .select_related("user")
        .order_by("user__email")
    ):
        staff[membership.organisation_id].append(membership.user)
    counsellors = {
        m.user.email: m.user
        for m in Membership.objects.filter(role=Role.PRESCRIPTEUR, is_active=True).select_related("user")
    }
    contexts = []
    for key, structure in structures.items():
        companies = list(Company.objects.filter(structure=structure).order_by("pk"))
        employers = defaultdict(list)
        for company in companies:
            employers[company.kind].append(company)
        awards = list(
            Award.objects.filter(lot__market__structure=structure, lot__market__status__in=ATTRIBUTED)
            .select_related("lot__market", "company")
            .order_by("lot__market__attribution_date", "lot__market__pk", "lot__number", "pk")
        )
        participants = list(Participant.objects.filter(structure=structure).order_by("pk"))
        proofs = defaultdict(list)
        for proof in Proof.objects.filter(participant__in=participants).order_by("pk"):
            proofs[proof.participant_id].extend(Proof.usable_items([proof]))
        diagnoses = {
            (d.participant_id, d.market_id): d
            for d in EligibilityDiagnosis.objects.filter(participant__structure=structure)
        }
        referrals = list(
            Referral.objects.filter(structure=structure)
            .select_related("participant", "prescriber_organisation", "created_by")
            .order_by("pk")
        )
        available_from = {}
        for referral in referrals:
            person = referral.participant
            if referral.status == ReferralStatus.ACCEPTEE and person and person.created_at >= referral.created_at:
                available_from[person.pk] = person.created_at.date()  # met through this fiche navette
        contexts.append(
            Context(
                today=today,
                key=key,
                structure=structure,
                facilitators=staff[structure.pk],
                counsellors=counsellors,
                awards=awards,
                employers=employers,
                inclusive=[c for c in companies if c.kind in SUBCONTRACTOR_KINDS and c.kind != K.ETTI],
                participants=participants,
                proofs=proofs,
                diagnoses=diagnoses,
                rules=rules_,
                referrals=referrals,
                available_from=available_from,
                trades={c.pk: trades_by_name.get((key, c.name), ()) for c in companies},
            )
        )
    return contexts


# --- The plan -----------------------------------------------------------------------------------------------------


@dataclass
class Slot:
    """A work contract to be."""

    kind: str
    company: object
    employer: object
    awards: list
    weights: list
    start: date
    end: date | None  # the day it ends (actual, else planned); None: open-ended, still running
    weekly: Decimal
    job: tuple
    seed: int
    planned_end: date | None = None
    end_reason: str = ""
    participant: object = None
    special: str = ""  # "exception", "no_exception", "to_establish", "not_eligible"
    tutor: tuple = ("", "")
    notes: str = ""
    positioning: object = None
    rows: dict = field(default_factory=dict)  # (award pk, month, hour kind) → hours
    obj: object = None

    @property
    def counted(self):
        return self.special in ("", "exception")

    @property
    def trade(self):
        return self.awards[0].lot.trade

    @property
    def busy_until(self):
        return self.end or FOREVER


@dataclass
class OfferPlan:
    award: object
    status: str
    job: tuple
    kind: str
    positions: int
    start: date
    weekly: Decimal
    duration_weeks: int | None
    created: datetime
    published: datetime | None = None
    closed: datetime | None = None
    by: object = None
    notes: str = ""
    positionings: list = field(default_factory=list)
    obj: object = None


@dataclass
class Step:
    action: str  # present, retain, reject
    moment: datetime
    message: str = ""
    reason: str = ""


@dataclass
class PositioningPlan:
    offer: OfferPlan
    by: object
    organisation: object
    proposed: datetime
    message: str
    participant: object = None
    referral: object = None
    steps: list = field(default_factory=list)
    late: bool = False  # proposed after the contracts are written (R-RECONTACT is checked then)
    obj: object = None


@dataclass
class SubPlan:
    """Hours an award's holder subcontracted to an inclusive company (no named participant)."""

    award: object
    subcontractor: object
    rows: dict  # month → hours


@dataclass
class Plan:
    ctx: Context
    slots: list = field(default_factory=list)
    offers: list = field(default_factory=list)
    subs: list = field(default_factory=list)
    targets: dict = field(default_factory=dict)  # award pk → counted hours aimed at


# --- Targets: how far each obligation is --------------------------------------------------------------------------


def _window(ctx, market):
    """Days of the market's execution whose hours are known: (first, last), or None."""
    if market.start_date is None or market.end_date is None:
        return None
    last = min(market.end_date, ctx.hours_end)
    return (market.start_date, last) if last >= market.start_date else None


def _targets(rng, ctx, plan):
    """Counted hours aimed at on each award whose market has started: on track, to watch or behind (in execution),
    met or missed (finished) — a few companies behind on every obligation."""
    running = [a for a in ctx.awards if a.lot.market.status == MarketStatus.EXECUTION and _window(ctx, a.lot.market)]
    classic = sorted({a.company.pk for a in running if a.company.kind == K.CLASSIQUE})
    late_companies = set(rng.sample(classic, {"sud_loire": 2, "val_de_somme": 1}.get(ctx.key, 1)))
    for award in ctx.awards:
        market = award.lot.market
        if _window(ctx, market) is None:
            continue
        committed = award.hours_committed
        if market.status == MarketStatus.TERMINE:
            ratio = rng.uniform(1.0, 1.14) if rng.random() < 0.9 else rng.uniform(0.8, 0.94)
            plan.targets[award.pk] = committed * Decimal(str(round(ratio, 3)))
            continue
        draw = rng.random()
        if award.company.pk in late_companies:
            ratio = rng.uniform(0.3, 0.6)
        elif draw < 0.84:
            ratio = rng.uniform(1.08, 1.3)
        else:
            ratio = rng.uniform(0.86, 0.95)
        elapsed = (ctx.today - market.start_date).days / max((market.end_date - market.start_date).days, 1)
        plan.targets[award.pk] = committed * Decimal(str(round(min(elapsed, 1) * ratio, 4)))


# --- Contracts ----------------------------------------------------------------------------------------------------


def _kinds(ctx, award):
    """How this award's company hires, with weights: only kinds whose placing employer the structure knows."""
    if award.company.kind in (K.EI, K.REGIE):
        return {"cddi": 1}
    trade = award.lot.trade
    weights = dict(BTP_KINDS if trade in BTP else KIND_WEIGHTS.get(trade, {"cdd": 1}))
    for name in list(weights):
        employer = KINDS[name].employer
        if (employer and not ctx.employers.get(employer)) or (name == "apprenti" and trade not in APPRENTICE_JOBS):
            del weights[name]
    return weights


def _job(rng, kind, trade):
    if kind == "apprenti":
        return APPRENTICE_JOBS[trade]
    jobs = JOBS[trade]
    return rng.choices(jobs, weights=[len(jobs) - index + 1 for index in range(len(jobs))])[0]


def _slot(rng, ctx, kind_name, awards, weights, start, end):
    kind = KINDS[kind_name]
    company = awards[0].company
    employer = ctx.employers[kind.employer][0] if kind.employer else company
    tutors = TUTORS[ctx.key]
    tutor = random.Random(f"{company.siret}-{kind_name}").choice(tutors)  # never a primary key: see Writer
    slot = Slot(
        kind=kind_name,
        company=company,
        employer=employer,
        awards=list(awards),
        weights=list(weights),
        start=start,
        end=end,
        weekly=Decimal(rng.choice(kind.weekly)),
        job=_job(rng, kind_name, awards[0].lot.trade),
        seed=rng.getrandbits(32),
        tutor=(tutor, _phone(random.Random(tutor))),
    )
    slot.planned_end = end if kind.days else None
    notes = CONTRACT_NOTES.get(kind_name.split("_")[0])
    if kind_name == "apprenti":
        slot.notes = f"Diplôme préparé en alternance au {APPRENTICE_SCHOOLS[ctx.key]}."
    elif kind_name in WORK_STUDY_NOTES:
        slot.notes = WORK_STUDY_NOTES[kind_name]
    elif notes and rng.random() < 0.3:
        slot.notes = rng.choice(notes)
    slot.rows = _slot_rows(ctx, slot)
    return slot


def _slot_rows(ctx, slot):
    """The hours of each month the contract covers, on each market it serves: weekly hours over the working days
    covered, with some noise (absences, summer holidays), never above the legal ceiling (R-HRS-3); training
    hours for work-study contracts; a mutualised contract's hours split between its markets (R-HRS-2)."""
    rng = random.Random(slot.seed)
    kind = KINDS[slot.kind]
    period = rules.Period(slot.start, slot.end)
    markets = [award.lot.market for award in slot.awards]
    first_day = max(slot.start, min(m.start_date for m in markets))
    horizon = ctx.agency_end if kind.source == AGENCY else ctx.hours_end
    last_day = min(slot.end or date.max, horizon, max(m.end_date for m in markets))
    rows = {}
    if last_day < first_day:
        return rows
    for month in rules.months_between(first_day, last_day):
        month_last = rules.month_end(month)
        active = [
            (award, weight, market)
            for award, weight, market in zip(slot.awards, slot.weights, markets, strict=True)
            if market.start_date <= month_last and market.end_date >= month
            and month >= rules.month_start(market.attribution_date)
        ]  # fmt: skip
        if not active:
            continue
        first = max(month, first_day, min(m.start_date for *_, m in active))
        last = min(month_last, last_day, max(m.end_date for *_, m in active))
        days = _weekdays(first, last)
        if days <= 0:
            continue
        noise = rng.uniform(0.86, 1.0)
        if rng.random() < 0.06:  # a few days off
            noise *= rng.uniform(0.45, 0.8)
        if month.month == 8:
            noise *= 0.55 if slot.trade in BTP else 0.85
        elif month.month == 12:
            noise *= 0.9
        total = _floor(slot.weekly / 5 * days * Decimal(str(round(noise, 3))))
        total = min(total, _floor(rules.monthly_ceiling(period, month)))
        if total <= 0:
            continue
        training = ZERO
        if kind.training and month.month not in (7, 8):
            training = _floor(total * Decimal(str(round(rng.uniform(*kind.training), 3))))
        elif slot.kind == "cddi" and rng.random() < 0.08:  # SST or CACES training in the EI
            training = min(Decimal(rng.choice([7, 14])), _floor(total / 2))
        for hour_kind, amount in ((HourKind.TRAVAIL, total - training), (HourKind.FORMATION, training)):
            if amount <= 0:
                continue
            for (award, *_), part in zip(active, rules.split_total(amount, [w for _, w, _ in active]), strict=True):
                if part > 0:
                    rows[(award.pk, month, hour_kind)] = part
    return rows


def _on(slot, award):
    return sum((hours for (award_pk, *_), hours in slot.rows.items() if award_pk == award.pk), ZERO)


def _lanes(rng, ctx, plan, award, need):
    """Contracts that deliver about `need` counted hours on the award over its execution so far: on one or more
    lanes (people at work on the site at the same time), one after the other with gaps, all hired while the
    eligibility established at the attribution lasts (R-ELIG-1). On a market being executed each lane is laid out
    backwards from a contract under way today; on a finished one, forwards from its start."""
    market = award.lot.market
    first, last = _window(ctx, market)
    kinds = _kinds(ctx, award)
    mean_weekly = sum(w * sum(KINDS[k].weekly) / len(KINDS[k].weekly) for k, w in kinds.items()) / sum(kinds.values())
    days = (last - first).days + 1
    load = float(need) / (days * mean_weekly / 7 * RATE)  # people at work at the same time, on average
    lanes = max(1, math.ceil(load - 0.15))
    occupancy = min(load / lanes, 1.0)
    lay = _lane_backwards if market.status == MarketStatus.EXECUTION else _lane_forwards
    for _ in range(lanes):
        lay(rng, ctx, plan, award, kinds, Decimal(str(round(float(need) / lanes, 2))), occupancy)


RATE = 0.88  # hours worked per calendar day, for each weekly hour / 7 (holidays, absences)


def _draw(rng, ctx, award, kinds, day, days_needed, past=False):
    """A kind of contract: an apprenticeship only for a young eligible person and a long enough need; a past one
    a fixed term."""
    name = _weighted(rng, kinds)
    if name == "apprenti" and (days_needed < 150 or not _young_pool(ctx, award.lot.market, day)):
        name = "cdd"
    if past and KINDS[name].days is None:
        name = name.replace("cdi", "cdd")
    return name


def _gap(rng, length, occupancy, room=None):
    """Days between two contracts of a lane: the lane is busy `occupancy` of the time; never more than `room`
    (the days the lane can spare and still deliver what remains)."""
    if occupancy >= 0.95:
        days = rng.randint(3, 15)
    else:
        days = max(7, int(length * (1 - occupancy) / occupancy * rng.uniform(0.6, 1.4)))
    if room is not None:
        days = min(days, max(3, room))
    return timedelta(days=days)


def _room(need, produced, window_days, weekly=30):
    """Days of a lane's window left over once what remains of its need is delivered."""
    return window_days - int(float(need - produced) / (weekly / 7 * RATE))


def _lane_forwards(rng, ctx, plan, award, kinds, need, occupancy):
    market = award.lot.market
    first, last = _window(ctx, market)
    deadline = eligibility.diagnosis_valid_until(market.attribution_date) - timedelta(days=10)
    produced = ZERO
    cursor = first + timedelta(days=rng.randint(0, int(min(45, (last - first).days * (1 - occupancy) * 0.5))))
    while cursor <= min(last - timedelta(days=10), deadline) and need - produced > 15:
        name = _draw(rng, ctx, award, kinds, cursor, float(need - produced) / (5 * RATE), past=True)
        kind = KINDS[name]
        days_needed = float(need - produced) / (sum(kind.weekly) / len(kind.weekly) / 7 * RATE)
        duration = max(min(rng.randint(*kind.days), int(days_needed) + 1), 14)
        end = cursor + timedelta(days=duration - 1)
        if name != "apprenti":  # an apprenticeship runs its course, whatever the market
            end = min(end, market.end_date)
        slot = _slot(rng, ctx, name, [award], [1], cursor, end)
        plan.slots.append(slot)
        produced += _on(slot, award)
        room = _room(need, produced, (min(last, deadline + timedelta(days=90)) - end).days)
        cursor = end + _gap(rng, duration, occupancy, room)


def _lane_backwards(rng, ctx, plan, award, kinds, need, occupancy):
    market = award.lot.market
    first, last = _window(ctx, market)
    today = ctx.today
    deadline = eligibility.diagnosis_valid_until(market.attribution_date) - timedelta(days=10)
    produced = ZERO
    # The contract under way today: started long enough ago to deliver part of the need by last month's
    # statement, and not after the eligibility ran out
    name = _draw(rng, ctx, award, kinds, today, float(need) / (5 * RATE))
    kind = KINDS[name]
    rate = sum(kind.weekly) / len(kind.weekly) / 7 * RATE
    share = rng.uniform(0.3, 0.7) if float(need) / rate > 60 else rng.uniform(0.75, 1.0)
    start = max(first, ctx.hours_end - timedelta(days=max(5, int(float(need) * share / rate))))
    if start > deadline:
        start = max(first, deadline - timedelta(days=rng.randint(0, 45)))
        if kind.days and (today - start).days > kind.days[1]:
            name = "cdi_partiel" if "cdi_partiel" in kinds or award.lot.trade not in BTP else "cdi"
            kind = KINDS[name]
    end = None if kind.days is None else max(today + timedelta(days=rng.randint(10, 150)), start + timedelta(
        days=rng.randint(*kind.days)))  # fmt: skip
    if end is not None and name != "apprenti":
        end = min(end, market.end_date)
    cursor = min(ctx.hours_end, deadline)
    if (end is None or end > today) and (kind.days is None or (end - start).days <= 730):
        slot = _slot(rng, ctx, name, [award], [1], start, end)
        if _on(slot, award) <= need * Decimal("1.3"):
            plan.slots.append(slot)
            produced += _on(slot, award)
            cursor = start - _gap(rng, (today - start).days, occupancy, _room(need, produced, (start - first).days))
    # Earlier contracts, back to the start of the market
    while need - produced > 15 and cursor > first + timedelta(days=14):
        name = _draw(rng, ctx, award, kinds, cursor, float(need - produced) / (5 * RATE), past=True)
        kind = KINDS[name]
        days_needed = float(need - produced) / (sum(kind.weekly) / len(kind.weekly) / 7 * RATE)
        duration = max(min(rng.randint(*kind.days), int(days_needed) + 1), 14)
        start = min(max(first, cursor - timedelta(days=duration - 1)), deadline)  # hired while eligible
        end = min(cursor, start + timedelta(days=duration - 1))
        slot = _slot(rng, ctx, name, [award], [1], start, end)
        plan.slots.append(slot)
        produced += _on(slot, award)
        cursor = start - _gap(rng, duration, occupancy, _room(need, produced, (start - first).days))


def _young_pool(ctx, market, day):
    """Someone under 26 eligible to the market, for an apprenticeship."""
    return any(_age(p.birth_date, day) < 26 and ctx.eligible_until(p, market) for p in ctx.participants)


def _mutualised(rng, ctx, plan, needs):
    """Contracts serving two awards of the same company on two markets (R-HRS-2)."""
    by_company = defaultdict(list)
    for award in ctx.awards:
        if award.pk in needs and award.company.kind in (K.CLASSIQUE, K.EI, K.REGIE):
            by_company[award.company.pk].append(award)
    pairs = []
    for awards in by_company.values():
        for a, b in combinations(awards, 2):
            if a.lot.market_id == b.lot.market_id:
                continue
            (first_a, last_a), (first_b, last_b) = _window(ctx, a.lot.market), _window(ctx, b.lot.market)
            first, last = max(first_a, first_b), min(last_a, last_b)
            deadline = min(
                eligibility.diagnosis_valid_until(m.attribution_date) for m in (a.lot.market, b.lot.market)
            ) - timedelta(days=10)
            if (last - first).days >= 120 and first < deadline - timedelta(days=20):
                pairs.append((a, b, first, last, deadline))
    rng.shuffle(pairs)
    wanted = {"sud_loire": 10, "val_de_somme": 5}.get(ctx.key, 4)
    used, per_company = set(), Counter()
    for a, b, first, _, deadline in pairs:
        if wanted <= 0:
            break
        if a.pk in used or b.pk in used or per_company[a.company.pk] >= 2:
            continue
        kinds = {k: w for k, w in _kinds(ctx, a).items() if k not in ("apprenti", "geiq", "usage")}
        name = _weighted(rng, kinds)
        start = first + timedelta(days=rng.randint(0, min(45, (deadline - first).days)))
        kind = KINDS[name]
        end = None if kind.days is None else start + timedelta(days=rng.randint(max(kind.days[0], 90), 360))
        shares = rng.choice([(1, 1), (2, 1), (1, 2), (3, 2)])
        for _ in range(4):  # shorter until it fits both obligations
            slot = _slot(rng, ctx, name, [a, b], shares, start, end)
            if all(_on(slot, x) <= needs[x.pk] * Decimal("0.6") for x in (a, b)):
                break
            if end is None:
                name, kind = name.replace("cdi", "cdd"), KINDS[name.replace("cdi", "cdd")]
                end = start + timedelta(days=240)
            end = start + (end - start) / 2
        else:
            continue
        plan.slots.append(slot)
        for x in (a, b):
            needs[x.pk] -= _on(slot, x)
        used |= {a.pk, b.pk}
        per_company[a.company.pk] += 1
        wanted -= 1


def _specials(rng, ctx, plan, needs, wanted):
    """The contracts whose hours do not count, and the one that counts by exception (R-ELIG-4)."""
    today = ctx.today
    running = [a for a in ctx.awards if a.pk in needs and a.lot.market.status == MarketStatus.EXECUTION]
    rng.shuffle(running)
    for special in wanted:
        for award in running:
            market = award.lot.market
            if special in ("exception", "no_exception"):
                if not (
                    award.company.kind == K.CLASSIQUE
                    and award.lot.trade in APPRENTICE_JOBS
                    and market.attribution_date <= today - timedelta(days=200)
                    and (needs[award.pk] >= 1200 or special == "no_exception")
                ):
                    continue
                start = market.attribution_date - timedelta(days=rng.randint(40, 110))
                slot = _slot(rng, ctx, "apprenti", [award], [1], start, start + relativedelta(years=2, days=-1))
            elif special == "to_establish":
                if award.company.kind != K.CLASSIQUE or needs[award.pk] < 300 or "ctti" not in _kinds(ctx, award):
                    continue
                start = today - timedelta(days=rng.randint(18, 40))
                slot = _slot(rng, ctx, "ctti", [award], [1], start, today + timedelta(days=rng.randint(30, 80)))
            else:  # not_eligible
                if award.company.kind != K.CLASSIQUE or (today - market.start_date).days < 200:
                    continue
                start = today - timedelta(days=rng.randint(130, 170))
                slot = _slot(rng, ctx, "cdd", [award], [1], start, start + timedelta(days=rng.randint(60, 90)))
            slot.special = special
            plan.slots.append(slot)
            running.remove(award)
            break


def _fits(ctx, slot, person):
    """Whether the person can take this contract: age for an apprenticeship, eligibility on each market served."""
    if slot.kind == "apprenti" and _age(person.birth_date, slot.start) >= 26:
        return False
    if slot.kind in ("ctti", "interim", "cdd") and _age(person.birth_date, slot.start) >= 60:
        return False
    markets = [award.lot.market for award in slot.awards]
    if slot.special == "to_establish":
        market = markets[0]
        return (person.pk, market.pk) not in ctx.diagnoses and ctx.eligible_until(person, market) is not None
    if slot.special == "not_eligible":
        return ctx.eligible_until(person, markets[0]) is None
    for market in markets:
        until = ctx.eligible_until(person, market)
        if until is None or until < slot.start:
            return False
    return True


def _assign(rng, ctx, plan):
    """A person for each contract, never two contracts at once; those nobody can take are dropped."""
    busy = defaultdict(list)
    employers = defaultdict(set)
    load = Counter()
    margin = timedelta(days=5)
    kept = []
    for slot in sorted(plan.slots, key=lambda s: (s.special == "", s.start, s.seed)):
        women = 0.25 if slot.trade in BTP else WOMEN_WEIGHT.get(slot.trade, 1.0)
        candidates, weights = [], []
        for person in ctx.participants:
            if ctx.available_from.get(person.pk, date.min) > slot.start - timedelta(days=21):
                continue
            if any(start <= slot.busy_until + margin and slot.start - margin <= end for start, end in busy[person.pk]):
                continue
            if not _fits(ctx, slot, person):
                continue
            weight = (women if person.sex == Sex.FEMME else 1.0) / (1 + 2 * load[person.pk])
            if slot.company.pk in employers[person.pk]:
                weight *= 3  # the company takes back someone it knows
            candidates.append(person)
            weights.append(weight)
        if not candidates:
            continue
        if slot.special == "to_establish":
            # Among people without a diagnosis on the market — fewer once the demo wrote its own — the same person
            # whatever the run: the first by a key of their own.
            person = min(candidates, key=lambda p: random.Random(f"{slot.seed}-{p.name_key}-{p.birth_date}").random())
        else:
            person = rng.choices(candidates, weights=weights)[0]
        slot.participant = person
        busy[person.pk].append((slot.start, slot.busy_until))
        employers[person.pk].add(slot.company.pk)
        load[person.pk] += 1
        kept.append(slot)
    plan.slots = sorted(kept, key=lambda s: (s.start, s.seed))


def _endings(rng, ctx, plan):
    """Contracts whose end has passed are closed: most at their term, some earlier (trial period, resignation…)."""
    for slot in plan.slots:
        kind = KINDS[slot.kind]
        if slot.special in ("exception", "no_exception"):
            slot.end_reason = EndReason.TERME if slot.end < ctx.today else ""
            continue
        if slot.end is None or slot.end >= ctx.today:
            continue
        if kind.days is None:
            slot.end_reason = _weighted(rng, END_REASONS["open"])
        elif rng.random() < 0.16 and (slot.end - slot.start).days > 30:
            slot.end_reason = _weighted(rng, END_REASONS["fixed"])
            slot.planned_end = slot.end + timedelta(days=rng.randint(20, 120))
        else:
            slot.end_reason = EndReason.TERME


def _fit(ctx, plan):
    """Scale each award's contract hours (within the noise) so that its counted hours meet the target."""
    counted, subs = defaultdict(Decimal), defaultdict(Decimal)
    for slot in plan.slots:
        if slot.counted:
            for (award_pk, *_), hours in slot.rows.items():
                counted[award_pk] += hours
    for sub in plan.subs:
        subs[sub.award.pk] += sum(sub.rows.values(), ZERO)
    factors = {}
    for award_pk, target in plan.targets.items():
        if counted[award_pk] > 0:
            factor = (target - subs[award_pk]) / counted[award_pk]
            factors[award_pk] = min(max(factor, Decimal("0.75")), Decimal("1.18"))
    for slot in plan.slots:
        if not slot.counted:
            continue
        period = rules.Period(slot.start, slot.end)
        by_month = defaultdict(list)
        for key, hours in slot.rows.items():
            slot.rows[key] = (hours * factors.get(key[0], 1)).quantize(rules.HUNDREDTH, rounding=ROUND_DOWN)
            by_month[key[1]].append(key)
        for month, keys in by_month.items():
            ceiling = rules.monthly_ceiling(period, month)
            total = sum(slot.rows[key] for key in keys)
            if total > ceiling:
                for key in keys:
                    slot.rows[key] = (slot.rows[key] * ceiling / total).quantize(rules.HUNDREDTH, rounding=ROUND_DOWN)
        slot.rows = {key: hours for key, hours in slot.rows.items() if hours > 0}


def _sub_rows(rng, ctx, award, total):
    first, last = _window(ctx, award.lot.market)
    months = rules.months_between(first, last)
    weights = []
    for month in months:
        covered = (min(rules.month_end(month), last) - max(month, first)).days + 1
        weight = rng.uniform(0.6, 1.4) * covered / 30
        weights.append(weight * (0.5 if month.month == 8 else 1))
    whole = sum(weights)
    rows = {month: _floor(total * Decimal(str(round(w / whole, 5)))) for month, w in zip(months, weights, strict=True)}
    return {month: hours for month, hours in rows.items() if hours > 0}


def _subcontracting(rng, ctx, plan, needs):
    """Inclusive companies (ACI, EA, some EI) deliver their obligation as subcontracted hours; a few titulaires
    subcontract part of theirs to an inclusive company of the same trade (R-HRS-1)."""
    for award in ctx.awards:
        if award.pk not in needs:
            continue
        kind = award.company.kind
        if kind in (K.ACI, K.EA) or (kind == K.EI and rng.random() < 0.5):
            plan.subs.append(SubPlan(award, award.company, _sub_rows(rng, ctx, award, needs.pop(award.pk))))
            continue
        partners = [c for c in ctx.inclusive if award.lot.trade in ctx.trades.get(c.pk, ())]
        if kind == K.CLASSIQUE and partners and rng.random() < 0.3:
            share = needs[award.pk] * Decimal(str(round(rng.uniform(0.15, 0.35), 2)))
            rows = _sub_rows(rng, ctx, award, share)
            plan.subs.append(SubPlan(award, rng.choice(partners), rows))
            needs[award.pk] -= sum(rows.values(), ZERO)


def plan_contracts(rng, ctx):
    plan = Plan(ctx)
    _targets(rng, ctx, plan)
    needs = dict(plan.targets)
    _subcontracting(rng, ctx, plan, needs)
    _mutualised(rng, ctx, plan, needs)
    wanted = ["exception", "to_establish"] if ctx.key == "sud_loire" else ["no_exception", "not_eligible"]
    _specials(rng, ctx, plan, needs, wanted)
    for slot in plan.slots:
        if slot.special == "exception":
            needs[slot.awards[0].pk] -= _on(slot, slot.awards[0])
    for award in ctx.awards:
        if needs.get(award.pk, 0) > 20:
            _lanes(rng, ctx, plan, award, needs[award.pk])
    _assign(rng, ctx, plan)
    _endings(rng, ctx, plan)
    _fit(ctx, plan)
    return plan


# --- Offers and positionings --------------------------------------------------------------------------------------


def _proposer(rng, ctx, person, prescriber_share=0.65):
    """The person's référent counsellor (a prescriber), or a facilitator of the structure."""
    counsellor = ctx.counsellors.get(person.referent_email)
    if counsellor is not None and person.referent_organisation_id and rng.random() < prescriber_share:
        return counsellor, person.referent_organisation
    return rng.choice(ctx.facilitators), ctx.structure


def _salary(rng, kind):
    if kind == "apprenti":
        return "Rémunération d'apprenti selon l'âge et l'année de formation (barème légal)"
    if kind == "geiq":
        return "Au moins 80 % du SMIC selon l'âge et le niveau, puis salaire conventionnel"
    return rng.choice(["SMIC", "SMIC", "12,30 € brut de l'heure", "12,60 € brut de l'heure", "1 850 € brut par mois",
                       "Selon la grille conventionnelle, niveau 1 (12,10 € brut de l'heure)"])  # fmt: skip


def _offer(rng, ctx, award, status, job, kind, positions, start, weekly, created, by):
    days = KINDS[kind].days
    weeks = None if days is None else max(1, min(260, round((days[0] + days[1]) / 2 / 7)))
    if kind == "apprenti":
        weeks = 104
    return OfferPlan(
        award=award,
        status=status,
        job=job,
        kind=kind,
        positions=positions,
        start=start,
        weekly=weekly,
        duration_weeks=weeks,
        created=created,
        by=by,
    )


def _step_moments(rng, start_day, count, end_day, now):
    """`count` working moments from `start_day`, a few days apart, never after `end_day` nor now."""
    moments, day, previous = [], start_day, None
    for _ in range(count):
        moment = _moment(rng, min(day, end_day), after=previous)
        moment = min(moment, now)
        moments.append(moment)
        previous = moment
        day = moment.date() + timedelta(days=rng.randint(1, 5))
    return moments


def _decided(rng, pp, person, trade, reason, moments):
    """Present (most of the time) then reject with the reason and a feedback message (R-FEEDBACK)."""
    message = _agree(REJECTED[reason], person.sex, trade=TRADE_WORDS[trade])
    if reason in (NonRetentionReason.ELIGIBILITE, NonRetentionReason.DESISTEMENT) and len(moments) > 1:
        pp.steps = [Step("reject", moments[1], message, reason)]
        return
    present = _present_message(rng, person, moments[1])
    pp.steps = [Step("present", moments[1], present), Step("reject", moments[-1], message, reason)]


def _present_message(rng, person, moment):
    day = moment.date() + timedelta(days=rng.randint(2, 6))
    return _agree(rng.choice(PRESENTED), person.sex, day=day, hour=rng.choice([9, 10, 14, 15]))


def _free(plan, person, first, last):
    return not any(s.participant is person and s.start <= last and first <= s.busy_until for s in plan.slots)


def _former(plan, person, today):
    """Had clause contracts, all ended (R-RECONTACT)."""
    slots = [s for s in plan.slots if s.participant is person]
    return bool(slots) and all(s.end is not None and s.end < today for s in slots)


def plan_offers(rng, ctx, plan):
    """Filled offers behind some contracts (their retained positionings), open offers with candidates being
    considered, closed offers and drafts."""
    today, now = ctx.today, timezone.now()
    taken = set()  # (award pk, job title): one offer each
    facilitators = ctx.facilitators

    # Filled offers: a third of the direct hires and placements came through a published offer.
    groups = []
    for slot in plan.slots:
        if slot.special or slot.kind in ("usage", "interim") or rng.random() > 0.34:
            continue
        for group in groups:
            head = group[0]
            if (
                head.awards[0].pk == slot.awards[0].pk and head.job == slot.job and head.kind == slot.kind
                and 0 <= (slot.start - head.start).days <= 21
                and all(s.participant is not slot.participant for s in group)
            ):  # fmt: skip
                group.append(slot)
                break
        else:
            groups.append([slot])
    for group in groups:
        head = group[0]
        award = head.awards[0]
        if (award.pk, head.job[0]) in taken:
            continue
        taken.add((award.pk, head.job[0]))
        created = _moment(rng, head.start - timedelta(days=rng.randint(30, 55)))
        offer = _offer(rng, ctx, award, OfferStatus.POURVUE, head.job, head.kind, len(group), head.start,
                       head.weekly, created, rng.choice(facilitators))  # fmt: skip
        offer.published = _moment(rng, created.date() + timedelta(days=rng.randint(1, 4)), after=created)
        closing = offer.published
        for slot in group:
            person = slot.participant
            by, organisation = _proposer(rng, ctx, person)
            if _former(plan_before(plan, slot.start), person, slot.start):  # back: through their référent
                by, organisation = _proposer(rng, ctx, person, prescriber_share=1)
            first = offer.published.date() + timedelta(days=rng.randint(1, 8))
            moments = _step_moments(
                rng, min(first, slot.start - timedelta(days=9)), 3, slot.start - timedelta(days=1), now
            )
            pp = PositioningPlan(offer, by, organisation, moments[0], _agree(rng.choice(WHY), person.sex),
                                 participant=person)  # fmt: skip
            message = _agree(rng.choice(RETAINED), person.sex, start=slot.start)
            pp.steps = [Step("present", moments[1], _present_message(rng, person, moments[1])),
                        Step("retain", moments[2], message)]  # fmt: skip
            offer.positionings.append(pp)
            slot.positioning = pp
            closing = max(closing, moments[2])
        group_people = {s.participant.pk for s in group}
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            person = _candidate(rng, ctx, plan, award, head.start, exclude=group_people)
            if person is None:
                break
            group_people.add(person.pk)
            by, organisation = _proposer(rng, ctx, person)
            moments = _step_moments(rng, offer.published.date() + timedelta(days=rng.randint(1, 10)), 3,
                                    head.start - timedelta(days=1), now)  # fmt: skip
            pp = PositioningPlan(offer, by, organisation, moments[0], _agree(rng.choice(WHY), person.sex),
                                 participant=person)  # fmt: skip
            eligible = ctx.eligible_until(person, award.lot.market)
            reason = NonRetentionReason.ELIGIBILITE if eligible is None else _weighted(rng, REJECT_WEIGHTS)
            _decided(rng, pp, person, award.lot.trade, reason, moments)
            offer.positionings.append(pp)
            closing = max(closing, pp.steps[-1].moment)
        offer.closed = min(closing + timedelta(days=rng.randint(0, 3)), now)
        plan.offers.append(offer)

    # Open offers, closed offers and drafts
    counts = {"sud_loire": (9, 4, 4), "val_de_somme": (4, 2, 2)}.get(ctx.key, (3, 1, 1))
    running = [
        a
        for a in ctx.awards
        if a.lot.market.status == MarketStatus.EXECUTION
        and a.lot.market.end_date > today + timedelta(days=90)
        and a.company.kind in (K.CLASSIQUE, K.EI)
    ]
    upcoming = [a for a in ctx.awards if a.lot.market.status == MarketStatus.ATTRIBUE
                and a.company.kind in (K.CLASSIQUE, K.EI)]  # fmt: skip
    rng.shuffle(running)
    rng.shuffle(upcoming)
    pools = {
        OfferStatus.PUBLIEE: upcoming[:2] + running,
        OfferStatus.CLOTUREE: [a for a in running if (today - a.lot.market.start_date).days >= 150],
        OfferStatus.BROUILLON: upcoming[2:] + running[::-1],
    }
    former_done = False
    for status, count in zip((OfferStatus.PUBLIEE, OfferStatus.CLOTUREE, OfferStatus.BROUILLON), counts, strict=True):
        for _ in range(count):
            award = next((a for a in pools[status] if not any(pk == a.pk for pk, _ in taken)), None)
            if award is None:
                break
            kind = _weighted(rng, {k: w for k, w in _kinds(ctx, award).items() if k not in ("usage", "interim")})
            job = _job(rng, kind, award.lot.trade)
            taken.add((award.pk, job[0]))
            weekly = Decimal(rng.choice(KINDS[kind].weekly))
            if status == OfferStatus.CLOTUREE:
                market = award.lot.market
                latest = min(today - timedelta(days=60), market.end_date)
                day = market.start_date + timedelta(days=rng.randint(0, max(0, (latest - market.start_date).days)))
                created = _moment(rng, min(day, latest))
                start = created.date() + timedelta(days=rng.randint(30, 50))
            elif status == OfferStatus.PUBLIEE:
                created = _moment(rng, today - timedelta(days=rng.randint(8, 35)))
                start = max(today + timedelta(days=rng.randint(7, 45)), award.lot.market.start_date)
            else:
                created = _moment(rng, today - timedelta(days=rng.randint(1, 12)))
                start = max(today + timedelta(days=rng.randint(20, 60)), award.lot.market.start_date)
            created = min(created, now)
            positions = rng.choice([1, 1, 2, 3]) if status != OfferStatus.BROUILLON else rng.choice([1, 2])
            offer = _offer(rng, ctx, award, status, job, kind, positions, start, weekly, created,
                           rng.choice(facilitators))  # fmt: skip
            if status == OfferStatus.BROUILLON:
                offer.notes = rng.choice(DRAFT_NOTES)
                if not any(p.status == OfferStatus.BROUILLON and p.positionings for p in plan.offers):
                    person = _candidate(rng, ctx, plan, award, start, exclude=set(), now=True)
                    if person is not None:  # a facilitator already has someone in mind
                        proposed = min(_moment(rng, created.date() + timedelta(days=1), after=created), now)
                        pp = PositioningPlan(
                            offer,
                            rng.choice(facilitators),
                            ctx.structure,
                            proposed,
                            _agree(rng.choice(WHY), person.sex),
                            participant=person,
                            late=True,
                        )
                        offer.positionings.append(pp)  # fmt: skip
                plan.offers.append(offer)
                continue
            offer.published = min(_moment(rng, created.date() + timedelta(days=rng.randint(1, 3)), after=created), now)
            if status == OfferStatus.CLOTUREE:
                offer.notes = rng.choice(CLOSED_NOTES)
                offer.closed = _moment(rng, offer.published.date() + timedelta(days=rng.randint(25, 50)))
                people = set()
                for _ in range(rng.randint(1, 3)):
                    person = _candidate(rng, ctx, plan, award, start, exclude=people)
                    if person is None:
                        break
                    people.add(person.pk)
                    by, organisation = _proposer(rng, ctx, person)
                    moments = _step_moments(rng, offer.published.date() + timedelta(days=rng.randint(1, 8)), 3,
                                            offer.closed.date(), now)  # fmt: skip
                    pp = PositioningPlan(offer, by, organisation, moments[0], _agree(rng.choice(WHY), person.sex),
                                         participant=person)  # fmt: skip
                    reason = rng.choice([NonRetentionReason.POSTE_POURVU, NonRetentionReason.DESISTEMENT,
                                         NonRetentionReason.ABSENT])  # fmt: skip
                    _decided(rng, pp, person, award.lot.trade, reason, moments)
                    offer.positionings.append(pp)
                plan.offers.append(offer)
                continue
            # Published: candidates being considered, proposed after the contracts are written (R-RECONTACT)
            people, retained = set(), 0
            statuses = rng.sample([PositioningStatus.PROPOSE, PositioningStatus.PRESENTE, PositioningStatus.PRESENTE,
                                   PositioningStatus.NON_RETENU, PositioningStatus.PROPOSE, PositioningStatus.RETENU],
                                  k=rng.randint(2, 5))  # fmt: skip
            for wanted in statuses:
                referral = None
                if wanted == PositioningStatus.PROPOSE and rng.random() < 0.5:
                    referral = _pending_referral(rng, ctx, plan, offer)
                if referral is not None:
                    proposed = min(_moment(rng, max(referral.submitted_at.date(), offer.published.date()),
                                           after=max(referral.submitted_at, offer.published)), now)  # fmt: skip
                    pp = PositioningPlan(offer, referral.created_by, referral.prescriber_organisation, proposed,
                                         "Fiche navette envoyée pour ce poste : candidature à examiner.",
                                         referral=referral, late=True)  # fmt: skip
                    offer.positionings.append(pp)
                    continue
                former = not former_done and wanted == PositioningStatus.PROPOSE
                person = _candidate(rng, ctx, plan, award, start, exclude=people, now=True, former=former)
                if person is None:
                    continue
                people.add(person.pk)
                if former and _former(plan, person, today):  # came back by themselves (R-RECONTACT)
                    by, organisation, former_done = rng.choice(facilitators), ctx.structure, True
                else:  # a former beneficiary is put forward again by their référent
                    by, organisation = _proposer(rng, ctx, person, 1 if _former(plan, person, today) else 0.65)
                first = max(offer.published.date() + timedelta(days=1), today - timedelta(days=rng.randint(2, 20)))
                steps = {PositioningStatus.PROPOSE: 1, PositioningStatus.PRESENTE: 2}.get(wanted, 3)
                moments = _step_moments(rng, first, steps, today, now)
                pp = PositioningPlan(offer, by, organisation, moments[0], _agree(rng.choice(WHY), person.sex),
                                     participant=person, late=True)  # fmt: skip
                if wanted == PositioningStatus.PRESENTE:
                    pp.steps = [Step("present", moments[1], _present_message(rng, person, moments[1]))]
                elif wanted == PositioningStatus.NON_RETENU:
                    reason = _weighted(rng, REJECT_WEIGHTS)
                    _decided(rng, pp, person, award.lot.trade, reason, moments)
                elif wanted == PositioningStatus.RETENU and retained < offer.positions - 1:
                    retained += 1
                    message = _agree(rng.choice(RETAINED), person.sex, start=start)
                    pp.steps = [Step("present", moments[1], _present_message(rng, person, moments[1])),
                                Step("retain", moments[2], message)]  # fmt: skip
                elif wanted == PositioningStatus.RETENU:
                    pp.steps = [Step("present", moments[1], _present_message(rng, person, moments[1]))]
                offer.positionings.append(pp)
            plan.offers.append(offer)


def plan_before(plan, day):
    """The plan as known on `day`: contracts started before it."""
    return Plan(plan.ctx, slots=[s for s in plan.slots if s.start < day])


def _candidate(rng, ctx, plan, award, start, exclude, now=False, former=False):
    """Someone to put forward for an offer on `award` starting on `start`: followed by then, free then, eligible
    to the market most of the time; with `now`, someone free today too; with `former`, a former beneficiary."""
    market = award.lot.market
    day = ctx.today if now else start - timedelta(days=30)
    people = []
    for person in ctx.participants:
        if person.pk in exclude or ctx.available_from.get(person.pk, date.min) > day - timedelta(days=7):
            continue
        if not _free(plan, person, min(day, start), start + timedelta(days=60)):
            continue
        if former and not _former(plan, person, ctx.today):
            continue
        people.append(person)
    if not people:
        return None if not former else _candidate(rng, ctx, plan, award, start, exclude, now=now)
    eligible = [p for p in people if ctx.eligible_until(p, market)]
    pool = eligible if eligible and rng.random() < 0.85 else people
    return rng.choice(pool)


def _pending_referral(rng, ctx, plan, offer):
    """A fiche navette still being examined, sent before the offer's candidates are considered."""
    used = {pp.referral.pk for o in plan.offers for pp in o.positionings if pp.referral is not None}
    used |= {pp.referral.pk for pp in offer.positionings if pp.referral is not None}
    pending = [
        r for r in ctx.referrals
        if r.status in (ReferralStatus.SOUMISE, ReferralStatus.EN_VERIFICATION) and r.submitted_at
        and r.pk not in used
    ]  # fmt: skip
    return rng.choice(pending) if pending else None


# --- Writing it ---------------------------------------------------------------------------------------------------


class Writer:
    """Writes one structure's plan through the services, skipping what exists, and remembers the dates to set
    afterwards."""

    def __init__(self, plan):
        self.plan = plan
        self.ctx = plan.ctx
        structure = self.ctx.structure
        contracts = WorkContract.objects.filter(structure=structure)
        self.contract_keys = set(contracts.values_list("participant_id", "company_id", "start_date"))
        self.periods = defaultdict(list)
        for contract in contracts:
            self.periods[contract.participant_id].append((contract.start_date, contract.end_date or FOREVER))
        self.existing_offers = {
            (offer.award_id, offer.job_title): offer
            for offer in JobOffer.objects.filter(award__lot__market__structure=structure)
        }
        self.positionings = {}
        for positioning in Positioning.objects.filter(offer__award__lot__market__structure=structure):
            candidate = (
                ("p", positioning.participant_id) if positioning.participant_id else ("r", positioning.referral_id)
            )
            self.positionings[(positioning.offer_id, *candidate)] = positioning
        self.sub_pairs = set(
            HourEntry.objects.filter(award__lot__market__structure=structure, subcontractor__isnull=False)
            .values_list("award_id", "subcontractor_id")
            .distinct()
        )
        self.created_contracts = []
        self.dated = defaultdict(list)  # model → [(object, {field: value})]
        # Seeded by the structure's demo key, never by a primary key: the same demo on every database, whatever
        # rows were created (and rolled back) before it.
        self.rng = random.Random(f"{SEED}-{self.ctx.key}")

    # Diagnoses (R-ELIG-1): before the contracts, so that contract_save finds them
    def diagnoses(self):
        ctx = self.ctx
        for slot in self.plan.slots:
            if slot.special == "to_establish" or not self._is_new(slot):
                continue
            for award in slot.awards:
                market = award.lot.market
                key = (slot.participant.pk, market.pk)
                if key in ctx.diagnoses:
                    continue
                diagnosis = participant_services.diagnosis_assess(
                    participant=slot.participant, market=market, by=self._facilitator(), today=ctx.today
                )
                ctx.diagnoses[key] = diagnosis
                day = max(slot.start - timedelta(days=self.rng.randint(4, 20)), market.attribution_date)
                if slot.start < market.attribution_date:  # judged once the market was attributed (R-ELIG-1)
                    day = market.attribution_date + timedelta(days=self.rng.randint(3, 15))
                self._date(EligibilityDiagnosis, diagnosis, assessed_at=_moment(self.rng, day))

    def _is_new(self, slot):
        """Not written yet: no contract of this person at this company starting that day, and the person is not
        under another contract over the same days (a later day's plan, slightly shifted, adds no double)."""
        if (slot.participant.pk, slot.company.pk, slot.start) in self.contract_keys:
            return False
        end = slot.end or FOREVER
        return not any(
            start <= end and slot.start <= other_end for start, other_end in self.periods[slot.participant.pk]
        )

    def _facilitator(self):
        return self.rng.choice(self.ctx.facilitators)

    def _date(self, model, obj, **values):
        self.dated[model].append((obj, values))

    # Offers and positionings
    def offers(self, late):
        for offer_plan in self.plan.offers:
            if late:  # the candidates of open offers and drafts, once the contracts are written
                if offer_plan.obj is not None:
                    for pp in offer_plan.positionings:
                        if pp.late:
                            self._position(pp)
                continue
            offer = self.existing_offers.get((offer_plan.award.pk, offer_plan.job[0]))
            if offer is not None:  # written on an earlier run: its candidates are what they are
                offer_plan.obj = offer
                for pp in offer_plan.positionings:
                    pp.obj = self.positionings.get((offer.pk, *self._candidate(pp)))
                continue
            offer = offer_plan.obj = self._create_offer(offer_plan)
            for pp in offer_plan.positionings:
                if not pp.late:
                    self._position(pp)
            if offer_plan.status in (OfferStatus.POURVUE, OfferStatus.CLOTUREE):
                services.offer_set_status(offer=offer, status=offer_plan.status, by=offer_plan.by)
                self._date(JobOffer, offer, updated_at=offer_plan.closed)

    def _create_offer(self, plan):
        award = plan.award
        trade = award.lot.trade
        activities, skills, training, requirements, other = OFFER_TEXTS[trade]
        market, company = award.lot.market, award.company
        if plan.kind == "apprenti":
            training = f"Diplôme préparé en alternance ({APPRENTICE_SCHOOLS[self.ctx.key]})"
        elif plan.kind == "geiq":
            training = "Titre professionnel préparé en alternance avec le GEIQ"
        place = MISSIONS.get(trade, "chantier")
        offer = services.offer_save(
            offer=JobOffer(
                award=award,
                contact_name=company.contact_name,
                contact_phone=company.contact_phone,
                contact_email=company.contact_email,
                job_title=plan.job[0],
                rome_code=plan.job[1],
                positions=plan.positions,
                start_date=plan.start,
                activities=activities,
                skills=skills,
                experience=ExperienceLevel.DEBUTANT
                if "Aide" in plan.job[0] or plan.kind == "apprenti"
                else self.rng.choice([ExperienceLevel.DEBUTANT, ExperienceLevel.SIX_MOIS, ExperienceLevel.UN_AN]),
                training=training,
                requirements=[r for r in requirements if r in OfferRequirement.values],
                other_requirements=other,
                contract_type=KINDS[plan.kind].contract_type,
                duration_weeks=plan.duration_weeks,
                weekly_hours=plan.weekly,
                gross_salary=_salary(self.rng, plan.kind),
                workplace=f"{place.capitalize()} — {market.title}, {market.city}"[:200],
                notes=plan.notes,
            ),
            by=plan.by,
        )
        values = {"created_at": plan.created, "updated_at": plan.published or plan.created}
        if plan.published:
            services.offer_set_status(offer=offer, status=OfferStatus.PUBLIEE, by=plan.by)
            values["published_at"] = plan.published
        self._date(JobOffer, offer, **values)
        return offer

    @staticmethod
    def _candidate(pp):
        return ("p", pp.participant.pk) if pp.participant else ("r", pp.referral.pk)

    def _position(self, pp):
        """Propose the candidate, then each step through the services; their dates are moved back afterwards."""
        offer = pp.offer.obj
        key = (offer.pk, *self._candidate(pp))
        if key in self.positionings:
            pp.obj = self.positionings[key]
            return
        person = pp.participant
        recontact = None
        if person is not None and services.is_former_beneficiary(person, self.ctx.today):
            if person.referent_organisation_id != pp.organisation.pk:  # R-RECONTACT: the référent first
                informed = min(pp.proposed.date(), self.ctx.today) - timedelta(days=self.rng.randint(1, 6))
                recontact = (informed, self.rng.choice(RecontactMethod.values), RECONTACT_NOTE)
        events = [
            services.positioning_propose(
                offer=offer, by=pp.by, organisation=pp.organisation, participant=person, referral=pp.referral,
                message=pp.message, recontact=recontact,
            )
        ]  # fmt: skip
        positioning = events[0].positioning
        staff = self._facilitator()
        for step in pp.steps:
            if step.action == "present":
                event = services.positioning_present(positioning=positioning, by=staff, message=step.message)
            elif step.action == "retain":
                event = services.positioning_retain(positioning=positioning, by=staff, message=step.message)
            else:
                event = services.positioning_reject(
                    positioning=positioning, reason=step.reason, by=staff, message=step.message
                )
            events.append(event)
        values = {"proposed_at": pp.proposed}
        for step in pp.steps:
            values["presented_at" if step.action == "present" else "decided_at"] = step.moment
        self._date(Positioning, positioning, **values)
        for event, moment in zip(events, [pp.proposed] + [step.moment for step in pp.steps], strict=True):
            self._date(type(event), event, at=moment)
        pp.obj = positioning
        self.positionings[key] = positioning

    # Contracts
    def contracts(self):
        ctx = self.ctx
        for slot in self.plan.slots:
            if not self._is_new(slot):
                continue
            positioning = slot.positioning.obj if slot.positioning else None
            if positioning is not None and (
                positioning.status != PositioningStatus.RETENU
                or WorkContract.objects.filter(positioning=positioning).exists()
            ):
                positioning = None
            ended = bool(slot.end_reason)
            contract = services.contract_save(
                contract=WorkContract(
                    structure=ctx.structure,
                    participant=slot.participant,
                    positioning=positioning,
                    employer=slot.employer,
                    company=slot.company,
                    contract_type=KINDS[slot.kind].contract_type,
                    modality=KINDS[slot.kind].modality,
                    start_date=slot.start,
                    planned_end_date=slot.planned_end,
                    actual_end_date=slot.end if ended else None,
                    end_reason=slot.end_reason,
                    weekly_hours=slot.weekly,
                    job_title=slot.job[0],
                    rome_code=slot.job[1],
                    tutor_name=slot.tutor[0],
                    tutor_phone=slot.tutor[1],
                    notes=slot.notes,
                ),
                awards=slot.awards,
                by=self._facilitator(),
            )
            slot.obj = contract
            self.contract_keys.add((slot.participant.pk, slot.company.pk, slot.start))
            self.periods[slot.participant.pk].append((slot.start, slot.end or FOREVER))
            self.created_contracts.append(contract)
            recorded = _moment(
                self.rng, max(slot.start - timedelta(days=self.rng.randint(1, 12)), ctx.today - timedelta(days=4000))
            )
            if slot.special in ("exception", "no_exception"):
                recorded = _moment(
                    self.rng, slot.awards[0].lot.market.attribution_date + timedelta(days=self.rng.randint(2, 10))
                )
            recorded = min(recorded, timezone.now())
            updated = _moment(self.rng, slot.end) if ended and slot.end <= ctx.today else recorded
            self._date(
                WorkContract, contract, created_at=recorded, updated_at=min(max(updated, recorded), timezone.now())
            )
            if slot.special == "exception":
                assignment = contract.assignments.get()
                assignment = services.assignment_grant_exception(
                    assignment=assignment, justification=EXCEPTION_JUSTIFICATION, by=self._facilitator()
                )
                self._date(Assignment, assignment, exception_at=min(recorded + timedelta(days=3), timezone.now()))

    # Hours
    def hours(self):
        rng = self.rng
        now = timezone.now()
        entries = []
        for slot in self.plan.slots:
            if slot.obj is None:
                continue
            assignments = {a.award_id: a for a in slot.obj.assignments.all()}
            kind = KINDS[slot.kind]
            source = kind.source
            if source == FIRM:
                source = _weighted(rng, {FIRM: 6, HourSource.IMPORT: 2, HourSource.SAISIE: 2})
            for (award_pk, month, hour_kind), hours in sorted(slot.rows.items()):
                entries.append(
                    self._entry(HourEntry(award_id=award_pk, assignment=assignments[award_pk], month=month,
                                          kind=hour_kind, hours=hours, source=source), month, now)
                )  # fmt: skip
        for sub in self.plan.subs:
            if (sub.award.pk, sub.subcontractor.pk) in self.sub_pairs:
                continue
            source = rng.choice([FIRM, HourSource.SAISIE])
            for month, hours in sorted(sub.rows.items()):
                entries.append(
                    self._entry(HourEntry(award=sub.award, subcontractor=sub.subcontractor, month=month,
                                          kind=HourKind.SOUS_TRAITANCE, hours=hours, source=source), month, now)
                )  # fmt: skip
        if not entries:
            return 0
        bulk_create_with_history(entries, HourEntry, batch_size=500)
        for entry in entries:
            entry.created_at = entry.updated_at = entry._history_date
        HourEntry.objects.bulk_update(entries, ["created_at", "updated_at"], batch_size=500)
        return len(entries)

    def _entry(self, entry, month, now):
        """The month's statement arrives in the first weeks of the next month (a temp agency's weekly ones, as
        the month goes)."""
        rng = self.rng
        entry.updated_by = self._facilitator()
        entry._history_user = entry.updated_by
        if month == rules.month_start(self.ctx.today):
            day = self.ctx.agency_end
        else:
            day = rules.month_end(month) + timedelta(days=rng.randint(3, 14))
        entry._history_date = min(_moment(rng, day), now)
        if rng.random() < 0.02:
            entry.note = rng.choice(HOUR_NOTES)
        return entry

    # Dates
    def people(self):
        """People who worked or were put forward before the structure recorded them had in fact been followed for
        a while: their record and their consent are moved back before it (plain records only, not those a fiche
        navette created)."""
        ctx = self.ctx
        rng = random.Random(f"{SEED}-{ctx.key}-records")
        first = {}
        for slot in self.plan.slots:
            first[slot.participant.pk] = min(first.get(slot.participant.pk, date.max), slot.start)
        for offer in self.plan.offers:
            for pp in offer.positionings:
                if pp.participant is not None:
                    first[pp.participant.pk] = min(first.get(pp.participant.pk, date.max), pp.proposed.date())
        people = {p.pk: p for p in ctx.participants}
        consents = {}
        for consent in Consent.objects.filter(participant__in=list(first), withdrawn_on__isnull=True).order_by(
            "given_on"
        ):
            consents.setdefault(consent.participant_id, consent)
        participants, changed_consents = [], []
        for pk, day in sorted(first.items()):
            person = people[pk]
            since = day - timedelta(days=rng.randint(20, 90))
            if pk in ctx.available_from or person.created_at.date() <= day - timedelta(days=7):
                continue
            person.created_at = _moment(rng, since)
            participants.append(person)
            consent = consents.get(pk)
            if consent is not None and consent.given_on > since:
                consent.given_on, consent.created_at = since, person.created_at
                changed_consents.append(consent)
        Participant.objects.bulk_update(participants, ["created_at"], batch_size=200)
        Consent.objects.bulk_update(changed_consents, ["given_on", "created_at"], batch_size=200)

    def move_dates_back(self):
        now = timezone.now()
        by_model = defaultdict(dict)
        for model, items in self.dated.items():
            for obj, values in items:
                for name, value in values.items():
                    setattr(obj, name, min(value, now) if value is not None else value)
                fields = by_model[model].setdefault(obj.pk, (obj, set()))[1]
                fields.update(values)
        for model, objects in by_model.items():
            names = sorted(set().union(*(names for _, names in objects.values())))
            model.objects.bulk_update([obj for obj, _ in objects.values()], names, batch_size=200)


def seed(accounts, seeded=None, today=None):
    """Create what is missing of the demo's offers, positionings, contracts and hours.

    `accounts`: what `clauses.accounts.demo.seed()` returns; `seeded`: what `marches.demo.seed()` returns (the
    markets and awards are read from the database, in a stable order, either way).
    """
    today = today or timezone.localdate()
    rng = random.Random(SEED)
    contexts = _contexts(accounts, today)
    plans = []
    for ctx in contexts:  # drawn whole first: the same whatever already exists
        plan = plan_contracts(rng, ctx)
        plan_offers(rng, ctx, plan)
        plans.append(plan)
    for plan in plans:
        writer = Writer(plan)
        writer.diagnoses()
        writer.offers(late=False)
        writer.contracts()
        writer.offers(late=True)
        writer.hours()
        writer.people()
        if writer.created_contracts:  # decide again, all at once, where the new contracts' hours count
            services.assignments_check(list(Assignment.objects.filter(contract__in=writer.created_contracts)))
        writer.move_dates_back()
    return summary([ctx.structure for ctx in contexts])


def summary(structures):
    """Counts of the demo structures' offers, positionings, contracts and hours."""
    offers = JobOffer.objects.filter(award__lot__market__structure__in=structures)
    statuses = dict(offers.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    contracts = WorkContract.objects.filter(structure__in=structures)
    entries = HourEntry.objects.filter(award__lot__market__structure__in=structures)
    return {
        "offers": {status: statuses.get(status, 0) for status in OfferStatus.values},
        "positionings": Positioning.objects.filter(offer__in=offers).count(),
        "contracts": contracts.count(),
        "mutualised": contracts.annotate(n=Count("assignments")).filter(n__gt=1).count(),
        "entries": entries.count(),
        "hours": entries.aggregate(total=Sum("hours"))["total"] or ZERO,
        "counted": entries.counted().aggregate(total=Sum("hours"))["total"] or ZERO,
    }


OFFER_PLURALS = {
    OfferStatus.BROUILLON: ("brouillon", "brouillons"),
    OfferStatus.PUBLIEE: ("publiée", "publiées"),
    OfferStatus.POURVUE: ("pourvue", "pourvues"),
    OfferStatus.CLOTUREE: ("clôturée", "clôturées"),
}


def _number(value):
    return f"{int(value):,}".replace(",", "\u202f")


def summary_line(counts):
    statuses = ", ".join(f"{n} {OFFER_PLURALS[status][n > 1]}" for status, n in counts["offers"].items())
    return (
        f"Suivi : {sum(counts['offers'].values())} offres ({statuses}), {counts['positionings']} positionnements, "
        f"{counts['contracts']} contrats dont {counts['mutualised']} mutualisés, {_number(counts['entries'])} "
        f"relevés mensuels ({_number(counts['hours'])} h, dont {_number(counts['counted'])} h comptées)."
    )
