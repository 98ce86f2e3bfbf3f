"""Access cases of the reporting pages, gathered by tests/test_access.py (each area adds its own file here)."""

REPORTING_CASES: dict = {}
