"""Access cases of the committee pages, gathered by tests/test_access.py.

A meeting is seen by the staff of its structure, by the committee members who attend it, and by the prescribers who
attend it or whose organisation does; the others get 404 (another structure's meeting: 404 for everyone)."""

from django.urls import reverse

from tests.access import STAFF_ONLY, Case, expect
from tests.comites.factories import CommitteeDecisionFactory, CommitteeMeetingFactory

ATTENDEES = expect(403, facilitateur=200, admin=200, comite=200, prescripteur=200)
NOT_ATTENDING = expect(403, facilitateur=200, admin=200, comite=404, prescripteur=404)
ELSEWHERE = expect(403, facilitateur=404, admin=404, comite=404, prescripteur=404)


def attended(w):
    """Our structure's meeting: the committee member is invited, and so is the prescriber's organisation."""
    return CommitteeMeetingFactory(
        structure=w.structure, attendees=[w.comite.user], organisations=[w.prescriber_org], companies=[w.company]
    )


def not_attended(w):
    """Our structure's meeting with the other prescriber only: neither our committee member nor our prescriber."""
    return CommitteeMeetingFactory(structure=w.structure, organisations=[w.sibling_prescriber_org])


def invited_in_person(w):
    """The prescriber is invited by name (their organisation is not)."""
    return CommitteeMeetingFactory(structure=w.structure, attendees=[w.prescripteur.user])


def elsewhere(w):
    """Another structure's meeting, to which our people are (wrongly) attached: still 404."""
    return CommitteeMeetingFactory(
        structure=w.other_structure, attendees=[w.comite.user, w.prescripteur.user], organisations=[w.prescriber_org]
    )


def meeting_url(name, make):
    return lambda w: reverse(name, args=[make(w).public_id])


def decision_url(name, make):
    return lambda w: reverse(name, args=[CommitteeDecisionFactory(meeting=make(w)).public_id])


def viewing_cases(name):
    return [
        Case("invités (membre de comité, organisation du prescripteur)", meeting_url(name, attended), ATTENDEES),
        Case("non invités", meeting_url(name, not_attended), NOT_ATTENDING),
        Case(
            "prescripteur invité en personne",
            meeting_url(name, invited_in_person),
            expect(403, facilitateur=200, admin=200, comite=404, prescripteur=200),
        ),
        Case("autre structure", meeting_url(name, elsewhere), ELSEWHERE),
    ]


def staff_cases(name, *, method="get", ok=200, url=meeting_url, data=lambda w: {}):
    return [
        Case("sa structure", url(name, attended), expect(403, facilitateur=ok, admin=ok), method=method, data=data),
        Case(
            "autre structure", url(name, elsewhere), expect(403, facilitateur=404, admin=404), method=method, data=data
        ),
    ]


def decision_data(w):
    return {"decision-kind": "decision", "decision-text": "Relancer l'entreprise", "decision-status": "a_faire"}


CASES = {
    "comites:meeting_list": [
        Case(
            "liste",
            lambda w: reverse("comites:meeting_list"),
            expect(403, facilitateur=200, admin=200, comite=200, prescripteur=200),
        )
    ],
    "comites:action_list": [
        Case(
            "liste",
            lambda w: reverse("comites:action_list"),
            expect(403, facilitateur=200, admin=200, comite=200, prescripteur=200),
        )
    ],
    "comites:meeting_create": [Case("création", lambda w: reverse("comites:meeting_create"), STAFF_ONLY)],
    "comites:meeting_detail": viewing_cases("comites:meeting_detail"),
    "comites:minutes_pdf": viewing_cases("comites:minutes_pdf"),
    "comites:meeting_update": staff_cases("comites:meeting_update"),
    "comites:meeting_held": staff_cases("comites:meeting_held"),
    "comites:meeting_prepare": staff_cases("comites:meeting_prepare", method="post", ok=302),
    "comites:decision_create": staff_cases("comites:decision_create", method="post", ok=302, data=decision_data),
    "comites:decision_update": staff_cases("comites:decision_update", url=decision_url),
    "comites:decision_status": staff_cases(
        "comites:decision_status", method="post", ok=302, url=decision_url, data=lambda w: {"status": "fait"}
    ),
}
