"""Access cases of the exports: the structure's staff download rows; the export naming people is for admins only."""

from tests.access import ADMIN_ONLY, STAFF_ONLY, Case, expect, url

NOT_FOUND_FOR_STAFF = expect(403, facilitateur=404, admin=404)
BAD_YEAR = expect(403, facilitateur=302, admin=302)

CASES = {
    "reporting:exports": [
        Case("page", url("reporting:exports"), STAFF_ONLY),
        Case("année invalide", lambda w: "/reporting/exports/?annee=deux-mille", STAFF_ONLY),
    ],
    "reporting:export": [
        Case("marchés CSV", url("reporting:export", "marches", "csv"), STAFF_ONLY),
        Case("attributions XLSX", url("reporting:export", "attributions", "xlsx"), STAFF_ONLY),
        Case("contrats anonymes CSV", url("reporting:export", "contrats", "csv"), STAFF_ONLY),
        Case("heures XLSX", lambda w: "/reporting/exports/heures.xlsx?annee=2026", STAFF_ONLY),
        Case("contrats nominatifs CSV", url("reporting:export", "contrats_nominatifs", "csv"), ADMIN_ONLY),
        Case("contrats nominatifs XLSX", url("reporting:export", "contrats_nominatifs", "xlsx"), ADMIN_ONLY),
        Case("export inconnu", url("reporting:export", "participants", "csv"), NOT_FOUND_FOR_STAFF),
        Case("format inconnu", url("reporting:export", "marches", "pdf"), NOT_FOUND_FOR_STAFF),
        Case("année invalide", lambda w: "/reporting/exports/marches.csv?annee=1800", BAD_YEAR),
    ],
}
