"""Marchés pages issue a fixed number of queries, however many markets, lots, awards or companies they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.marches.factories import AwardFactory, BuyerFactory, CompanyFactory, LotFactory, MarketFactory

pytestmark = pytest.mark.django_db


def grow(world, n):
    """n more markets (two lots, two awards each) for the same buyer and company, and n more of everything."""
    s = world.structure
    for _ in range(n):
        market = MarketFactory(structure=s, buyer=world.buyer)
        for lot in (LotFactory(market=market), LotFactory(market=market)):
            AwardFactory(lot=lot, company=world.company)
            AwardFactory(lot=lot, company=CompanyFactory(structure=s))
        MarketFactory(structure=s, programme=True, buyer=BuyerFactory(structure=s))
        LotFactory(market=MarketFactory(structure=s, programme=True, buyer=world.buyer))


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


PAGES = {
    "liste des marchés": lambda w: reverse("marches:market_list"),
    "liste triée par heures": lambda w: reverse("marches:market_list") + "?ordering=-hours&q=a",
    "export XLSX": lambda w: reverse("marches:market_export", args=["xlsx"]),
    "fiche marché": lambda w: reverse("marches:market_detail", args=[w.market.public_id]),
    "fiche lot": lambda w: reverse("marches:lot_detail", args=[w.lot.public_id]),
    "donneurs d'ordre": lambda w: reverse("marches:buyer_list"),
    "fiche donneur d'ordre": lambda w: reverse("marches:buyer_detail", args=[w.buyer.public_id]),
    "entreprises": lambda w: reverse("marches:company_list"),
    "fiche entreprise": lambda w: reverse("marches:company_detail", args=[w.company.public_id]),
    "programmation": lambda w: reverse("marches:programmation") + "?start=2020-01-01&end=2030-12-31",
}


@pytest.mark.parametrize("name", PAGES)
def test_marches_pages_do_not_grow_with_rows(client, world, name):
    client.force_login(world.facilitateur.user)
    url = PAGES[name](world)
    before = count_queries(client, url)
    grow(world, 6)
    assert count_queries(client, url) == before


def test_market_list_queries(client, world, django_assert_num_queries):
    client.force_login(world.facilitateur.user)
    # session, user, memberships; savepoint; buyers of the filter's choice list; count of the filtered markets;
    # the page of markets with buyer, lot count and required hours (subquery); release savepoint
    with django_assert_num_queries(8):
        client.get(reverse("marches:market_list"))


def test_market_detail_queries(client, world, django_assert_num_queries):
    client.force_login(world.facilitateur.user)
    # session, user, memberships; savepoint; the market with its buyer and hours; its lots; its awards with
    # their companies; release savepoint
    with django_assert_num_queries(8):
        client.get(reverse("marches:market_detail", args=[world.market.public_id]))
