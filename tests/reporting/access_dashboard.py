"""Access cases of the dashboard: aggregates for staff, committee members and network heads."""

from tests.access import Case, expect, url

AGGREGATES = expect(403, facilitateur=200, admin=200, comite=200, reseau=200)

CASES = {
    "reporting:dashboard": [
        Case("année en cours", url("reporting:dashboard"), AGGREGATES),
        Case("filtre invalide", lambda w: "/reporting/tableau-de-bord/?year=abc&territory=%3Cscript%3E", AGGREGATES),
    ],
    "reporting:consolidation": [
        Case("à l'écran", url("reporting:consolidation"), AGGREGATES),
        Case("classeur", lambda w: "/reporting/consolidation/?year=2026&format=xlsx", AGGREGATES),
    ],
}
