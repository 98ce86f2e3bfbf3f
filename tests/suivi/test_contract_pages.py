"""Work contracts through their pages: created from a retained candidate, the markets they serve and whether
their hours count there (R-ELIG-1, R-ELIG-4, R-HRS-1), the eligibility assessed again, deletion."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from marches.enums import CompanyKind
from marches.models import Market
from marches.progress import with_market_hours
from participants.models import EligibilityDiagnosis
from suivi.enums import ContractType, PositioningStatus
from suivi.models import Assignment, WorkContract
from tests.conftest import diagnosis_for
from tests.html import text
from tests.marches.factories import AwardFactory, CompanyFactory, MarketFactory
from tests.participants.factories import ParticipantFactory
from tests.suivi.factories import JobOfferFactory, PositioningFactory, WorkContractFactory, hours

pytestmark = pytest.mark.django_db


@pytest.fixture
def facilitator(client, world):
    client.force_login(world.facilitateur.user)
    return client


def eligible_person(world):
    person = ParticipantFactory(structure=world.structure, referent_organisation=world.prescriber_org)
    diagnosis_for(person, world.market)
    return person


def contract_data(world, participant, **overrides):
    return {
        "participant": str(participant.public_id),
        "company": str(world.company.public_id),
        "awards": [str(world.award.public_id)],
        "employer": str(world.company.public_id),
        "modality": "embauche_directe",
        "contract_type": "cdd",
        "start_date": "2026-10-05",
        "planned_end_date": "2027-03-31",
        "actual_end_date": "",
        "end_reason": "",
        "weekly_hours": "35",
        "job_title": "Maçon VRD",
        "rome_code": "F1703",
        "tutor_name": "M. Garnier",
        "tutor_phone": "06 00 00 00 00",
        "notes": "",
    } | overrides


def market_done(market):
    return with_market_hours(Market.objects.filter(pk=market.pk)).get().done_total


# --- From a retained positioning ------------------------------------------------------------------------------


@pytest.fixture
def retained(world):
    """A candidate retained on a CDD of 12 weeks, 30 h a week, starting in a fortnight."""
    person = eligible_person(world)
    offer = JobOfferFactory(
        award=world.award, job_title="Coffreur bancheur", rome_code="F1701", contract_type=ContractType.CDD,
        duration_weeks=12, weekly_hours=Decimal(30), start_date=timezone.localdate() + timedelta(days=14),
    )  # fmt: skip
    return PositioningFactory(offer=offer, participant=person, status=PositioningStatus.RETENU)


def create_url(positioning=None):
    url = reverse("suivi:contract_create")
    return f"{url}?positionnement={positioning.public_id}" if positioning else url


def test_the_contract_form_is_prefilled_from_the_retained_positioning(facilitator, world, retained):
    response = facilitator.get(create_url(retained))
    form = response.context["form"]
    offer = retained.offer
    assert str(form["participant"].value()) == str(retained.participant.public_id)
    assert str(form["company"].value()) == str(world.company.public_id)
    assert str(form["employer"].value()) == str(world.company.public_id)
    assert [str(v) for v in form["awards"].value()] == [str(world.award.public_id)]
    assert form["contract_type"].value() == ContractType.CDD
    assert Decimal(form["weekly_hours"].value()) == Decimal(30)
    assert (form["job_title"].value(), form["rome_code"].value()) == ("Coffreur bancheur", "F1701")
    assert form["start_date"].value() == offer.start_date
    assert form["planned_end_date"].value() == offer.start_date + timedelta(weeks=12, days=-1)
    page = response.content.decode()
    assert f'value="{retained.participant.public_id}" selected' in page
    assert f'value="{world.award.public_id}"' in page and "checked" in page
    assert "Pré-rempli depuis l'offre" in text(response)


def test_the_contract_of_a_retained_candidate_is_created_and_linked(facilitator, world, retained):
    start = retained.offer.start_date
    data = contract_data(
        world, retained.participant, start_date=start.isoformat(),
        planned_end_date=(start + timedelta(weeks=12, days=-1)).isoformat(), weekly_hours="30",
    )  # fmt: skip
    response = facilitator.post(create_url(retained), data)
    contract = WorkContract.objects.get(participant=retained.participant)
    assert response.status_code == 302 and response.url == contract.get_absolute_url()
    assert contract.positioning == retained and contract.created_by == world.facilitateur.user
    assert contract.structure == world.structure
    assert list(contract.awards.all()) == [world.award]
    assert contract.assignments.get().counts
    # The positioning page now shows the contract instead of the button.
    page = text(facilitator.get(retained.get_absolute_url()))
    assert "Contrat de travail" in page and "Enregistrer le contrat" not in page
    # A second contract for the same candidate is not offered.
    again = facilitator.get(create_url(retained), follow=True)
    assert again.redirect_chain[-1][0] == contract.get_absolute_url()
    assert "Le contrat de ce candidat est déjà enregistré." in text(again)


def test_only_a_retained_candidate_is_hired(facilitator, world):
    response = facilitator.get(create_url(world.positioning), follow=True)
    assert response.redirect_chain[-1][0] == world.positioning.get_absolute_url()
    assert "Seul un candidat retenu par l'employeur peut être embauché." in text(response)


def test_a_positioning_of_another_structure_or_a_bad_key_is_not_found(facilitator, world):
    assert facilitator.get(create_url(world.other_positioning)).status_code == 404
    assert facilitator.get(reverse("suivi:contract_create") + "?positionnement=abc").status_code == 404


def test_the_contract_of_a_retained_candidate_is_theirs(facilitator, world, retained):
    someone_else = eligible_person(world)
    count = WorkContract.objects.count()
    response = facilitator.post(create_url(retained), contract_data(world, someone_else))
    assert response.status_code == 200 and "Ce contrat doit être celui du candidat retenu." in text(response)
    assert WorkContract.objects.count() == count


# --- The awards field follows the company (htmx) -------------------------------------------------------------


def test_changing_the_company_lists_that_companys_awards_of_attributed_markets(facilitator, world):
    other_company = CompanyFactory(structure=world.structure)
    theirs = AwardFactory(lot__market__structure=world.structure, company=other_company)
    planned = AwardFactory(lot__market=MarketFactory(structure=world.structure, programme=True), company=other_company)
    response = facilitator.get(
        reverse("suivi:contract_create") + f"?company={other_company.public_id}", HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert response.status_code == 200 and page.lstrip().startswith('<div id="champ-marches-servis">')
    assert "<html" not in page
    assert str(theirs.public_id) in page
    assert str(planned.public_id) not in page and str(world.award.public_id) not in page


def test_the_awards_partial_for_a_company_of_another_structure_lists_nothing(facilitator, world):
    response = facilitator.get(
        reverse("suivi:contract_create") + f"?company={world.other_company.public_id}", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and str(world.other_award.public_id) not in response.content.decode()
    assert "Choisissez d'abord l'entreprise utilisatrice." in text(response)


def test_a_new_contract_without_company_asks_for_it_first(facilitator, world):
    response = facilitator.get(reverse("suivi:contract_create"))
    assert "Choisissez d'abord l'entreprise utilisatrice." in text(response)
    assert 'hx-trigger="change from:#id_company"' in response.content.decode()


# --- Creation and its invalid paths ---------------------------------------------------------------------------


def test_facilitator_creates_a_contract_serving_two_markets_of_the_company(facilitator, world):
    person = eligible_person(world)
    second = AwardFactory(lot__market__structure=world.structure, company=world.company)
    response = facilitator.post(
        reverse("suivi:contract_create"),
        contract_data(world, person, awards=[str(world.award.public_id), str(second.public_id)]),
    )
    contract = WorkContract.objects.get(participant=person)
    assert response.status_code == 302
    assert set(contract.awards.all()) == {world.award, second}
    page = text(facilitator.get(contract.get_absolute_url(), follow=True))
    assert "mutualisation" in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"planned_end_date": "2026-09-30"}, "planned_end_date", "La fin prévue ne peut pas précéder le début"),
        ({"actual_end_date": "2026-09-30", "end_reason": "demission"}, "actual_end_date", "La fin effective ne peut"),
        ({"awards": []}, "awards", "Ce champ est obligatoire."),
        ({"contract_type": "cdi"}, "planned_end_date", "Un CDI n'a pas de fin prévue"),
        ({"planned_end_date": ""}, "planned_end_date", "Indiquez la fin prévue du contrat."),
        ({"weekly_hours": "50"}, "weekly_hours", "inférieure ou égale à 48"),
        ({"weekly_hours": "35,5,5"}, "weekly_hours", "Saisissez un nombre."),
        ({"start_date": "2030-01-06", "planned_end_date": "2030-06-30"}, "start_date", "Ce début est à plus d'un an"),
        ({"actual_end_date": "2026-12-18"}, "end_reason", "Indiquez pourquoi le contrat a pris fin."),
        ({"rome_code": "F17"}, "rome_code", "Un code ROME s'écrit avec une lettre et quatre chiffres"),
    ],
)
def test_bad_contract_input_is_explained_and_nothing_saved(facilitator, world, overrides, field, message):
    person = eligible_person(world)
    response = facilitator.post(reverse("suivi:contract_create"), contract_data(world, person, **overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field]) and message in text(response)
    assert not response.context["form"].non_field_errors()  # said next to the field, not only on top
    assert not WorkContract.objects.filter(participant=person).exists()
    assert not Assignment.objects.filter(contract__participant=person).exists()


def test_an_award_of_another_company_is_refused_and_nothing_saved(facilitator, world):
    person = eligible_person(world)
    elsewhere = AwardFactory(lot__market__structure=world.structure)  # another company of our structure
    response = facilitator.post(
        reverse("suivi:contract_create"),
        contract_data(world, person, awards=[str(world.award.public_id), str(elsewhere.public_id)]),
    )
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in " ".join(response.context["form"].errors["awards"])
    assert not WorkContract.objects.filter(participant=person).exists()


@pytest.mark.parametrize(
    ("modality", "message"),
    [
        ("mise_a_disposition", "Seules une AI, un GEIQ ou un groupement d'employeurs mettent une personne"),
        ("mission_interim", "Une mission d'intérim est confiée par une agence d'intérim (ETT ou ETTI)."),
    ],
)
def test_a_placement_by_a_classic_employer_is_refused_on_the_employer(facilitator, world, modality, message):
    person = eligible_person(world)
    classic = CompanyFactory(structure=world.structure, kind=CompanyKind.CLASSIQUE)
    response = facilitator.post(
        reverse("suivi:contract_create"),
        contract_data(world, person, modality=modality, employer=str(classic.public_id)),
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["employer"])
    assert not WorkContract.objects.filter(participant=person).exists()


def test_a_placement_by_an_etti_is_recorded(facilitator, world):
    person = eligible_person(world)
    etti = CompanyFactory(structure=world.structure, kind=CompanyKind.ETTI)
    response = facilitator.post(
        reverse("suivi:contract_create"),
        contract_data(world, person, modality="mission_interim", contract_type="ctti", employer=str(etti.public_id)),
    )
    assert response.status_code == 302
    contract = WorkContract.objects.get(participant=person)
    assert (contract.employer, contract.company) == (etti, world.company)


def test_a_person_of_another_structure_is_not_offered(facilitator, world):
    count = WorkContract.objects.count()
    response = facilitator.post(reverse("suivi:contract_create"), contract_data(world, world.other_participant))
    assert "Sélectionnez un choix valide" in " ".join(response.context["form"].errors["participant"])
    assert WorkContract.objects.count() == count


# --- Changing a contract --------------------------------------------------------------------------------------


def test_the_update_form_shows_the_contract_as_it_is(facilitator, world):
    response = facilitator.get(reverse("suivi:contract_update", args=[world.contract.public_id]))
    form = response.context["form"]
    assert str(form["participant"].value()) == str(world.participant.public_id)
    assert str(form["company"].value()) == str(world.company.public_id)
    assert str(form["employer"].value()) == str(world.company.public_id)
    page = response.content.decode()
    assert f'value="{world.company.public_id}" selected' in page
    assert f'value="{world.participant.public_id}" selected' in page
    assert str(world.award.public_id) in page  # the markets served are offered, and ticked
    assert "Choisissez d'abord l'entreprise utilisatrice." not in text(response)


def test_facilitator_ends_a_contract_early(facilitator, world):
    data = contract_data(
        world, world.participant, start_date="2026-02-02", planned_end_date="2026-07-31",
        actual_end_date="2026-06-12", end_reason="demission",
    )  # fmt: skip
    response = facilitator.post(reverse("suivi:contract_update", args=[world.contract.public_id]), data)
    assert response.status_code == 302
    world.contract.refresh_from_db()
    assert world.contract.actual_end_date == date(2026, 6, 12) and world.contract.end_reason == "demission"


def test_moving_a_contract_away_from_its_hours_is_refused_with_a_message(facilitator, world):
    hours(world.assignment, date(2026, 3, 1), "140")
    data = contract_data(world, world.participant, start_date="2026-04-01", planned_end_date="2026-07-31")
    response = facilitator.post(reverse("suivi:contract_update", args=[world.contract.public_id]), data)
    assert response.status_code == 200
    assert "Des heures sont saisies en dehors de ces dates (mars 2026)" in text(response)
    world.contract.refresh_from_db()
    assert world.contract.start_date == date(2026, 2, 2)


# --- The markets served and whether their hours count (R-ELIG-1) ---------------------------------------------


def test_r_elig_1_the_detail_shows_each_market_served_counted_or_not_and_why(facilitator, world):
    person = eligible_person(world)  # eligible to world.market only
    second = AwardFactory(lot__market__structure=world.structure, company=world.company)
    contract = WorkContractFactory(award=world.award, participant=person, awards=[world.award, second])
    response = facilitator.get(contract.get_absolute_url())
    page = text(response)
    assert world.market.reference in page and second.lot.market.reference in page
    assert "comptées" in page and "non comptées" in page
    assert "Éligible à la date d'attribution" in page
    assert "Éligibilité à établir pour ce marché" in page
    shown = {a.award_id: a.counts for a in response.context["assignments"]}
    assert shown == {world.award.pk: True, second.pk: False}


def test_r_hrs_5_the_contract_page_says_whether_it_reached_300_hours(facilitator, world):
    hours(world.assignment, date(2026, 3, 1), "150")
    page = text(facilitator.get(world.contract.get_absolute_url())).replace("\u00a0", " ")
    assert "Moins de 300 h à ce jour" in page
    hours(world.assignment, date(2026, 4, 1), "150")
    page = text(facilitator.get(world.contract.get_absolute_url())).replace("\u00a0", " ")
    assert "Parcours d'au moins 300 h (8 semaines environ)." in page


def test_the_eligibility_is_assessed_again_for_each_market_served(facilitator, world):
    second = AwardFactory(lot__market__structure=world.structure, company=world.company)
    contract = WorkContractFactory(award=world.award, participant=world.participant, awards=[world.award, second],
                                   start_date=date(2026, 8, 3), planned_end_date=date(2026, 12, 31))  # fmt: skip
    assert not EligibilityDiagnosis.objects.filter(participant=world.participant, market=second.lot.market).exists()
    response = facilitator.post(reverse("suivi:contract_eligibility", args=[contract.public_id]), follow=True)
    assert "Éligibilité appréciée à la date d'attribution de chaque marché" in text(response)
    diagnosis = EligibilityDiagnosis.objects.get(participant=world.participant, market=second.lot.market)
    assert diagnosis.assessed_on == second.lot.market.attribution_date
    assignment = contract.assignments.get(award=second)
    assert assignment.diagnosis == diagnosis and assignment.checked_at


def test_the_eligibility_of_a_person_without_consent_is_not_assessed(facilitator, world):
    person = ParticipantFactory(structure=world.structure, consent=False)
    contract = WorkContractFactory(award=world.award, participant=person)
    response = facilitator.post(reverse("suivi:contract_eligibility", args=[contract.public_id]), follow=True)
    assert "Sans consentement en cours" in text(response)
    assert not EligibilityDiagnosis.objects.filter(participant=person).exists()


# --- R-ELIG-4: an apprenticeship signed before the attribution ------------------------------------------------


@pytest.fixture
def early_apprenticeship(world):
    """An apprenticeship of an eligible person signed in November 2025, before the attribution (01/12/2025),
    with 120 hours in March 2026."""
    person = eligible_person(world)
    contract = WorkContractFactory(
        award=world.award, participant=person, contract_type=ContractType.APPRENTISSAGE,
        start_date=date(2025, 11, 3), planned_end_date=date(2027, 8, 31),
    )  # fmt: skip
    assignment = contract.assignments.get()
    hours(assignment, date(2026, 3, 1), "120")
    return assignment


def test_r_elig_4_an_exception_makes_the_hours_count_and_withdrawing_it_undoes(
    facilitator, world, early_apprenticeship
):
    assignment, contract = early_apprenticeship, early_apprenticeship.contract
    before = market_done(world.market)
    page = text(facilitator.get(contract.get_absolute_url()))
    assert "non comptées" in page and "exception à justifier" in page
    assert "Accorder une exception justifiée" in page
    url = reverse("suivi:assignment_exception", args=[assignment.public_id])
    assert "avant l'attribution du marché le 01/12/2025" in text(facilitator.get(url))

    justification = "Alternance pérennisée en CDI à l'issue, la personne reste suivie par le PLIE."
    response = facilitator.post(url, {"justification": justification}, follow=True)
    assert "L'exception est enregistrée : les heures comptent sur ce marché." in text(response)
    assignment.refresh_from_db()
    assert assignment.counts and assignment.exception_by == world.facilitateur.user
    assert assignment.exception_justification == justification
    assert market_done(world.market) == before + Decimal(120)
    assert "Voir l'exception accordée" in text(facilitator.get(contract.get_absolute_url()))

    response = facilitator.post(url, {"action": "retirer"}, follow=True)
    assert "L'exception est retirée" in text(response)
    assignment.refresh_from_db()
    assert not assignment.counts and not assignment.has_exception
    assert market_done(world.market) == before


def test_r_elig_4_an_exception_needs_a_real_justification(facilitator, world, early_apprenticeship):
    url = reverse("suivi:assignment_exception", args=[early_apprenticeship.public_id])
    for short in ("", "Parce que."):
        response = facilitator.post(url, {"justification": short})
        assert response.status_code == 200
        page = text(response)
        assert "Ce champ est obligatoire." in page or "Justifiez l'exception en quelques phrases" in page
    early_apprenticeship.refresh_from_db()
    assert not early_apprenticeship.has_exception and not early_apprenticeship.counts


def test_r_elig_4_an_exception_is_refused_for_a_contract_that_is_not_work_study(facilitator, world):
    url = reverse("suivi:assignment_exception", args=[world.assignment.public_id])
    response = facilitator.post(url, {"justification": "Une justification assez longue pour être lue."})
    assert response.status_code == 200
    assert "Une exception ne concerne que les contrats d'apprentissage et de professionnalisation." in text(response)
    world.assignment.refresh_from_db()
    assert not world.assignment.has_exception


def test_r_elig_4_no_exception_link_for_a_contract_signed_after_the_attribution(facilitator, world):
    page = text(facilitator.get(world.contract.get_absolute_url()))
    assert "Accorder une exception justifiée" not in page


# --- Deletion -------------------------------------------------------------------------------------------------


def test_deleting_a_contract_asks_first_then_deletes_it(facilitator, world):
    contract = WorkContractFactory(award=world.award, participant=eligible_person(world))
    url = reverse("suivi:contract_delete", args=[contract.public_id])
    response = facilitator.get(url)
    assert response.status_code == 200 and "Supprimer ce contrat ?" in text(response)
    assert WorkContract.objects.filter(pk=contract.pk).exists()
    response = facilitator.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("suivi:contract_list")
    assert "Le contrat est supprimé." in text(response)
    assert not WorkContract.objects.filter(pk=contract.pk).exists()
    assert not Assignment.objects.filter(contract_id=contract.pk).exists()


def test_a_contract_with_hours_is_not_deleted(facilitator, world):
    hours(world.assignment, date(2026, 3, 1), "140")
    response = facilitator.post(reverse("suivi:contract_delete", args=[world.contract.public_id]), follow=True)
    assert response.redirect_chain[-1][0] == world.contract.get_absolute_url()
    assert "Des heures sont saisies sur ce contrat : il ne peut plus être supprimé." in text(response)
    assert WorkContract.objects.filter(pk=world.contract.pk).exists()
