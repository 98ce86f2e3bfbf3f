"""Access cases of the reporting pages, gathered by tests/test_access.py (each area adds its own file here)."""

from tests.reporting.access_bilans import CASES as BILAN_CASES
from tests.reporting.access_dashboard import CASES as DASHBOARD_CASES
from tests.reporting.access_exports import CASES as EXPORT_CASES

REPORTING_CASES: dict = {**BILAN_CASES, **DASHBOARD_CASES, **EXPORT_CASES}
