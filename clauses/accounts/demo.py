"""Demo organisations, people and memberships (used by `manage.py seed_demo`). Idempotent."""

from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from clauses.accounts.enums import OrganisationKind, PrescriberType, Region, Role, StructureType
from clauses.accounts.models import Membership, Organisation, User
from clauses.accounts.validators import make_valid_siret

DEMO_PASSWORD = "demo-clauses-2026"
DEMO_DOMAIN = "demo.clauses.test"

# One login per role, printed by `make run`.
DEMO_LOGINS = {
    Role.FACILITATEUR: f"facilitateur@{DEMO_DOMAIN}",
    Role.PRESCRIPTEUR: f"prescripteur@{DEMO_DOMAIN}",
    Role.COMITE: f"comite@{DEMO_DOMAIN}",
    Role.ADMIN: f"admin@{DEMO_DOMAIN}",
}

STRUCTURES = [
    # key, name, structure type, SIREN stem, address, postcode, city, region
    (
        "sud_loire",
        "PLIE Métropole Sud-Loire",
        StructureType.PLIE,
        "41235678",
        "12 rue de la Tour d'Auvergne",
        "44200",
        "Nantes",
        Region.PAYS_DE_LA_LOIRE,
    ),
    (
        "val_de_somme",
        "Maison de l'Emploi Val de Somme",
        StructureType.MDE,
        "42876543",
        "3 boulevard de Belfort",
        "80000",
        "Amiens",
        Region.HAUTS_DE_FRANCE,
    ),
]

PARTNERS = [
    # structure key, name, kind, prescriber type, SIREN stem, city, postcode
    (
        "sud_loire",
        "France Travail Nantes Est",
        OrganisationKind.PRESCRIPTEUR,
        PrescriberType.FRANCE_TRAVAIL,
        "13000548",
        "Nantes",
        "44300",
    ),
    (
        "sud_loire",
        "Mission Locale Nantes Métropole",
        OrganisationKind.PRESCRIPTEUR,
        PrescriberType.MISSION_LOCALE,
        "38912456",
        "Nantes",
        "44000",
    ),
    (
        "sud_loire",
        "Cap emploi Loire-Atlantique",
        OrganisationKind.PRESCRIPTEUR,
        PrescriberType.CAP_EMPLOI,
        "39045127",
        "Saint-Herblain",
        "44800",
    ),
    (
        "sud_loire",
        "SPIP de Loire-Atlantique",
        OrganisationKind.PRESCRIPTEUR,
        PrescriberType.SPIP,
        "17440312",
        "Nantes",
        "44000",
    ),
    (
        "sud_loire",
        "Département de Loire-Atlantique — délégation Nantes",
        OrganisationKind.PRESCRIPTEUR,
        PrescriberType.CONSEIL_DEPARTEMENTAL,
        "22440002",
        "Nantes",
        "44000",
    ),
    (
        "sud_loire",
        "Chantier d'insertion Les Ateliers de l'Erdre",
        OrganisationKind.PRESCRIPTEUR,
        PrescriberType.SIAE,
        "49387215",
        "Carquefou",
        "44470",
    ),
    (
        "sud_loire",
        "Association Tremplin Emploi Rezé",
        OrganisationKind.PRESCRIPTEUR,
        PrescriberType.ASSOCIATION,
        "50213984",
        "Rezé",
        "44400",
    ),
    ("sud_loire", "DDETS de Loire-Atlantique", OrganisationKind.FINANCEUR, "", "13001873", "Nantes", "44000"),
    (
        "sud_loire",
        "Nantes Métropole — direction emploi et innovation sociale",
        OrganisationKind.FINANCEUR,
        "",
        "24440040",
        "Nantes",
        "44000",
    ),
    (
        "val_de_somme",
        "France Travail Amiens Nord",
        OrganisationKind.PRESCRIPTEUR,
        PrescriberType.FRANCE_TRAVAIL,
        "13000549",
        "Amiens",
        "80080",
    ),
    (
        "val_de_somme",
        "Mission Locale Amiens Somme",
        OrganisationKind.PRESCRIPTEUR,
        PrescriberType.MISSION_LOCALE,
        "38745120",
        "Amiens",
        "80000",
    ),
    (
        "val_de_somme",
        "Cap emploi Somme",
        OrganisationKind.PRESCRIPTEUR,
        PrescriberType.CAP_EMPLOI,
        "39123786",
        "Amiens",
        "80000",
    ),
]

PEOPLE = [
    # e-mail (local part), first name, last name, job title, [(organisation name, role)], has logged in
    (
        "facilitateur",
        "Camille",
        "Martin",
        "Chargée de mission clauses sociales",
        [("PLIE Métropole Sud-Loire", Role.FACILITATEUR)],
        True,
    ),
    (
        "karim.benali",
        "Karim",
        "Benali",
        "Facilitateur clauses sociales",
        [("PLIE Métropole Sud-Loire", Role.FACILITATEUR)],
        True,
    ),
    (
        "sophie.legall",
        "Sophie",
        "Le Gall",
        "Chargée de relations entreprises",
        [("PLIE Métropole Sud-Loire", Role.FACILITATEUR)],
        False,
    ),
    ("admin", "Isabelle", "Moreau", "Directrice du PLIE", [("PLIE Métropole Sud-Loire", Role.ADMIN)], True),
    (
        "comite",
        "Jean-Pierre",
        "Roux",
        "Vice-président délégué à l'emploi",
        [("PLIE Métropole Sud-Loire", Role.COMITE)],
        True,
    ),
    (
        "nadia.haddad",
        "Nadia",
        "Haddad",
        "Chargée de mission insertion, DDETS",
        [("PLIE Métropole Sud-Loire", Role.COMITE)],
        True,
    ),
    (
        "prescripteur",
        "Julie",
        "Bernard",
        "Conseillère en insertion professionnelle",
        [("Mission Locale Nantes Métropole", Role.PRESCRIPTEUR)],
        True,
    ),
    ("thomas.petit", "Thomas", "Petit", "Conseiller emploi", [("France Travail Nantes Est", Role.PRESCRIPTEUR)], True),
    (
        "amina.diallo",
        "Amina",
        "Diallo",
        "Chargée d'accompagnement",
        [("Cap emploi Loire-Atlantique", Role.PRESCRIPTEUR)],
        True,
    ),
    (
        "luc.garnier",
        "Luc",
        "Garnier",
        "Conseiller pénitentiaire d'insertion et de probation",
        [("SPIP de Loire-Atlantique", Role.PRESCRIPTEUR)],
        False,
    ),
    (
        "multi",
        "Claire",
        "Dubois",
        "Facilitatrice mutualisée",
        [("PLIE Métropole Sud-Loire", Role.FACILITATEUR), ("Maison de l'Emploi Val de Somme", Role.FACILITATEUR)],
        True,
    ),
    (
        "marc.lefebvre",
        "Marc",
        "Lefebvre",
        "Facilitateur clauses sociales",
        [("Maison de l'Emploi Val de Somme", Role.FACILITATEUR)],
        True,
    ),
    (
        "anne.girard",
        "Anne",
        "Girard",
        "Responsable du service entreprises",
        [("Maison de l'Emploi Val de Somme", Role.ADMIN)],
        True,
    ),
    (
        "pauline.robert",
        "Pauline",
        "Robert",
        "Conseillère entreprises",
        [("France Travail Amiens Nord", Role.PRESCRIPTEUR)],
        True,
    ),
    (
        "reseau",
        "Hélène",
        "Lambert",
        "Déléguée nationale",
        [("Réseau national des facilitateurs de clauses", Role.RESEAU)],
        True,
    ),
]


def upsert(model, lookup, defaults, create_defaults=None):
    """Create the row, or update only the fields that differ (no history entry when nothing changed).

    `create_defaults` are only set on creation (a password, a first login date).
    """
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **defaults, **(create_defaults or {}))
        obj.full_clean()
        obj.save()
        return obj, True
    changed = [field for field, value in defaults.items() if getattr(obj, field) != value]
    for field in changed:
        setattr(obj, field, defaults[field])
    if changed:
        obj.full_clean()
        obj.save()
    return obj, False


def seed():
    """Create (or bring back to their demo state) the organisations and people of the demo."""
    organisations = {}
    for key, name, structure_type, siren, address, postcode, city, region in STRUCTURES:
        organisations[name], _ = upsert(
            Organisation,
            {"siret": make_valid_siret(siren)},
            {
                "name": name,
                "kind": OrganisationKind.FACILITATION,
                "structure_type": structure_type,
                "address": address,
                "postcode": postcode,
                "city": city,
                "region": region,
                "email": f"clauses.{key.replace('_', '-')}@{DEMO_DOMAIN}",
                "phone": "02 40 00 00 00" if key == "sud_loire" else "03 22 00 00 00",
            },
        )
    by_key = {key: organisations[name] for key, name, *_ in STRUCTURES}
    network, _ = upsert(
        Organisation,
        {"siret": make_valid_siret("77567890")},
        {
            "name": "Réseau national des facilitateurs de clauses",
            "kind": OrganisationKind.RESEAU,
            "city": "Paris",
            "postcode": "75011",
        },
    )
    organisations[network.name] = network
    for structure_key, name, kind, prescriber_type, siren, city, postcode in PARTNERS:
        organisation, _ = upsert(
            Organisation,
            {"siret": make_valid_siret(siren, "0012")},
            {
                "name": name,
                "kind": kind,
                "prescriber_type": prescriber_type,
                "city": city,
                "postcode": postcode,
                "registered_by": by_key[structure_key],
            },
        )
        if not organisation.partner_structures.filter(pk=by_key[structure_key].pk).exists():
            organisation.partner_structures.add(by_key[structure_key])
        organisations[name] = organisation

    password = make_password(DEMO_PASSWORD)
    now = timezone.now()
    users = {}
    for local, first_name, last_name, job_title, roles, has_logged_in in PEOPLE:
        user, _ = upsert(
            User,
            {"email": f"{local}@{DEMO_DOMAIN}"},
            {"first_name": first_name, "last_name": last_name, "job_title": job_title},
            create_defaults={"password": password, "last_login": now - timedelta(days=2) if has_logged_in else None},
        )
        for organisation_name, role in roles:
            upsert(
                Membership,
                {"user": user, "organisation": organisations[organisation_name]},
                {"role": role, "is_active": True},
            )
        users[local] = user
    return {"organisations": organisations, "structures": by_key, "users": users}
