"""Access cases of the offers and positionings pages."""

from tests.access import STAFF_ONLY, STAFF_OR_PRESCRIBER, Case, expect, obj_url, staff_object_cases, url

STAFF_404 = expect(403, facilitateur=404, admin=404)
NOWHERE = expect(403, facilitateur=404, admin=404, prescripteur=404)  # another structure's, for all who may look

CASES = {
    "suivi:offer_list": [Case("liste", url("suivi:offer_list"), STAFF_OR_PRESCRIBER)],
    "suivi:offer_create": [Case("création", url("suivi:offer_create"), STAFF_ONLY)],
    "suivi:offer_detail": [
        Case("publiée", obj_url("suivi:offer_detail", "offer"), STAFF_OR_PRESCRIBER),
        Case(
            "brouillon",
            obj_url("suivi:offer_detail", "draft_offer"),
            expect(403, facilitateur=200, admin=200, prescripteur=404),
        ),
        Case("autre structure", obj_url("suivi:offer_detail", "other_offer"), NOWHERE),
    ],
    "suivi:offer_update": staff_object_cases("suivi:offer_update", "offer"),
    "suivi:offer_status": [
        Case(
            "publier",
            obj_url("suivi:offer_status", "draft_offer"),
            expect(403, facilitateur=302, admin=302),
            method="post",
            data=lambda w: {"status": "publiee"},
        ),
        Case(
            "autre structure",
            obj_url("suivi:offer_status", "other_offer"),
            STAFF_404,
            method="post",
            data=lambda w: {"status": "cloturee"},
        ),
        Case("en GET", obj_url("suivi:offer_status", "offer"), expect(403, facilitateur=405, admin=405)),
    ],
    "suivi:positioning_create": [
        Case("offre publiée", obj_url("suivi:positioning_create", "offer"), STAFF_OR_PRESCRIBER),
        Case(
            "offre en brouillon",
            obj_url("suivi:positioning_create", "draft_offer"),
            expect(403, facilitateur=200, admin=200, prescripteur=404),
        ),
        Case("autre structure", obj_url("suivi:positioning_create", "other_offer"), NOWHERE),
    ],
    "suivi:positioning_list": [Case("liste", url("suivi:positioning_list"), STAFF_OR_PRESCRIBER)],
    "suivi:positioning_detail": [
        Case(
            "personne suivie par le prescripteur",
            obj_url("suivi:positioning_detail", "positioning"),
            STAFF_OR_PRESCRIBER,
        ),
        Case(
            "personne d'un autre prescripteur",
            obj_url("suivi:positioning_detail", "sibling_positioning"),
            expect(403, facilitateur=200, admin=200, prescripteur=404),
        ),
        Case("autre structure", obj_url("suivi:positioning_detail", "other_positioning"), NOWHERE),
    ],
    "suivi:positioning_decide": staff_object_cases("suivi:positioning_decide", "positioning"),
}
