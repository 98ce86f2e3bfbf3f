"""Suivi pages issue a fixed number of queries, however many offers, candidates, contracts, markets served or
hours they show: each page is counted with N rows, then with 3N, and the counts must match."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clauses.accounts.enums import Role
from marches.enums import AwardRole, CompanyKind
from participants.enums import ReferralStatus
from suivi.enums import HourKind, PositioningStatus
from suivi.models import Assignment, HourEntry, PositioningEvent
from tests.conftest import diagnosis_for
from tests.marches.factories import AwardFactory, CompanyFactory, MarketFactory
from tests.participants.factories import ParticipantFactory, ReferralFactory
from tests.suivi.factories import JobOfferFactory, PositioningFactory, WorkContractFactory, hours

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 1)


def grow(world, n):
    """n more of each thing the suivi pages list, in our structure, around our prescriber and our company."""
    s = world.structure
    for _ in range(n):
        # An offer of another company on a new market, with a candidate sent by a fiche navette that has been
        # accepted since (the positioning still names the fiche), and one still being examined.
        company = CompanyFactory(structure=s)
        market = MarketFactory(structure=s, buyer=world.buyer)
        award = AwardFactory(lot__market=market, company=company)
        offer = JobOfferFactory(award=award)
        accepted = ReferralFactory(
            structure=s, prescriber_organisation=world.prescriber_org, status=ReferralStatus.ACCEPTEE,
            participant=ParticipantFactory(structure=s, referent_organisation=world.prescriber_org),
        )  # fmt: skip
        PositioningFactory(
            offer=offer, participant=None, referral=accepted, proposed_by_organisation=world.prescriber_org,
            proposed_by=world.prescripteur.user,
        )  # fmt: skip
        examined = ReferralFactory(structure=s, prescriber_organisation=world.prescriber_org)
        PositioningFactory(offer=world.offer, participant=None, referral=examined,
                           proposed_by_organisation=world.prescriber_org)  # fmt: skip
        # A candidate of our prescriber on our offer, retained and hired: a contract on our company's award
        # and on the new company's award, with hours, one counted and one not.
        person = ParticipantFactory(structure=s, referent_organisation=world.prescriber_org)
        diagnosis_for(person, world.market)
        retained = PositioningFactory(
            offer=world.offer, participant=person, status=PositioningStatus.NON_RETENU, non_retention_reason="profil",
            feedback="Profil à revoir.", proposed_by_organisation=world.prescriber_org,
        )  # fmt: skip
        contract = WorkContractFactory(award=world.award, participant=person)
        contract.positioning = retained
        contract.save()
        hours(contract.assignments.get(), MARCH, "100")
        elsewhere = WorkContractFactory(award=award)  # no diagnosis: hours not counted
        hours(elsewhere.assignments.get(), MARCH, "50")
        # Our contract serves one more market of our company (mutualisation), with hours there.
        shared = AwardFactory(lot__market=market, company=world.company)
        assignment = Assignment.objects.create(contract=world.contract, award=shared)
        hours(assignment, MARCH, "10")
        hours(assignment, MARCH, "2", kind=HourKind.FORMATION)
        # Hours our company subcontracted to one more integration company holding a part of our lot.
        integration = CompanyFactory(structure=s, kind=CompanyKind.EI)
        AwardFactory(lot=world.lot, company=integration, role=AwardRole.COTRAITANT, hours_committed=0)
        HourEntry.objects.create(
            award=world.award, subcontractor=integration, month=MARCH, kind=HourKind.SOUS_TRAITANCE, hours=20
        )
        # One more step on our positioning.
        PositioningEvent.objects.create(
            positioning=world.positioning, from_status="", to_status=PositioningStatus.PROPOSE,
            by=world.facilitateur.user, message="Relance.",
        )  # fmt: skip


def count_queries(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(queries)


def obj(name, attr, query=""):
    return lambda w: reverse(name, args=[getattr(w, attr).public_id]) + query


PAGES = [
    ("offres", Role.FACILITATEUR, lambda w: reverse("suivi:offer_list")),
    ("offres filtrées", Role.FACILITATEUR, lambda w: reverse("suivi:offer_list") + "?q=Maçon&status=publiee"),
    ("offres", Role.PRESCRIPTEUR, lambda w: reverse("suivi:offer_list")),
    ("nouvelle offre", Role.FACILITATEUR, lambda w: reverse("suivi:offer_create")),
    ("modifier l'offre", Role.FACILITATEUR, obj("suivi:offer_update", "offer")),
    ("offre", Role.FACILITATEUR, obj("suivi:offer_detail", "offer")),
    ("offre", Role.PRESCRIPTEUR, obj("suivi:offer_detail", "offer")),
    ("positionner", Role.FACILITATEUR, obj("suivi:positioning_create", "offer")),
    ("positionner", Role.PRESCRIPTEUR, obj("suivi:positioning_create", "offer")),
    ("positionnements", Role.FACILITATEUR, lambda w: reverse("suivi:positioning_list")),
    ("positionnements", Role.PRESCRIPTEUR, lambda w: reverse("suivi:positioning_list")),
    ("positionnement", Role.FACILITATEUR, obj("suivi:positioning_detail", "positioning")),
    ("positionnement", Role.PRESCRIPTEUR, obj("suivi:positioning_detail", "positioning")),
    ("décision", Role.FACILITATEUR, obj("suivi:positioning_decide", "positioning")),
    ("contrats", Role.FACILITATEUR, lambda w: reverse("suivi:contract_list")),
    (
        "contrats filtrés",
        Role.FACILITATEUR,
        lambda w: reverse("suivi:contract_list") + "?state=termine&not_counted=on",
    ),
    ("contrats", Role.PRESCRIPTEUR, lambda w: reverse("suivi:contract_list")),
    ("nouveau contrat", Role.FACILITATEUR, lambda w: reverse("suivi:contract_create")),
    ("contrat", Role.FACILITATEUR, obj("suivi:contract_detail", "contract")),
    ("modifier le contrat", Role.FACILITATEUR, obj("suivi:contract_update", "contract")),
    ("heures du contrat", Role.FACILITATEUR, obj("suivi:contract_hours", "contract")),
    ("relevés", Role.FACILITATEUR, lambda w: reverse("suivi:hours_index") + "?mois=2026-03"),
    ("retards", Role.FACILITATEUR, lambda w: reverse("suivi:behind")),
    ("contrats du marché", Role.FACILITATEUR, obj("suivi:market_contracts", "market")),
    ("contrats de l'entreprise", Role.FACILITATEUR, obj("suivi:company_contracts", "company")),
    ("relevé de l'entreprise", Role.FACILITATEUR, obj("suivi:company_grid", "company", "?mois=2026-03")),
    ("relevé du marché", Role.FACILITATEUR, obj("suivi:market_grid", "market", "?mois=2026-03")),
]


@pytest.mark.parametrize(("name", "role", "url"), PAGES, ids=[f"{p}-{r}" for p, r, _ in PAGES])
def test_suivi_pages_do_not_grow_with_rows(client, world, name, role, url):
    client.force_login(world.membership(role).user)
    target = url(world)
    grow(world, 3)
    before = count_queries(client, target)
    grow(world, 6)
    assert count_queries(client, target) == before


def test_the_rows_grown_are_shown(client, world):
    """The comparison above means something only if the pages do list what `grow` adds."""
    grow(world, 3)
    client.force_login(world.facilitateur.user)
    assert len(client.get(reverse("suivi:offer_list")).context["page"].object_list) == 2 + 3
    assert len(client.get(reverse("suivi:positioning_list")).context["page"].object_list) == 2 + 3 * 3
    assert len(client.get(reverse("suivi:contract_list")).context["page"].object_list) == 2 + 3 * 2
    assert len(client.get(world.contract.get_absolute_url()).context["assignments"]) == 1 + 3
    grid = client.get(reverse("suivi:company_grid", args=[world.company.public_id]) + "?mois=2026-03")
    assert len(grid.context["person_rows"]) == 2 + 3 + 3
    assert len(grid.context["sub_rows"]) == 3
    client.force_login(world.prescripteur.user)
    assert len(client.get(reverse("suivi:positioning_list")).context["page"].object_list) == 1 + 3 * 3
