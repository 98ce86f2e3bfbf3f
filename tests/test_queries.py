"""Pages issue a fixed number of queries, whatever the number of rows they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clauses.accounts.enums import Role
from tests.accounts.factories import MembershipFactory, OrganisationFactory
from tests.marches.factories import AwardFactory, MarketFactory
from tests.suivi.factories import PositioningFactory

pytestmark = pytest.mark.django_db


def add_rows(world, n):
    """n more partners (with a counsellor), team members, markets in execution awarded to new companies, and
    candidates followed by our prescriber positioned on an offer."""
    for _ in range(n):
        PositioningFactory(
            offer=world.offer,
            participant__structure=world.structure,
            participant__referent_organisation=world.prescriber_org,
        )
        partner = OrganisationFactory(prescriber=True, partner_of=[world.structure])
        MembershipFactory(organisation=partner, prescripteur=True)
        MembershipFactory(organisation=world.structure)
        AwardFactory(lot__market__structure=world.structure)
        MarketFactory(structure=world.structure, programme=True)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


PAGES = [
    ("home", Role.FACILITATEUR, lambda w: reverse("home")),
    ("home", Role.ADMIN, lambda w: reverse("home")),
    ("home", Role.PRESCRIPTEUR, lambda w: reverse("home")),
    ("home", Role.COMITE, lambda w: reverse("home")),
    ("home", Role.RESEAU, lambda w: reverse("home")),
    ("organisation_list", Role.FACILITATEUR, lambda w: reverse("accounts:organisation_list")),
    (
        "organisation_detail",
        Role.ADMIN,
        lambda w: reverse("accounts:organisation_detail", args=[w.structure.public_id]),
    ),
    (
        "organisation_detail",
        Role.PRESCRIPTEUR,
        lambda w: reverse("accounts:organisation_detail", args=[w.structure.public_id]),
    ),
]


@pytest.mark.parametrize(("name", "role", "url"), PAGES, ids=[f"{p}-{r}" for p, r, _ in PAGES])
def test_queries_do_not_grow_with_rows(client, world, name, role, url):
    client.force_login(world.membership(role).user)
    target = url(world)
    few = count_queries(client, target)
    add_rows(world, 12)
    OrganisationFactory.create_batch(5)  # structures of the network
    assert count_queries(client, target) == few


def test_organisation_list_queries(client, world, django_assert_num_queries):
    client.force_login(world.facilitateur.user)
    # session, user, memberships (middleware); savepoint (ATOMIC_REQUESTS inside the test transaction);
    # count of the filtered list, the page of organisations; release savepoint
    with django_assert_num_queries(7):
        client.get(reverse("accounts:organisation_list"))


def test_facilitator_home_queries(client, world, django_assert_num_queries):
    client.force_login(world.facilitateur.user)
    # session, user, memberships; savepoint; markets in execution, their awards (progress, as rows), the
    # companies behind (the world has one), hours required,
    # upcoming markets; the to-do list: open alerts, checks due, returns to send, fiches to check, unanswered
    # handoffs, skills documents due (count, then the first ones: the world's contract has none), expiring
    # diagnoses, expiring proofs, overdue committee actions, next committee to prepare; team by role, first
    # partners, partner count, prescriber count; release savepoint
    with django_assert_num_queries(25):
        client.get(reverse("home"))


def test_facilitator_home_figures_cover_the_structure_only(client, world):
    # world.market is in execution since January 2026 with 833 h and nothing done: its company is behind
    client.force_login(world.facilitateur.user)
    context = client.get(reverse("home")).context
    assert context["running_count"] == 1
    assert context["running_hours"] == 833
    assert [c.pk for c in context["behind"]] == [world.company.pk]
    assert world.other_company.pk not in [c.pk for c in context["behind"]]
