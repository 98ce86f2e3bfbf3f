"""Access cases of the RGPD pages: the consultations log is the structure's administrators' (audit); the subject
access export is answered by the structure's staff (a prescriber sees only part of the record and passes the
request on); anonymising at once is an administrator's decision. Another structure's person: 404."""

from django.urls import reverse

from tests.access import ADMIN_ONLY, STAFF_ONLY, Case, admin_only, expect, url, url_of

OTHER_STRUCTURE_FOR_STAFF = expect(403, facilitateur=404, admin=404)


def export_url(attribute, fmt):
    return lambda w: reverse("suivi:participant_export", args=[getattr(w, attribute).public_id, fmt])


CASES = {
    "participants:participant_views": [
        Case("suivi par le prescripteur", url_of("participants:participant_views", "participant"), ADMIN_ONLY),
        Case(
            "suivi par un autre prescripteur",
            url_of("participants:participant_views", "sibling_participant"),
            ADMIN_ONLY,
        ),  # fmt: skip
        Case("autre structure", url_of("participants:participant_views", "other_participant"), admin_only(404)),
    ],
    "participants:view_log_list": [
        Case("journal", url("participants:view_log_list"), ADMIN_ONLY),
        Case(
            "filtre invalide", lambda w: reverse("participants:view_log_list") + "?participant=x&du=hier", ADMIN_ONLY
        ),
    ],
    "suivi:participant_export": [
        Case("JSON, sa structure", export_url("participant", "json"), STAFF_ONLY),
        Case("PDF, sa structure", export_url("participant", "pdf"), STAFF_ONLY),
        Case("JSON, suivi par un autre prescripteur", export_url("sibling_participant", "json"), STAFF_ONLY),
        Case("JSON, autre structure", export_url("other_participant", "json"), OTHER_STRUCTURE_FOR_STAFF),
        Case("PDF, autre structure", export_url("other_participant", "pdf"), OTHER_STRUCTURE_FOR_STAFF),
        Case("format inconnu", export_url("participant", "xml"), OTHER_STRUCTURE_FOR_STAFF),
    ],
    "suivi:participant_anonymise": [
        # The world's people have a contract: the page explains why the record is kept (nothing is anonymised).
        Case("sa structure", url_of("suivi:participant_anonymise", "participant"), ADMIN_ONLY),
        Case(
            "sa structure, confirmé",
            url_of("suivi:participant_anonymise", "sibling_participant"),
            ADMIN_ONLY,
            method="post",
            data=lambda w: {"confirm": "oui"},
        ),  # fmt: skip
        Case("autre structure", url_of("suivi:participant_anonymise", "other_participant"), admin_only(404)),
    ],
}
