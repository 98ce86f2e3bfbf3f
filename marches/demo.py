"""Demo buyers, markets, lots, companies and awards (used by `manage.py seed_demo`). Idempotent.

Everything is drawn from `random.Random(2026)` into a plan laid out around the day (`today`): attributions
spread from about three years before it to seven months after it, so that whatever the day the demo shows
markets in every status — programmed, in consultation, attributed, in execution, finished, abandoned. The day
decides where each market stands and the dates known of it. Running the seed twice the same day changes
nothing; on a later day, the same markets (same buyer and title) are brought to that day's plan.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.text import slugify

from clauses.accounts.demo import upsert
from clauses.accounts.validators import make_valid_siret
from marches.calibration import DEFAULT_HOURLY_COST, PRESETS, proposed_hours
from marches.enums import (
    ATTRIBUTED,
    AwardRole,
    BuyerType,
    CompanyKind,
    CompanySize,
    LegalBasis,
    MarketNature,
    MarketStatus,
    QpvLocation,
    Sector,
    TargetPublic,
    Trade,
)
from marches.models import Award, Buyer, Company, Lot, Market

SEED = 2026
# Attributions (done or expected) are spread evenly over this window around the day of the seed.
ATTRIBUTION_WINDOW = (timedelta(days=-1040), timedelta(days=210))
# Abandoned markets were expected to be attributed in this window (always in the past).
ABANDONED_WINDOW = (timedelta(days=-900), timedelta(days=-420))

PHONE_PREFIX = {"sud_loire": "02 40", "val_de_somme": "03 22"}

# --- Buyers -----------------------------------------------------------------------------------------------------

BUYERS = [
    # key, structure, name, type, SIREN stem, address, postcode, city, contact, contact role, e-mail domain
    ("nantes_metropole", "sud_loire", "Nantes Métropole", BuyerType.EPCI, "24440125",
     "2 cours du Champ de Mars", "44000", "Nantes", "Valérie Chauvin", "Responsable de la commande publique",
     "nantesmetropole.test"),
    ("reze", "sud_loire", "Ville de Rezé", BuyerType.COMMUNE, "21440143",
     "Place Jean-Baptiste Daviais", "44400", "Rezé", "Olivier Marchand", "Directeur des bâtiments",
     "mairie-reze.test"),
    ("saint_herblain", "sud_loire", "Ville de Saint-Herblain", BuyerType.COMMUNE, "21440162",
     "2 rue de l'Hôtel de Ville", "44800", "Saint-Herblain", "Sandrine Perrot", "Responsable du service achats",
     "saint-herblain.test"),
    ("atlantique_habitat", "sud_loire", "Atlantique Habitat", BuyerType.BAILLEUR_SOCIAL, "27440018",
     "18 boulevard de Berlin", "44000", "Nantes", "Mathieu Le Roux", "Chargé d'opérations de réhabilitation",
     "atlantique-habitat.test"),
    ("chu_nantes", "sud_loire", "CHU de Nantes", BuyerType.ETABLISSEMENT_SANTE, "26440013",
     "5 allée de l'Île Gloriette", "44093", "Nantes", "Delphine Caradec", "Acheteuse, direction des achats",
     "chu-nantes.test"),
    ("loire_atlantique", "sud_loire", "Département de Loire-Atlantique", BuyerType.DEPARTEMENT, "22440035",
     "3 quai Ceineray", "44000", "Nantes", "Bruno Tessier", "Chef du service des collèges",
     "loire-atlantique.test"),
    ("region_pdl", "sud_loire", "Région Pays de la Loire", BuyerType.REGION, "23440003",
     "1 rue de la Loire", "44966", "Nantes", "Élodie Ferré",
     "Chargée de mission clauses sociales, direction des lycées", "paysdelaloire.test"),
    ("loire_ocean", "sud_loire", "Loire Océan Aménagement", BuyerType.SEM, "38412057",
     "7 rue Sarrazin", "44000", "Nantes", "Guillaume Perrin", "Responsable d'opérations d'aménagement",
     "loire-ocean-amenagement.test"),
    ("dir_ouest", "sud_loire", "Direction interdépartementale des routes Ouest — district de Nantes", BuyerType.ETAT,
     "11004401", "Route de Sainte-Luce", "44300", "Nantes", "Patrick Olivier", "Responsable des marchés du district",
     "dir-ouest.test"),
    ("port_nantes", "sud_loire", "Grand Port Maritime de Nantes Saint-Nazaire",
     BuyerType.ETABLISSEMENT_PUBLIC_NATIONAL, "77560743", "18 quai Ernest Renaud", "44100", "Nantes",
     "Nathalie Guihéneuf", "Responsable des achats responsables", "port-nantes-saint-nazaire.test"),
    ("amiens_metropole", "val_de_somme", "Amiens Métropole", BuyerType.EPCI, "24800012",
     "Place de l'Hôtel de Ville", "80000", "Amiens", "Frédéric Vasseur", "Directeur de la commande publique",
     "amiens-metropole.test"),
    ("somme", "val_de_somme", "Département de la Somme", BuyerType.DEPARTEMENT, "22800011",
     "43 rue de la République", "80000", "Amiens", "Céline Dufour", "Chargée de la politique d'insertion",
     "somme.test"),
    ("somme_habitat", "val_de_somme", "Somme Habitat", BuyerType.BAILLEUR_SOCIAL, "27800024",
     "12 rue Frédéric Petit", "80000", "Amiens", "Romain Lefèvre", "Responsable du patrimoine",
     "somme-habitat.test"),
    ("chu_amiens", "val_de_somme", "CHU Amiens-Picardie", BuyerType.ETABLISSEMENT_SANTE, "26800016",
     "1 rue du Professeur Christian Cabrol", "80054", "Amiens", "Aurélie Delattre", "Acheteuse hospitalière",
     "chu-amiens.test"),
    ("sncf_gc", "val_de_somme", "SNCF Gares & Connexions — agence Hauts-de-France", BuyerType.ENTREPRISE_PUBLIQUE,
     "50720591", "Place Alphonse Fiquet", "80000", "Amiens", "Julien Carpentier", "Acheteur travaux",
     "sncf-gc.test"),
]  # fmt: skip

# --- Companies --------------------------------------------------------------------------------------------------

K, T = CompanyKind, Trade
COMPANIES = [
    # structure, name, kind, SIREN stem, NAF, size, address, postcode, city, contact, contact role, e-mail domain,
    # trades it answers (an ETTI, an ETT or a GEIQ places people, it holds no lot here)
    ("sud_loire", "Bâtiments de l'Erdre", K.CLASSIQUE, "38451276", "41.20B", CompanySize.PME,
     "14 rue de la Fonderie", "44470", "Carquefou", "Hervé Bodin", "Conducteur de travaux principal",
     "batiments-erdre.test", (T.GROS_OEUVRE, T.DEMOLITION, T.FACADES)),
    ("sud_loire", "Grands Travaux de l'Ouest", K.CLASSIQUE, "31247859", "41.20A", CompanySize.ETI,
     "3 boulevard Ampère", "44470", "Carquefou", "Stéphane Rivière", "Directeur d'agence",
     "gto.test", (T.GROS_OEUVRE,)),
    ("sud_loire", "Loire Peinture", K.CLASSIQUE, "44912387", "43.34Z", CompanySize.PME,
     "27 rue des Naudières", "44400", "Rezé", "Laurence Guillou", "Gérante",
     "loire-peinture.test", (T.PEINTURE, T.SOLS)),
    ("sud_loire", "Ouest Étanchéité", K.CLASSIQUE, "48230915", "43.91B", CompanySize.PME,
     "5 rue du Leinster", "44800", "Saint-Herblain", "Yannick Le Bihan", "Chef d'entreprise",
     "ouest-etancheite.test", (T.COUVERTURE,)),
    ("sud_loire", "Atlantique Menuiseries", K.CLASSIQUE, "50318462", "43.32A", CompanySize.PME,
     "12 rue de la Garde", "44700", "Orvault", "Françoise Gautier", "Responsable administrative",
     "atlantique-menuiseries.test", (T.MENUISERIE,)),
    ("sud_loire", "Sud-Loire Électricité", K.CLASSIQUE, "42785130", "43.21A", CompanySize.PME,
     "8 rue des Vieilles Douves", "44300", "Nantes", "Arnaud Chevalier", "Chargé d'affaires",
     "sud-loire-electricite.test", (T.ELECTRICITE,)),
    ("sud_loire", "Thermi-Loire", K.CLASSIQUE, "39561824", "43.22B", CompanySize.PME,
     "2 impasse de la Vertonne", "44120", "Vertou", "Denis Mercier", "Directeur technique",
     "thermi-loire.test", (T.PLOMBERIE_CVC,)),
    ("sud_loire", "Plâtrerie de la Sèvre", K.CLASSIQUE, "53120748", "43.31Z", CompanySize.PME,
     "19 rue de la Sèvre", "44120", "Vertou", "Christelle Renaud", "Gérante",
     "platrerie-sevre.test", (T.PLATRERIE,)),
    ("sud_loire", "Routes et Réseaux de l'Estuaire", K.CLASSIQUE, "32870415", "42.11Z", CompanySize.ETI,
     "ZI de la Forêt", "44340", "Bouguenais", "Philippe Aubert", "Directeur de travaux",
     "rre.test", (T.VRD,)),
    ("sud_loire", "Terrassements Guérin", K.CLASSIQUE, "40719283", "43.12A", CompanySize.PME,
     "31 rue de la Croix Rouge", "44800", "Saint-Herblain", "Mickaël Guérin", "Gérant",
     "terrassements-guerin.test", (T.VRD, T.DEMOLITION)),
    ("sud_loire", "Paysages de l'Erdre", K.CLASSIQUE, "45307861", "81.30Z", CompanySize.PME,
     "Chemin de la Gandonnière", "44240", "La Chapelle-sur-Erdre", "Aurélie Cosson", "Responsable de secteur",
     "paysages-erdre.test", (T.ESPACES_VERTS_TRAVAUX, T.ENTRETIEN_ESPACES_VERTS)),
    ("sud_loire", "Charpentes Ligériennes", K.CLASSIQUE, "51294036", "43.91A", CompanySize.PME,
     "6 rue du Bois Briand", "44980", "Sainte-Luce-sur-Loire", "Gilles Pineau", "Chargé d'affaires",
     "charpentes-ligeriennes.test", (T.CHARPENTE_BOIS, T.CHARPENTE_METALLIQUE)),
    ("sud_loire", "Façades Océanes", K.CLASSIQUE, "49870352", "43.99C", CompanySize.PME,
     "10 rue de l'Industrie", "44340", "Bouguenais", "Karine Bouchet", "Gérante",
     "facades-oceanes.test", (T.FACADES, T.PEINTURE)),
    ("sud_loire", "Métallerie du Pays de Retz", K.CLASSIQUE, "43685217", "43.32B", CompanySize.TPE,
     "ZA des Coteaux", "44830", "Bouaye", "Ludovic Hervé", "Gérant",
     "metallerie-retz.test", (T.SERRURERIE, T.CHARPENTE_METALLIQUE)),
    ("sud_loire", "Net'Atlantique Propreté", K.CLASSIQUE, "34518720", "81.21Z", CompanySize.ETI,
     "21 boulevard Marcel Paul", "44800", "Saint-Herblain", "Nadège Perraud", "Responsable d'exploitation",
     "netatlantique.test", (T.NETTOYAGE,)),
    ("sud_loire", "Clean Ouest Services", K.CLASSIQUE, "48061937", "81.21Z", CompanySize.PME,
     "9 rue de Bel-Air", "44000", "Nantes", "Rachid Amrani", "Directeur d'agence",
     "clean-ouest.test", (T.NETTOYAGE,)),
    ("sud_loire", "Vigilance Atlantique", K.CLASSIQUE, "50982641", "80.10Z", CompanySize.PME,
     "2 rue Paul Bellamy", "44000", "Nantes", "Franck Leroy", "Responsable des opérations",
     "vigilance-atlantique.test", (T.GARDIENNAGE,)),
    ("sud_loire", "Ligérienne de Restauration", K.CLASSIQUE, "37429105", "56.29A", CompanySize.ETI,
     "Parc d'activités de la Lande", "44470", "Carquefou", "Isabelle Noël", "Directrice régionale",
     "ligerienne-restauration.test", (T.RESTAURATION,)),
    ("sud_loire", "Environnement Services Atlantique", K.CLASSIQUE, "33708264", "38.11Z", CompanySize.ETI,
     "Route de la Sablière", "44220", "Couëron", "Jérôme Baudry", "Directeur d'exploitation",
     "esa-environnement.test", (T.COLLECTE_DECHETS,)),
    ("sud_loire", "Transports Loire Logistique", K.CLASSIQUE, "41863590", "49.41A", CompanySize.PME,
     "4 rue de l'Aviation", "44340", "Bouguenais", "Cédric Jolivet", "Responsable d'exploitation",
     "tll.test", (T.TRANSPORT,)),
    ("sud_loire", "Mobilier Ouest Collectivités", K.CLASSIQUE, "46720318", "31.01Z", CompanySize.PME,
     "15 rue du Moulin de la Rivière", "44800", "Saint-Herblain", "Anne-Sophie Renou", "Chargée d'affaires publiques",
     "mobilier-ouest.test", (T.FOURNITURE_POSE, T.FOURNITURE)),
    ("sud_loire", "GEIQ BTP 44", K.GEIQ, "79214380", "78.30Z", CompanySize.PME,
     "4 rue de l'Aéronautique", "44340", "Bouguenais", "Sylvie Marchais", "Chargée d'accompagnement",
     "geiq-btp44.test", ()),
    ("sud_loire", "Tremplin Bâtiment", K.EI, "81347592", "43.34Z", CompanySize.PME,
     "22 rue Jean Fraix", "44400", "Rezé", "Mehdi Saïdi", "Encadrant technique",
     "tremplin-batiment.test", (T.PEINTURE, T.PLATRERIE, T.SOLS)),
    ("sud_loire", "Net Insertion Atlantique", K.EI, "82460175", "81.21Z", CompanySize.PME,
     "7 rue de la Bastille", "44000", "Nantes", "Claire Jaouen", "Directrice",
     "net-insertion.test", (T.NETTOYAGE,)),
    ("sud_loire", "Ouest Intérim Insertion", K.ETTI, "80192734", "78.20Z", CompanySize.PME,
     "11 rue Racine", "44000", "Nantes", "Vincent Prou", "Chargé de mission entreprises",
     "ouest-interim-insertion.test", ()),
    ("sud_loire", "Les Jardins de la Sèvre", K.ACI, "78530146", "88.99B", CompanySize.PME,
     "Chemin du Chêne", "44120", "Vertou", "Marion Tessier", "Coordinatrice du chantier",
     "jardins-sevre.test", (T.ENTRETIEN_ESPACES_VERTS, T.ESPACES_VERTS_TRAVAUX)),
    ("sud_loire", "Atelier Handi-Loire", K.EA, "77861203", "81.21Z", CompanySize.PME,
     "3 rue de la Ferrière", "44700", "Orvault", "Thierry Gaudin", "Directeur",
     "handi-loire.test", (T.NETTOYAGE, T.ENTRETIEN_ESPACES_VERTS)),
    ("sud_loire", "Régie de quartier de Malakoff", K.REGIE, "79845612", "81.29B", CompanySize.PME,
     "1 rue d'Angleterre", "44000", "Nantes", "Samia Belkacem", "Coordinatrice",
     "regie-malakoff.test", (T.NETTOYAGE, T.ENTRETIEN_ESPACES_VERTS)),
    ("sud_loire", "Partage 44", K.AI, "78102459", "88.99B", CompanySize.PME,
     "5 place des Lauriers", "44100", "Nantes", "Bernard Lucas", "Responsable de l'association",
     "partage44.test", ()),
    ("sud_loire", "Intérim Atlantique", K.ETT, "48593027", "78.20Z", CompanySize.PME,
     "40 rue de Strasbourg", "44000", "Nantes", "Laëtitia Bourdin", "Responsable d'agence",
     "interim-atlantique.test", ()),
    ("val_de_somme", "Picardie Maçonnerie", K.CLASSIQUE, "42309851", "43.99C", CompanySize.PME,
     "15 rue de la Vallée", "80000", "Amiens", "Didier Lemaire", "Gérant",
     "picardie-maconnerie.test", (T.GROS_OEUVRE, T.DEMOLITION, T.FACADES)),
    ("val_de_somme", "Somme Couverture", K.CLASSIQUE, "45781032", "43.91B", CompanySize.PME,
     "8 rue de la Gare", "80330", "Longueau", "Pascal Dumont", "Chef d'entreprise",
     "somme-couverture.test", (T.COUVERTURE, T.CHARPENTE_BOIS)),
    ("val_de_somme", "Menuiseries Picardes", K.CLASSIQUE, "39847102", "43.32A", CompanySize.PME,
     "ZA de la Haute Borne", "80450", "Camon", "Véronique Caron", "Responsable commerciale",
     "menuiseries-picardes.test", (T.MENUISERIE, T.SERRURERIE)),
    ("val_de_somme", "Amiens Élec", K.CLASSIQUE, "50126398", "43.21A", CompanySize.PME,
     "27 rue Saint-Fuscien", "80000", "Amiens", "Kévin Leclercq", "Chargé d'affaires",
     "amiens-elec.test", (T.ELECTRICITE,)),
    ("val_de_somme", "Thermique Picarde", K.CLASSIQUE, "44093716", "43.22B", CompanySize.PME,
     "3 rue de la Somme", "80136", "Rivery", "Olivier Lenglet", "Gérant",
     "thermique-picarde.test", (T.PLOMBERIE_CVC,)),
    ("val_de_somme", "Peinture et Décors de Picardie", K.CLASSIQUE, "51738940", "43.34Z", CompanySize.PME,
     "60 route de Rouen", "80090", "Amiens", "Sabrina Vasseur", "Gérante",
     "decors-picardie.test", (T.PEINTURE, T.PLATRERIE, T.SOLS)),
    ("val_de_somme", "TP Vallée de la Somme", K.CLASSIQUE, "36250874", "42.11Z", CompanySize.ETI,
     "Zone industrielle", "80480", "Salouël", "Christophe Boulanger", "Directeur de travaux",
     "tp-vallee-somme.test", (T.VRD, T.ESPACES_VERTS_TRAVAUX, T.DEMOLITION)),
    ("val_de_somme", "Paysages de Picardie", K.CLASSIQUE, "47215803", "81.30Z", CompanySize.PME,
     "Chemin de halage", "80450", "Camon", "Benoît Roussel", "Responsable de secteur",
     "paysages-picardie.test", (T.ENTRETIEN_ESPACES_VERTS, T.ESPACES_VERTS_TRAVAUX)),
    ("val_de_somme", "Picardie Propreté", K.CLASSIQUE, "43916205", "81.21Z", CompanySize.PME,
     "2 rue Hélène Boucher", "80080", "Amiens", "Nathalie Dupont", "Responsable d'exploitation",
     "picardie-proprete.test", (T.NETTOYAGE,)),
    ("val_de_somme", "Picardie Sécurité Services", K.CLASSIQUE, "52084619", "80.10Z", CompanySize.PME,
     "9 boulevard d'Alsace-Lorraine", "80000", "Amiens", "Grégory Hénon", "Directeur",
     "picardie-securite.test", (T.GARDIENNAGE,)),
    ("val_de_somme", "GEIQ BTP Somme", K.GEIQ, "81937425", "78.30Z", CompanySize.TPE,
     "1 rue de Poulainville", "80080", "Amiens", "Laure Delamotte", "Chargée de mission",
     "geiq-btp-somme.test", ()),
    ("val_de_somme", "Somme Intérim Insertion", K.ETTI, "82571046", "78.20Z", CompanySize.TPE,
     "34 rue des Jacobins", "80000", "Amiens", "Antoine Poiret", "Chargé de relations entreprises",
     "somme-interim-insertion.test", ()),
    ("val_de_somme", "Les Jardins d'Étouvie", K.ACI, "78694210", "88.99B", CompanySize.PME,
     "Avenue du Languedoc", "80080", "Amiens", "Hélène Masson", "Encadrante technique",
     "jardins-etouvie.test", (T.ENTRETIEN_ESPACES_VERTS, T.ESPACES_VERTS_TRAVAUX)),
    ("val_de_somme", "Picardie Services Adaptés", K.EA, "79460381", "81.21Z", CompanySize.PME,
     "12 rue Colbert", "80000", "Amiens", "Yves Lecomte", "Directeur",
     "picardie-services-adaptes.test", (T.NETTOYAGE, T.ENTRETIEN_ESPACES_VERTS)),
    ("val_de_somme", "Bâti-Insertion Amiens", K.EI, "80713592", "43.34Z", CompanySize.TPE,
     "5 rue Pierre Rollin", "80090", "Amiens", "Malik Benhamou", "Encadrant technique",
     "bati-insertion.test", (T.PEINTURE, T.PLATRERIE)),
]  # fmt: skip

# Who may hold a lot of a reserved market, and who may take a share of a lot as a subcontractor.
TITULAIRE_KINDS = {
    LegalBasis.L2113_13: (K.EI, K.ETTI, K.AI, K.ACI),
    LegalBasis.L2113_12: (K.EA, K.ESAT),
    LegalBasis.R2123_1: (K.ACI, K.EI),
}
SUBCONTRACTOR_KINDS = (K.EI, K.ACI, K.EA, K.ESAT, K.REGIE)

# --- Markets ----------------------------------------------------------------------------------------------------

NANTES, NANTES_NORD, NANTES_OUEST = ("Nantes", "44000"), ("Nantes", "44300"), ("Nantes", "44100")
REZE, SAINT_HERBLAIN, VERTOU = ("Rezé", "44400"), ("Saint-Herblain", "44800"), ("Vertou", "44120")
BOUGUENAIS, CARQUEFOU = ("Bouguenais", "44340"), ("Carquefou", "44470")
AMIENS, AMIENS_NORD, AMIENS_SUD_EST = ("Amiens", "80000"), ("Amiens", "80080"), ("Amiens", "80090")
SALOUEL, CORBIE, LONGUEAU = ("Salouël", "80480"), ("Corbie", "80800"), ("Longueau", "80330")

IN, NEAR = QpvLocation.DANS, QpvLocation.PROCHE

# Trades a building operation may be split into; the first one is always a lot.
BUILDING = [T.GROS_OEUVRE, T.CHARPENTE_BOIS, T.COUVERTURE, T.MENUISERIE, T.PLATRERIE, T.ELECTRICITE,
            T.PLOMBERIE_CVC, T.SOLS, T.PEINTURE, T.SERRURERIE]  # fmt: skip
REHAB = [T.GROS_OEUVRE, T.MENUISERIE, T.PLOMBERIE_CVC, T.ELECTRICITE, T.PLATRERIE, T.PEINTURE, T.FACADES]
ENERGY = [T.FACADES, T.MENUISERIE, T.PLOMBERIE_CVC, T.COUVERTURE, T.ELECTRICITE]
PUBLIC_SPACE = [T.VRD, T.ESPACES_VERTS_TRAVAUX, T.SERRURERIE]

# Lots of these trades weigh more in an operation's amount.
TRADE_WEIGHT = {T.GROS_OEUVRE: 3, T.VRD: 3, T.DEMOLITION: 2, T.PLOMBERIE_CVC: 1.5, T.CHARPENTE_METALLIQUE: 1.5}

TARGET_SETS = [
    [TargetPublic.DELD, TargetPublic.MINIMA_SOCIAUX],
    [TargetPublic.JEUNES],
    [TargetPublic.DELD, TargetPublic.JEUNES],
    [TargetPublic.RQTH],
    [TargetPublic.DETLD, TargetPublic.SENIORS],
    [TargetPublic.JUSTICE, TargetPublic.REFUGIES],
    [TargetPublic.DELD, TargetPublic.MINIMA_SOCIAUX, TargetPublic.JEUNES],
]

ABANDON_NOTES = {
    "sans_suite": "Procédure déclarée sans suite : offres inacceptables au regard du budget.",
    "infructueux": "Procédure infructueuse : aucune offre reçue, relance à l'étude sous une autre forme.",
    "projet": "Projet abandonné avant publication : financement non obtenu.",
}


@dataclass(frozen=True)
class MarketSpec:
    buyer: str
    nature: MarketNature
    sector: Sector
    title: str
    lots: list  # trades (a bundle to pick from) or (trade, title) pairs (all kept)
    amount_k: tuple  # estimated amount HT, in thousands of euros (min, max)
    months: tuple  # execution length (min, max)
    place: tuple  # (city, postcode)
    qpv: tuple = (QpvLocation.HORS, "")
    basis: str | None = None  # drawn between L2112-2 and R2152-7 when not given
    pick: tuple | None = None  # how many lots to keep from a bundle (min, max)
    abandoned: str | None = None  # a key of ABANDON_NOTES


W, S, F = MarketNature.TRAVAUX, MarketNature.SERVICES, MarketNature.FOURNITURES
MARKETS = [
    # --- PLIE Métropole Sud-Loire
    MarketSpec("atlantique_habitat", W, Sector.BATIMENT, "Réhabilitation de 120 logements — résidence Les Lauriers",
               REHAB, (3500, 5200), (18, 24), SAINT_HERBLAIN, (IN, "Bellevue"), pick=(4, 6)),
    MarketSpec("atlantique_habitat", W, Sector.BATIMENT,
               "Réhabilitation thermique de 84 logements — résidence Les Pléiades",
               ENERGY, (2200, 3200), (12, 16), NANTES, (IN, "Malakoff"), pick=(3, 5)),
    MarketSpec("atlantique_habitat", W, Sector.BATIMENT,
               "Désamiantage et démolition de la barre Jean-Bart (96 logements)",
               [T.DEMOLITION, T.VRD], (1200, 1800), (8, 10), NANTES_NORD, (IN, "Nantes Nord")),
    MarketSpec("atlantique_habitat", S, Sector.PROPRETE, "Entretien ménager des parties communes du patrimoine",
               [(T.NETTOYAGE, "Secteur Nantes Nord et Erdre"), (T.NETTOYAGE, "Secteur Sud-Loire et Rezé")],
               (600, 900), (36, 48), NANTES, (NEAR, "Nantes Nord")),
    MarketSpec("atlantique_habitat", S, Sector.ESPACES_VERTS,
               "Entretien des espaces verts des résidences (marché réservé aux SIAE)",
               [(T.ENTRETIEN_ESPACES_VERTS, "Espaces verts des résidences")], (180, 260), (24, 36), REZE,
               (IN, "Château"), basis=LegalBasis.L2113_13),
    MarketSpec("atlantique_habitat", W, Sector.BATIMENT,
               "Remplacement des menuiseries et résidentialisation — résidence Malakoff Sud",
               [T.MENUISERIE, T.SERRURERIE, T.PEINTURE], (600, 900), (6, 9), NANTES, (IN, "Malakoff"), pick=(2, 3)),
    MarketSpec("nantes_metropole", W, Sector.TRAVAUX_PUBLICS,
               "Requalification du boulevard Émile-Romanet et de ses abords",
               PUBLIC_SPACE, (1500, 2500), (10, 14), NANTES_OUEST, (IN, "Bellevue"), pick=(2, 3)),
    MarketSpec("nantes_metropole", S, Sector.DECHETS, "Collecte des déchets ménagers et assimilés — secteur Sud-Ouest",
               [(T.COLLECTE_DECHETS, "Collecte en porte-à-porte"),
                (T.COLLECTE_DECHETS, "Collecte des points d'apport volontaire")],
               (9000, 12500), (60, 72), REZE),
    MarketSpec("nantes_metropole", S, Sector.PROPRETE, "Nettoyage des locaux administratifs de la Métropole",
               [(T.NETTOYAGE, "Siège et annexes"), (T.NETTOYAGE, "Pôles de proximité"), (T.NETTOYAGE, "Vitrerie")],
               (1100, 1600), (36, 48), NANTES),
    MarketSpec("nantes_metropole", W, Sector.BATIMENT, "Construction d'un centre aquatique intercommunal",
               BUILDING, (13500, 15500), (22, 28), SAINT_HERBLAIN, pick=(6, 6)),
    MarketSpec("nantes_metropole", F, Sector.FOURNITURES, "Fourniture et pose de mobilier urbain",
               [(T.FOURNITURE_POSE, "Mobilier urbain avec pose")], (250, 400), (12, 24), NANTES),
    MarketSpec("nantes_metropole", S, Sector.ESPACES_VERTS,
               "Entretien des berges et chemins de randonnée de la Sèvre (marché d'insertion et de qualification)",
               [(T.ENTRETIEN_ESPACES_VERTS, "Berges et chemins de la Sèvre")], (150, 220), (24, 24), VERTOU,
               basis=LegalBasis.R2123_1),
    MarketSpec("nantes_metropole", W, Sector.BATIMENT, "Réhabilitation de la maison de quartier des Dervallières",
               REHAB, (900, 1300), (10, 12), NANTES_OUEST, (IN, "Les Dervallières"), pick=(3, 5)),
    MarketSpec("reze", W, Sector.BATIMENT, "Construction d'un groupe scolaire de 12 classes — quartier Château",
               BUILDING, (7000, 9500), (20, 24), REZE, (NEAR, "Château"), pick=(5, 6)),
    MarketSpec("reze", S, Sector.RESTAURATION,
               "Restauration scolaire : fabrication et livraison de repas en liaison froide",
               [(T.RESTAURATION, "Repas des écoles et des accueils de loisirs")], (1800, 2600), (36, 48), REZE),
    MarketSpec("reze", S, Sector.ESPACES_VERTS, "Entretien des espaces verts des écoles et des équipements sportifs",
               [(T.ENTRETIEN_ESPACES_VERTS, "Écoles et crèches"), (T.ENTRETIEN_ESPACES_VERTS, "Équipements sportifs")],
               (240, 360), (36, 48), REZE),
    MarketSpec("reze", W, Sector.BATIMENT, "Rénovation énergétique de l'école élémentaire Jean-Jaurès",
               ENERGY, (700, 1100), (8, 10), REZE, pick=(2, 4)),
    MarketSpec("reze", F, Sector.FOURNITURES, "Fourniture et installation de mobilier scolaire",
               [(T.FOURNITURE_POSE, "Mobilier scolaire avec installation")], (80, 95), (6, 6), REZE),
    MarketSpec("reze", W, Sector.BATIMENT, "Mise en accessibilité et réfection des toitures de l'hôtel de ville",
               [T.COUVERTURE, T.SERRURERIE, T.ELECTRICITE], (250, 400), (5, 7), REZE, pick=(1, 3)),
    MarketSpec("saint_herblain", W, Sector.BATIMENT, "Réhabilitation de la salle des sports de la Bernardière",
               [T.GROS_OEUVRE, T.CHARPENTE_METALLIQUE, T.COUVERTURE, T.SOLS, T.ELECTRICITE], (1300, 1900), (10, 14),
               SAINT_HERBLAIN, pick=(3, 5)),
    MarketSpec("saint_herblain", S, Sector.PROPRETE, "Nettoyage des bâtiments communaux",
               [(T.NETTOYAGE, "Hôtel de ville et services techniques"),
                (T.NETTOYAGE, "Écoles et accueils périscolaires")],
               (700, 1000), (36, 48), SAINT_HERBLAIN, (NEAR, "Bellevue")),
    MarketSpec("saint_herblain", W, Sector.TRAVAUX_PUBLICS,
               "Réaménagement des espaces publics du quartier Bellevue — phase 1",
               [T.VRD, T.ESPACES_VERTS_TRAVAUX], (900, 1400), (8, 12), SAINT_HERBLAIN, (IN, "Bellevue")),
    MarketSpec("saint_herblain", S, Sector.PROPRETE,
               "Entretien des locaux des équipements sportifs (marché réservé aux EA et ESAT)",
               [(T.NETTOYAGE, "Gymnases et vestiaires")], (120, 180), (24, 36), SAINT_HERBLAIN,
               basis=LegalBasis.L2113_12),
    MarketSpec("saint_herblain", F, Sector.FOURNITURES, "Fourniture et installation du mobilier de la médiathèque",
               [(T.FOURNITURE_POSE, "Mobilier et rayonnages avec installation")], (140, 220), (4, 6), SAINT_HERBLAIN,
               (NEAR, "Bellevue")),
    MarketSpec("chu_nantes", S, Sector.PROPRETE, "Bionettoyage des unités de soins — site Hôtel-Dieu",
               [(T.NETTOYAGE, "Unités de soins"), (T.NETTOYAGE, "Blocs opératoires"),
                (T.NETTOYAGE, "Parties communes et circulations")], (2500, 3800), (36, 48), NANTES),
    MarketSpec("chu_nantes", S, Sector.SECURITE, "Gardiennage, sûreté et accueil des sites hospitaliers",
               [(T.GARDIENNAGE, "Site Hôtel-Dieu"), (T.GARDIENNAGE, "Hôpital Nord Laënnec")], (1800, 2800), (36, 48),
               NANTES),
    MarketSpec("chu_nantes", W, Sector.BATIMENT,
               "Restructuration du bâtiment des consultations externes — Hôpital Nord Laënnec",
               BUILDING, (5000, 7500), (18, 24), SAINT_HERBLAIN, pick=(4, 6)),
    MarketSpec("chu_nantes", S, Sector.TRANSPORT, "Transport et livraison inter-sites du linge et des repas",
               [(T.TRANSPORT, "Navettes inter-sites")], (900, 1300), (36, 48), NANTES, abandoned="sans_suite"),
    MarketSpec("loire_atlantique", W, Sector.BATIMENT, "Rénovation énergétique du collège René-Bernier",
               ENERGY, (2500, 3800), (12, 16), SAINT_HERBLAIN, pick=(3, 5)),
    MarketSpec("loire_atlantique", W, Sector.BATIMENT, "Construction d'un collège de 700 élèves à Bouguenais",
               BUILDING, (9000, 12000), (22, 26), BOUGUENAIS, pick=(5, 6)),
    MarketSpec("loire_atlantique", S, Sector.ESPACES_VERTS,
               "Entretien des dépendances vertes des routes départementales",
               [(T.ENTRETIEN_ESPACES_VERTS, "Secteur Nord-Loire"), (T.ENTRETIEN_ESPACES_VERTS, "Secteur Sud-Loire")],
               (500, 800), (36, 48), NANTES),
    MarketSpec("loire_atlantique", S, Sector.PROPRETE, "Nettoyage des locaux de l'hôtel du Département",
               [(T.NETTOYAGE, "Hôtel du Département et annexes")], (400, 600), (36, 48), NANTES),
    MarketSpec("region_pdl", W, Sector.BATIMENT,
               "Restructuration de l'internat du lycée professionnel des Dervallières",
               REHAB, (4000, 6000), (16, 20), NANTES_OUEST, (NEAR, "Les Dervallières"), pick=(4, 6)),
    MarketSpec("region_pdl", F, Sector.FOURNITURES, "Fourniture et installation de mobilier pour les lycées",
               [(T.FOURNITURE_POSE, "Mobilier d'enseignement"), (T.FOURNITURE_POSE, "Mobilier d'internat"),
                (T.FOURNITURE, "Petit équipement")], (900, 1400), (12, 24), NANTES),
    MarketSpec("region_pdl", S, Sector.PROPRETE, "Nettoyage des locaux de l'hôtel de Région",
               [(T.NETTOYAGE, "Hôtel de Région")], (500, 800), (36, 48), NANTES),
    MarketSpec("loire_ocean", W, Sector.TRAVAUX_PUBLICS,
               "Aménagement de la ZAC des Isles — espaces publics, tranche 2",
               [T.VRD, T.ESPACES_VERTS_TRAVAUX, T.DEMOLITION], (4000, 6500), (18, 24), REZE),
    MarketSpec("loire_ocean", W, Sector.TRAVAUX_PUBLICS, "Viabilisation de la ZAC de la Minais — îlot B",
               [T.VRD, T.ESPACES_VERTS_TRAVAUX], (1600, 2400), (10, 14), CARQUEFOU),
    MarketSpec("loire_ocean", W, Sector.BATIMENT, "Construction d'une maison de santé pluridisciplinaire",
               BUILDING, (2000, 2800), (14, 18), BOUGUENAIS, pick=(4, 5), abandoned="projet"),
    MarketSpec("dir_ouest", W, Sector.TRAVAUX_PUBLICS,
               "Entretien et réparation des chaussées du réseau routier national — district de Nantes",
               [(T.VRD, "Chaussées et enrobés"), (T.VRD, "Signalisation horizontale"),
                (T.SERRURERIE, "Glissières et dispositifs de retenue")], (2500, 4000), (36, 48), NANTES_NORD),
    MarketSpec("dir_ouest", S, Sector.ESPACES_VERTS, "Fauchage et entretien des dépendances vertes du périphérique",
               [(T.ENTRETIEN_ESPACES_VERTS, "Périphérique nantais")], (350, 550), (24, 36), NANTES),
    MarketSpec("port_nantes", W, Sector.TRAVAUX_PUBLICS, "Réfection des terre-pleins et des réseaux du quai Wilson",
               [T.VRD, T.CHARPENTE_METALLIQUE, T.ELECTRICITE], (1800, 2800), (10, 14), ("Nantes", "44200")),
    MarketSpec("port_nantes", S, Sector.SECURITE, "Gardiennage et contrôle d'accès des sites portuaires",
               [(T.GARDIENNAGE, "Sites portuaires de Nantes")], (700, 1000), (36, 48), NANTES),
    # --- Maison de l'Emploi Val de Somme
    MarketSpec("amiens_metropole", W, Sector.BATIMENT, "Construction d'un pôle d'équipements publics — quartier Nord",
               BUILDING, (6000, 8000), (20, 24), AMIENS_NORD, (IN, "Nord-Amiens"), pick=(5, 6)),
    MarketSpec("amiens_metropole", W, Sector.TRAVAUX_PUBLICS,
               "Requalification de l'avenue de la Paix et des espaces publics d'Étouvie",
               [T.VRD, T.ESPACES_VERTS_TRAVAUX], (2000, 3000), (12, 16), AMIENS_NORD, (IN, "Étouvie")),
    MarketSpec("amiens_metropole", S, Sector.PROPRETE, "Nettoyage des bâtiments communautaires",
               [(T.NETTOYAGE, "Hôtel de ville et annexes"), (T.NETTOYAGE, "Équipements sportifs et culturels")],
               (900, 1300), (36, 48), AMIENS),
    MarketSpec("amiens_metropole", S, Sector.ESPACES_VERTS,
               "Entretien des espaces verts et des bords de Somme (marché réservé aux SIAE)",
               [(T.ENTRETIEN_ESPACES_VERTS, "Parcs et bords de Somme")], (200, 300), (24, 36), AMIENS,
               basis=LegalBasis.L2113_13),
    MarketSpec("amiens_metropole", W, Sector.BATIMENT, "Rénovation énergétique de trois groupes scolaires",
               ENERGY, (1800, 2600), (10, 14), AMIENS, pick=(3, 5)),
    MarketSpec("amiens_metropole", W, Sector.BATIMENT, "Réfection des toitures-terrasses du conservatoire",
               [(T.COUVERTURE, "Étanchéité des toitures-terrasses")], (150, 250), (4, 6), AMIENS,
               abandoned="infructueux"),
    MarketSpec("somme", W, Sector.BATIMENT, "Rénovation énergétique du collège Arthur-Rimbaud",
               ENERGY, (2000, 3200), (12, 16), AMIENS_NORD, (NEAR, "Nord-Amiens"), pick=(3, 5)),
    MarketSpec("somme", S, Sector.ESPACES_VERTS,
               "Entretien des dépendances vertes des routes départementales — arrondissement d'Amiens",
               [(T.ENTRETIEN_ESPACES_VERTS, "Arrondissement d'Amiens")], (300, 450), (36, 36), AMIENS),
    MarketSpec("somme", W, Sector.TRAVAUX_PUBLICS,
               "Aménagement de la véloroute de la vallée de la Somme — section Corbie",
               PUBLIC_SPACE, (1200, 1800), (10, 12), CORBIE, pick=(2, 3)),
    MarketSpec("somme_habitat", W, Sector.BATIMENT, "Réhabilitation de 96 logements — résidence Pierre-Rollin",
               REHAB, (3000, 4200), (16, 20), AMIENS_SUD_EST, (IN, "Pierre Rollin"), pick=(4, 6)),
    MarketSpec("somme_habitat", W, Sector.BATIMENT, "Remplacement des menuiseries et ravalement de 60 logements",
               [T.MENUISERIE, T.FACADES, T.PEINTURE], (900, 1300), (8, 10), LONGUEAU),
    MarketSpec("somme_habitat", S, Sector.PROPRETE,
               "Entretien ménager des parties communes (marché réservé aux EA et ESAT)",
               [(T.NETTOYAGE, "Parties communes des résidences")], (150, 220), (24, 36), AMIENS,
               basis=LegalBasis.L2113_12),
    MarketSpec("somme_habitat", W, Sector.BATIMENT, "Démolition de deux immeubles (72 logements) à Étouvie",
               [T.DEMOLITION, T.VRD], (900, 1400), (6, 9), AMIENS_NORD, (IN, "Étouvie")),
    MarketSpec("chu_amiens", S, Sector.PROPRETE, "Bionettoyage des services de soins et des blocs",
               [(T.NETTOYAGE, "Services de soins"), (T.NETTOYAGE, "Blocs opératoires et stérilisation")],
               (2000, 3000), (36, 48), SALOUEL),
    MarketSpec("chu_amiens", S, Sector.SECURITE, "Gardiennage et sûreté du site Sud",
               [(T.GARDIENNAGE, "Site Sud")], (800, 1200), (36, 48), SALOUEL),
    MarketSpec("chu_amiens", W, Sector.BATIMENT, "Réaménagement du service des urgences",
               BUILDING, (3500, 5000), (16, 20), SALOUEL, pick=(4, 6)),
    MarketSpec("sncf_gc", W, Sector.BATIMENT, "Rénovation de la halle voyageurs de la gare d'Amiens",
               [T.GROS_OEUVRE, T.COUVERTURE, T.ELECTRICITE, T.PEINTURE, T.SOLS], (2500, 3500), (14, 18), AMIENS,
               pick=(3, 5)),
    MarketSpec("sncf_gc", S, Sector.PROPRETE, "Nettoyage des gares et haltes du réseau picard",
               [(T.NETTOYAGE, "Gares et haltes")], (400, 600), (36, 48), AMIENS),
]  # fmt: skip

NATURE_CODES = {MarketNature.TRAVAUX: "TRX", MarketNature.SERVICES: "SRV", MarketNature.FOURNITURES: "FRN"}


# --- The plan: everything drawn, nothing depending on the day ---------------------------------------------------


@dataclass
class AwardPlan:
    company: tuple  # (structure key, company name)
    role: str
    hours: Decimal
    amount: Decimal
    notes: str = ""


@dataclass
class LotPlan:
    number: int
    title: str
    trade: Trade
    amount: Decimal
    required: Decimal
    labour_share: Decimal | None
    insertion_rate: Decimal | None
    hourly_cost: Decimal | None
    calibrated: Decimal | None
    awards: list = field(default_factory=list)


@dataclass
class MarketPlan:
    spec: MarketSpec
    structure: str
    legal_basis: str
    amount: Decimal
    target_publics: list
    publication: date | None
    attribution: date  # done or expected
    notification: date | None
    start: date | None
    end: date | None
    lots: list
    reference: str = ""


def _euros(value, step=100):
    return Decimal(int(round(value / step)) * step)


def _round_to(value, step):
    return (Decimal(value) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


def _phone(rng, structure):
    return f"{PHONE_PREFIX[structure]} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"


def _email(contact_name, domain):
    first, last = contact_name.split(" ", 1)
    return f"{slugify(first)}.{slugify(last)}@{domain}"


def _candidates(structure, trade, kinds):
    return [
        (s, name) for s, name, kind, *_, trades in COMPANIES if s == structure and kind in kinds and trade in trades
    ]


def _plan_lots(rng, spec, structure, amount, legal_basis):
    entries = [lot if isinstance(lot, tuple) else (lot, lot.label[0].upper() + lot.label[1:]) for lot in spec.lots]
    if spec.pick:  # the first trade of a bundle, and some of the others, in the bundle's order
        kept = [entries[0], *rng.sample(entries[1:], rng.randint(*spec.pick) - 1)]
        entries = [entry for entry in entries if entry in kept]
    weights = [TRADE_WEIGHT.get(trade, 1) * rng.uniform(0.7, 1.3) for trade, _ in entries]
    hourly_cost = DEFAULT_HOURLY_COST[spec.nature]
    lots = []
    for number, ((trade, title), weight) in enumerate(zip(entries, weights, strict=True), start=1):
        preset = PRESETS[trade]
        if preset.nature != spec.nature:
            raise ValueError(f"{spec.title}: lot {title!r} is not of nature {spec.nature}.")
        lot_amount = _euros(float(amount) * weight / sum(weights))
        rate = Decimal(rng.choices([5, 7, 10], weights=[75, 15, 10])[0])
        calibrated = proposed_hours(lot_amount, preset.labour_share, rate, hourly_cost)
        draw = rng.random()
        if draw < 0.08:  # the buyer set its own figure, no calibration kept
            required, calibration = max(_round_to(calibrated, 10), Decimal(10)), (None, None, None, None)
        else:
            if draw < 0.68 or calibrated < 100:
                required = calibrated
            elif draw < 0.9:  # rounded to the nearest 50 h
                required = _round_to(calibrated, 50)
            else:  # adjusted by the buyer
                required = _round_to(calibrated * Decimal(str(rng.choice([0.8, 0.9, 1.2, 1.25]))), 10)
            calibration = (preset.labour_share, rate, hourly_cost, calibrated)
        lot = LotPlan(number, title, trade, lot_amount, required, *calibration)
        lot.awards = _plan_awards(rng, structure, lot, legal_basis)
        lots.append(lot)
    return lots


def _plan_awards(rng, structure, lot, legal_basis):
    """Who holds the lot if it is attributed: a titulaire, sometimes a cotraitant or an inclusive subcontractor."""
    reserved = legal_basis in TITULAIRE_KINDS
    holders = _candidates(structure, lot.trade, TITULAIRE_KINDS.get(legal_basis, (K.CLASSIQUE,)))
    if not holders:
        raise ValueError(f"No demo company for {lot.trade} ({structure}, {legal_basis}).")
    titulaire = rng.choice(holders)
    awarded = _euros(float(lot.amount) * rng.uniform(0.88, 1.04), 10)
    draw, share = rng.random(), Decimal(rng.choice([25, 30, 40, 50])) / 100
    partners = [c for c in _candidates(structure, lot.trade, (K.CLASSIQUE,)) if c != titulaire]
    subcontractors = _candidates(structure, lot.trade, SUBCONTRACTOR_KINDS)
    partner = rng.choice(partners) if partners else None
    subcontractor = rng.choice(subcontractors) if subcontractors else None
    if not reserved and partner and lot.required >= 300 and draw < 0.18:
        role, other, note = (
            AwardRole.COTRAITANT,
            partner,
            "Groupement conjoint : heures réparties selon les prestations.",
        )
    elif not reserved and subcontractor and lot.required >= 150 and draw < 0.45:
        role, other, note = (
            AwardRole.SOUS_TRAITANT,
            subcontractor,
            "Sous-traitance déclarée à une structure inclusive.",
        )
    else:
        return [AwardPlan(titulaire, AwardRole.TITULAIRE, lot.required, awarded)]
    hours = _round_to(lot.required * share, 1)
    amount = _euros(float(awarded * share), 10)
    return [
        AwardPlan(titulaire, AwardRole.TITULAIRE, lot.required - hours, awarded - amount),
        AwardPlan(other, role, hours, amount, note),
    ]


def plan(rng, today):
    """The markets of the demo, with their lots and awards, as plain values, laid out around `today`."""
    first_attribution, last_attribution = (today + offset for offset in ATTRIBUTION_WINDOW)
    buyers = {key: structure for key, structure, *_ in BUYERS}
    scheduled = sum(1 for spec in MARKETS if not spec.abandoned)
    order = list(range(scheduled))
    rng.shuffle(order)
    slots = iter(order)
    span = (last_attribution - first_attribution).days
    plans = []
    for spec in MARKETS:
        structure = buyers[spec.buyer]
        amount = Decimal(rng.randint(*spec.amount_k) * 1000)
        if spec.basis:
            legal_basis = spec.basis
        else:
            legal_basis = LegalBasis.R2152_7 if rng.random() < 0.15 else LegalBasis.L2112_2
        in_qpv = spec.qpv[0] != QpvLocation.HORS
        target_publics = list(rng.choice(TARGET_SETS)) if rng.random() < (0.5 if in_qpv else 0.2) else []
        consultation_days = rng.randint(60, 120) if spec.nature == MarketNature.TRAVAUX else rng.randint(45, 90)
        if spec.abandoned:
            low, high = (today + offset for offset in ABANDONED_WINDOW)
            attribution = low + timedelta(days=rng.randint(0, (high - low).days))
            publication = None if spec.abandoned == "projet" else attribution - timedelta(days=consultation_days)
            notification = start = end = None
        else:
            # Evenly spread (one every ~22 days) with a little jitter: whatever the day, some markets are being
            # consulted, some attributed and not started yet, some in execution.
            base = first_attribution + timedelta(days=round(next(slots) * span / (scheduled - 1)))
            attribution = base + timedelta(days=rng.randint(-5, 5))
            publication = attribution - timedelta(days=consultation_days)
            notification = attribution + timedelta(days=rng.randint(7, 25))
            start = attribution + timedelta(days=rng.randint(45, 100))
            end = start + timedelta(days=round(rng.randint(*spec.months) * 30.44) - 1)
        lots = _plan_lots(rng, spec, structure, amount, legal_basis)
        plans.append(
            MarketPlan(
                spec=spec,
                structure=structure,
                legal_basis=legal_basis,
                amount=amount,
                target_publics=target_publics,
                publication=publication,
                attribution=attribution,
                notification=notification,
                start=start,
                end=end,
                lots=lots,
            )
        )
    # References follow each buyer's own numbering. The number is fixed per market (the order of the specs),
    # so that a later day's plan, which may change the year, never gives two markets the same reference.
    counters = {}
    for market in plans:
        counter = counters.get(market.spec.buyer, rng.randint(2, 25))
        counters[market.spec.buyer] = counter + rng.randint(1, 9)
        year = (market.publication or market.attribution).year
        market.reference = f"{year}-{NATURE_CODES[market.spec.nature]}-{counter:03d}"
    return plans


# --- Where each market stands today -----------------------------------------------------------------------------


def market_state(market, today):
    """Status and dates of a planned market on `today`: what is known of it that day."""
    dates = {
        "expected_attribution_date": market.attribution,
        "publication_date": None,
        "attribution_date": None,
        "notification_date": None,
        "start_date": market.start,
        "end_date": market.end,
    }
    if market.publication and market.publication <= today:
        dates["publication_date"] = market.publication
    if market.spec.abandoned:
        return MarketStatus.ABANDONNE, dates
    if market.attribution > today:
        status = MarketStatus.CONSULTATION if dates["publication_date"] else MarketStatus.PROGRAMME
        return status, dates
    dates["attribution_date"] = market.attribution
    if market.notification <= today:
        dates["notification_date"] = market.notification
    if today < market.start:
        return MarketStatus.ATTRIBUE, dates
    if today <= market.end:
        return MarketStatus.EXECUTION, dates
    return MarketStatus.TERMINE, dates


# --- Writing it -------------------------------------------------------------------------------------------------


def seed(structures, today=None):
    """Create (or bring back to their demo state) the buyers, markets, lots, companies and awards of the demo.

    `structures`: the structures porteuses of the accounts demo, by key ("sud_loire", "val_de_somme").
    """
    today = today or timezone.localdate()
    rng = random.Random(SEED)
    market_plans = plan(rng, today)  # first: the plan is the same whoever calls `plan(random.Random(SEED), today)`

    buyers = {}
    for key, structure, name, buyer_type, siren, address, postcode, city, contact, role, domain in BUYERS:
        buyers[key], _ = upsert(
            Buyer,
            {"structure": structures[structure], "name": name},
            {
                "buyer_type": buyer_type,
                "siret": make_valid_siret(siren),
                "address": address,
                "postcode": postcode,
                "city": city,
                "contact_name": contact,
                "contact_role": role,
                "contact_email": _email(contact, domain),
                "contact_phone": _phone(rng, structure),
            },
        )

    companies = {}
    for structure, name, kind, siren, naf, size, address, postcode, city, contact, role, domain, _ in COMPANIES:
        companies[structure, name], _ = upsert(
            Company,
            {"structure": structures[structure], "siret": make_valid_siret(siren, "0018")},
            {
                "name": name,
                "kind": kind,
                "naf_code": naf,
                "size": size,
                "address": address,
                "postcode": postcode,
                "city": city,
                "contact_name": contact,
                "contact_role": role,
                "contact_email": _email(contact, domain),
                "contact_phone": _phone(rng, structure),
            },
        )

    markets, lots, awards = [], [], []
    for market_plan in market_plans:
        spec = market_plan.spec
        status, dates = market_state(market_plan, today)
        market, _ = upsert(
            Market,
            {"structure": structures[market_plan.structure], "buyer": buyers[spec.buyer], "title": spec.title},
            {
                "reference": market_plan.reference,
                "nature": spec.nature,
                "sector": spec.sector,
                "legal_basis": market_plan.legal_basis,
                "estimated_amount_ht": market_plan.amount,
                "status": status,
                **dates,
                "city": spec.place[0],
                "postcode": spec.place[1],
                "qpv": spec.qpv[0],
                "qpv_name": spec.qpv[1],
                "target_publics": market_plan.target_publics,
                "notes": ABANDON_NOTES.get(spec.abandoned, ""),
            },
        )
        markets.append(market)
        for lot_plan in market_plan.lots:
            lot, _ = upsert(
                Lot,
                {"market": market, "number": lot_plan.number},
                {
                    "title": lot_plan.title,
                    "trade": lot_plan.trade,
                    "amount_ht": lot_plan.amount,
                    "required_hours": lot_plan.required,
                    "labour_share": lot_plan.labour_share,
                    "insertion_rate": lot_plan.insertion_rate,
                    "hourly_cost": lot_plan.hourly_cost,
                    "calibrated_hours": lot_plan.calibrated,
                },
            )
            lots.append(lot)
            if status not in ATTRIBUTED:
                continue
            for award_plan in lot_plan.awards:
                award, _ = upsert(
                    Award,
                    {"lot": lot, "company": companies[award_plan.company]},
                    {
                        "role": award_plan.role,
                        "amount_ht": award_plan.amount,
                        "hours_committed": award_plan.hours,
                        "notes": award_plan.notes,
                    },
                )
                awards.append(award)

    return {
        "buyers": list(buyers.values()),
        "markets": markets,
        "lots": lots,
        "companies": list(companies.values()),
        "awards": awards,
    }
