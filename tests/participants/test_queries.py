"""Participants pages issue a fixed number of queries whatever the number of people, proofs or fiches."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clauses.accounts.enums import Role
from participants.models import EligibilityDiagnosis
from tests.marches.factories import MarketFactory
from tests.participants.factories import ParticipantFactory, ProofFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def grow(world, n):
    for _ in range(n):
        person = ParticipantFactory(structure=world.structure, referent_organisation=world.prescriber_org)
        ProofFactory(participant=person)
        ProofFactory(participant=world.participant)
        EligibilityDiagnosis.objects.create(
            participant=world.participant, market=MarketFactory(structure=world.structure),
            assessed_on=world.market.attribution_date, valid_until=world.market.end_date, eligible=True,
        )  # fmt: skip
        referral = ReferralFactory(
            structure=world.structure, prescriber_organisation=world.prescriber_org, participant=world.participant,
            created_by=world.prescripteur.user,
        )  # fmt: skip
        ProofFactory(participant=None, referral=world.referral, structure=world.structure)
        ProofFactory(participant=None, referral=referral, structure=world.structure)
        world.referral.claimed_criteria.add(*world.referral.claimed_criteria.model.objects.all()[:2])


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


FILTERS = "?criterion=deld&expiring=on"


def review_url(world):
    return reverse("participants:referral_review", args=[world.referral.public_id])


PAGES = [
    ("participants", Role.FACILITATEUR, lambda w: reverse("participants:participant_list")),
    ("participants", Role.PRESCRIPTEUR, lambda w: reverse("participants:participant_list")),
    ("participants filtrés", Role.FACILITATEUR, lambda w: reverse("participants:participant_list") + FILTERS),
    ("fiche participant", Role.FACILITATEUR, lambda w: w.participant.get_absolute_url()),
    ("fiche participant", Role.PRESCRIPTEUR, lambda w: w.participant.get_absolute_url()),
    ("fiches navettes", Role.FACILITATEUR, lambda w: reverse("participants:referral_list")),
    ("fiches navettes", Role.PRESCRIPTEUR, lambda w: reverse("participants:referral_list")),
    ("fiche navette", Role.PRESCRIPTEUR, lambda w: w.referral.get_absolute_url()),
    ("vérification", Role.FACILITATEUR, lambda w: review_url(w)),
    ("échéances", Role.FACILITATEUR, lambda w: reverse("participants:expiring")),
]  # fmt: skip


@pytest.mark.parametrize(("name", "role", "url"), PAGES, ids=[f"{p}-{r}" for p, r, _ in PAGES])
def test_participants_pages_do_not_grow_with_rows(client, world, settings, name, role, url):
    client.force_login(world.membership(role).user)
    settings.VIEW_LOG_WINDOW_MINUTES = 0  # every request logs its view: the counts compare like with like
    target = url(world)
    before = count_queries(client, target)
    grow(world, 5)
    assert count_queries(client, target) == before
