"""Monthly statements through their pages: the grid of a company or a market (one row per active contract ×
award), saved whole in one request or not at all (R-HRS-3), checked live by htmx without saving, in a bounded
number of queries; a contract's months; what is left to enter; companies behind their pace (R-HRS-4); counted
hours and the share of contracts of 300 h on the panels (R-HRS-1, R-HRS-5)."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from marches.models import Market
from marches.progress import with_market_hours
from suivi import hours as rules
from suivi.enums import ContractType, HourKind
from suivi.models import HourEntry
from suivi.templatetags.hours_grid import hours_input
from tests.conftest import diagnosis_for
from tests.html import text
from tests.marches.factories import AwardFactory, CompanyFactory, MarketFactory
from tests.participants.factories import ParticipantFactory
from tests.suivi.factories import WorkContractFactory, hours

pytestmark = pytest.mark.django_db

FEBRUARY, MARCH, APRIL = date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)


@pytest.fixture
def facilitator(client, world):
    client.force_login(world.facilitateur.user)
    return client


def plain(response):
    """The page's text with French number spaces as plain spaces ('1 234,5 h')."""
    return text(response).replace("\u00a0", " ").replace("\u202f", " ")


def company_grid(company, month="2026-03"):
    return reverse("suivi:company_grid", args=[company.public_id]) + f"?mois={month}"


def market_grid(market, month="2026-03"):
    return reverse("suivi:market_grid", args=[market.public_id]) + f"?mois={month}"


def name(assignment, kind=HourKind.TRAVAIL, month=None):
    prefix = f"{month:%Y-%m}-" if month else ""
    return f"{prefix}{assignment.public_id}-{kind}"


def current_values(response):
    """The whole grid as the page shows it, ready to be sent back: {field name: value as typed}."""
    return {field.name: hours_input(field.value()) for field in response.context["form"]}


def error_next_to(response, field):
    """The message shown under one cell of the grid."""
    found = re.search(rf'<div id="err-{re.escape(field)}"[^>]*>(.*?)</div>', text(response), re.S)
    assert found, f"no message area for {field}"
    return found.group(1).strip()


def swapped(response, element_id):
    """What the live check puts in an element of the page, out of band (the element itself stays)."""
    found = re.search(
        rf'<(\w+) id="{re.escape(element_id)}"[^>]*hx-swap-oob="[^"]+"[^>]*>(.*?)</\1>', plain(response), re.S
    )
    assert found, f"{element_id} is not swapped"
    return found.group(2).strip()


def market_done(market):
    return with_market_hours(Market.objects.filter(pk=market.pk)).get().done_total


def eligible_contract(world, award=None, **fields):
    award = award or world.award
    person = ParticipantFactory(structure=world.structure, referent_organisation=world.prescriber_org)
    diagnosis_for(person, award.lot.market)
    return WorkContractFactory(award=award, participant=person, **fields)


# --- Rows of a month ------------------------------------------------------------------------------------------


@pytest.fixture
def month_world(world):
    """Around world.contract and world.sibling_contract (running in March 2026): a contract ended in January,
    one starting in April, and one serving two markets of the company in March."""
    ended = eligible_contract(world, start_date=date(2026, 1, 5), planned_end_date=date(2026, 1, 30))
    future = eligible_contract(world, start_date=date(2026, 4, 6), planned_end_date=date(2026, 9, 30))
    second = AwardFactory(lot__market__structure=world.structure, company=world.company)
    shared = eligible_contract(world, awards=[world.award, second])
    return {"ended": ended, "future": future, "second": second, "shared": shared}


def test_the_company_grid_shows_one_row_per_contract_and_award_running_that_month(facilitator, world, month_world):
    hours(world.assignment, MARCH, "140.5")
    hours(world.assignment, MARCH, "7", kind=HourKind.FORMATION)
    response = facilitator.get(company_grid(world.company))
    assert response.status_code == 200
    rows = {(row.contract.pk, row.award.pk) for row in response.context["person_rows"]}
    shared = month_world["shared"]
    assert rows == {
        (world.contract.pk, world.award.pk),
        (world.sibling_contract.pk, world.award.pk),
        (shared.pk, world.award.pk),
        (shared.pk, month_world["second"].pk),
    }
    page = response.content.decode()
    assert f'name="{name(world.assignment)}"' in page
    # Keyboard alone: each input is labelled, and the cells of a column share it for the arrow keys.
    person = world.participant
    assert (
        f'<label class="visually-hidden" for="id_{name(world.assignment)}">Heures travaillées de '
        f"{person.first_name} {person.last_name} sur {world.market.reference} lot {world.lot.number} en mars 2026"
    ) in text(response)
    assert page.count('data-col="travail"') == 4 and page.count('data-col="formation"') == 4
    assert 'value="140,5"' in page and 'value="7"' in page
    ended = month_world["ended"].assignments.get()
    future = month_world["future"].assignments.get()
    assert str(ended.public_id) not in page and str(future.public_id) not in page
    assert "Heures de mars 2026" in text(response)


def test_the_market_grid_shows_the_rows_of_that_market_only(facilitator, world, month_world):
    response = facilitator.get(market_grid(world.market))
    rows = {(row.contract.pk, row.award.pk) for row in response.context["person_rows"]}
    assert rows == {
        (world.contract.pk, world.award.pk),
        (world.sibling_contract.pk, world.award.pk),
        (month_world["shared"].pk, world.award.pk),
    }
    other = facilitator.get(market_grid(month_world["second"].lot.market))
    assert {(row.contract.pk, row.award.pk) for row in other.context["person_rows"]} == {
        (month_world["shared"].pk, month_world["second"].pk)
    }


def test_a_month_after_the_current_one_shows_the_current_month(facilitator, world):
    response = facilitator.get(company_grid(world.company, "2031-01"))
    assert response.context["month"].year == 2026 and response.context["next"] is None


def test_a_month_without_contract_shows_an_empty_state(facilitator, world):
    response = facilitator.get(company_grid(world.company, "2025-06"))
    assert not response.context["rows"] and "Aucun contrat en cours ce mois-ci" in text(response)


def test_a_company_of_another_structure_has_no_grid(facilitator, world):
    assert facilitator.get(company_grid(world.other_company)).status_code == 404
    assert facilitator.get(market_grid(world.other_market)).status_code == 404


# --- Saving a month -------------------------------------------------------------------------------------------


def test_a_whole_month_is_saved_in_one_request_and_the_market_progress_moves(facilitator, world):
    url = company_grid(world.company)
    data = current_values(facilitator.get(url))
    before = market_done(world.market)
    data |= {
        name(world.assignment): "151,67",
        name(world.assignment, HourKind.FORMATION): "7",
        name(world.sibling_contract.assignments.get()): "35",  # not eligible: recorded, not counted
    }
    response = facilitator.post(url, data, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "Enregistré : 3 cases remplies." in text(response)
    saved = dict(HourEntry.objects.filter(month=MARCH).values_list("assignment", "hours").filter(kind="travail"))
    assert saved == {world.assignment.pk: Decimal("151.67"), world.sibling_contract.assignments.get().pk: 35}
    entry = HourEntry.objects.get(assignment=world.assignment, kind="travail")
    assert entry.updated_by == world.facilitateur.user and entry.source == "saisie"
    assert market_done(world.market) == before + Decimal("158.67")
    assert 'value="151,67"' in response.content.decode()  # shown back as saved, in French


def test_saving_the_same_values_again_says_nothing_changed(facilitator, world):
    hours(world.assignment, MARCH, "140")
    url = company_grid(world.company)
    response = facilitator.post(url, current_values(facilitator.get(url)), follow=True)
    assert "Rien n'a changé : les heures étaient déjà celles-ci." in text(response)
    assert HourEntry.objects.get(assignment=world.assignment).hours == 140


def test_an_emptied_cell_deletes_its_row(facilitator, world):
    hours(world.assignment, MARCH, "140")
    hours(world.assignment, FEBRUARY, "120")
    before = market_done(world.market)
    url = company_grid(world.company)
    data = current_values(facilitator.get(url)) | {name(world.assignment): ""}
    response = facilitator.post(url, data, follow=True)
    assert "Enregistré : 1 vidée." in text(response)
    assert list(HourEntry.objects.filter(assignment=world.assignment).values_list("month", flat=True)) == [FEBRUARY]
    assert market_done(world.market) == before - 140


def test_the_market_grid_saves_too(facilitator, world):
    url = market_grid(world.market, "2026-04")
    data = current_values(facilitator.get(url)) | {name(world.assignment): "150"}
    assert facilitator.post(url, data).status_code == 302
    assert HourEntry.objects.get(assignment=world.assignment).month == APRIL


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("250", "250 h en mars 2026 dépassent la durée maximale du travail (212,57 h pour les 31 jours"),
        ("beaucoup", "Un nombre d'heures, par exemple 151,67."),
        ("-5", "Les heures ne peuvent pas être négatives."),
        ("12,345", "Deux décimales au plus."),
    ],
)
def test_one_bad_cell_and_nothing_is_saved_with_a_message_next_to_it(facilitator, world, value, message):
    hours(world.sibling_contract.assignments.get(), MARCH, "20")
    url = company_grid(world.company)
    sibling = name(world.sibling_contract.assignments.get())
    data = current_values(facilitator.get(url)) | {name(world.assignment): value, sibling: "35"}
    response = facilitator.post(url, data)
    assert response.status_code == 200
    assert message in error_next_to(response, name(world.assignment)).replace("\u202f", " ")
    assert error_next_to(response, sibling) == ""
    assert "Rien n'a été enregistré : corrigez les cases signalées." in text(response)
    assert f'value="{value}"' in response.content.decode()  # what was typed stays, to be corrected
    assert not HourEntry.objects.filter(assignment=world.assignment).exists()
    assert HourEntry.objects.get(assignment__contract=world.sibling_contract).hours == 20


def test_hours_outside_the_contract_are_refused_on_the_grid(facilitator, world):
    url = company_grid(world.company, "2026-08")  # world.contract ended on 31/07: no row in August
    response = facilitator.get(url)
    assert world.contract.pk not in {row.contract.pk for row in response.context["person_rows"]}
    # A row forged for that contract is not part of the grid: nothing is written for it.
    facilitator.post(url, {name(world.assignment): "35"})
    assert not HourEntry.objects.filter(assignment=world.assignment).exists()


# --- The live check (htmx) ------------------------------------------------------------------------------------


def preview(client, url, data):
    return client.post(url, data | {"_apercu": "1"}, HTTP_HX_REQUEST="true")


def test_the_live_check_saves_nothing_and_answers_totals_out_of_band(facilitator, world):
    url = company_grid(world.company)
    data = current_values(facilitator.get(url)) | {
        name(world.assignment): "151,67",
        name(world.assignment, HourKind.FORMATION): "7",
        name(world.sibling_contract.assignments.get()): "35",
    }
    response = preview(facilitator, url, data)
    assert response.status_code == 200 and "<html" not in response.content.decode()
    assert swapped(response, "total-mois") == "193,67 h"
    assert swapped(response, "total-travail") == "186,67 h"
    assert swapped(response, "total-formation") == "7 h"
    assert "Saisie vérifiée, pas encore enregistrée." in swapped(response, "grid-status")
    assert swapped(response, f"err-{name(world.assignment)}") == ""
    assert not HourEntry.objects.exists()


def test_the_live_check_says_which_cell_is_wrong_and_leaves_out_its_value(facilitator, world):
    url = company_grid(world.company)
    sibling = name(world.sibling_contract.assignments.get())
    data = current_values(facilitator.get(url)) | {name(world.assignment): "300", sibling: "35"}
    response = preview(facilitator, url, data)
    assert "dépassent la durée maximale du travail" in swapped(response, f"err-{name(world.assignment)}")
    assert swapped(response, f"err-{sibling}") == ""
    assert "1 case à corriger avant d'enregistrer." in swapped(response, "grid-status")
    assert swapped(response, "total-mois") == "35 h"  # a cell to correct is left out of the totals
    response = preview(facilitator, url, data | {name(world.assignment): "abc"})
    assert swapped(response, f"err-{name(world.assignment)}") == "Un nombre d'heures, par exemple 151,67."
    assert swapped(response, "total-mois") == "35 h"
    assert not HourEntry.objects.exists()


# --- A bounded number of queries ------------------------------------------------------------------------------


def company_with_contracts(world, n):
    company = CompanyFactory(structure=world.structure)
    award = AwardFactory(lot__market=world.market, company=company)
    for _ in range(n):
        eligible_contract(world, award=award)
    return company


def queries_of(call):
    with CaptureQueriesContext(connection) as queries:
        response = call()
    return response, len(queries)


def test_the_grid_takes_the_same_number_of_queries_for_5_or_20_contracts(facilitator, world):
    """Shown, checked live, filled, then changed: the same queries for 5 rows as for 20 (each request after
    the page that shows the previous one's message, so that no pending message weighs on the count)."""
    urls = [company_grid(company_with_contracts(world, n)) for n in (5, 20)]
    counts = {url: [] for url in urls}
    for url in urls:
        response, count = queries_of(lambda: facilitator.get(url))  # noqa: B023
        counts[url].append(count)
        data = {field: "100" for field in current_values(response) if field.endswith("-travail")}
        response, count = queries_of(lambda: preview(facilitator, url, data))  # noqa: B023
        assert response.status_code == 200 and "Saisie vérifiée" in text(response)
        counts[url].append(count)
        for value in ("100", "110"):
            data = {field: value for field in data}
            response, count = queries_of(lambda: facilitator.post(url, data))  # noqa: B023
            assert response.status_code == 302
            counts[url].append(count)
            facilitator.get(url)  # shows the message
    assert HourEntry.objects.filter(hours=110).count() == 25
    assert counts[urls[0]] == counts[urls[1]]


def test_the_contract_months_take_the_same_number_of_queries_for_few_or_many_months(facilitator, world):
    short = eligible_contract(world, start_date=date(2026, 10, 5), planned_end_date=date(2027, 3, 31))
    long = eligible_contract(world, start_date=date(2026, 1, 5), planned_end_date=date(2027, 3, 31))
    counts = []
    for contract in (short, long):
        url = reverse("suivi:contract_hours", args=[contract.public_id])
        response, shown = queries_of(lambda: facilitator.get(url))  # noqa: B023
        data = {field: "100" for field in current_values(response) if field.endswith("-travail")}
        response, saved = queries_of(lambda: facilitator.post(url, data))  # noqa: B023
        assert response.status_code == 302
        facilitator.get(url)  # shows the message
        counts.append((shown, saved))
    # January 2026 to the current month (the page offers no month to come), at most to the contract's end.
    shown_months = rules.months_between(long.start_date, min(timezone.localdate(), long.planned_end_date))
    assert HourEntry.objects.filter(assignment__contract=long).count() == len(shown_months) >= 11
    assert counts[0] == counts[1]


# --- A contract's months --------------------------------------------------------------------------------------


def test_the_contract_page_lists_its_months_and_saves_several_at_once(facilitator, world):
    url = reverse("suivi:contract_hours", args=[world.contract.public_id])
    response = facilitator.get(url)
    months = [item.month for item in response.context["months"]]
    assert months == [date(2026, m, 1) for m in (7, 6, 5, 4, 3, 2)]  # 02/02 → 31/07/2026, latest first
    data = current_values(response) | {
        name(world.assignment, month=FEBRUARY): "120",
        name(world.assignment, month=MARCH): "151,67",
        name(world.assignment, HourKind.FORMATION, month=MARCH): "14",
    }
    response = facilitator.post(url, data, follow=True)
    assert "Enregistré : 3 cases remplies." in text(response)
    saved = {(e.month, e.kind): e.hours for e in HourEntry.objects.filter(assignment=world.assignment)}
    assert saved == {
        (FEBRUARY, "travail"): Decimal(120),
        (MARCH, "travail"): Decimal("151.67"),
        (MARCH, "formation"): Decimal(14),
    }


def test_a_contract_still_running_lists_its_months_up_to_the_current_one(facilitator, world):
    current = rules.month_start(timezone.localdate())
    start = rules.add_months(current, -2).replace(day=7)
    cdi = eligible_contract(world, contract_type=ContractType.CDI, start_date=start, planned_end_date=None)
    response = facilitator.get(reverse("suivi:contract_hours", args=[cdi.public_id]))
    assert [item.month for item in response.context["months"]] == [rules.add_months(current, -n) for n in (0, 1, 2)]


def test_a_contract_not_yet_begun_has_no_months(facilitator, world):
    start = timezone.localdate() + timedelta(days=40)
    later = eligible_contract(world, start_date=start, planned_end_date=start + timedelta(days=180))
    response = facilitator.get(reverse("suivi:contract_hours", args=[later.public_id]))
    assert not response.context["months"] and "Le contrat n'a pas encore commencé" in text(response)


def test_one_bad_month_and_none_is_saved(facilitator, world):
    url = reverse("suivi:contract_hours", args=[world.contract.public_id])
    data = current_values(facilitator.get(url)) | {
        name(world.assignment, month=MARCH): "151,67",
        name(world.assignment, month=APRIL): "400",
    }
    response = facilitator.post(url, data)
    assert response.status_code == 200
    assert "dépassent la durée maximale du travail" in error_next_to(response, name(world.assignment, month=APRIL))
    assert not HourEntry.objects.filter(assignment=world.assignment).exists()


# --- What is left to enter ------------------------------------------------------------------------------------


def line_of(response, company):
    return next(line for line in response.context["lines"] if line["company"] == company)


def test_hours_index_shows_each_company_with_its_filled_and_expected_rows(facilitator, world):
    url = reverse("suivi:hours_index") + "?mois=2026-03"
    line = line_of(facilitator.get(url), world.company)
    assert (line["filled"], line["rows"], line["state"][0]) == (0, 2, "à saisir")
    hours(world.assignment, MARCH, "140")
    hours(world.assignment, MARCH, "7", kind=HourKind.FORMATION)  # one row filled, whatever its kinds
    response = facilitator.get(url)
    line = line_of(response, world.company)
    assert (line["filled"], line["rows"], line["state"][0], line["hours"]) == (1, 2, "partiel", 147)
    assert "1 / 2" in text(response) and "1 entreprise à relancer ou à saisir" in text(response)
    hours(world.sibling_contract.assignments.get(), MARCH, "35")
    line = line_of(facilitator.get(url), world.company)
    assert (line["filled"], line["state"][0]) == (2, "complet")
    assert world.other_company not in [line["company"] for line in facilitator.get(url).context["lines"]]


def test_hours_index_of_a_month_without_contract_is_empty(facilitator, world):
    response = facilitator.get(reverse("suivi:hours_index") + "?mois=2025-06")
    assert not response.context["lines"] and "Aucun relevé attendu ce mois-ci" in text(response)


# --- Companies behind (R-HRS-4) -------------------------------------------------------------------------------


def test_r_hrs_4_behind_lists_a_company_behind_its_pace_and_not_one_on_track(facilitator, world):
    late = CompanyFactory(structure=world.structure, name="Retard BTP")
    AwardFactory(lot__market=world.market, company=late, hours_committed=Decimal(100))
    on_track = CompanyFactory(structure=world.structure, name="Allure BTP")
    award = AwardFactory(lot__market=world.market, company=on_track, hours_committed=Decimal(100))
    hours(eligible_contract(world, award=award).assignments.get(), MARCH, "80")
    response = facilitator.get(reverse("suivi:behind"))
    listed = list(response.context["page"].object_list)
    assert late in listed and on_track not in listed
    row = next(c for c in listed if c == late)
    assert row.progress.remaining == 100 and row.progress.pace_label == "en retard"
    page = text(response)
    assert "Retard BTP" in page and "Allure BTP" not in page


# --- Panels on the market's and the company's pages (R-HRS-1, R-HRS-5) ---------------------------------------


@pytest.fixture
def panel_hours(world):
    """310 counted hours on world.contract, 100 hours not counted on world.sibling_contract (no diagnosis):
    both contracts ended on 31/07/2026, one of at least 300 hours."""
    hours(world.assignment, FEBRUARY, "150")
    hours(world.assignment, MARCH, "160")
    hours(world.sibling_contract.assignments.get(), MARCH, "100")


@pytest.mark.parametrize("panel", ["suivi:market_contracts", "suivi:company_contracts"])
def test_the_panels_show_counted_and_not_counted_hours_and_the_share_of_long_contracts(
    facilitator, world, panel_hours, panel
):
    target = world.market if panel == "suivi:market_contracts" else world.company
    response = facilitator.get(reverse(panel, args=[target.public_id]), HTTP_HX_REQUEST="true")
    page = plain(response)
    assert "310 h comptées" in page
    assert "100 h enregistrées mais non comptées (éligibilité)" in page
    assert "Parcours d'au moins 300 h : 1 contrat sur 2 (50 %)" in page
    assert world.participant.last_name.upper() in page and world.sibling_participant.last_name.upper() in page


def test_the_market_and_company_pages_load_their_panels(facilitator, world):
    page = facilitator.get(world.market.get_absolute_url()).content.decode()
    assert f'hx-get="{reverse("suivi:market_contracts", args=[world.market.public_id])}"' in page
    page = facilitator.get(world.company.get_absolute_url()).content.decode()
    assert f'hx-get="{reverse("suivi:company_contracts", args=[world.company.public_id])}"' in page


def test_r_hrs_4_the_market_page_shows_the_hours_saved_on_the_grid(facilitator, world):
    url = company_grid(world.company)
    facilitator.post(url, current_values(facilitator.get(url)) | {name(world.assignment): "151,67"})
    market = facilitator.get(world.market.get_absolute_url()).context["market"]
    assert market.progress.done == Decimal("151.67")
    assert market.progress.remaining == market.progress.required - Decimal("151.67")
    company = facilitator.get(world.company.get_absolute_url()).context["company"]
    assert company.progress.done == Decimal("151.67")


def test_a_panel_of_another_structure_is_not_found(facilitator, world):
    assert facilitator.get(reverse("suivi:market_contracts", args=[world.other_market.public_id])).status_code == 404
    assert facilitator.get(reverse("suivi:company_contracts", args=[world.other_company.public_id])).status_code == 404


def test_contracts_of_a_market_not_attributed_show_no_grid_rows(facilitator, world):
    planned = MarketFactory(structure=world.structure, programme=True)
    response = facilitator.get(market_grid(planned))
    assert response.status_code == 200 and not response.context["rows"]
