"""Factories of the skills follow-up documents, sorties and checks (R-REFERENT, R-OUTCOME)."""

import datetime

import factory

from suivi import outcomes as rules
from suivi.enums import CheckStatus, ReviewMoment, Situation, SkillArea
from suivi.models import Outcome, OutcomeCheck, SkillsReview, SkillsReviewItem
from tests.participants.factories import ParticipantFactory
from tests.suivi.factories import WorkContractFactory


class SkillsReviewFactory(factory.django.DjangoModelFactory):
    """A start-of-contract document, with no skill (use `review_with_items` for a filled one)."""

    class Meta:
        model = SkillsReview

    contract = factory.SubFactory(WorkContractFactory)
    moment = ReviewMoment.DEBUT
    review_date = factory.SelfAttribute("contract.start_date")
    company_person = "Chef d'équipe"
    referent_person = "Conseillère Mission Locale"


class SkillsReviewItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SkillsReviewItem

    review = factory.SubFactory(SkillsReviewFactory)
    area = SkillArea.TECHNIQUE
    label = factory.Sequence(lambda n: f"Compétence n°{n}")
    position = factory.Sequence(lambda n: n)


def review_with_items(contract, moment, levels, **kwargs):
    """A document with one item per (label, participant, company, référent) of `levels`."""
    review = SkillsReviewFactory(contract=contract, moment=moment, **kwargs)
    for position, (label, participant_level, company_level, referent_level) in enumerate(levels, start=1):
        SkillsReviewItemFactory(
            review=review,
            label=label,
            position=position,
            participant_level=participant_level,
            company_level=company_level,
            referent_level=referent_level,
        )
    return review


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    participant = factory.SubFactory(ParticipantFactory)
    date = datetime.date(2026, 8, 1)
    situation = Situation.CDD_COURT
    employer = "Bâtiments de l'Ouest"


class OutcomeCheckFactory(factory.django.DjangoModelFactory):
    """A check still to do, 6 months after a first contract started on 2 February 2026."""

    class Meta:
        model = OutcomeCheck

    participant = factory.SubFactory(ParticipantFactory)
    months = 6
    first_contract_start = datetime.date(2026, 2, 2)
    due_date = factory.LazyAttribute(lambda o: rules.check_due_date(o.first_contract_start, o.months))
    status = CheckStatus.A_FAIRE
