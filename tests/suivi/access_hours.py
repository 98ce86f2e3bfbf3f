"""Access cases of the hours pages: grids, the month's statements, companies behind, panels."""

from tests.access import STAFF_ONLY, Case, staff_object_cases, url

CASES = {
    "suivi:hours_index": [Case("relevés du mois", url("suivi:hours_index"), STAFF_ONLY)],
    "suivi:behind": [Case("entreprises en retard", url("suivi:behind"), STAFF_ONLY)],
    "suivi:company_grid": staff_object_cases("suivi:company_grid", "company"),
    "suivi:market_grid": staff_object_cases("suivi:market_grid", "market"),
    "suivi:market_contracts": staff_object_cases("suivi:market_contracts", "market"),
    "suivi:company_contracts": staff_object_cases("suivi:company_contracts", "company"),
}
