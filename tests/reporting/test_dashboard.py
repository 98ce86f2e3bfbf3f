"""The dashboard shows the selectors' figures, filtered, to facilitators, committee members and network heads."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from marches.models import Market
from reporting import bilan as figures
from reporting.dashboard import awards_of
from tests.reporting.test_bilans import scenario
from tests.suivi.factories import hours

pytestmark = pytest.mark.django_db


def board_of(client, membership, query=""):
    client.force_login(membership.user)
    response = client.get(reverse("reporting:dashboard") + query)
    assert response.status_code == 200
    return response


def test_dashboard_figures_equal_the_selectors_figures(client, world):
    scenario(world)
    response = board_of(client, world.comite, "?year=2026")
    shown = response.context["bilan"]
    today = timezone.localdate()
    expected = figures.compute(
        awards_of([world.structure]), datetime.date(2026, 1, 1), min(datetime.date(2026, 12, 31), today)
    )
    assert shown.total.done_period == expected.total.done_period == Decimal("411.67")
    assert (shown.people, shown.contracts, shown.sex, shown.outcomes) == (
        expected.people, expected.contracts, expected.sex, expected.outcomes,
    )  # fmt: skip
    content = response.content.decode()
    assert "411,67" in content and "<svg" in content
    for person in (world.participant, world.sibling_participant):
        assert person.last_name not in content


def test_filters_narrow_the_figures(client, world):
    scenario(world)
    Market.objects.filter(pk=world.market.pk).update(postcode="44200")
    in_44 = board_of(client, world.facilitateur, "?year=2026&territory=44").context["bilan"]
    in_35 = board_of(client, world.facilitateur, "?year=2026&territory=35").context["bilan"]
    assert in_44.total.done_period == Decimal("411.67") and in_35.total.done_period == 0
    by_type = board_of(client, world.facilitateur, f"?year=2026&buyer_type={world.buyer.buyer_type}")
    assert by_type.context["board"].by_buyer_type[0][1] == Decimal("411.67")


def test_a_bad_filter_is_said_and_the_current_year_shown(client, world):
    response = board_of(client, world.facilitateur, "?year=1900&territory=abc")
    assert response.context["invalid"]
    assert "Un filtre n'est pas valable" in response.content.decode()
    assert response.context["board"].year == timezone.localdate().year


def test_a_network_head_sees_every_structure_and_a_committee_member_their_own(client, world):
    scenario(world)
    hours(world.other_contract.assignments.get(), datetime.date(2026, 3, 1), "77")
    network = board_of(client, world.reseau, "?year=2026").context["bilan"]
    own = board_of(client, world.comite, "?year=2026").context["bilan"]
    assert own.total.done_period == Decimal("411.67")
    assert network.total.done_period == Decimal("411.67") + Decimal("77")


def test_the_dashboard_issues_the_same_queries_however_many_hours(client, world):
    scenario(world)
    client.force_login(world.facilitateur.user)
    url = reverse("reporting:dashboard") + "?year=2026"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for month in (5, 6, 7):
        hours(world.sibling_contract.assignments.get(), datetime.date(2026, month, 1), "50")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
