"""Access cases of the participant timeline: the structure's staff, and the référent prescriber for their people."""

from tests.access import STAFF_OR_PRESCRIBER, Case, expect, url_of

NAME = "suivi:participant_timeline"

CASES = {
    NAME: [
        Case("personne suivie par le prescripteur", url_of(NAME, "participant"), STAFF_OR_PRESCRIBER),
        Case(
            "personne suivie par un autre prescripteur",
            url_of(NAME, "sibling_participant"),
            expect(403, facilitateur=200, admin=200, prescripteur=404),
        ),
        Case(
            "autre structure",
            url_of(NAME, "other_participant"),
            expect(403, facilitateur=404, admin=404, prescripteur=404),
        ),
    ],
}
