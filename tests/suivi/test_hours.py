"""Hours through `services.hours_save`, the single writer of the single source of truth (R-HRS-1): plausibility
(R-HRS-3), mutualisation (R-HRS-2), what counts (R-HRS-1, R-ELIG-4), history and a bounded number of queries."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marches.enums import CompanyKind
from marches.models import Award, Market
from marches.progress import attach_company_progress, attach_market_progress, with_award_hours, with_market_hours
from participants import services as participant_services
from participants.models import EligibilityDiagnosis
from suivi import hours as rules
from suivi import services
from suivi.enums import ContractType, EndReason, HourKind
from suivi.models import Assignment, HourEntry, WorkContract
from tests.conftest import diagnosis_for
from tests.marches.factories import AwardFactory, CompanyFactory, MarketFactory
from tests.participants.factories import ParticipantFactory, ProofFactory
from tests.suivi.factories import WorkContractFactory, hours

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 22)
JANUARY, FEBRUARY, MARCH, JULY, AUGUST = (date(2026, m, 1) for m in (1, 2, 3, 7, 8))
CDD_MONTHS = rules.months_between(date(2026, 2, 1), date(2026, 7, 1))  # world.contract: 02/02 → 31/07/2026


def cell(assignment, month, value, kind=HourKind.TRAVAIL, key=None):
    return services.Cell(
        month=month,
        kind=kind,
        hours=None if value is None else Decimal(value),
        assignment=assignment,
        key=key or f"{assignment.pk}-{month:%Y-%m}-{kind}",
    )


def sub_cell(award, subcontractor, month, value, key="sous-traitance", kind=HourKind.SOUS_TRAITANCE):
    return services.Cell(
        month=month, kind=kind, hours=Decimal(value), award=award, subcontractor=subcontractor, key=key
    )


def save(*cells, by, today=TODAY):
    return services.hours_save(cells=cells, by=by, today=today)


def award_done(award):
    return with_award_hours(Award.objects.filter(pk=award.pk)).get().done_total


def market_done(market):
    return with_market_hours(Market.objects.filter(pk=market.pk)).get().done_total


def company_award(world, **market):
    """Another award of our company, on another attributed market of our structure."""
    return AwardFactory(lot__market=MarketFactory(structure=world.structure, **market), company=world.company)


def mutualised_contract(world, awards, participant=None, **fields):
    """A contract of a person eligible to each market, serving every award."""
    participant = participant or ParticipantFactory(
        structure=world.structure, referent_organisation=world.prescriber_org
    )
    for award in awards:
        diagnosis_for(participant, award.lot.market)
    return WorkContractFactory(award=awards[0], awards=awards, participant=participant, **fields)


def assignments_of(contract):
    return {a.award_id: a for a in contract.assignments.all()}


@pytest.fixture
def by(world):
    return world.facilitateur.user


# --- R-HRS-3: plausible hours only ----------------------------------------------------------------------------


def test_r_hrs_3_hours_outside_the_contract_dates_are_refused(world, by):
    result = save(
        cell(world.assignment, JANUARY, 10, key="janvier"), cell(world.assignment, AUGUST, 10, key="août"), by=by
    )
    assert result.errors == {
        "janvier": ["Le contrat ne couvre pas janvier 2026 : vérifiez ses dates."],
        "août": ["Le contrat ne couvre pas août 2026 : vérifiez ses dates."],
    }
    assert not HourEntry.objects.exists()
    assert save(cell(world.assignment, JULY, 150), by=by).created == 1  # the last month of the planned dates


def test_r_hrs_3_hours_after_the_actual_end_are_refused(world, by):
    WorkContract.objects.filter(pk=world.contract.pk).update(
        actual_end_date=date(2026, 4, 10), end_reason=EndReason.DEMISSION
    )
    result = save(cell(world.assignment, date(2026, 5, 1), 20, key="mai"), by=by)
    assert result.errors == {"mai": ["Le contrat ne couvre pas mai 2026 : vérifiez ses dates."]}
    # April is covered for 10 days: 48 h × 10 / 7 = 68,57 h at most.
    assert save(cell(world.assignment, date(2026, 4, 1), "68.58", key="avril"), by=by).errors == {
        "avril": [
            "68,58 h en avril 2026 dépassent la durée maximale du travail (68,57 h pour les 10 jours couverts "
            "par le contrat)."
        ]
    }
    assert save(cell(world.assignment, date(2026, 4, 1), "68.57"), by=by).created == 1


def test_r_hrs_3_a_partly_covered_month_gets_a_prorated_ceiling(world, by):
    # The contract starts on 02/02: 27 days of February, 48 h × 27 / 7 = 185,14 h.
    refused = save(cell(world.assignment, FEBRUARY, "185.15", key="février"), by=by)
    assert refused.errors == {
        "février": [
            "185,15 h en février 2026 dépassent la durée maximale du travail (185,14 h pour les 27 jours "
            "couverts par le contrat)."
        ]
    }
    assert save(cell(world.assignment, FEBRUARY, "185.14"), by=by).created == 1


def test_r_hrs_3_worked_and_training_hours_of_a_month_add_up_against_the_ceiling(world, by):
    result = save(
        cell(world.assignment, MARCH, 200, key="travail"),
        cell(world.assignment, MARCH, 20, HourKind.FORMATION, key="formation"),
        by=by,
    )
    assert set(result.errors) == {"travail", "formation"}
    assert "220 h en mars 2026" in result.errors["travail"][0]
    assert not HourEntry.objects.exists()


def test_r_hrs_3_the_ceiling_holds_across_the_awards_of_a_mutualised_contract(world, by):
    second = company_award(world)
    contract = mutualised_contract(world, [world.award, second])
    one, two = (assignments_of(contract)[award.pk] for award in (world.award, second))
    # 120 h on each market: each under 212,57 h, together over it.
    result = save(cell(one, MARCH, 120, key="un"), cell(two, MARCH, 120, key="deux"), by=by)
    assert set(result.errors) == {"un", "deux"}
    assert "240 h en mars 2026 dépassent la durée maximale du travail" in result.errors["un"][0]
    assert not HourEntry.objects.exists()
    # Against what is already recorded on the other market, too.
    assert save(cell(one, MARCH, 120), by=by).created == 1
    later = save(cell(two, MARCH, 120, key="deux"), by=by)
    assert "240 h en mars 2026" in later.errors["deux"][0]
    assert save(cell(two, MARCH, "92.57"), by=by).created == 1  # 212,57 h in all: the ceiling itself


def test_r_hrs_3_moving_hours_between_markets_in_one_statement_is_not_double_counted(world, by):
    second = company_award(world)
    contract = mutualised_contract(world, [world.award, second])
    one, two = (assignments_of(contract)[award.pk] for award in (world.award, second))
    assert save(cell(one, MARCH, 200), by=by).created == 1
    # The statement moves the 200 h to the other market: 200 h in all, not 400 h.
    result = save(cell(one, MARCH, None), cell(two, MARCH, 200), by=by)
    assert not result.errors and (result.deleted, result.created) == (1, 1)
    assert list(HourEntry.objects.values_list("assignment", "hours")) == [(two.pk, Decimal("200.00"))]


def test_r_hrs_3_negative_hours_are_refused_by_the_service_and_the_database(world, by):
    result = save(cell(world.assignment, MARCH, -1, key="mars"), by=by)
    assert result.errors == {"mars": ["Les heures ne peuvent pas être négatives."]}
    assert not HourEntry.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        hours(world.assignment, MARCH, -1)


def test_r_hrs_3_a_second_row_for_the_same_month_and_kind_is_impossible(world, by):
    twice = save(cell(world.assignment, MARCH, 100, key="a"), cell(world.assignment, MARCH, 90, key="b"), by=by)
    assert twice.errors == {"b": ["Ces heures apparaissent deux fois."]}
    assert not HourEntry.objects.exists()
    assert save(cell(world.assignment, MARCH, 100), by=by).created == 1
    again = save(cell(world.assignment, MARCH, 90), by=by)
    assert (again.created, again.updated) == (0, 1)
    assert list(HourEntry.objects.values_list("hours", flat=True)) == [Decimal("90.00")]
    # Another kind is another row.
    assert save(cell(world.assignment, MARCH, 7, HourKind.FORMATION), by=by).created == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        hours(world.assignment, MARCH, 5)


def test_r_hrs_3_a_month_not_yet_begun_is_refused(world, by):
    cdi = WorkContractFactory(
        award=world.award, contract_type=ContractType.CDI, start_date=date(2026, 9, 1), planned_end_date=None
    )
    assignment = cdi.assignments.get()
    result = save(cell(assignment, date(2026, 12, 1), 35, key="décembre"), by=by)
    assert result.errors == {"décembre": ["Décembre 2026 n'a pas encore commencé."]}
    assert save(cell(assignment, date(2026, 11, 1), 100), by=by).created == 1  # the current month, as it goes


def test_r_hrs_3_no_hours_before_the_month_of_the_market_attribution(world, by):
    early = WorkContractFactory(award=world.award, start_date=date(2025, 10, 1), planned_end_date=date(2026, 3, 31))
    assignment = early.assignments.get()
    result = save(cell(assignment, date(2025, 11, 1), 100, key="novembre"), by=by)
    assert result.errors == {
        "novembre": [f"Le marché {world.market.reference} a été attribué le 01/12/2025 : pas d'heures avant."]
    }
    assert save(cell(assignment, date(2025, 12, 1), 100), by=by).created == 1  # the month of the attribution


def test_r_hrs_3_no_hours_on_a_market_not_attributed(world, by):
    award = company_award(world, programme=True)
    contract = WorkContractFactory(award=award, participant=world.participant)
    result = save(cell(contract.assignments.get(), MARCH, 35, key="mars"), by=by)
    assert result.errors == {"mars": [f"Le marché {award.lot.market.reference} n'est pas encore attribué."]}
    assert not HourEntry.objects.exists()


def test_r_hrs_3_one_bad_cell_among_twenty_and_nothing_is_written(world, by):
    assignments = [WorkContractFactory(award=world.award).assignments.get() for _ in range(20)]
    cells = [cell(a, MARCH, 100, key=f"ligne {n}") for n, a in enumerate(assignments, start=1)]
    cells[13] = cell(assignments[13], MARCH, 300, key="ligne 14")
    result = save(*cells, by=by)
    assert list(result.errors) == ["ligne 14"]
    assert "300 h en mars 2026" in result.errors["ligne 14"][0]
    assert result.changed == 0 and not HourEntry.objects.exists()
    assert not HourEntry.history.exists()


def test_a_month_given_as_any_of_its_days_is_recorded_as_the_month(world, by):
    assert save(cell(world.assignment, date(2026, 3, 17), 100), by=by).created == 1
    assert save(cell(world.assignment, MARCH, 100), by=by).unchanged == 1
    assert list(HourEntry.objects.values_list("month", flat=True)) == [MARCH]


# --- History: every change, and only changes -----------------------------------------------------------------


def test_saving_the_same_values_again_changes_nothing(world, by):
    cells = [cell(world.assignment, month, 140) for month in CDD_MONTHS[1:]]
    first = save(*cells, by=by)
    assert first.created == 5 and not first.errors
    history = HourEntry.history.count()
    again = save(*cells, by=world.admin.user)
    assert (again.created, again.updated, again.deleted, again.unchanged) == (0, 0, 0, 5)
    assert HourEntry.history.count() == history
    assert set(HourEntry.objects.values_list("updated_by", flat=True)) == {by.pk}


def test_changing_a_value_writes_one_history_row_with_the_user(world, by):
    save(cell(world.assignment, MARCH, 140), by=by)
    entry = HourEntry.objects.get()
    assert entry.history.get().history_user == by
    result = save(cell(world.assignment, MARCH, "151.67"), by=world.admin.user)
    assert result.updated == 1
    latest = entry.history.order_by("-history_id").first()
    assert entry.history.count() == 2
    assert (latest.history_type, latest.hours, latest.history_user) == ("~", Decimal("151.67"), world.admin.user)
    created_at = entry.created_at
    entry.refresh_from_db()
    assert entry.updated_by == world.admin.user and entry.hours == Decimal("151.67")
    assert entry.created_at == latest.created_at == created_at  # the upsert keeps when the row was created
    assert entry.updated_at > created_at


def test_clearing_a_value_deletes_the_row_and_the_history_keeps_who(world, by):
    save(cell(world.assignment, MARCH, 140), by=by)
    entry = HourEntry.objects.get()
    result = save(cell(world.assignment, MARCH, None), by=world.admin.user)
    assert result.deleted == 1 and not HourEntry.objects.exists()
    deleted = HourEntry.history.filter(id=entry.pk).order_by("-history_id").first()
    assert (deleted.history_type, deleted.hours, deleted.history_user) == ("-", Decimal("140.00"), world.admin.user)
    # Clearing what was never recorded does nothing.
    assert save(cell(world.assignment, MARCH, None), by=by).changed == 0


# --- Subcontracted hours (R-HRS-1) ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [CompanyKind.EA, CompanyKind.EI, CompanyKind.ESAT, CompanyKind.ACI])
def test_r_hrs_1_subcontracted_hours_count_without_a_participant(world, by, kind):
    subcontractor = CompanyFactory(structure=world.structure, kind=kind)
    result = save(sub_cell(world.award, subcontractor, MARCH, 350), by=by)
    assert result.created == 1 and not result.errors
    assert award_done(world.award) == Decimal(350)
    assert market_done(world.market) == Decimal(350)


def test_r_hrs_1_only_an_siae_or_an_ea_carries_subcontracted_hours(world, by):
    classic = CompanyFactory(structure=world.structure, kind=CompanyKind.CLASSIQUE)
    fields = {"award": world.award, "month": MARCH, "kind": HourKind.SOUS_TRAITANCE, "hours": 10, "updated_by": by}
    with pytest.raises(ValidationError) as error:
        HourEntry(subcontractor=classic, **fields).full_clean()
    assert list(error.value.message_dict) == ["subcontractor"]
    HourEntry(subcontractor=CompanyFactory(structure=world.structure, kind=CompanyKind.EA), **fields).full_clean()
    # The service says so too, rather than writing the row.
    result = save(sub_cell(world.award, classic, MARCH, 10, key="classique"), by=by)
    assert list(result.errors) == ["classique"]
    assert "SIAE" in result.errors["classique"][0]
    assert not HourEntry.objects.exists()


def test_r_hrs_1_subcontracted_hours_are_of_the_subcontracted_kind(world, by):
    ea = CompanyFactory(structure=world.structure, kind=CompanyKind.EA)
    result = save(sub_cell(world.award, ea, MARCH, 10, key="ea", kind=HourKind.TRAVAIL), by=by)
    assert list(result.errors) == ["ea"]
    assert not HourEntry.objects.exists()


def test_r_hrs_3_subcontracted_hours_are_not_negative_nor_in_the_future(world, by):
    ea = CompanyFactory(structure=world.structure, kind=CompanyKind.EA)
    assert save(sub_cell(world.award, ea, MARCH, -4, key="ea"), by=by).errors == {
        "ea": ["Les heures ne peuvent pas être négatives."]
    }
    assert save(sub_cell(world.award, ea, date(2027, 1, 1), 4, key="ea"), by=by).errors == {
        "ea": ["Janvier 2027 n'a pas encore commencé."]
    }


# --- R-HRS-1: recorded is not counted ------------------------------------------------------------------------


def test_r_hrs_1_hours_of_a_person_without_a_diagnosis_are_recorded_but_not_counted(world, by):
    contract = WorkContractFactory(award=world.award)  # nobody assessed this person's eligibility
    assignment = contract.assignments.get()
    assert not assignment.counts and assignment.reason == "éligibilité à établir pour ce marché"
    assert save(cell(assignment, MARCH, 150), by=by).created == 1
    assert HourEntry.objects.get().hours == Decimal(150)
    assert award_done(world.award) == 0
    assert save(cell(world.assignment, MARCH, 100), by=by).created == 1  # an eligible person's hours do count
    assert award_done(world.award) == Decimal(100)


def test_r_hrs_1_hours_of_a_person_not_eligible_are_recorded_but_not_counted(world, by):
    participant = ParticipantFactory(structure=world.structure)
    EligibilityDiagnosis.objects.create(
        participant=participant,
        market=world.market,
        assessed_on=date(2025, 12, 1),
        eligible=False,
        valid_until=date(2027, 12, 1),
    )
    assignment = WorkContractFactory(award=world.award, participant=participant).assignments.get()
    assert not assignment.counts and "ne relève pas des publics" in assignment.reason
    save(cell(assignment, MARCH, 150), by=by)
    assert HourEntry.objects.count() == 1 and award_done(world.award) == 0


def test_r_hrs_1_a_diagnosis_assessed_later_makes_the_hours_count(world, by):
    """The receiver: when the eligibility to the market is (re)assessed, the contract's hours follow."""
    participant = ParticipantFactory(structure=world.structure, registration_date=date(2024, 1, 15))
    assignment = WorkContractFactory(award=world.award, participant=participant).assignments.get()
    save(cell(assignment, MARCH, 150), by=by)
    # No proof yet: assessed, not eligible.
    diagnosis = participant_services.diagnosis_assess(participant=participant, market=world.market, by=by)
    assignment.refresh_from_db()
    assert not diagnosis.eligible and not assignment.counts and assignment.diagnosis == diagnosis
    assert award_done(world.award) == 0
    # A verified France Travail attestation: long-term jobseeker (23 months at the attribution), eligible.
    ProofFactory(participant=participant)
    diagnosis = participant_services.diagnosis_assess(participant=participant, market=world.market, by=by)
    assignment.refresh_from_db()
    assert diagnosis.eligible and assignment.counts and assignment.checked_at
    assert assignment.reason.startswith("éligible à la date d'attribution (Demandeur d'emploi de longue durée")
    assert award_done(world.award) == Decimal(150)


def test_r_hrs_1_a_diagnosis_of_another_market_changes_nothing_here(world, by):
    participant = ParticipantFactory(structure=world.structure)
    ProofFactory(participant=participant)
    assignment = WorkContractFactory(award=world.award, participant=participant).assignments.get()
    elsewhere = company_award(world).lot.market
    assert participant_services.diagnosis_assess(participant=participant, market=elsewhere, by=by).eligible
    assignment.refresh_from_db()
    assert not assignment.counts


# --- R-ELIG-4 end to end --------------------------------------------------------------------------------------


@pytest.fixture
def early_apprenticeship(world, by):
    """An apprenticeship signed on 03/11/2025, before the market's attribution on 01/12/2025, with hours."""
    contract = WorkContract(
        structure=world.structure,
        participant=world.participant,
        employer=world.company,
        company=world.company,
        contract_type=ContractType.APPRENTISSAGE,
        start_date=date(2025, 11, 3),
        planned_end_date=date(2027, 10, 31),
        weekly_hours=Decimal(35),
        job_title="Apprenti maçon",
    )
    services.contract_save(contract=contract, awards=[world.award], by=by)
    assignment = contract.assignments.get()
    cells = [cell(assignment, month, 120) for month in (date(2025, 12, 1), JANUARY, FEBRUARY)]
    cells.append(cell(assignment, MARCH, 35, HourKind.FORMATION))
    assert save(*cells, by=by).created == 4
    return assignment


def test_r_elig_4_apprenticeship_signed_before_the_attribution_does_not_count(world, early_apprenticeship):
    early_apprenticeship.refresh_from_db()
    assert not early_apprenticeship.counts
    assert (
        early_apprenticeship.reason
        == "contrat en alternance signé avant l'attribution du marché : exception à justifier"
    )
    assert HourEntry.objects.filter(assignment=early_apprenticeship).count() == 4  # recorded all the same
    assert market_done(world.market) == 0


def test_r_elig_4_a_justified_exception_makes_its_hours_count_and_can_be_withdrawn(world, by, early_apprenticeship):
    assignment = services.assignment_grant_exception(
        assignment=early_apprenticeship,
        justification="Embauche anticipée pour préparer le chantier ; CDI promis à la fin de l'apprentissage.",
        by=by,
    )
    assert assignment.counts and assignment.has_exception and assignment.exception_by == by
    assert assignment.reason == "compté par exception justifiée (alternance signée avant l'attribution)"
    assert market_done(world.market) == Decimal(395)  # 3 × 120 h worked and 35 h of training
    services.assignment_revoke_exception(assignment=assignment, by=by)
    assignment.refresh_from_db()
    assert not assignment.counts and not assignment.has_exception
    assert market_done(world.market) == 0


def test_r_elig_4_an_exception_needs_a_real_justification(world, by, early_apprenticeship):
    with pytest.raises(ValidationError) as error:
        services.assignment_grant_exception(assignment=early_apprenticeship, justification="  parce que  ", by=by)
    assert "exception_justification" in error.value.message_dict
    early_apprenticeship.refresh_from_db()
    assert not early_apprenticeship.has_exception and not early_apprenticeship.counts
    assert market_done(world.market) == 0


def test_r_elig_4_an_exception_is_only_for_work_study_contracts(world, by):
    with pytest.raises(ValidationError) as error:
        services.assignment_grant_exception(
            assignment=world.assignment, justification="Une justification tout à fait suffisante en longueur.", by=by
        )
    assert error.value.messages == [
        "Une exception ne concerne que les contrats d'apprentissage et de professionnalisation."
    ]
    world.assignment.refresh_from_db()
    assert not world.assignment.has_exception


def test_r_elig_4_professionalisation_signed_on_the_attribution_day_counts(world, by):
    contract = mutualised_contract(
        world,
        [world.award],
        contract_type=ContractType.PROFESSIONNALISATION,
        start_date=date(2025, 12, 1),
        planned_end_date=date(2026, 11, 30),
    )
    assignment = contract.assignments.get()
    assert assignment.counts
    save(cell(assignment, date(2025, 12, 1), 140), by=by)
    assert market_done(world.market) == Decimal(140)


# --- R-HRS-2: mutualisation ------------------------------------------------------------------------------------


@st.composite
def mutualisations(draw):
    """Two or three markets, and a few months' hours split between them by random shares."""
    count = draw(st.sampled_from([2, 3]))
    statement = st.tuples(
        st.sampled_from(CDD_MONTHS),
        st.decimals(min_value=0, max_value=185, places=2),  # under the smallest ceiling (February: 185,14 h)
        st.lists(st.integers(0, 5), min_size=count, max_size=count).filter(lambda weights: sum(weights) > 0),
        st.sampled_from([HourKind.TRAVAIL, HourKind.FORMATION]),
    )
    return count, draw(st.lists(statement, min_size=1, max_size=6, unique_by=lambda s: s[0]))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutualisation=mutualisations())
def test_r_hrs_2_mutualised_hours_are_never_counted_twice_and_each_market_gets_its_share(world, mutualisation):
    count, statements = mutualisation
    with transaction.atomic():  # each example starts from the same world
        awards = [company_award(world) for _ in range(count)]
        contract = mutualised_contract(world, awards)
        assignments = assignments_of(contract)
        shares = {award.pk: Decimal(0) for award in awards}
        cells = []
        for month, total, weights, kind in statements:
            for award, part in zip(awards, rules.split_total(total, weights), strict=True):
                cells.append(cell(assignments[award.pk], month, part, kind))
                shares[award.pk] += part
        result = services.hours_save(cells=cells, by=world.facilitateur.user, today=TODAY)
        assert not result.errors

        entries = HourEntry.objects.filter(assignment__contract=contract)
        recorded = sum(entries.values_list("hours", flat=True), Decimal(0))
        assert recorded == sum(total for _, total, _, _ in statements)
        # The sum over awards of what is done is the sum of the entries, never more.
        done = {award.pk: award.done_total for award in with_award_hours(Award.objects.filter(pk__in=shares))}
        assert sum(done.values()) == recorded
        # Each market is judged on its own share.
        markets = attach_market_progress(
            with_market_hours(Market.objects.filter(pk__in=[award.lot.market_id for award in awards])), on=TODAY
        )
        for market in markets:
            award = next(award for award in awards if award.lot.market_id == market.pk)
            assert done[award.pk] == shares[award.pk] == market.progress.done
            assert market.progress.required == award.lot.required_hours
        # The company's progress adds its markets up once.
        company = attach_company_progress([world.company], on=TODAY)[0]
        assert company.progress.done == recorded
        transaction.set_rollback(True)


def test_r_hrs_2_moving_a_share_from_one_market_to_another_keeps_the_total(world, by):
    second = company_award(world)
    contract = mutualised_contract(world, [world.award, second])
    one, two = (assignments_of(contract)[award.pk] for award in (world.award, second))
    save(cell(one, MARCH, 100), cell(two, MARCH, 51), by=by)
    assert (award_done(world.award), award_done(second)) == (100, 51)
    save(cell(one, MARCH, 75), cell(two, MARCH, 76), by=by)
    assert (award_done(world.award), award_done(second)) == (75, 76)
    assert market_done(world.market) + market_done(second.lot.market) == 151


def test_r_hrs_2_each_market_judges_eligibility_on_its_own(world, by):
    """Eligible to one market and not assessed for the other: the hours count only where the person is eligible."""
    second = company_award(world)
    participant = ParticipantFactory(structure=world.structure)
    diagnosis_for(participant, world.market)  # eligible here only
    contract = WorkContractFactory(award=world.award, awards=[world.award, second], participant=participant)
    one, two = (assignments_of(contract)[award.pk] for award in (world.award, second))
    assert one.counts and not two.counts
    save(cell(one, MARCH, 100), cell(two, MARCH, 80), by=by)
    assert (market_done(world.market), market_done(second.lot.market)) == (100, 0)


# --- Bounded queries ------------------------------------------------------------------------------------------


def month_of(world, count, value=100):
    """A month's statement for `count` contracts (assignments read plainly, as a view would)."""
    return [
        cell(Assignment.objects.get(contract=WorkContractFactory(award=world.award)), MARCH, value)
        for _ in range(count)
    ]


def queries_of(cells, by):
    with CaptureQueriesContext(connection) as queries:
        result = services.hours_save(cells=cells, by=by, today=TODAY)
    assert not result.errors
    return len(queries), result


def test_saving_a_month_takes_the_same_number_of_queries_for_5_or_20_contracts(world, by):
    few, many = month_of(world, 5), month_of(world, 20)
    (few_created, created), (many_created, _) = queries_of(few, by), queries_of(many, by)
    assert created.created == 5 and few_created == many_created
    changed = [services.Cell(c.month, c.kind, Decimal(90), c.assignment, key=c.key) for c in few]
    many_changed = [services.Cell(c.month, c.kind, Decimal(90), c.assignment, key=c.key) for c in many]
    (few_updated, updated), (many_updated, _) = queries_of(changed, by), queries_of(many_changed, by)
    assert updated.updated == 5 and few_updated == many_updated


def test_saving_a_month_queries(world, by, django_assert_num_queries):
    cells = month_of(world, 8)
    # savepoint; lock of the contracts (against a concurrent save); the assignments with their contract and
    # market; the rows of these contracts that month; insert of the rows; insert of their history; release
    with django_assert_num_queries(7):
        result = services.hours_save(cells=cells, by=by, today=TODAY)
    assert result.created == 8
