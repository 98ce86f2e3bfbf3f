"""`manage.py seed_demo`: realistic, valid, idempotent demo data for every app.

Seeding takes seconds: the demo is loaded once for this module (and erased after it); each test reads it inside
its own transaction, so what a test changes is rolled back.
"""

from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q, Sum
from django.test import override_settings
from django.utils import timezone

from clauses.accounts.demo import DEMO_DOMAIN, DEMO_LOGINS, DEMO_PASSWORD
from clauses.accounts.enums import OrganisationKind, Role
from clauses.accounts.models import Membership, Organisation, User
from comites.enums import MeetingStatus
from comites.models import CommitteeDecision, CommitteeMeeting
from marches.calibration import PRESETS
from marches.enums import ATTRIBUTED, CompanyKind, MarketStatus, Trade
from marches.models import Award, Buyer, Company, Lot, Market
from marches.progress import Pace, Progress, attach_award_progress, with_award_hours
from participants.enums import ProofStatus, ReferralStatus
from participants.models import (
    Consent,
    EligibilityCriterion,
    EligibilityDiagnosis,
    Participant,
    Proof,
    Referral,
    ReferralEvent,
)
from suivi import hours as rules
from suivi import outcomes as outcome_rules
from suivi import services as suivi_services
from suivi.enums import (
    PERSON_KINDS,
    WORK_STUDY_CONTRACTS,
    CheckStatus,
    ContractModality,
    ContractType,
    FollowUpKind,
    HandoffKind,
    HandoffStatus,
    HourKind,
    IncidentType,
    OfferStatus,
    PositioningStatus,
    ReviewMoment,
)
from suivi.models import (
    SUBCONTRACTOR_KINDS,
    Assignment,
    FollowUpEvent,
    Handoff,
    HourEntry,
    JobOffer,
    Outcome,
    OutcomeCheck,
    Positioning,
    PositioningEvent,
    SkillsReview,
    SkillsReviewItem,
    WorkContract,
)
from tests.conftest import restore_reference_data

pytestmark = pytest.mark.django_db

MODELS = (User, Organisation, Membership, Buyer, Market, Lot, Company, Award,
          Participant, Consent, Proof, EligibilityDiagnosis, Referral, ReferralEvent,
          JobOffer, Positioning, PositioningEvent, WorkContract, Assignment, HourEntry,
          Handoff, FollowUpEvent, SkillsReview, SkillsReviewItem, Outcome, OutcomeCheck,
          CommitteeMeeting, CommitteeDecision)  # fmt: skip


@pytest.fixture(scope="module")
def demo_storage(tmp_path_factory):
    location = tmp_path_factory.mktemp("demo-private")
    storage = {"BACKEND": "clauses.storage.PrivateFileSystemStorage", "OPTIONS": {"location": location}}
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(STORAGES={"default": storage, "staticfiles": static}):
        yield location


@pytest.fixture(autouse=True)
def _private_files_in_a_temporary_folder(demo_storage):
    """This module's files stay in the folder the demo was seeded into (instead of one folder per test)."""
    return demo_storage


@pytest.fixture(scope="module", autouse=True)
def seeded(django_db_setup, django_db_blocker, demo_storage):
    with django_db_blocker.unblock():
        restore_reference_data()  # a transactional test run before this module may have erased them
        call_command("seed_demo")
        yield
        call_command("flush", interactive=False, verbosity=0)  # the next modules start from an empty database


def counts():
    return {model.__name__: (model.objects.count(), model.history.count()) for model in MODELS}


def test_a_second_run_changes_nothing_and_prints_the_logins(capsys):
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    out = capsys.readouterr().out
    for email in DEMO_LOGINS.values():
        assert email in out
    assert f"Participants : {first['Participant'][0]} personnes" in out
    assert f"{first['WorkContract'][0]} contrats dont" in out


def test_one_login_per_role_with_the_demo_password():
    for role, email in DEMO_LOGINS.items():
        user = User.objects.get(email=email)
        assert user.check_password(DEMO_PASSWORD)
        assert user.memberships.get().role == role


def test_a_changed_demo_membership_is_restored():
    membership = Membership.objects.get(user__email=DEMO_LOGINS[Role.FACILITATEUR])
    membership.role = Role.COMITE
    membership.save()
    call_command("seed_demo")
    membership.refresh_from_db()
    assert membership.role == Role.FACILITATEUR


@pytest.mark.parametrize("setting", ["IS_PRODUCTION", "SECRET_KEY"])
def test_production_configurations_are_refused(settings, setting):
    setattr(settings, setting, True if setting == "IS_PRODUCTION" else "une-vraie-cle-" + "x" * 40)
    before = counts()
    with pytest.raises(CommandError, match="refusé en production"):
        call_command("seed_demo")
    assert counts() == before


# --- Marchés --------------------------------------------------------------------------------------------------

# What each status says of a market's dates on a given day.
AGREES_WITH_DATES = {
    MarketStatus.PROGRAMME: lambda m, today: (
        m.publication_date is None and m.attribution_date is None and m.expected_attribution_date > today
    ),
    MarketStatus.CONSULTATION: lambda m, today: (
        m.attribution_date is None and m.publication_date <= today < m.expected_attribution_date
    ),
    MarketStatus.ATTRIBUE: lambda m, today: m.attribution_date <= today < m.start_date,
    MarketStatus.EXECUTION: lambda m, today: m.attribution_date <= today and m.start_date <= today <= m.end_date,
    MarketStatus.TERMINE: lambda m, today: m.attribution_date <= today and m.end_date < today,
    MarketStatus.ABANDONNE: lambda m, today: m.attribution_date is None,
}


def test_markets_are_varied_and_valid():
    assert 12 <= Buyer.objects.count() <= 18
    assert 50 <= Market.objects.count() <= 70
    assert set(Market.objects.values_list("status", flat=True)) == set(MarketStatus.values)
    kinds = set(Company.objects.values_list("kind", flat=True))
    assert {CompanyKind.EI, CompanyKind.ETTI, CompanyKind.GEIQ, CompanyKind.EA} <= kinds
    for model in (Buyer, Market, Lot, Company, Award):
        for obj in model.objects.all():
            obj.full_clean()
    assert [
        lot for lot in Lot.objects.select_related("market") if PRESETS[lot.trade].nature != lot.market.nature
    ] == []


def test_market_statuses_agree_with_dates_and_awards_share_exactly_the_required_hours():
    today = timezone.localdate()
    markets = Market.objects.all()
    assert [m.reference for m in markets if not AGREES_WITH_DATES[m.status](m, today)] == []
    assert not markets.filter(Q(publication_date__gt=today) | Q(attribution_date__gt=today)).exists()
    assert Award.objects.exists()
    assert not Award.objects.exclude(company__structure=F("lot__market__structure")).exists()
    assert not Award.objects.exclude(lot__market__status__in=ATTRIBUTED).exists()
    lots = Lot.objects.filter(market__status__in=ATTRIBUTED).annotate(committed=Sum("awards__hours_committed"))
    assert [lot for lot in lots if lot.committed != lot.required_hours] == []


# --- Participants ---------------------------------------------------------------------------------------------


def test_participants_cover_every_situation_with_consent_and_referent():
    today = timezone.localdate()
    assert 180 <= Participant.objects.count() <= 220
    for code in EligibilityCriterion.objects.values_list("code", flat=True):
        assert Participant.objects.meeting_facts(code, today).exists(), code
    for participant in Participant.objects.select_related("referent_organisation"):
        assert participant.consents.filter(withdrawn_on__isnull=True).exists()
        referent = participant.referent_organisation
        assert referent.partner_structures.filter(pk=participant.structure_id).exists()
        assert referent.memberships.filter(user__email=participant.referent_email, role=Role.PRESCRIPTEUR).exists()
    for model in (Participant, Consent, Proof, EligibilityDiagnosis, Referral, ReferralEvent):
        for obj in model.objects.all():
            obj.full_clean(exclude=["file"] if model is Proof else None)


def test_proofs_are_small_pdfs_in_private_storage_mostly_verified():
    for proof in Proof.objects.all():
        assert proof.file.storage.exists(proof.file.name)
        with proof.file.open("rb") as stored:
            assert stored.read(5) == b"%PDF-"
        assert proof.size < 2000
    assert Proof.objects.filter(status=ProofStatus.VERIFIE).count() > Proof.objects.count() / 2


def test_diagnoses_show_every_outcome_within_the_structure():
    diagnoses = EligibilityDiagnosis.objects.all()
    assert diagnoses.filter(eligible=True).exists()
    assert diagnoses.filter(eligible=False).exists()
    assert diagnoses.filter(provisional=True).exists()
    assert not diagnoses.exclude(market__structure=F("participant__structure")).exists()


def test_fiches_navettes_in_every_status_with_their_steps():
    referrals = Referral.objects.all()
    assert set(referrals.values_list("status", flat=True)) == set(ReferralStatus.values)
    assert referrals.values("prescriber_organisation").distinct().count() >= 8
    for referral in referrals.select_related("created_by"):
        assert Membership.objects.filter(
            user=referral.created_by, organisation=referral.prescriber_organisation_id, role=Role.PRESCRIPTEUR
        ).exists()
        steps = list(referral.events.order_by("at", "pk"))
        if referral.status == ReferralStatus.BROUILLON:
            assert steps == []
            continue
        assert steps[0].to_status == ReferralStatus.SOUMISE
        assert steps[-1].to_status == referral.status
        assert referral.consent_confirmed and referral.consent_date
        if referral.status in (ReferralStatus.A_COMPLETER, ReferralStatus.REFUSEE):
            assert len(steps[-1].message) > 40
        if referral.status == ReferralStatus.ACCEPTEE:
            assert referral.participant.structure_id == referral.structure_id
    accepted = referrals.filter(status=ReferralStatus.ACCEPTEE)
    assert accepted.filter(participant__created_at__lt=F("created_at")).exists()  # some were already followed
    counsellor = User.objects.get(email=f"sandrine.joly@{DEMO_DOMAIN}")
    assert counsellor.check_password(DEMO_PASSWORD) and counsellor.memberships.get().role == Role.PRESCRIPTEUR


# --- Suivi ----------------------------------------------------------------------------------------------------


def test_contracts_of_every_kind_in_both_structures():
    contracts = list(WorkContract.objects.select_related("employer", "company", "structure"))
    assert 200 <= len(contracts) <= 300
    per_structure = Counter(c.structure.name for c in contracts)
    assert len(per_structure) == 2 and min(per_structure.values()) >= 40
    D, LENT, TEMP = (
        ContractModality.EMBAUCHE_DIRECTE,
        ContractModality.MISE_A_DISPOSITION,
        ContractModality.MISSION_INTERIM,
    )
    kinds = {(c.contract_type, c.modality, c.employer.kind) for c in contracts}
    assert {
        (ContractType.CDD, D, CompanyKind.CLASSIQUE),
        (ContractType.CDI, D, CompanyKind.CLASSIQUE),
        (ContractType.CDDI, D, CompanyKind.EI),
        (ContractType.CTTI, TEMP, CompanyKind.ETTI),
        (ContractType.PROFESSIONNALISATION, LENT, CompanyKind.GEIQ),
        (ContractType.APPRENTISSAGE, D, CompanyKind.CLASSIQUE),
    } <= kinds
    placed = [c for c in contracts if c.modality != D]
    assert placed and all(c.company.kind == CompanyKind.CLASSIQUE and c.employer != c.company for c in placed)
    for contract in contracts:
        contract.full_clean()
        assert contract.tutor_name and contract.rome_code
    today = timezone.localdate()
    running = [c for c in contracts if c.is_running_on(today)]
    ended = [c for c in contracts if c.actual_end_date]
    assert len(running) >= 30 and len(ended) >= 100
    assert all(c.end_reason for c in ended) and len({c.end_reason for c in ended}) >= 3
    assert not [c for c in contracts if c.end_date and c.end_date < today and not c.actual_end_date]


def test_contracts_from_retained_positionings_on_their_company_offers():
    contracts = WorkContract.objects.filter(positioning__isnull=False).select_related("positioning__offer")
    assert contracts.count() >= 50
    for contract in contracts:
        positioning = contract.positioning
        assert positioning.status == PositioningStatus.RETENU
        assert positioning.participant_id == contract.participant_id
        assert positioning.offer.award_id in set(contract.assignments.values_list("award_id", flat=True))
        assert positioning.decided_at.date() <= contract.start_date


def test_mutualised_contracts_serve_two_markets_of_the_same_company():  # R-HRS-2
    mutualised = WorkContract.objects.annotate(n=Count("assignments")).filter(n__gt=1)
    assert mutualised.count() >= 5
    for contract in mutualised:
        awards = list(contract.awards.select_related("lot"))
        assert len(awards) == 2 and {a.company_id for a in awards} == {contract.company_id}
        assert awards[0].lot.market_id != awards[1].lot.market_id
        assert set(contract.assignments.values_list("hour_entries__award", flat=True)) == {a.pk for a in awards}


def test_hours_lie_within_their_contracts_under_the_legal_ceiling():  # R-HRS-3
    today = timezone.localdate()
    totals = defaultdict(Decimal)
    entries = HourEntry.objects.filter(assignment__isnull=False).select_related(
        "assignment__contract", "award__lot__market"
    )
    for entry in entries:
        contract, market = entry.assignment.contract, entry.award.lot.market
        assert entry.award_id == entry.assignment.award_id and entry.kind in PERSON_KINDS and entry.hours > 0
        assert contract.period.covers(entry.month) and entry.month <= rules.month_start(today)
        assert rules.month_start(market.attribution_date) <= entry.month <= market.end_date
        totals[(contract, entry.month)] += entry.hours
    assert len(totals) > 500
    assert [key for key, hours in totals.items() if hours > rules.monthly_ceiling(key[0].period, key[1])] == []
    # A month's hours are about the weekly hours over the weeks covered: not far above it
    assert [key for key, hours in totals.items() if hours > key[0].weekly_hours * 5 * Decimal("1.3")] == []


def test_hours_are_recorded_once_and_the_writer_accepts_them_all():
    once = HourEntry.objects.values("assignment", "award", "subcontractor", "month", "kind").annotate(n=Count("pk"))
    assert not once.filter(n__gt=1).exists()
    entries = list(
        HourEntry.objects.select_related(
            "assignment__contract", "assignment__award__lot__market", "award__lot__market", "subcontractor"
        )
    )
    cells = [
        suivi_services.Cell(month=e.month, kind=e.kind, hours=e.hours, assignment=e.assignment, award=e.award,
                            subcontractor=e.subcontractor, key=str(e.pk))
        for e in entries
    ]  # fmt: skip
    assert suivi_services.validate_cells(cells) == {}
    for entry in entries[::25]:
        entry.full_clean()


def test_some_hours_are_subcontracted_and_work_study_contracts_have_training_hours():  # R-HRS-1
    subcontracted = HourEntry.objects.filter(kind=HourKind.SOUS_TRAITANCE).select_related("subcontractor")
    assert subcontracted.count() > 100
    assert {e.subcontractor.kind for e in subcontracted} <= set(SUBCONTRACTOR_KINDS)
    assert subcontracted.filter(subcontractor=F("award__company")).exists()  # an inclusive company's own share
    assert subcontracted.exclude(subcontractor=F("award__company")).exists()  # part of a titulaire's
    training = HourEntry.objects.filter(kind=HourKind.FORMATION)
    assert training.filter(assignment__contract__contract_type__in=WORK_STUDY_CONTRACTS).count() > 20


def test_hours_count_where_eligibility_holds_with_a_few_realistic_exceptions():  # R-ELIG-1, R-ELIG-4
    assignments = list(Assignment.objects.select_related("contract", "diagnosis", "award__lot__market"))
    not_counted = [a for a in assignments if not a.counts]
    assert 2 <= len(not_counted) <= 6
    for assignment in assignments:
        if assignment.counts:
            market, diagnosis = assignment.award.lot.market, assignment.diagnosis
            assert diagnosis.eligible and not diagnosis.provisional
            assert diagnosis.assessed_on == market.attribution_date
            assert assignment.contract.start_date <= diagnosis.valid_until
    early = [
        a for a in assignments
        if a.contract.is_work_study and a.contract.start_date < a.award.lot.market.attribution_date
    ]  # fmt: skip
    assert {(a.has_exception, a.counts) for a in early} == {(True, True), (False, False)}
    assert [a for a in not_counted if a.diagnosis is None]  # eligibility still to establish
    assert [a for a in not_counted if a.diagnosis is not None and not a.diagnosis.eligible]


def test_obligations_progress_realistically():  # R-HRS-4
    today = timezone.localdate()
    awards = attach_award_progress(
        with_award_hours(Award.objects.filter(lot__market__status__in=ATTRIBUTED).select_related("lot__market")),
        today,
    )
    assert [a for a in awards if a.progress.done > a.hours_committed * Decimal("1.35")] == []
    running = Counter(a.progress.pace for a in awards if a.lot.market.status == MarketStatus.EXECUTION)
    assert running[Pace.ON_TRACK] + running[Pace.MET] > sum(running.values()) / 2
    assert running[Pace.WATCH] >= 3 and running[Pace.BEHIND] >= 3
    finished = Counter(a.progress.pace for a in awards if a.lot.market.status == MarketStatus.TERMINE)
    assert finished[Pace.MET] >= 0.75 * sum(finished.values()) and finished[Pace.MISSED] >= 1
    by_company = defaultdict(list)
    for award in awards:
        if award.lot.market.status == MarketStatus.EXECUTION:
            by_company[award.company_id].append(award.progress)
    behind = [c for c, parts in by_company.items() if Progress.combine(parts, today).is_behind]
    assert 2 <= len(behind) <= len(by_company) / 4  # a few companies clearly behind


def test_offers_in_every_status_with_the_liaison_form_filled():
    offers = list(JobOffer.objects.select_related("award__lot__market"))
    assert set(o.status for o in offers) == set(OfferStatus.values)
    for offer in offers:
        offer.full_clean()
        assert offer.award.lot.market.status in ATTRIBUTED
        assert offer.rome_code and offer.activities and offer.skills and offer.gross_salary and offer.workplace
        assert (offer.published_at is None) == (offer.status == OfferStatus.BROUILLON)
        assert offer.created_at <= (offer.published_at or offer.created_at) <= timezone.now()
    masonry = {o.rome_code for o in offers if o.award.lot.trade == Trade.GROS_OEUVRE}
    assert masonry and masonry <= {"F1701", "F1703", "F1704"}
    assert {o.award.lot.trade for o in offers if o.rome_code == "K2204"} == {Trade.NETTOYAGE}


def test_positionings_in_every_status_with_their_steps():  # R-FEEDBACK, R-RECONTACT
    positionings = list(Positioning.objects.select_related("proposed_by_organisation", "proposed_by"))
    assert set(p.status for p in positionings) == set(PositioningStatus.values)
    for positioning in positionings:
        positioning.full_clean()
        steps = list(positioning.events.order_by("at", "pk"))
        assert (steps[0].from_status, steps[0].to_status) == ("", PositioningStatus.PROPOSE)
        assert steps[-1].to_status == positioning.status
        assert steps[0].at == positioning.proposed_at and steps[-1].at <= timezone.now()
        if positioning.status == PositioningStatus.NON_RETENU:
            assert positioning.non_retention_reason and len(positioning.feedback) > 40
        if positioning.status == PositioningStatus.RETENU:
            assert positioning.feedback and positioning.decided_at
        organisation = positioning.proposed_by_organisation
        if organisation.kind == OrganisationKind.PRESCRIPTEUR:
            assert positioning.proposed_by.memberships.filter(organisation=organisation, role=Role.PRESCRIPTEUR)
    kinds = Counter(p.proposed_by_organisation.kind for p in positionings)
    # Both proposers are well represented (about 140 by prescribers, 30 to 40 by facilitators: the draw moves a
    # little between runs, see the note on the demo's ordering).
    assert kinds[OrganisationKind.PRESCRIPTEUR] > 100 and kinds[OrganisationKind.FACILITATION] >= 25
    assert [p for p in positionings if p.referral_id and not p.participant_id]  # a fiche navette still examined
    assert [p for p in positionings if p.referent_informed_on and p.referent_informed_how]  # a former beneficiary


def test_people_were_followed_before_they_worked():
    for contract in WorkContract.objects.select_related("participant"):
        person = contract.participant
        assert person.created_at.date() <= contract.start_date
        assert person.consents.filter(withdrawn_on__isnull=True, given_on__lte=contract.start_date).exists()


# --- Follow-up during and after the clause, committees --------------------------------------------------------


def test_follow_up_in_employment_with_a_few_open_alerts_one_urgent():  # R-INCIDENT
    events = FollowUpEvent.objects.all()
    kinds = Counter(events.values_list("kind", flat=True))
    assert all(kinds[kind] > 0 for kind in FollowUpKind)
    alerts = events.open_alerts()
    assert 1 <= alerts.count() <= 10  # an ordinary morning: a handful to deal with, not hundreds
    assert alerts.filter(incident_type=IncidentType.SOUFFRANCE, severity="urgente").exists()
    closed = events.incidents().filter(closed_at__isnull=False)
    assert closed.exists() and not closed.filter(action_taken="").exists()
    for event in events.select_related("contract"):
        assert event.contract.start_date <= event.date <= timezone.localdate()


def test_reserved_follow_up_is_left_to_the_employer():  # R-RESERVED
    reserved = WorkContract.objects.with_employer_follow_up().filter(employer_follow_up=True)
    assert reserved.exists()
    assert not FollowUpEvent.objects.filter(
        contract__in=reserved, kind__in=(FollowUpKind.VISITE, FollowUpKind.TELEPHONE, FollowUpKind.REUNION)
    ).exists()


def test_passages_de_relais_mostly_done_a_few_on_the_to_do_list():  # R-SEQ
    handoffs = Handoff.objects.all()
    assert handoffs.filter(kind=HandoffKind.ENTREE).exists() and handoffs.filter(kind=HandoffKind.RETOUR).exists()
    statuses = Counter(handoffs.values_list("status", flat=True))
    assert statuses[HandoffStatus.ACCUSE] > statuses[HandoffStatus.A_ENVOYER] > 0
    assert statuses[HandoffStatus.ENVOYE] > 0
    sent_returns = handoffs.filter(kind=HandoffKind.RETOUR).exclude(status=HandoffStatus.A_ENVOYER)
    assert sent_returns.exists() and not sent_returns.filter(participant_message="").exists()
    # Every return concerns someone whose contracts are all over.
    today = timezone.localdate()
    for handoff in handoffs.filter(kind=HandoffKind.RETOUR).select_related("participant"):
        assert not WorkContract.objects.filter(participant=handoff.participant).running_on(today).exists()


def test_skills_documents_at_start_and_end_with_progress():  # R-REFERENT
    reviews = SkillsReview.objects.all()
    assert reviews.filter(moment=ReviewMoment.DEBUT).count() > reviews.filter(moment=ReviewMoment.FIN).count() > 0
    assert not reviews.annotate(n=Count("items")).filter(n__lt=9).exists()
    levels = SkillsReviewItem.objects.filter(review__moment=ReviewMoment.FIN).aggregate(end=Sum("participant_level"))[
        "end"
    ]
    starts = SkillsReviewItem.objects.filter(
        review__moment=ReviewMoment.DEBUT, review__contract__skills_reviews__moment=ReviewMoment.FIN
    ).aggregate(start=Sum("participant_level"))["start"]
    assert levels > starts


def test_sorties_and_checks_at_6_12_18_24_months():  # R-OUTCOME
    today = timezone.localdate()
    outcomes = Outcome.objects.all()
    assert len(set(outcomes.values_list("category", flat=True))) == 4
    checks = OutcomeCheck.objects.all()
    assert set(checks.values_list("months", flat=True)) >= {6, 12}
    for check in checks:
        assert check.due_date == outcome_rules.check_due_date(check.first_contract_start, check.months)
    statuses = Counter(checks.values_list("status", flat=True))
    assert statuses[CheckStatus.FAIT] > statuses[CheckStatus.A_FAIRE] > 0
    overdue = [c for c in checks if outcome_rules.is_overdue(due_date=c.due_date, status=c.status, on=today)]
    assert 0 < len(overdue) < statuses[CheckStatus.A_FAIRE] + 1


def test_committees_held_and_the_next_one_in_preparation():  # R-COMMITTEE
    for structure in Organisation.objects.filter(kind=OrganisationKind.FACILITATION, email__endswith=DEMO_DOMAIN):
        meetings = CommitteeMeeting.objects.filter(structure=structure)
        assert meetings.filter(status=MeetingStatus.TENU).count() >= 3
        assert meetings.filter(status=MeetingStatus.PREPARATION, date__gt=timezone.localdate()).count() == 1
        assert not meetings.filter(agenda={}).exists()
        assert CommitteeDecision.objects.filter(meeting__structure=structure).exists()
    member = User.objects.get(email=DEMO_LOGINS[Role.COMITE])
    assert CommitteeMeeting.objects.filter(attendees=member, status=MeetingStatus.PREPARATION).exists()


def test_committee_agendas_name_nobody():
    names = set(Participant.objects.values_list("last_name", flat=True))
    for meeting in CommitteeMeeting.objects.all():
        text = str(meeting.agenda) + meeting.minutes
        assert not any(f" {name} " in text or f"'{name}'" in text for name in names)
