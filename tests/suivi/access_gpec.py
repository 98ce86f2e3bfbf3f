"""Access cases of the GPEC view (R-GPEC): the staff, and committee members (aggregates, no one named)."""

from tests.access import Case, expect, url

CASES = {"suivi:gpec": [Case("anticipation", url("suivi:gpec"), expect(403, facilitateur=200, admin=200, comite=200))]}
