"""R-REFERENT: the skills follow-up document at the start and the end of each contract, filled for the participant,
the company and the référent, printable; and the référent's synthesis across all the contracts of one person."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from suivi.enums import DEFAULT_SKILLS, ContractType, ReviewMoment, SkillArea, SkillLevel
from suivi.models import SkillsReview, SkillsReviewItem
from suivi.services import skills as services
from tests.html import text
from tests.pdf import pdf_text
from tests.suivi.factories import JobOfferFactory, PositioningFactory, WorkContractFactory
from tests.suivi.factories_skills import review_with_items

pytestmark = pytest.mark.django_db

DEFAULT_LABELS = [label for _, label in DEFAULT_SKILLS]


def hired_on_offer(world, skills):
    """Our participant's contract, signed after a positioning on an offer asking for `skills`."""
    offer = JobOfferFactory(award=world.award, skills=skills)
    positioning = PositioningFactory(offer=offer, participant=world.participant, status="retenu")
    world.contract.positioning = positioning
    world.contract.save()
    return world.contract


def labels(review):
    return list(review.items.order_by("position").values_list("label", flat=True))


# --- Pre-filled documents -------------------------------------------------------------------------------------


def test_r_referent_start_document_has_the_default_skills_and_the_job_ones(world):
    contract = hired_on_offer(
        world,
        "- Lecture de plan simple.\n• Pose de bordures\n\nTravail en équipe\nCoffrage bois\nMaçonnerie\nEnduits",
    )
    review = services.skills_review_create(contract=contract, moment=ReviewMoment.DEBUT, by=world.facilitateur.user)
    # Four lines at most from the offer; "Travail en équipe" is already a default skill.
    assert labels(review) == [*DEFAULT_LABELS, "Lecture de plan simple", "Pose de bordures", "Coffrage bois"]
    assert review.items.get(label="Coffrage bois").area == SkillArea.TECHNIQUE
    assert review.company_person == contract.tutor_name
    assert review.referent_person == world.prescriber_org.name
    assert not review.items.exclude(participant_level=None).exists()


def test_r_referent_start_document_without_offer_has_the_default_skills(world):
    review = services.skills_review_create(contract=world.sibling_contract, moment=ReviewMoment.DEBUT, by=None)
    assert labels(review) == DEFAULT_LABELS


def test_r_referent_end_document_follows_the_same_skills_as_the_start(world):
    review_with_items(world.contract, ReviewMoment.DEBUT, [("Lecture de plan", 1, 2, 2), ("Ponctualité", 3, 3, 3)])
    end = services.skills_review_create(contract=world.contract, moment=ReviewMoment.FIN, by=None)
    assert labels(end) == ["Lecture de plan", "Ponctualité"]
    without_start = services.skills_review_create(contract=world.sibling_contract, moment=ReviewMoment.FIN, by=None)
    assert labels(without_start) == DEFAULT_LABELS


def test_r_referent_one_document_per_contract_and_moment(world):
    services.skills_review_create(contract=world.contract, moment=ReviewMoment.DEBUT, by=None)
    with pytest.raises(ValidationError) as refused:
        services.skills_review_create(contract=world.contract, moment=ReviewMoment.DEBUT, by=None)
    assert "Ce document existe déjà pour ce contrat." in refused.value.messages
    with pytest.raises(ValidationError):
        services.skills_review_create(contract=world.contract, moment="milieu", by=None)
    assert SkillsReview.objects.filter(contract=world.contract).count() == 1


# --- Saving a filled document ---------------------------------------------------------------------------------


def test_r_referent_document_saved_with_three_levels_added_and_removed_rows(world):
    review = review_with_items(world.contract, ReviewMoment.DEBUT, [("Lecture de plan", None, None, None)] * 1)
    SkillsReviewItem.objects.create(review=review, area=SkillArea.SECURITE, label="Port des EPI", position=2)
    first, second = review.items.all()
    services.skills_review_update(
        review=review,
        header={"participant_comment": " Je progresse. ", "next_steps": "CACES R482", "review_date": date(2026, 2, 9)},
        items=[
            {"id": first.pk, "label": "Lecture de plan", "area": "technique", "participant_level": 2,
             "company_level": 1, "referent_level": "2"},
            {"id": second.pk, "label": "Port des EPI", "area": "securite", "delete": True},
            {"label": "Coffrage", "area": "technique", "referent_level": 1},
        ],
        by=None,
    )  # fmt: skip
    review.refresh_from_db()
    assert (review.participant_comment, review.next_steps) == ("Je progresse.", "CACES R482")
    items = list(review.items.all())
    assert [(i.label, i.participant_level, i.company_level, i.referent_level) for i in items] == [
        ("Lecture de plan", 2, 1, 2),
        ("Coffrage", None, None, 1),
    ]


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([], "Le document suit au moins une compétence."),
        ([{"label": "A", "area": "technique"}, {"label": "a ", "area": "technique"}], "figure deux fois"),
        ([{"label": " ", "area": "technique"}], "Chaque ligne gardée nomme une compétence."),
        ([{"label": "A", "area": "cuisine"}], "Choisissez le domaine"),
        ([{"label": "A", "area": "technique", "referent_level": 9}], "Niveau inconnu."),
        ([{"id": 999999, "label": "A", "area": "technique"}], "n'appartient pas à ce document"),
    ],
)
def test_r_referent_refused_document_is_not_half_saved(world, items, message):
    review = review_with_items(world.contract, ReviewMoment.DEBUT, [("Lecture de plan", None, None, None)])
    item = review.items.get()
    rows = [{"id": item.pk, "label": "Lecture de plan", "area": "technique", "participant_level": 4}, *items]
    if not items:
        rows = [{**rows[0], "delete": True}]
    with pytest.raises(ValidationError) as refused:
        services.skills_review_update(review=review, header={"next_steps": "Formation"}, items=rows, by=None)
    assert message in " ".join(refused.value.messages)
    review.refresh_from_db()
    item.refresh_from_db()
    assert review.next_steps == "" and item.participant_level is None
    assert review.items.count() == 1


def test_r_referent_interview_date_cannot_be_in_the_future(world):
    review = review_with_items(world.contract, ReviewMoment.DEBUT, [("Lecture de plan", None, None, None)])
    with pytest.raises(ValidationError) as refused:
        services.skills_review_update(
            review=review, header={"review_date": timezone.localdate() + timedelta(days=2)}, items=[], by=None
        )
    assert refused.value.message_dict == {"review_date": ["La date de l'entretien est dans le futur."]}


# --- When each document is due --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "today", "state"),
    [
        (ReviewMoment.DEBUT, date(2026, 2, 1), "a_venir"),
        (ReviewMoment.DEBUT, date(2026, 2, 2), "a_faire"),
        (ReviewMoment.DEBUT, date(2026, 3, 2), "a_faire"),  # within the first month
        (ReviewMoment.DEBUT, date(2026, 3, 3), "en_retard"),
        (ReviewMoment.FIN, date(2026, 7, 16), "a_venir"),  # the contract ends on 31 July
        (ReviewMoment.FIN, date(2026, 7, 17), "a_faire"),  # two weeks before the end
        (ReviewMoment.FIN, date(2026, 7, 31), "a_faire"),
        (ReviewMoment.FIN, date(2026, 8, 1), "en_retard"),
    ],
)
def test_r_referent_documents_due_at_the_start_and_the_end(world, moment, today, state):
    assert services.review_slot(world.contract, moment, None, today).state == state


def test_r_referent_a_cdi_has_no_end_document_due_and_a_filled_one_says_when(world):
    world.contract.contract_type, world.contract.planned_end_date = ContractType.CDI, None
    assert services.review_slot(world.contract, ReviewMoment.FIN, None, date(2030, 1, 1)).state == "sans_date"
    review = review_with_items(world.contract, ReviewMoment.DEBUT, [("Lecture de plan", 2, None, None)])
    slot = services.review_slot(world.contract, ReviewMoment.DEBUT, review, date(2030, 1, 1))
    assert (slot.state, slot.hint) == ("rempli", "Rempli le 02/02/2026.")
    opened = review_with_items(world.sibling_contract, ReviewMoment.DEBUT, [("Lecture de plan", None, None, None)])
    assert services.review_slot(world.sibling_contract, ReviewMoment.DEBUT, opened, date(2030, 1, 1)).state == (
        "en_retard"
    )


# --- Pages ----------------------------------------------------------------------------------------------------


@pytest.fixture
def facilitator(client, world):
    client.force_login(world.facilitateur.user)
    return client


def test_r_referent_contract_page_shows_both_documents_and_opens_one(facilitator, world):
    page = text(facilitator.get(world.contract.get_absolute_url()))
    assert "Suivi des compétences" in page and "début de contrat".capitalize() in page
    assert "en retard" in page  # the start document of a contract begun in February, not filled
    response = facilitator.post(
        reverse("suivi:skills_review_create", args=[world.contract.public_id]), {"moment": "debut"}
    )
    review = SkillsReview.objects.get(contract=world.contract)
    assert response.url == review.get_absolute_url()
    again = facilitator.post(
        reverse("suivi:skills_review_create", args=[world.contract.public_id]), {"moment": "debut"}
    )
    assert again.url == review.get_absolute_url()  # the existing document, not a second one
    assert SkillsReview.objects.filter(contract=world.contract).count() == 1
    assert reverse("suivi:skills_review_pdf", args=[review.public_id]) in text(
        facilitator.get(world.contract.get_absolute_url())
    )


def form_data(review, **overrides):
    items = list(review.items.all())
    data = {
        "doc-review_date": "2026-02-09",
        "doc-company_person": "M. Tuteur",
        "doc-referent_person": "Mme Référente",
        "doc-participant_comment": "",
        "doc-company_comment": "",
        "doc-referent_comment": "",
        "doc-next_steps": "",
        "items-TOTAL_FORMS": str(len(items) + 1),
        "items-INITIAL_FORMS": str(len(items)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "40",
    }
    for i, item in enumerate(items):
        data |= {
            f"items-{i}-id": str(item.pk),
            f"items-{i}-label": item.label,
            f"items-{i}-area": item.area,
            f"items-{i}-participant_level": "2",
            f"items-{i}-company_level": "3",
            f"items-{i}-referent_level": "",
        }
    n = len(items)
    data |= {f"items-{n}-label": "", f"items-{n}-area": "technique"}
    return data | overrides


def test_r_referent_document_filled_through_its_form(facilitator, world):
    review = review_with_items(world.contract, ReviewMoment.DEBUT, [("Lecture de plan", None, None, None)])
    url = review.get_absolute_url()
    assert facilitator.get(url).status_code == 200
    response = facilitator.post(url, form_data(review, **{"items-1-label": "Coffrage", "items-1-referent_level": "1"}))
    assert response.status_code == 302
    assert [(i.label, i.participant_level, i.company_level, i.referent_level) for i in review.items.all()] == [
        ("Lecture de plan", 2, 3, None),
        ("Coffrage", None, None, 1),
    ]
    review.refresh_from_db()
    assert (review.company_person, review.review_date) == ("M. Tuteur", date(2026, 2, 9))


def test_r_referent_document_form_refused_in_french_and_not_half_saved(facilitator, world):
    review = review_with_items(world.contract, ReviewMoment.DEBUT, [("Lecture de plan", None, None, None)])
    url = review.get_absolute_url()
    unnamed = facilitator.post(url, form_data(review, **{"items-1-referent_level": "2"}))
    assert unnamed.status_code == 200
    assert "Nommez la compétence, ou cochez « retirer »." in text(unnamed)
    duplicate = facilitator.post(url, form_data(review, **{"items-1-label": "lecture de plan"}))
    assert "figure deux fois" in text(duplicate)
    undated = facilitator.post(url, form_data(review, **{"doc-review_date": ""}))
    assert "Indiquez la date de l'entretien." in text(undated)
    assert not review.items.exclude(participant_level=None).exists()
    review.refresh_from_db()
    assert review.company_person == "Chef d'équipe"


def test_r_referent_prescriber_reads_the_document_of_their_person(client, world):
    review = review_with_items(world.contract, ReviewMoment.DEBUT, [("Lecture de plan", 1, 2, 3)])
    client.force_login(world.prescripteur.user)
    response = client.get(review.get_absolute_url())
    assert response.status_code == 200
    page = text(response)
    assert "Lecture de plan" in page and "maîtrisé" not in page and "acquis" in page
    assert 'name="items-TOTAL_FORMS"' not in page
    assert client.post(review.get_absolute_url(), {}).status_code == 200  # a read-only page: nothing saved
    assert review.items.get().participant_level == 1


# --- PDF ------------------------------------------------------------------------------------------------------


def test_r_referent_pdf_of_a_document_names_the_person_and_the_levels(facilitator, world):
    review = review_with_items(
        world.contract,
        ReviewMoment.FIN,
        [("Lecture de plan simple", 2, 3, 4), ("Ponctualité et assiduité", 3, 3, 3)],
        next_steps="Entrée en formation CACES",
    )
    response = facilitator.get(reverse("suivi:skills_review_pdf", args=[review.public_id]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="suivi-competences-fin-')
    content = pdf_text(response.content)
    participant = world.participant
    for expected in (
        "Document de suivi des compétences",
        "Fin de contrat",
        participant.first_name,
        participant.last_name.upper(),
        world.contract.company.name,
        "Chef d'équipe",
        world.prescriber_org.name,
        "02/02/2026",
        "31/07/2026",
        "Lecture de plan simple",
        "Ponctualité et assiduité",
        "Le participant",  # the three signature boxes
        "L'entreprise (tuteur)",
        "en cours d'acquisition",
        "maîtrisé",
        "Entrée en formation CACES",
        "Le référent de parcours",
    ):
        assert expected in content, expected


# --- Synthesis ------------------------------------------------------------------------------------------------


def two_contracts(world):
    review_with_items(world.contract, ReviewMoment.DEBUT, [("Lecture de plan", 1, 1, 1), ("Ponctualité", 2, 3, 3)])
    review_with_items(world.contract, ReviewMoment.FIN, [("Lecture de plan", 2, 2, None), ("Ponctualité", 3, 3, 3)])
    later = WorkContractFactory(
        award=world.award,
        participant=world.participant,
        start_date=date(2026, 9, 1),
        planned_end_date=date(2026, 11, 30),
        job_title="Coffreur",
    )
    review_with_items(later, ReviewMoment.DEBUT, [("Coffrage", 1, 1, 1)], review_date=date(2026, 9, 3))
    return later


def test_r_referent_synthesis_covers_several_contracts_and_shows_progress(facilitator, world):
    later = two_contracts(world)
    response = facilitator.get(reverse("suivi:skills_synthesis", args=[world.participant.public_id]))
    entries = response.context["entries"]
    assert [e.contract for e in entries] == [world.contract, later]
    first = {s.label: (s.start_level, s.end_level, s.evolution) for s in entries[0].skills}
    # The référent's level, else the company's: Lecture de plan 1 → 2 (company), Ponctualité 3 → 3.
    assert first == {"Lecture de plan": (1, 2, "en progrès"), "Ponctualité": (3, 3, "stable")}
    assert (entries[0].improved, entries[0].compared) == (1, 2)
    assert [(s.label, s.evolution) for s in entries[1].skills] == [("Coffrage", "")]
    page = text(response)
    assert "en progrès" in page and "stable" in page and "Coffreur" in page


def test_r_referent_synthesis_pdf_lists_each_contract(client, world):
    two_contracts(world)
    client.force_login(world.prescripteur.user)  # the référent downloads it
    response = client.get(reverse("suivi:skills_synthesis_pdf", args=[world.participant.public_id]))
    content = pdf_text(response.content)
    for expected in (
        "Synthèse du suivi des compétences",
        world.participant.last_name.upper(),
        "Maçon VRD",
        "Coffreur",
        "Lecture de plan",
        "non acquis",
        "en cours d'acquisition",
        "en progrès",
        "stable",
    ):
        assert expected in content, expected


def test_synthesis_and_document_pages_do_not_grow_with_rows(client, world, settings):
    settings.VIEW_LOG_WINDOW_MINUTES = 0  # every request logs its view: the counts compare like with like

    def grow(n):
        for i in range(n):
            contract = WorkContractFactory(
                award=world.award, participant=world.participant, start_date=date(2025, 1, 1) + timedelta(days=i)
            )
            for moment in ReviewMoment.values:
                review_with_items(contract, moment, [(f"Compétence {j}", 1, 2, SkillLevel.ACQUIS) for j in range(3)])

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    review = review_with_items(world.contract, ReviewMoment.DEBUT, [("Lecture de plan", 1, 1, 1)])
    urls = [
        reverse("suivi:skills_synthesis", args=[world.participant.public_id]),
        review.get_absolute_url(),
        world.contract.get_absolute_url(),
    ]
    for membership in (world.facilitateur, world.prescripteur):
        client.force_login(membership.user)
        grow(2)
        before = [count(u) for u in urls[: 3 if membership == world.facilitateur else 2]]
        grow(4)
        for i in range(5):
            SkillsReviewItem.objects.create(review=review, area="technique", label=f"Ajout {i}", position=10 + i)
        assert [count(u) for u in urls[: len(before)]] == before
