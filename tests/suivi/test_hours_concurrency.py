"""Two people on the same month of hours (issue 9, faults): neither undoes the other's cells, and when both changed
the same cell the second is told who changed it and to what, with nothing of theirs saved."""

import html
import re
from decimal import Decimal

import pytest
from django.test import Client

from suivi import services
from suivi.enums import HourKind
from suivi.models import HourEntry
from suivi.services import Cell
from tests.html import text
from tests.suivi.factories import hours
from tests.suivi.test_grid_pages import MARCH, company_grid, current_values, error_next_to, name

pytestmark = pytest.mark.django_db


def opened(user, url):
    """A logged-in browser that opened the grid: its client, and the form as the page holds it."""
    browser = Client()
    browser.force_login(user)
    response = browser.get(url)
    assert response.status_code == 200
    state = re.search(r'name="_affiche" value="([^"]*)"', response.content.decode())
    assert state, "the grid carries the values it shows"
    return browser, {**current_values(response), "_affiche": html.unescape(state.group(1))}


def recorded(assignment, kind=HourKind.TRAVAIL):
    return (
        HourEntry.objects.filter(assignment=assignment, month=MARCH, kind=kind).values_list("hours", flat=True).first()
    )


@pytest.fixture
def two_people(world):
    hours(world.assignment, MARCH, "100")
    hours(world.sibling_contract.assignments.get(), MARCH, "50")
    url = company_grid(world.company)
    first = opened(world.facilitateur.user, url)
    second = opened(world.admin.user, url)
    return url, first, second


def test_two_people_changing_different_cells_keep_both_changes(world, two_people):
    url, (alice, alice_form), (bob, bob_form) = two_people
    sibling = world.sibling_contract.assignments.get()
    response = alice.post(url, {**alice_form, name(world.assignment): "120"})
    assert response.status_code == 302
    response = bob.post(url, {**bob_form, name(sibling): "60", name(world.assignment, HourKind.FORMATION): "7"})
    assert response.status_code == 302  # Bob's grid still showed 100 for Alice's cell: it is not written back
    assert recorded(world.assignment) == Decimal("120")
    assert recorded(sibling) == Decimal("60")
    assert recorded(world.assignment, HourKind.FORMATION) == Decimal("7")


def test_the_second_person_changing_the_same_cell_is_told_and_nothing_of_theirs_is_saved(world, two_people):
    url, (alice, alice_form), (bob, bob_form) = two_people
    sibling = world.sibling_contract.assignments.get()
    assert alice.post(url, {**alice_form, name(world.assignment): "120"}).status_code == 302
    response = bob.post(url, {**bob_form, name(world.assignment): "90", name(sibling): "60"})
    assert response.status_code == 409
    assert recorded(world.assignment) == Decimal("120") and recorded(sibling) == Decimal("50")  # nothing saved
    alice_name = world.facilitateur.user.full_name
    assert f"Modifiée entre-temps par {alice_name} : 100 h → 120 h." in error_next_to(response, name(world.assignment))
    page = text(response)
    person = world.participant
    assert f"Rien n'a été enregistré : pendant votre saisie, {alice_name} a modifié une case" in page
    assert f"Heures travaillées de {person.first_name} {person.last_name}" in page
    # The cell shows Alice's value; the cell Bob changed alone keeps what he typed.
    again = current_values(response)
    assert again[name(world.assignment)] == "120" and again[name(sibling)] == "60"
    # Bob looks, agrees, saves again: his own change goes through, Alice's value stays.
    state = html.unescape(re.search(r'name="_affiche" value="([^"]*)"', response.content.decode()).group(1))
    assert bob.post(url, {**again, "_affiche": state}).status_code == 302
    assert recorded(world.assignment) == Decimal("120") and recorded(sibling) == Decimal("60")


def test_a_cell_emptied_meanwhile_names_who_emptied_it(world, two_people):
    url, (alice, alice_form), (bob, bob_form) = two_people
    assert alice.post(url, {**alice_form, name(world.assignment): ""}).status_code == 302
    assert recorded(world.assignment) is None
    response = bob.post(url, {**bob_form, name(world.assignment): "110"})
    assert response.status_code == 409 and recorded(world.assignment) is None
    message = error_next_to(response, name(world.assignment))
    assert f"Modifiée entre-temps par {world.facilitateur.user.full_name} : 100 h → vide." in message


def test_a_write_checked_against_a_value_no_longer_recorded_writes_nothing(world):
    """What an import relies on between its preview and its write: the cells carry what the preview read."""
    hours(world.assignment, MARCH, "100")
    cells = [
        Cell(
            month=MARCH, kind=HourKind.TRAVAIL, hours=Decimal("80"), assignment=world.assignment, key="3", shown=None
        ),
        Cell(
            month=MARCH, kind=HourKind.FORMATION, hours=Decimal("5"), assignment=world.assignment, key="4", shown=None
        ),
    ]
    result = services.hours_save(cells=cells, by=world.admin.user)
    assert list(result.conflicts) == ["3"] and not result.changed
    assert recorded(world.assignment) == Decimal("100") and recorded(world.assignment, HourKind.FORMATION) is None
