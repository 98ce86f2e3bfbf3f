"""Access cases of the suivi imports pages: facilitators and admins of the structure only; another structure's
import answers 404."""

from django.urls import reverse

from tests.access import STAFF_ONLY, Case, expect, staff_object_cases, url, url_of

OTHER_STRUCTURE = expect(403, facilitateur=404, admin=404)
POST_ONLY = expect(405)


def _post_cases(name):
    return [
        Case("sa structure", url_of(name, "hour_import"), expect(403, facilitateur=302, admin=302), method="post"),
        Case("autre structure", url_of(name, "other_hour_import"), OTHER_STRUCTURE, method="post"),
        Case("en GET", url_of(name, "hour_import"), POST_ONLY),
    ]


CASES = {
    "suivi:import_start": [Case("page d'import", url("suivi:import_start"), STAFF_ONLY)],
    "suivi:import_template": [
        Case("modèle XLSX", url("suivi:import_template", "xlsx"), STAFF_ONLY),
        Case("modèle CSV", url("suivi:import_template", "csv"), STAFF_ONLY),
        Case(
            "modèle pré-rempli",
            lambda w: reverse("suivi:import_template", args=["xlsx"]) + "?mois=2026-03",
            STAFF_ONLY,
        ),
        Case("format inconnu", url("suivi:import_template", "pdf"), OTHER_STRUCTURE),
    ],
    "suivi:import_detail": staff_object_cases("suivi:import_detail", "hour_import"),
    "suivi:import_confirm": _post_cases("suivi:import_confirm"),
    "suivi:import_cancel": _post_cases("suivi:import_cancel"),
}
