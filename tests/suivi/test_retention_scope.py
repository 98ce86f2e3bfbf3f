"""What anonymisation must reach beyond the person's row (issue 9, RGPD review): every free text of the parcours,
whatever the list that drives the scrubbing says, with its history and change reasons; the fiches navettes that
never led to a person; the hour-import spreadsheets; and the checks taken again under the row's lock."""

import datetime
import io

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import models
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from participants import services as participant_services
from participants.enums import ReferralStatus
from participants.models import Consent, Participant, Proof, Referral, ReferralEvent
from suivi import retention
from suivi import services as suivi_services
from suivi.enums import ImportStatus
from suivi.models import (
    Assignment,
    Handoff,
    HourEntry,
    HourImport,
    Positioning,
    PositioningEvent,
    SkillsReview,
    WorkContract,
)
from suivi.services import handoffs
from tests.suivi.factories import PositioningFactory, hours
from tests.suivi.factories_followup import FollowUpEventFactory, HandoffFactory
from tests.suivi.factories_skills import OutcomeCheckFactory, OutcomeFactory, SkillsReviewFactory

pytestmark = pytest.mark.django_db

SECRET = "Zorglubienne"
# Text fields of the parcours that are not about the person (the test writes the secret everywhere else).
NOT_ABOUT_THE_PERSON = {
    (WorkContract, "job_title"),  # the post, counted by the GPEC view
    (WorkContract, "rome_code"),
    (WorkContract, "tutor_name"),  # the company's tutor
    (WorkContract, "tutor_phone"),
    (Assignment, "reason"),  # computed: why the hours count or not
    (SkillsReview, "company_person"),  # the tutor, a professional
    (SkillsReview, "referent_person"),  # the référent, a professional
    (Handoff, "to_name"),  # the référent, a professional
}


def on_commit():
    return TestCase.captureOnCommitCallbacks(execute=True)


def free_text_fields(model):
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, (models.CharField, models.TextField))
        and not f.choices
        and not isinstance(f, (models.EmailField, models.SlugField))
        and (model, f.name) not in NOT_ABOUT_THE_PERSON
    ]


def write_secret(obj, reason=None):
    """The secret in every free text of `obj`, saved through the model (a historical row is written)."""
    for name in free_text_fields(type(obj)):
        setattr(obj, name, SECRET)
    obj._change_reason = reason or f"motif : {SECRET}"
    obj.save()
    return obj


def rows_holding_secret():
    """Every table of the project, historical ones included, searched for the secret: {table: count}."""
    found = {}
    for model in apps.get_models():
        if model._meta.app_label not in ("participants", "suivi", "comites", "reporting", "marches"):
            continue
        fields = [f.name for f in model._meta.concrete_fields if isinstance(f, (models.CharField, models.TextField))]
        query = models.Q()
        for name in fields:
            query |= models.Q(**{f"{name}__icontains": SECRET})
        if fields and (count := model._default_manager.filter(query).count()):
            found[model._meta.db_table] = count
    return found


def test_every_free_text_of_the_parcours_goes_with_its_history_and_change_reasons(world):
    """The secret is written in every free text of every row of the parcours (not only those `retention.TEXTS`
    lists): after anonymisation no table holds it. Removing an entry of TEXTS, or adding a free text to a model
    without listing it, leaves it somewhere and fails this test."""
    person, contract = world.participant, world.contract
    Referral.objects.filter(pk=world.referral.pk).update(participant=person, status=ReferralStatus.ACCEPTEE)
    by_referral = PositioningFactory(offer=world.draft_offer, participant=None, referral=world.referral)
    hours(world.assignment, datetime.date(2026, 3, 1), "35")
    handoff = HandoffFactory(contract=contract, to_send=True)
    objects = [
        contract,
        world.assignment,
        HourEntry.objects.get(assignment=world.assignment),
        world.positioning,
        by_referral,
        PositioningEvent.objects.create(positioning=world.positioning, to_status="propose"),
        PositioningEvent.objects.create(positioning=by_referral, to_status="propose"),
        FollowUpEventFactory(contract=contract, incident=True, closed=True),
        SkillsReviewFactory(contract=contract),
        handoff,
        OutcomeFactory(participant=person),
        OutcomeCheckFactory(participant=person),
    ]
    for obj in objects:
        write_secret(obj)
    handoffs.handoff_cancel(handoff=Handoff.objects.get(pk=handoff.pk), by=world.facilitateur.user, reason=SECRET)
    assert Handoff.history.filter(id=handoff.pk, history_change_reason=f"annulé : {SECRET}").exists()
    # Every model TEXTS names is reached by a row above, by each of its paths.
    for model, path, _ in retention.TEXTS:
        assert model.objects.filter(**{path: person}).exists(), (model, path)
    assert {type(obj) for obj in objects} >= {model for model, _, _ in retention.TEXTS}
    sibling = write_secret(FollowUpEventFactory(contract=world.sibling_contract))

    with on_commit():
        retention.participant_anonymise(participant=person)

    assert rows_holding_secret() == {"suivi_followupevent": 1, "suivi_historicalfollowupevent": 1}  # the sibling's
    sibling.refresh_from_db()
    assert sibling.note == SECRET
    for model, path, fields in retention.TEXTS:
        pks = list(model.objects.filter(**{path: person}).values_list("pk", flat=True))
        for row in [*model.objects.filter(pk__in=pks), *model.history.filter(id__in=pks)]:
            assert all(getattr(row, name) in ("", retention.ERASED) for name in fields), (model, row)
    reasons = set(Handoff.history.filter(id=handoff.pk).values_list("history_change_reason", flat=True))
    assert reasons <= {None, participant_services.HISTORY_REASON_ERASED}


# --- Fiches navettes that ended without a person -----------------------------------------------------------------


def age_referral(referral, day):
    """A fiche whose every event happened on `day`."""
    moment = datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC)
    Referral.objects.filter(pk=referral.pk).update(updated_at=moment, submitted_at=moment, created_at=moment)
    ReferralEvent.objects.filter(referral=referral).update(at=moment)


def test_a_fiche_that_ended_without_a_person_is_anonymised_a_year_after_its_last_event(world, settings):
    settings.REFERRAL_RETENTION_MONTHS = 12
    today = timezone.localdate()
    refused = world.referral  # sent by our prescriber, with a CV
    refused.motivation, refused.review_note = f"A quitté {SECRET}.", f"Appel : {SECRET} hésite."
    refused.save()
    ReferralEvent.objects.create(referral=refused, to_status=ReferralStatus.REFUSEE, message=f"Refus, {SECRET}.")
    Referral.objects.filter(pk=refused.pk).update(status=ReferralStatus.REFUSEE, refusal_reason="non_eligible",
                                                   decided_at=timezone.now())  # fmt: skip
    positioning = write_secret(PositioningFactory(offer=world.offer, participant=None, referral=refused))
    Positioning.objects.filter(pk=positioning.pk).update(proposed_at=timezone.now() - datetime.timedelta(days=800))
    age_referral(refused, today - datetime.timedelta(days=400))
    Referral.objects.filter(pk=refused.pk).update(decided_at=None)
    recent = world.sibling_referral  # a step today: kept
    age_referral(recent, today - datetime.timedelta(days=400))
    ReferralEvent.objects.create(referral=recent, to_status=ReferralStatus.A_COMPLETER)
    cv = world.referral_proof

    out = io.StringIO()
    call_command("anonymise_participants", stdout=out)
    report = out.getvalue()
    assert f"{refused.public_id} (refusée" in report and str(recent.public_id) not in report
    assert SECRET not in report and refused.last_name not in report
    assert Referral.objects.get(pk=refused.pk).anonymised_at is None  # a dry run

    with on_commit():
        call_command("anonymise_participants", "--wet-run", stdout=io.StringIO())
    refused = Referral.objects.get(pk=refused.pk)
    assert refused.is_anonymised and refused.full_name == "Personne anonymisée"
    assert (refused.status, refused.refusal_reason) == (ReferralStatus.REFUSEE, "non_eligible")  # the figures
    assert refused.birth_date.day == 1 and not refused.is_editable and not refused.is_pending
    assert not Proof.objects.filter(pk=cv.pk).exists() and not cv.file.storage.exists(cv.file.name)
    assert rows_holding_secret() == {}
    assert Referral.objects.get(pk=recent.pk).anonymised_at is None
    # An anonymised fiche is no longer decided, nor sent again.
    with pytest.raises(ValidationError):
        participant_services.referral_save_review(referral=refused, by=world.facilitateur.user)


def test_an_anonymised_fiche_left_pending_waits_for_nothing_any_more(client, world, settings):
    settings.REFERRAL_RETENTION_MONTHS = 12
    pending = world.referral
    Referral.objects.filter(pk=pending.pk).update(status=ReferralStatus.SOUMISE, participant=None)
    age_referral(pending, timezone.localdate() - datetime.timedelta(days=400))
    with on_commit():
        call_command("anonymise_participants", "--wet-run", stdout=io.StringIO())
    pending = Referral.objects.get(pk=pending.pk)
    assert pending.is_anonymised and pending.status == ReferralStatus.SOUMISE
    assert not Referral.objects.filter(pk=pending.pk).pending().exists()
    client.force_login(world.facilitateur.user)
    listing = client.get(reverse("participants:referral_list"), {"pending": "true"}).content.decode()
    assert str(pending.public_id) not in listing
    review = client.get(reverse("participants:referral_review", args=[pending.public_id]))
    assert review.status_code == 302  # "Cette fiche n'attend pas de décision."
    with pytest.raises(ValidationError, match="anonymisée"):
        suivi_services.positioning_propose(
            offer=world.offer, referral=pending, by=world.facilitateur.user, organisation=world.structure,
            message="Nouveau texte",
        )  # fmt: skip


def test_a_fiche_is_checked_again_under_its_lock(world, settings):
    settings.REFERRAL_RETENTION_MONTHS = 12
    age_referral(world.referral, timezone.localdate() - datetime.timedelta(days=400))
    (due,) = [r for r, _ in retention.referrals_due(timezone.localdate()) if r.pk == world.referral.pk]
    ReferralEvent.objects.create(referral=world.referral, to_status=ReferralStatus.EN_VERIFICATION)  # meanwhile
    with pytest.raises(ValidationError):
        retention.referral_anonymise(referral=due, on=timezone.localdate())
    assert Referral.objects.get(pk=due.pk).anonymised_at is None


# --- Hour-import spreadsheets ------------------------------------------------------------------------------------


def test_import_spreadsheets_are_erased_after_their_retention_the_rows_and_figures_stay(world, settings):
    settings.IMPORT_FILE_RETENTION_DAYS = 90
    now = timezone.now()
    applied, waiting = world.hour_import, world.other_hour_import
    HourImport.objects.filter(pk=applied.pk).update(
        status=ImportStatus.APPLIQUE, applied_at=now - datetime.timedelta(days=91), summary={"hours": "35.00"}
    )
    HourImport.objects.filter(pk=waiting.pk).update(uploaded_at=now - datetime.timedelta(days=100))
    recent = HourImport(structure=applied.structure, original_name="récent.csv", sha256="0" * 64,
                        status=ImportStatus.APPLIQUE, applied_at=now - datetime.timedelta(days=89))  # fmt: skip
    recent.file.save("import", ContentFile(b"Mois;Nom\r\n"))
    files = {i.pk: i.file.name for i in HourImport.objects.all()}
    storage = applied.file.storage
    assert all(storage.exists(files[pk]) for pk in (applied.pk, waiting.pk))

    report = retention.anonymise_due(dry_run=True, now=now)
    assert {i.pk for i in report.imports} == {applied.pk, waiting.pk}
    with on_commit():
        report = retention.anonymise_due(dry_run=False, now=now)
    assert report.import_files_deleted == 2
    applied, waiting = HourImport.objects.get(pk=applied.pk), HourImport.objects.get(pk=waiting.pk)
    assert not applied.file and not storage.exists(files[applied.pk])
    assert (applied.status, applied.summary) == (ImportStatus.APPLIQUE, {"hours": "35.00"})
    assert waiting.status == ImportStatus.ABANDONNE and not storage.exists(files[waiting.pk])
    assert HourImport.objects.get(pk=recent.pk).file.name == files[recent.pk]  # 89 days: kept
    assert applied.history.first().history_change_reason == "fichier effacé (durée de conservation)"


# --- Decisions taken before the lock, checked again under it ------------------------------------------------------


def test_anonymisation_checks_again_under_the_lock_what_decided_it(world):
    person = world.sibling_participant
    old = datetime.datetime(2020, 3, 1, 9, tzinfo=datetime.UTC)
    WorkContract.objects.filter(participant=person).delete()
    Positioning.objects.filter(participant=person).delete()
    Participant.objects.filter(pk=person.pk).update(created_at=old)
    Consent.objects.filter(participant=person).update(given_on=old.date(), withdrawn_on=old.date())
    on = datetime.date(2023, 1, 1)
    assert person.pk in {d.participant.pk for d in retention.due_for_anonymisation(on)}
    assert retention.can_anonymise_now(person) == (True, "")
    # Meanwhile, the person consents again: neither the retention nor the administrator's decision holds any more.
    Consent.objects.create(participant=person, given_on=datetime.date(2022, 12, 1), method="ecrit")
    for kwargs in ({"due_on": on}, {"at_request": True}):
        with pytest.raises(ValidationError):
            retention.participant_anonymise(participant=person, **kwargs)
        assert Participant.objects.get(pk=person.pk).anonymised_at is None
    assert retention.can_anonymise_now(person)[0] is False  # a consent is active
    Consent.objects.filter(participant=person).update(withdrawn_on=datetime.date(2022, 12, 2))
    retention.participant_anonymise(participant=person, at_request=True)
    assert Participant.objects.get(pk=person.pk).is_anonymised
    # No consent, no contract recorded on an anonymised record (they take the same lock, and see it).
    with pytest.raises(ValidationError, match="anonymisée"):
        participant_services.consent_record(participant=person, consent=Consent(given_on=on, method="ecrit"), by=None)
    with pytest.raises(ValidationError, match="anonymisée"):
        suivi_services.contract_save(contract=WorkContract(participant=person), awards=[world.award], by=None)
