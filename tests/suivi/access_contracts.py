"""Access cases of the work contracts pages."""

from tests.access import STAFF_ONLY, STAFF_OR_PRESCRIBER, Case, expect, obj_url, staff_object_cases, url

CASES = {
    "suivi:contract_list": [Case("liste", url("suivi:contract_list"), STAFF_OR_PRESCRIBER)],
    "suivi:contract_create": [Case("création", url("suivi:contract_create"), STAFF_ONLY)],
    "suivi:contract_detail": staff_object_cases("suivi:contract_detail", "contract"),
    "suivi:contract_update": staff_object_cases("suivi:contract_update", "contract"),
    "suivi:contract_delete": staff_object_cases("suivi:contract_delete", "contract"),
    "suivi:contract_hours": staff_object_cases("suivi:contract_hours", "contract"),
    "suivi:contract_eligibility": [
        Case(
            "sa structure",
            obj_url("suivi:contract_eligibility", "contract"),
            expect(403, facilitateur=302, admin=302),
            method="post",
        ),
        Case(
            "autre structure",
            obj_url("suivi:contract_eligibility", "other_contract"),
            expect(403, facilitateur=404, admin=404),
            method="post",
        ),
    ],
    "suivi:assignment_exception": staff_object_cases("suivi:assignment_exception", "assignment"),
}
