"""Access cases of the suivi pages, gathered by tests/test_access.py (each area adds its own file here)."""

from tests.suivi.access_contracts import CASES as CONTRACT_CASES
from tests.suivi.access_followup import CASES as FOLLOWUP_CASES
from tests.suivi.access_gpec import CASES as GPEC_CASES
from tests.suivi.access_hours import CASES as HOUR_CASES
from tests.suivi.access_imports import CASES as IMPORT_CASES
from tests.suivi.access_offers import CASES as OFFER_CASES
from tests.suivi.access_skills import CASES as SKILLS_CASES
from tests.suivi.access_timeline import CASES as TIMELINE_CASES

SUIVI_CASES = {
    **OFFER_CASES,
    **FOLLOWUP_CASES,
    **CONTRACT_CASES,
    **HOUR_CASES,
    **IMPORT_CASES,
    **SKILLS_CASES,
    **TIMELINE_CASES,
    **GPEC_CASES,
}
