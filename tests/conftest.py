import importlib
import os
from dataclasses import dataclass

import pytest
from django.conf import settings as django_settings

from clauses.accounts.enums import PrescriberType, Role
from participants.enums import ReferralStatus
from participants.models import EligibilityDiagnosis
from suivi.enums import OfferStatus
from tests.accounts.factories import MembershipFactory, OrganisationFactory
from tests.marches.factories import AwardFactory
from tests.participants.factories import ParticipantFactory, ProofFactory, ReferralFactory
from tests.suivi.factories import JobOfferFactory, PositioningFactory, WorkContractFactory

# Playwright's sync API keeps an event loop running in the main thread from the first browser test to the
# end of the session (its fixtures are session-scoped), so every later test's ORM call would be refused as
# "async-unsafe". The suite is synchronous: lift the guard for the whole session.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_configure(config):
    engine = django_settings.DATABASES["default"]["ENGINE"]
    if engine != "django.db.backends.postgresql":
        raise pytest.UsageError(
            "Les tests tournent sur PostgreSQL : lancez `make test`, ou définissez DATABASE_URL=postgres:///clauses."
        )
    # Tests run with DEBUG off, as in production, but over plain HTTP (test client and live server).
    # Set here, before the live server builds its middleware, not in a function-scoped fixture.
    django_settings.SECURE_SSL_REDIRECT = False
    django_settings.SESSION_COOKIE_SECURE = False
    django_settings.CSRF_COOKIE_SECURE = False


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, dropped at the end once nothing holds it: a live server's request thread still open
    when its browser closed (a daemon thread, never joined) would otherwise keep a session on it."""
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, never a downloaded browser."""
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(autouse=True)
def _private_files_in_a_temporary_folder(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path / "private", "base_url": None}},
    }


DATABASE_FIXTURES = {"db", "transactional_db", "world", "live_server"}


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Rows created by data migrations (eligibility criteria) are erased when a transactional test flushes the
    database; put them back for every test that uses the database, whatever the order tests run in."""
    if not (request.node.get_closest_marker("django_db") or DATABASE_FIXTURES & set(request.fixturenames)):
        return
    request.getfixturevalue("db")
    restore_reference_data()


def restore_reference_data():
    """Put back the rows of data migrations (eligibility criteria) when a transactional test erased them."""
    from django.apps import apps

    from participants.models import EligibilityCriterion

    if not EligibilityCriterion.objects.exists():
        criteria_migration = importlib.import_module("participants.migrations.0002_eligibility_criteria")
        criteria_migration.create_criteria(apps, None)


@dataclass
class World:
    """Two structures porteuses, each with one membership per role and partners, and a network head.

    `structure` is the one the tests act in; everything under `other_*` belongs elsewhere and must answer 404.
    `shared_partner` was registered by the other structure and attached by ours: ours sees it, may not
    change it nor manage its people.
    """

    structure: object
    facilitateur: object
    admin: object
    comite: object
    prescriber_org: object
    prescripteur: object
    sibling_prescriber_org: object
    sibling_prescripteur: object
    financeur: object
    other_structure: object
    other_admin: object
    other_prescriber_org: object
    shared_partner: object
    shared_prescripteur: object
    reseau: object
    # marches: one of each in our structure, one of each in the other structure
    buyer: object = None
    market: object = None
    lot: object = None
    company: object = None
    award: object = None
    other_buyer: object = None
    other_market: object = None
    other_lot: object = None
    other_company: object = None
    other_award: object = None
    # participants: ours and the other structure's
    participant: object = None
    other_participant: object = None
    proof: object = None
    other_proof: object = None
    diagnosis: object = None
    other_diagnosis: object = None
    referral: object = None  # sent by our prescriber to our structure
    sibling_referral: object = None  # sent by the other prescriber of our structure
    draft: object = None  # our prescriber's draft, not yet sent
    other_referral: object = None
    sibling_participant: object = None  # of our structure, followed by the other prescriber
    draft_proof: object = None  # attached to our prescriber's draft
    referral_proof: object = None  # attached to the fiche our prescriber sent
    # suivi: offers, positionings, contracts
    offer: object = None  # published, on our award
    draft_offer: object = None  # ours, not yet published
    other_offer: object = None  # published by the other structure
    positioning: object = None  # our participant (followed by our prescriber) on our offer
    sibling_positioning: object = None  # the other prescriber's person on our offer
    other_positioning: object = None
    contract: object = None  # our participant's contract on our award
    sibling_contract: object = None  # the other prescriber's person's contract
    other_contract: object = None
    assignment: object = None  # our contract on our award
    other_assignment: object = None
    hour_import: object = None  # an import waiting for confirmation in our structure
    other_hour_import: object = None

    def membership(self, role):
        return {
            Role.FACILITATEUR: self.facilitateur,
            Role.ADMIN: self.admin,
            Role.COMITE: self.comite,
            Role.PRESCRIPTEUR: self.prescripteur,
            Role.RESEAU: self.reseau,
        }[role]


def diagnosis_for(participant, market):
    """An eligible diagnosis at the market's attribution date, valid two years."""
    on = market.attribution_date
    return EligibilityDiagnosis.objects.create(
        participant=participant, market=market, assessed_on=on, eligible=True, valid_until=on.replace(year=on.year + 2)
    )


@pytest.fixture
def world(db):
    return build_world()


def build_world():
    structure = OrganisationFactory(name="PLIE Métropole Test")
    other_structure = OrganisationFactory(name="Maison de l'emploi Ailleurs")
    prescriber_org = OrganisationFactory(
        prescriber=True, name="Mission Locale Test", registered_by=structure, partner_of=[structure]
    )
    sibling_prescriber_org = OrganisationFactory(
        prescriber=True,
        name="France Travail Test",
        prescriber_type=PrescriberType.FRANCE_TRAVAIL,
        registered_by=structure,
        partner_of=[structure],
    )
    other_prescriber_org = OrganisationFactory(
        prescriber=True,
        name="Cap emploi Ailleurs",
        prescriber_type=PrescriberType.CAP_EMPLOI,
        registered_by=other_structure,
        partner_of=[other_structure],
    )
    shared_partner = OrganisationFactory(
        prescriber=True,
        name="SPIP Partagé",
        prescriber_type=PrescriberType.SPIP,
        registered_by=other_structure,
        partner_of=[other_structure, structure],
    )
    world = World(
        structure=structure,
        facilitateur=MembershipFactory(organisation=structure),
        admin=MembershipFactory(organisation=structure, admin=True),
        comite=MembershipFactory(organisation=structure, comite=True),
        prescriber_org=prescriber_org,
        prescripteur=MembershipFactory(organisation=prescriber_org, prescripteur=True),
        sibling_prescriber_org=sibling_prescriber_org,
        sibling_prescripteur=MembershipFactory(organisation=sibling_prescriber_org, prescripteur=True),
        financeur=OrganisationFactory(financeur=True, registered_by=structure, partner_of=[structure]),
        other_structure=other_structure,
        other_admin=MembershipFactory(organisation=other_structure, admin=True),
        other_prescriber_org=other_prescriber_org,
        shared_partner=shared_partner,
        shared_prescripteur=MembershipFactory(organisation=shared_partner, prescripteur=True),
        reseau=MembershipFactory(reseau=True),
    )
    for prefix, owner in (("", structure), ("other_", other_structure)):
        award = AwardFactory(lot__market__structure=owner)
        setattr(world, f"{prefix}award", award)
        setattr(world, f"{prefix}lot", award.lot)
        setattr(world, f"{prefix}market", award.lot.market)
        setattr(world, f"{prefix}buyer", award.lot.market.buyer)
        setattr(world, f"{prefix}company", award.company)
    world.participant = ParticipantFactory(structure=structure, referent_organisation=prescriber_org)
    world.other_participant = ParticipantFactory(structure=other_structure)
    world.proof = ProofFactory(participant=world.participant)
    world.other_proof = ProofFactory(participant=world.other_participant)
    world.diagnosis = diagnosis_for(world.participant, world.market)
    world.other_diagnosis = diagnosis_for(world.other_participant, world.other_market)
    world.referral = ReferralFactory(
        structure=structure, prescriber_organisation=prescriber_org, created_by=world.prescripteur.user
    )
    world.sibling_referral = ReferralFactory(
        structure=structure, prescriber_organisation=sibling_prescriber_org, created_by=world.sibling_prescripteur.user
    )
    world.draft = ReferralFactory(
        structure=structure, prescriber_organisation=prescriber_org, created_by=world.prescripteur.user,
        status=ReferralStatus.BROUILLON, submitted_at=None,
    )  # fmt: skip
    world.other_referral = ReferralFactory(structure=other_structure, prescriber_organisation=other_prescriber_org)
    world.sibling_participant = ParticipantFactory(structure=structure, referent_organisation=sibling_prescriber_org)
    world.draft_proof = ProofFactory(participant=None, referral=world.draft, structure=structure)
    world.referral_proof = ProofFactory(participant=None, referral=world.referral, structure=structure, kind="cv")
    _suivi_world(world)
    return world


def _suivi_world(world):
    world.offer = JobOfferFactory(award=world.award)
    world.draft_offer = JobOfferFactory(award=world.award, status=OfferStatus.BROUILLON, published_at=None)
    world.other_offer = JobOfferFactory(award=world.other_award)
    world.positioning = PositioningFactory(
        offer=world.offer, participant=world.participant, proposed_by=world.facilitateur.user
    )
    world.sibling_positioning = PositioningFactory(offer=world.offer, participant=world.sibling_participant)
    world.other_positioning = PositioningFactory(offer=world.other_offer, participant=world.other_participant)
    world.contract = WorkContractFactory(award=world.award, participant=world.participant)
    world.sibling_contract = WorkContractFactory(award=world.award, participant=world.sibling_participant)
    world.other_contract = WorkContractFactory(award=world.other_award, participant=world.other_participant)
    world.assignment = world.contract.assignments.get()
    world.other_assignment = world.other_contract.assignments.get()
    # An import of March hours waiting for confirmation, in each structure (a CSV as a facilitator would send).
    from django.core.files.uploadedfile import SimpleUploadedFile

    from suivi.imports import hour_import_create

    for prefix, membership in (("", world.facilitateur), ("other_", world.other_admin)):
        contract = getattr(world, f"{prefix}contract")
        person, award = contract.participant, getattr(world, f"{prefix}award")
        content = (
            "Mois;Nom;Prénom;Date de naissance;SIRET entreprise;Marché;Lot;Heures travaillées\r\n"
            f"03/2026;{person.last_name};{person.first_name};{person.birth_date:%d/%m/%Y};{award.company.siret};"
            f"{award.lot.market.reference};{award.lot.number};35\r\n"
        )
        upload = SimpleUploadedFile("heures-mars.csv", content.encode())
        hour_import = hour_import_create(structure=contract.structure, uploaded_file=upload, by=membership.user)
        setattr(world, f"{prefix}hour_import", hour_import)


@pytest.fixture
def login_as(client):
    """Log the test client in through a membership (its user has only that one)."""

    def _login(membership):
        client.force_login(membership.user)
        return client

    return _login
