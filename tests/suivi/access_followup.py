"""Access cases of the follow-up pages: passages de relais (a prescriber sees only the sent handoffs about their
people), follow-up events and incident alerts (the référent reads, facilitators record and close)."""

from django.urls import reverse

from tests.access import STAFF_ONLY, STAFF_OR_PRESCRIBER, Case, expect, url
from tests.suivi.factories_followup import FollowUpEventFactory, HandoffFactory

ELSEWHERE = expect(403, facilitateur=404, admin=404, prescripteur=404)  # another structure's
NOT_THEIR_PERSON = expect(403, facilitateur=200, admin=200, prescripteur=404)
STAFF_ELSEWHERE = expect(403, facilitateur=404, admin=404)


def handoff(which, **traits):
    """A handoff about our participant ("ours"), the sibling prescriber's person, or the other structure's."""

    def make(w):
        if which == "ours":
            return HandoffFactory(contract=w.contract, **traits)
        if which == "sibling":
            return HandoffFactory(contract=w.sibling_contract, **traits)
        return HandoffFactory(contract=w.other_contract, to_organisation=w.other_prescriber_org, **traits)

    return make


def event(which, **traits):
    contract = {"ours": "contract", "sibling": "sibling_contract", "other": "other_contract"}[which]
    return lambda w: FollowUpEventFactory(contract=getattr(w, contract), **traits)


def on(name, make):
    return lambda w: reverse(name, args=[make(w).public_id])


CASES = {
    "suivi:handoff_list": [Case("liste", url("suivi:handoff_list"), STAFF_OR_PRESCRIBER)],
    "suivi:handoff_create": [Case("création", url("suivi:handoff_create"), STAFF_ONLY)],
    "suivi:handoff_detail": [
        Case("envoyé, notre personne", on("suivi:handoff_detail", handoff("ours")), STAFF_OR_PRESCRIBER),
        Case("à envoyer, notre personne", on("suivi:handoff_detail", handoff("ours", to_send=True)), NOT_THEIR_PERSON),
        Case("personne d'un autre prescripteur", on("suivi:handoff_detail", handoff("sibling")), NOT_THEIR_PERSON),
        Case("autre structure", on("suivi:handoff_detail", handoff("other")), ELSEWHERE),
    ],
    "suivi:handoff_send": [
        Case("sa structure", on("suivi:handoff_send", handoff("ours", to_send=True)), STAFF_ONLY),
        Case("autre structure", on("suivi:handoff_send", handoff("other", to_send=True)), STAFF_ELSEWHERE),
    ],
    "suivi:handoff_acknowledge": [
        Case("notre personne", on("suivi:handoff_acknowledge", handoff("ours")), STAFF_OR_PRESCRIBER),
        Case(
            "personne d'un autre prescripteur", on("suivi:handoff_acknowledge", handoff("sibling")), NOT_THEIR_PERSON
        ),
        Case("autre structure", on("suivi:handoff_acknowledge", handoff("other")), ELSEWHERE),
    ],
    "suivi:handoff_cancel": [
        Case("sa structure", on("suivi:handoff_cancel", handoff("ours")), STAFF_ONLY),
        Case("autre structure", on("suivi:handoff_cancel", handoff("other")), STAFF_ELSEWHERE),
    ],
    "suivi:event_create": [
        Case("sa structure", lambda w: reverse("suivi:event_create", args=[w.contract.public_id]), STAFF_ONLY),
        Case(
            "autre structure",
            lambda w: reverse("suivi:event_create", args=[w.other_contract.public_id]),
            STAFF_ELSEWHERE,
        ),
    ],
    "suivi:event_detail": [
        Case("notre personne", on("suivi:event_detail", event("ours", incident=True)), STAFF_OR_PRESCRIBER),
        Case("personne d'un autre prescripteur", on("suivi:event_detail", event("sibling")), NOT_THEIR_PERSON),
        Case("autre structure", on("suivi:event_detail", event("other", suffering=True)), ELSEWHERE),
    ],
    "suivi:alert_list": [Case("liste", url("suivi:alert_list"), STAFF_OR_PRESCRIBER)],
    "suivi:alert_close": [
        Case("sa structure", on("suivi:alert_close", event("ours", suffering=True)), STAFF_ONLY),
        Case("autre structure", on("suivi:alert_close", event("other", incident=True)), STAFF_ELSEWHERE),
    ],
}
