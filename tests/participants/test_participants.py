import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone

from marches.enums import QpvLocation
from participants.enums import ProofKind, ProofStatus
from participants.models import Consent, EligibilityDiagnosis, Participant, ParticipantViewLog, name_key
from tests.html import text
from tests.marches.factories import MarketFactory
from tests.participants.factories import ParticipantFactory, ProofFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def facilitator(client, world):
    client.force_login(world.facilitateur.user)
    return client


def participant_data(**overrides):
    return {
        "last_name": "Lefèvre",
        "first_name": "Aurélie",
        "birth_date": "1978-02-20",
        "sex": "F",
        "postcode": "44200",
        "city": "Nantes",
        "social_benefit": "rsa",
        "obstacles": ["mobilite", "garde_enfants"],
        "consent-given_on": "2026-11-10",
        "consent-method": "ecrit",
        "consent-information_given": "on",
    } | overrides


def test_facilitator_records_a_person_with_their_consent(facilitator, world):
    response = facilitator.post(reverse("participants:participant_create"), participant_data())
    participant = Participant.objects.get(last_name="Lefèvre")
    assert response.url == participant.get_absolute_url()
    assert participant.structure == world.structure and participant.created_by == world.facilitateur.user
    assert participant.obstacles == ["mobilite", "garde_enfants"]
    consent = participant.consents.get()
    assert consent.collected_by == world.facilitateur.user and consent.information_version


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("consent-information_given", "", "Sans consentement, seule l'identité peut être enregistrée"),
        ("consent-given_on", "2099-01-01", "La date du consentement est dans le futur"),
        ("birth_date", "", "Ce champ est obligatoire"),
        ("obstacles", ["sante"], "Sélectionnez un choix valide"),
        ("postcode", "ABCDE", "Un code postal compte 5 chiffres"),
        ("registration_date", "2099-05-01", "La date d'inscription est dans le futur"),
    ],
)
def test_bad_participant_input_is_explained_and_nothing_saved(facilitator, field, value, message):
    count, consents = Participant.objects.count(), Consent.objects.count()
    response = facilitator.post(reverse("participants:participant_create"), participant_data(**{field: value}))
    assert response.status_code == 200 and message in text(response)
    assert (Participant.objects.count(), Consent.objects.count()) == (count, consents)


def test_a_duplicate_is_flagged_then_recorded_only_on_confirmation(facilitator, world):
    ParticipantFactory(
        structure=world.structure, last_name="LEFEVRE", first_name="aurelie", birth_date=datetime.date(1978, 2, 20)
    )
    response = facilitator.post(reverse("participants:participant_create"), participant_data())
    assert "déjà suivie" in text(response)
    assert Participant.objects.filter(structure=world.structure, name_key="lefevre aurelie").count() == 1
    facilitator.post(reverse("participants:participant_create"), participant_data(confirm_duplicate="1"))
    assert Participant.objects.filter(structure=world.structure, name_key="lefevre aurelie").count() == 2


@pytest.mark.parametrize(
    ("typed", "recorded"),
    [(("AYDIN", "Elif"), ("Aydın", "Elif")), (("COEUR", "Anne"), ("Cœur", "Anne")),
     (("LE GALL", "Élodie"), ("Le Gall", "elodie")), (("SORENSEN", "Lars"), ("Sørensen", "Lars"))],
)  # fmt: skip
def test_a_name_typed_in_capitals_or_without_its_letters_has_the_same_key(typed, recorded):
    assert name_key(*typed) == name_key(*recorded)


def test_the_migration_gives_the_recorded_names_their_new_key(world):
    migration = importlib.import_module("participants.migrations.0004_name_key_plain_letters")
    Participant.objects.filter(pk=world.participant.pk).update(last_name="Aydın", name_key="aydın old")
    untouched = Participant.objects.filter(pk=world.sibling_participant.pk).values_list("name_key", flat=True).get()
    migration.recompute(django_apps, None)
    assert Participant.objects.get(pk=world.participant.pk).name_key == name_key("AYDIN", world.participant.first_name)
    assert Participant.objects.get(pk=world.sibling_participant.pk).name_key == untouched


def test_consent_withdrawal(facilitator, world):
    consent = world.participant.consents.get()
    url = reverse("participants:consent_withdraw", args=[consent.public_id])
    too_early = facilitator.post(url, {"withdrawn_on": "2020-01-01"})
    assert "Le retrait ne peut pas précéder le consentement" in text(too_early)
    facilitator.post(url, {"withdrawn_on": timezone.localdate().isoformat(), "note": "Demande écrite reçue."})
    consent.refresh_from_db()
    assert consent.withdrawn_on == timezone.localdate()
    page = text(facilitator.get(world.participant.get_absolute_url()))
    assert "Aucun consentement en cours" in page


def test_every_opening_of_a_record_is_logged(client, world):
    client.force_login(world.prescripteur.user)
    client.get(world.participant.get_absolute_url())
    client.force_login(world.facilitateur.user)
    client.get(world.participant.get_absolute_url())
    client.force_login(world.admin.user)  # the log is the administrators' (audit)
    page = text(client.get(world.participant.get_absolute_url()))
    logs = ParticipantViewLog.objects.filter(participant=world.participant)
    assert [log.user for log in logs.order_by("viewed_at")] == [
        world.prescripteur.user, world.facilitateur.user, world.admin.user
    ]  # fmt: skip
    assert "3 consultations enregistrées" in page


def test_the_prescriber_sees_the_follow_up_but_not_the_facilitators_notes(client, world):
    world.participant.notes = "Note interne : absent au dernier rendez-vous."
    world.participant.save()
    client.force_login(world.prescripteur.user)
    page = text(client.get(world.participant.get_absolute_url()))
    assert world.participant.last_name.upper() in page and "Éligibilité par marché" in page
    assert "Note interne" not in page and "Consultations du dossier" not in page
    assert "Évaluer l'éligibilité" not in page and "Modifier" not in page


def test_r_elig_1_diagnosis_at_the_attribution_date_with_verified_proofs(facilitator, world):
    # world.participant: registered since 15/01/2024, verified France Travail proof of 01/10/2026
    market = MarketFactory(
        structure=world.structure,
        attribution_date=datetime.date(2026, 10, 15),
        notification_date=datetime.date(2026, 10, 20),
        publication_date=datetime.date(2026, 7, 1),
    )
    response = facilitator.post(reverse("participants:diagnosis_create", args=[world.participant.public_id]),
                                {"market": market.pk})  # fmt: skip
    diagnosis = EligibilityDiagnosis.objects.get(participant=world.participant, market=market)
    assert response.url == diagnosis.get_absolute_url()
    assert diagnosis.eligible and diagnosis.criteria_met == ["deld", "detld"]  # 33 months registered
    assert (diagnosis.assessed_on, diagnosis.provisional) == (datetime.date(2026, 10, 15), False)
    assert diagnosis.valid_until == datetime.date(2028, 10, 15)
    page = text(facilitator.get(diagnosis.get_absolute_url()))
    assert "éligible" in page and "inscrit depuis 33 mois" in page


def test_r_elig_1_a_market_not_yet_attributed_gives_a_provisional_diagnosis(facilitator, world):
    planned = MarketFactory(structure=world.structure, programme=True)
    facilitator.post(
        reverse("participants:diagnosis_create", args=[world.participant.public_id]), {"market": planned.pk}
    )
    diagnosis = EligibilityDiagnosis.objects.get(participant=world.participant, market=planned)
    assert diagnosis.provisional and diagnosis.assessed_on == timezone.localdate()
    assert "provisoire" in text(facilitator.get(diagnosis.get_absolute_url()))


def test_r_elig_3_an_unverified_proof_does_not_make_anyone_eligible(facilitator, world):
    world.proof.status = ProofStatus.A_VERIFIER
    world.proof.save()
    facilitator.post(reverse("participants:diagnosis_create", args=[world.participant.public_id]),
                     {"market": world.market.pk})  # fmt: skip
    diagnosis = EligibilityDiagnosis.objects.get(participant=world.participant, market=world.market)
    assert not diagnosis.eligible
    assert any(c["to_verify"] for c in diagnosis.details if c["code"] == "deld")


def test_r_elig_2_a_market_that_narrows_its_publics_and_the_qpv_priority(facilitator, world):
    p = world.participant
    p.qpv_resident = True
    p.save()
    ProofFactory(participant=p, kind=ProofKind.DOMICILE)
    in_qpv = {"qpv": QpvLocation.DANS, "attribution_date": datetime.date(2026, 11, 1), "notification_date": None,
              "publication_date": None}  # fmt: skip
    open_to_all = MarketFactory(structure=world.structure, **in_qpv)
    youth_only = MarketFactory(structure=world.structure, target_publics=["jeunes"], **in_qpv)
    for market in (open_to_all, youth_only):
        facilitator.post(reverse("participants:diagnosis_create", args=[p.public_id]), {"market": market.pk})
    open_diagnosis = EligibilityDiagnosis.objects.get(participant=p, market=open_to_all)
    assert open_diagnosis.eligible and open_diagnosis.qpv_priority  # eligible, and first in line: lives in the QPV
    youth = EligibilityDiagnosis.objects.get(participant=p, market=youth_only)
    assert not youth.eligible and not youth.qpv_priority  # long-term jobseeker, but the market retains young people


def test_a_market_of_another_structure_cannot_be_chosen(facilitator, world):
    response = facilitator.post(reverse("participants:diagnosis_create", args=[world.participant.public_id]),
                                {"market": world.other_market.pk})  # fmt: skip
    assert "Sélectionnez un choix valide" in text(response)


def test_list_filters_by_criterion_qpv_referent_and_expiry(facilitator, world):
    url = reverse("participants:participant_list")

    def listed(**params):
        return {p.pk for p in facilitator.get(url, params).context["page"].object_list}

    young = ParticipantFactory(structure=world.structure, birth_date=datetime.date(2005, 1, 1), qpv_resident=True,
                               registration_date=None)  # fmt: skip
    assert listed() == {world.participant.pk, world.sibling_participant.pk, young.pk}
    assert listed(criterion="jeune") == {young.pk}
    assert listed(criterion="deld") == {world.participant.pk, world.sibling_participant.pk}
    assert listed(qpv_resident="true") == {young.pk}
    assert listed(referent_organisation=world.prescriber_org.public_id) == {world.participant.pk}
    ProofFactory(participant=young, kind=ProofKind.NOTIFICATION_RQTH,
                 valid_until=timezone.localdate() + datetime.timedelta(days=20))  # fmt: skip
    assert listed(expiring="on") == {young.pk}
    assert young.pk in listed(q=young.last_name) and world.participant.pk not in listed(q=young.last_name)


def test_the_expiring_page_lists_what_ends_within_60_days(facilitator, world):
    soon = timezone.localdate() + datetime.timedelta(days=30)
    later = timezone.localdate() + datetime.timedelta(days=90)
    ProofFactory(participant=world.participant, kind=ProofKind.NOTIFICATION_RQTH, valid_until=soon)
    ProofFactory(participant=world.participant, kind=ProofKind.TITRE_SEJOUR, valid_until=later)
    world.diagnosis.valid_until = soon
    world.diagnosis.save()
    response = facilitator.get(reverse("participants:expiring"))
    page = text(response)
    assert "notification RQTH (MDPH)" in page and "titre de séjour" not in page
    assert world.market.reference in page
    assert world.other_participant.last_name not in page


def test_after_a_withdrawal_partners_see_only_who_the_person_is(client, world):
    consent = world.participant.consents.get()
    consent.withdrawn_on = timezone.localdate()
    consent.save()
    client.force_login(world.prescripteur.user)
    page = text(client.get(world.participant.get_absolute_url()))
    assert "a retiré son consentement" in page and world.participant.last_name.upper() in page
    assert "Situation" not in page and "Justificatifs" not in page


def test_no_diagnosis_without_a_consent(facilitator, world):
    world.participant.consents.update(withdrawn_on=timezone.localdate())
    response = facilitator.post(reverse("participants:diagnosis_create", args=[world.participant.public_id]),
                                {"market": world.market.pk})  # fmt: skip
    assert "Sans consentement en cours" in text(response)


def test_prescribers_do_not_see_which_market_a_diagnosis_is_for(client, world):
    client.force_login(world.prescripteur.user)
    page = text(client.get(world.diagnosis.get_absolute_url()))
    assert "éligible" in page and world.market.reference not in page and world.market.title not in page
