"""RGPD in the technical admin: an anonymised record is read-only there (no change, no version restored from its
history, no deletion, inlines frozen), and a participant's page opened there is written in the consultations log."""

import pytest
from django.urls import reverse

from participants.enums import ViewKind
from participants.models import Consent, Participant, ParticipantViewLog, Referral
from suivi import retention
from tests.html import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client, world):
    user = world.admin.user
    user.is_staff = user.is_superuser = True
    user.save()
    client.force_login(user)
    return client


def test_an_anonymised_participant_is_read_only_in_the_admin(superuser_client, world):
    client, person = superuser_client, world.participant
    Referral.objects.filter(pk=world.referral.pk).update(participant=person)
    before = person.history.earliest()  # a version from before the anonymisation
    retention.participant_anonymise(participant=person)
    change = reverse("admin:participants_participant_change", args=[person.pk])
    page = client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert "Personne" in text(page)  # shown, read-only
    data = {"last_name": "Restaurée", "first_name": "X", "birth_date": "1985-04-12", "sex": "F",
            "structure": world.structure.pk, "consents-TOTAL_FORMS": "0", "consents-INITIAL_FORMS": "0"}  # fmt: skip
    assert client.post(change, data).status_code == 403
    assert (
        client.post(reverse("admin:participants_participant_delete", args=[person.pk]), {"post": "yes"}).status_code
        == 403
    )
    revert = reverse("admin:participants_participant_simple_history", args=[person.pk, before.history_id])
    assert client.post(revert, data).status_code == 403
    referral = reverse("admin:participants_referral_change", args=[world.referral.pk])
    assert 'name="_save"' not in client.get(referral).content.decode()
    assert client.post(referral, {}).status_code == 403
    person = Participant.objects.get(pk=person.pk)
    assert person.is_anonymised and person.last_name == "anonymisée"
    assert Consent.objects.filter(participant=person).count() == 1


def test_a_participant_opened_in_the_admin_is_in_the_log_and_others_stay_editable(superuser_client, world):
    client, person = superuser_client, world.sibling_participant
    change = reverse("admin:participants_participant_change", args=[person.pk])
    page = client.get(change)
    assert 'name="_save"' in page.content.decode()  # not anonymised: the technical admin may fix it
    client.get(reverse("admin:participants_participant_history", args=[person.pk]))
    logged = ParticipantViewLog.objects.filter(participant=person, user=world.admin.user)
    assert list(logged.values_list("what", flat=True)) == [ViewKind.ADMIN]  # once per window
    assert client.get(reverse("admin:participants_participant_changelist")).status_code == 200
    assert logged.count() == 1  # the list shows no one's data: not logged


@pytest.mark.parametrize("view", ["change", "history"])
def test_a_malformed_id_in_the_admin_is_no_server_error(superuser_client, view):
    url = reverse(f"admin:participants_participant_{view}", args=["abc"])
    response = superuser_client.get(url)
    assert response.status_code in (302, 404)  # Django's "n'existe pas" message, or not found: never a 500
    assert not ParticipantViewLog.objects.exists()
    revert = reverse("admin:participants_referral_simple_history", args=["abc", 1])
    assert superuser_client.post(revert, {}).status_code in (302, 403, 404)
