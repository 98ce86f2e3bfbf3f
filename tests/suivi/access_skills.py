"""Access cases of the skills follow-up documents (R-REFERENT) and of the sorties and checks (R-OUTCOME): staff of
the structure; the person's référent prescriber reads; another prescriber's person and another structure: 404."""

from django.urls import reverse

from suivi.enums import ReviewMoment
from suivi.models import OutcomeCheck, SkillsReview
from tests.access import STAFF_ONLY, STAFF_OR_PRESCRIBER, Case, expect, url

STAFF_404 = expect(403, facilitateur=404, admin=404)
READERS_404 = expect(403, facilitateur=404, admin=404, prescripteur=404)
STAFF_ONLY_PRESCRIBER_404 = expect(403, facilitateur=200, admin=200, prescripteur=404)


def review_of(attribute):
    def make(w):
        contract = getattr(w, attribute)
        review, _ = SkillsReview.objects.get_or_create(
            contract=contract, moment=ReviewMoment.DEBUT, defaults={"review_date": contract.start_date}
        )
        return review

    return make


def check_of(attribute):
    def make(w):
        participant = getattr(w, attribute)
        check, _ = OutcomeCheck.objects.get_or_create(
            participant=participant,
            months=6,
            defaults={"first_contract_start": participant.contracts.first().start_date, "due_date": "2026-08-02"},
        )
        return check

    return make


def via(name, make):
    return lambda w: reverse(name, args=[make(w).public_id])


def of(name, attribute):
    return lambda w: reverse(name, args=[getattr(w, attribute).public_id])


def read_cases(name, *, review=False):
    """A page the staff and the person's référent read: ours, another prescriber's person, another structure's."""
    target = (lambda a: via(name, review_of(a))) if review else (lambda a: of(name, a))
    suffix = "_contract" if review else "_participant"
    return [
        Case(
            "personne suivie par le prescripteur", target("contract" if review else "participant"), STAFF_OR_PRESCRIBER
        ),
        Case("personne d'un autre prescripteur", target(f"sibling{suffix}"), STAFF_ONLY_PRESCRIBER_404),
        Case("autre structure", target(f"other{suffix}"), READERS_404),
    ]


CASES = {
    "suivi:skills_review_create": [
        Case(
            "sa structure",
            of("suivi:skills_review_create", "contract"),
            expect(403, facilitateur=302, admin=302),
            method="post",
            data=lambda w: {"moment": ReviewMoment.DEBUT},
        ),
        Case(
            "autre structure",
            of("suivi:skills_review_create", "other_contract"),
            STAFF_404,
            method="post",
            data=lambda w: {"moment": ReviewMoment.DEBUT},
        ),
    ],
    "suivi:skills_review_detail": read_cases("suivi:skills_review_detail", review=True),
    "suivi:skills_review_pdf": read_cases("suivi:skills_review_pdf", review=True),
    "suivi:skills_synthesis": read_cases("suivi:skills_synthesis"),
    "suivi:skills_synthesis_pdf": read_cases("suivi:skills_synthesis_pdf"),
    "suivi:participant_outcomes": read_cases("suivi:participant_outcomes"),
    "suivi:outcome_create": [
        Case("sa structure", of("suivi:outcome_create", "participant"), STAFF_ONLY),
        Case("autre structure", of("suivi:outcome_create", "other_participant"), STAFF_404),
    ],
    "suivi:check_list": [Case("liste", url("suivi:check_list"), STAFF_OR_PRESCRIBER)],
    "suivi:check_update": [
        Case("sa structure", via("suivi:check_update", check_of("participant")), STAFF_ONLY),
        Case("autre structure", via("suivi:check_update", check_of("other_participant")), STAFF_404),
    ],
}
