"""R-OUTCOME: sorties and the checks at 6, 12, 18 and 24 months after the first clause contract — the date rules,
the daily creation of the checks due (idempotent, bulk, never for a person who withdrew consent), recording a
check or a sortie, and the pages."""

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from suivi import outcomes as rules
from suivi.enums import CHECK_MONTHS, CheckStatus, ContractType, OutcomeCategory, Situation
from suivi.models import Outcome, OutcomeCheck
from suivi.services.outcomes import outcome_check_record, outcome_checks_create_due, outcome_create
from suivi.tasks import create_due_outcome_checks
from tests.html import text
from tests.participants.factories import ParticipantFactory
from tests.suivi.factories import WorkContractFactory
from tests.suivi.factories_skills import OutcomeCheckFactory, OutcomeFactory

# --- Pure date rules ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # An ordinary day: the same day of the month, 6, 12, 18 and 24 months later.
        (date(2026, 1, 15), [date(2026, 7, 15), date(2027, 1, 15), date(2027, 7, 15), date(2028, 1, 15)]),
        # The 31st: months without a 31st end on their last day; each check counts from the start, not chained.
        (date(2025, 8, 31), [date(2026, 2, 28), date(2026, 8, 31), date(2027, 2, 28), date(2027, 8, 31)]),
        (date(2026, 3, 31), [date(2026, 9, 30), date(2027, 3, 31), date(2027, 9, 30), date(2028, 3, 31)]),
        # Leap years: 31 August 2023 + 6 months is 29 February 2024; a 29 February start falls on 28 February.
        (date(2023, 8, 31), [date(2024, 2, 29), date(2024, 8, 31), date(2025, 2, 28), date(2025, 8, 31)]),
        (date(2024, 2, 29), [date(2024, 8, 29), date(2025, 2, 28), date(2025, 8, 29), date(2026, 2, 28)]),
        # First day of a month and the turn of a year.
        (date(2026, 12, 1), [date(2027, 6, 1), date(2027, 12, 1), date(2028, 6, 1), date(2028, 12, 1)]),
    ],
)
def test_r_outcome_due_dates_at_exact_month_boundaries(start, expected):
    assert list(rules.check_due_dates(start).values()) == expected
    assert list(rules.check_due_dates(start)) == list(CHECK_MONTHS)


def test_r_outcome_no_check_outside_6_12_18_24_months():
    with pytest.raises(ValueError):
        rules.check_due_date(date(2026, 1, 1), 3)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)))
def test_r_outcome_due_date_is_the_same_day_or_the_month_end(start):
    for months, due in rules.check_due_dates(start).items():
        assert (due.year - start.year) * 12 + due.month - start.month == months
        assert due.day == start.day or (due.day < start.day and (due + timedelta(days=1)).day == 1)


def test_r_outcome_checks_enter_the_list_15_days_before_they_fall_due():
    start = date(2026, 1, 15)  # 6-month check due on 15 July 2026
    assert rules.checks_to_create(start, date(2026, 6, 29)) == {}
    assert rules.checks_to_create(start, date(2026, 6, 30)) == {6: date(2026, 7, 15)}
    # 13 months later: the 6- and 12-month checks at once.
    assert rules.checks_to_create(start, date(2027, 2, 15)) == {6: date(2026, 7, 15), 12: date(2027, 1, 15)}
    assert len(rules.checks_to_create(start, date(2030, 1, 1))) == 4


def test_r_outcome_a_check_is_overdue_30_days_after_its_due_date():
    due = date(2026, 7, 15)
    assert not rules.is_overdue(due_date=due, status=CheckStatus.A_FAIRE, on=due + timedelta(days=29))
    assert rules.is_overdue(due_date=due, status=CheckStatus.A_FAIRE, on=due + timedelta(days=30))
    assert not rules.is_overdue(due_date=due, status=CheckStatus.FAIT, on=due + timedelta(days=300))
    assert not rules.is_overdue(due_date=due, status=CheckStatus.INJOIGNABLE, on=due + timedelta(days=300))
    assert rules.overdue_due_dates_before(due + timedelta(days=30)) == due


@pytest.mark.parametrize(
    ("on", "code"),
    [
        (date(2026, 7, 1), "a_venir"),
        (date(2026, 7, 15), "a_faire"),
        (date(2026, 8, 13), "a_faire"),
        (date(2026, 8, 14), "en_retard"),
    ],
)
def test_r_outcome_state_of_a_check_in_the_list(on, code):
    assert rules.check_state(due_date=date(2026, 7, 15), status=CheckStatus.A_FAIRE, on=on).code == code


EXPECTED_CATEGORY = {
    Situation.CDI: OutcomeCategory.EMPLOI_DURABLE,
    Situation.CDD_LONG: OutcomeCategory.EMPLOI_DURABLE,
    Situation.INTERIM_LONG: OutcomeCategory.EMPLOI_DURABLE,
    Situation.CREATION: OutcomeCategory.EMPLOI_DURABLE,
    Situation.FONCTION_PUBLIQUE: OutcomeCategory.EMPLOI_DURABLE,
    Situation.CDD_COURT: OutcomeCategory.EMPLOI_TRANSITION,
    Situation.INTERIM_COURT: OutcomeCategory.EMPLOI_TRANSITION,
    Situation.CONTRAT_AIDE: OutcomeCategory.EMPLOI_TRANSITION,
    Situation.FORMATION: OutcomeCategory.SORTIE_POSITIVE,
    Situation.AUTRE_SIAE: OutcomeCategory.SORTIE_POSITIVE,
    Situation.RECHERCHE: OutcomeCategory.AUTRE,
    Situation.INACTIVITE: OutcomeCategory.AUTRE,
    Situation.DEMENAGEMENT: OutcomeCategory.AUTRE,
    Situation.SANS_NOUVELLES: OutcomeCategory.AUTRE,
    Situation.AUTRE: OutcomeCategory.AUTRE,
}


@pytest.mark.parametrize("situation", list(Situation))
def test_r_outcome_category_of_each_situation(situation):
    assert rules.situation_category(situation) == EXPECTED_CATEGORY[situation]


def test_r_outcome_every_situation_has_a_category():
    assert set(EXPECTED_CATEGORY) == set(Situation)
    assert rules.situation_category("inconnue") == OutcomeCategory.AUTRE


# --- Creating the checks due ----------------------------------------------------------------------------------

ON = date(2027, 3, 1)


def person_with_contracts(*starts, consent=True):
    person = ParticipantFactory(consent=consent)
    for start in starts:
        WorkContractFactory(
            participant=person,
            award__lot__market__structure=person.structure,
            start_date=start,
            planned_end_date=start + timedelta(days=90),
        )
    return person


def checks_of(person):
    return dict(OutcomeCheck.objects.filter(participant=person).values_list("months", "due_date"))


@pytest.mark.django_db
def test_r_outcome_checks_created_at_once_for_past_due_dates_and_idempotent():
    late = person_with_contracts(ON - relativedelta(months=13))
    recent = person_with_contracts(ON - relativedelta(months=2))
    created = outcome_checks_create_due(on=ON)
    assert checks_of(late) == {6: ON - relativedelta(months=7), 12: ON - relativedelta(months=1)}
    assert checks_of(recent) == {}
    assert created == 2
    assert outcome_checks_create_due(on=ON) == 0
    assert OutcomeCheck.objects.count() == 2
    check = OutcomeCheck.objects.get(participant=late, months=6)
    assert check.status == CheckStatus.A_FAIRE
    assert check.history.count() == 1  # created with its history, as every change


@pytest.mark.django_db
def test_r_outcome_checks_count_from_the_earliest_contract():
    first = date(2026, 1, 10)
    person = person_with_contracts(date(2026, 6, 1), first)
    outcome_checks_create_due(on=date(2026, 7, 10))
    check = OutcomeCheck.objects.get(participant=person)
    assert (check.months, check.first_contract_start, check.due_date) == (6, first, date(2026, 7, 10))


@pytest.mark.django_db
def test_r_outcome_checks_appear_15_days_before_they_fall_due():
    start = date(2026, 1, 31)  # 6-month check due 31 July 2026
    person = person_with_contracts(start)
    assert outcome_checks_create_due(on=date(2026, 7, 15)) == 0
    assert outcome_checks_create_due(on=date(2026, 7, 16)) == 1
    assert checks_of(person) == {6: date(2026, 7, 31)}


@pytest.mark.django_db
def test_r_outcome_no_check_for_a_person_who_withdrew_consent():
    withdrawn = person_with_contracts(ON - relativedelta(months=8))
    withdrawn.consents.update(withdrawn_on=date(2026, 9, 1))
    never = person_with_contracts(ON - relativedelta(months=8), consent=False)
    followed = person_with_contracts(ON - relativedelta(months=8))
    assert outcome_checks_create_due(on=ON) == 1
    assert checks_of(withdrawn) == checks_of(never) == {}
    assert list(checks_of(followed)) == [6]


@pytest.mark.django_db
def test_r_outcome_checks_created_in_bulk():
    for _ in range(3):
        person_with_contracts(ON - relativedelta(months=13))
    with CaptureQueriesContext(connection) as few:
        outcome_checks_create_due(on=ON)
    OutcomeCheck.objects.all().delete()
    for _ in range(9):
        person_with_contracts(ON - relativedelta(months=13))
    with CaptureQueriesContext(connection) as many:
        assert outcome_checks_create_due(on=ON) == (3 + 9) * 2  # the first three people's again, deleted above
    assert len(many) == len(few)


@pytest.mark.django_db
def test_r_outcome_checks_due_more_than_a_year_ago_are_not_created():
    """A parcours taken over from an older tool: its checks of long ago are not asked for any more."""
    person = person_with_contracts(ON - relativedelta(months=25))
    assert outcome_checks_create_due(on=ON) == 2
    assert list(checks_of(person)) == [18, 24]


@pytest.mark.django_db
def test_r_outcome_daily_task_creates_the_checks_due_today():
    person = person_with_contracts(timezone.localdate() - relativedelta(months=6))
    assert create_due_outcome_checks.delay().get() == 1
    assert list(checks_of(person)) == [6]


# --- Recording a check and a sortie ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_r_outcome_check_done_needs_a_situation_and_sets_its_category(world):
    check = OutcomeCheckFactory(participant=world.participant)
    with pytest.raises(ValidationError) as refused:
        outcome_check_record(check=check, by=None, status=CheckStatus.FAIT, checked_on=date(2026, 8, 3))
    assert refused.value.message_dict == {"situation": ["Indiquez la situation de la personne."]}
    check.refresh_from_db()
    assert check.status == CheckStatus.A_FAIRE and check.checked_on is None
    user = world.facilitateur.user
    outcome_check_record(
        check=check, by=user, status=CheckStatus.FAIT, checked_on=date(2026, 8, 3), situation=Situation.FORMATION
    )
    check.refresh_from_db()
    assert (check.status, check.category, check.checked_by) == (
        CheckStatus.FAIT,
        OutcomeCategory.SORTIE_POSITIVE,
        user,
    )


@pytest.mark.django_db
def test_r_outcome_unreachable_person_needs_no_situation(world):
    check = OutcomeCheckFactory(participant=world.participant)
    outcome_check_record(check=check, by=None, status=CheckStatus.INJOIGNABLE, checked_on=date(2026, 8, 3))
    check.refresh_from_db()
    assert (check.status, check.situation, check.category) == (CheckStatus.INJOIGNABLE, "", "")


@pytest.mark.django_db
def test_r_outcome_check_cannot_be_in_the_future(world):
    check = OutcomeCheckFactory(participant=world.participant)
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        outcome_check_record(
            check=check, by=None, status=CheckStatus.FAIT, checked_on=tomorrow, situation=Situation.CDI
        )
    assert "dans le futur" in refused.value.message_dict["checked_on"][0]
    with pytest.raises(ValidationError):
        outcome_check_record(check=check, by=None, status=CheckStatus.A_FAIRE, checked_on=date(2026, 8, 3))


@pytest.mark.django_db
def test_r_outcome_sortie_category_follows_the_situation(world):
    outcome = outcome_create(
        participant=world.participant, by=None, date=date(2026, 8, 1), situation=Situation.INTERIM_LONG
    )
    assert outcome.category == OutcomeCategory.EMPLOI_DURABLE
    with pytest.raises(ValidationError) as refused:
        outcome_create(
            participant=world.participant, by=None, date=timezone.localdate() + timedelta(days=1), situation="cdi"
        )
    assert "date" in refused.value.message_dict
    with pytest.raises(ValidationError):
        outcome_create(
            participant=world.participant,
            by=None,
            date=date(2026, 8, 1),
            situation="cdi",
            contract=world.other_contract,
        )
    assert Outcome.objects.count() == 1


# --- Pages ----------------------------------------------------------------------------------------------------


@pytest.fixture
def facilitator(client, world):
    client.force_login(world.facilitateur.user)
    return client


def late_and_due(world):
    today = timezone.localdate()
    late = OutcomeCheckFactory(
        participant=world.participant, months=6, first_contract_start=today - relativedelta(months=8)
    )
    due = OutcomeCheckFactory(
        participant=world.sibling_participant, months=12, first_contract_start=today - relativedelta(months=12)
    )
    return late, due


@pytest.mark.django_db
def test_r_outcome_check_list_shows_late_checks_first_with_a_badge(facilitator, world):
    late, due = late_and_due(world)
    done = OutcomeCheckFactory(
        participant=world.participant,
        months=12,
        first_contract_start=late.first_contract_start,
        status=CheckStatus.FAIT,
        checked_on=timezone.localdate(),
        situation=Situation.CDI,
    )
    response = facilitator.get(reverse("suivi:check_list"))
    rows = list(response.context["page"].object_list)
    assert rows == [late, due, done]
    assert [row.state.code for row in rows] == ["en_retard", "a_faire", "fait"]
    page = text(response)
    assert "en retard" in page and "emploi durable" in page
    assert reverse("suivi:check_update", args=[late.public_id]) in page


@pytest.mark.django_db
def test_check_list_filters_by_status_and_months(facilitator, world):
    late, due = late_and_due(world)
    url = reverse("suivi:check_list")
    assert list(facilitator.get(url + "?state=en_retard").context["page"].object_list) == [late]
    assert list(facilitator.get(url + "?state=a_faire").context["page"].object_list) == [late, due]
    assert list(facilitator.get(url + "?months=12").context["page"].object_list) == [due]
    assert list(facilitator.get(url + "?state=fait").context["page"].object_list) == []
    assert facilitator.get(url + "?months=7").status_code == 200  # an unknown value lists nothing, no error


@pytest.mark.django_db
def test_r_outcome_prescriber_reads_the_checks_of_their_people_only(client, world):
    late, due = late_and_due(world)
    client.force_login(world.prescripteur.user)
    response = client.get(reverse("suivi:check_list"))
    assert list(response.context["page"].object_list) == [late]  # `due` is the other prescriber's person
    assert reverse("suivi:check_update", args=[late.public_id]) not in text(response)
    page = client.get(reverse("suivi:participant_outcomes", args=[world.participant.public_id]))
    assert "À 6 mois" in text(page) and "Enregistrer une sortie" not in text(page)


@pytest.mark.django_db
def test_r_outcome_recording_a_check_through_its_form(facilitator, world):
    check, _ = late_and_due(world)
    url = reverse("suivi:check_update", args=[check.public_id])
    today = timezone.localdate()
    refused = facilitator.post(url, {"status": "fait", "checked_on": today.isoformat(), "situation": ""})
    assert refused.status_code == 200
    assert "Indiquez la situation de la personne." in text(refused)
    future = facilitator.post(
        url, {"status": "fait", "checked_on": (today + timedelta(days=3)).isoformat(), "situation": "cdi"}
    )
    assert "La date du point de situation est dans le futur." in text(future)
    check.refresh_from_db()
    assert check.status == CheckStatus.A_FAIRE
    done = facilitator.post(
        url,
        {"status": "fait", "checked_on": today.isoformat(), "situation": "cdd_long", "employer": "Eiffage"},
    )
    assert done.status_code == 302
    check.refresh_from_db()
    assert (check.status, check.category, check.employer) == ("fait", "emploi_durable", "Eiffage")


@pytest.mark.django_db
def test_r_outcome_sortie_form_prefilled_from_the_last_contract(facilitator, world):
    url = reverse("suivi:outcome_create", args=[world.participant.public_id])
    form = facilitator.get(url).context["form"]
    assert form.initial["contract"] == world.contract
    assert form.initial["employer"] == world.contract.employer.name
    assert form.initial["date"] == world.contract.end_date  # ended 31 July 2026
    refused = facilitator.post(url, {"date": "", "situation": ""})
    assert "Indiquez la date de sortie." in text(refused)
    assert "Indiquez la situation de la personne à sa sortie." in text(refused)
    other = facilitator.post(url, {"date": "2026-08-01", "situation": "cdi", "contract": world.other_contract.pk})
    assert other.status_code == 200  # another structure's contract is not a choice
    assert Outcome.objects.count() == 0
    saved = facilitator.post(
        url,
        {"date": "2026-08-01", "situation": "formation", "employer": "AFPA", "contract": world.contract.pk},
    )
    assert saved.status_code == 302
    outcome = Outcome.objects.get()
    assert (outcome.category, outcome.contract, outcome.recorded_by) == (
        "sortie_positive",
        world.contract,
        world.facilitateur.user,
    )
    page = text(facilitator.get(reverse("suivi:participant_outcomes", args=[world.participant.public_id])))
    assert "formation pré-qualifiante ou qualifiante" in page.lower() and "sortie positive" in page


@pytest.mark.django_db
def test_r_outcome_participant_page_plans_the_checks_to_come(facilitator, world):
    response = facilitator.get(reverse("suivi:participant_outcomes", args=[world.participant.public_id]))
    assert response.context["first_start"] == world.contract.start_date
    assert [m for m, _ in response.context["planned"]] == [6, 12, 18, 24]
    assert "prévu" in text(response)


@pytest.mark.django_db
def test_participant_page_links_to_skills_and_outcomes(client, world):
    client.force_login(world.facilitateur.user)
    page = text(client.get(world.participant.get_absolute_url()))
    assert reverse("suivi:participant_outcomes", args=[world.participant.public_id]) in page
    assert reverse("suivi:skills_synthesis", args=[world.participant.public_id]) in page
    client.force_login(world.sibling_prescripteur.user)  # the référent of the sibling participant
    response = client.get(world.sibling_participant.get_absolute_url())
    assert reverse("suivi:participant_outcomes", args=[world.sibling_participant.public_id]) in text(response)


# --- Query counts ---------------------------------------------------------------------------------------------


def grow_checks(world, n):
    """n more people of our prescriber with a check late and one done, and n more sorties of our participant."""
    today = timezone.localdate()
    for i in range(n):
        person = ParticipantFactory(structure=world.structure, referent_organisation=world.prescriber_org)
        start = today - relativedelta(months=13, days=i)
        WorkContractFactory(award=world.award, participant=person, start_date=start, contract_type=ContractType.CDD)
        OutcomeCheckFactory(participant=person, months=6, first_contract_start=start)
        OutcomeCheckFactory(
            participant=person,
            months=12,
            first_contract_start=start,
            status=CheckStatus.FAIT,
            checked_on=today,
            situation=Situation.CDI,
            checked_by=world.facilitateur.user,
        )
        OutcomeFactory(participant=world.participant, contract=world.contract)


def count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["facilitateur", "prescripteur"])
@pytest.mark.parametrize("name", ["suivi:check_list", "suivi:participant_outcomes"])
def test_outcome_pages_do_not_grow_with_rows(client, world, settings, role, name):
    settings.VIEW_LOG_WINDOW_MINUTES = 0  # every request logs its view: the counts compare like with like
    client.force_login(getattr(world, role).user)
    url = reverse(name) if name == "suivi:check_list" else reverse(name, args=[world.participant.public_id])
    start = world.contract.start_date
    grow_checks(world, 2)
    OutcomeCheckFactory(participant=world.participant, months=6, first_contract_start=start)
    before = count(client, url)
    grow_checks(world, 4)
    for months in (12, 18, 24):
        OutcomeCheckFactory(participant=world.participant, months=months, first_contract_start=start)
    assert count(client, url) == before
