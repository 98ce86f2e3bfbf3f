"""The benchmark harness (`manage.py bench`) runs its pages end to end on a tiny dataset: every request answers
as a user's would, and the report carries the figures and the targets. The bilan and the import (a Celery worker,
thousands of rows) are left to `make bench`."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from suivi.models import HourEntry

PAGES = ["home", "market_list", "market_detail", "company_detail", "participants", "grid", "kept", "dashboard",
         "consolidation"]  # fmt: skip


@pytest.mark.django_db
def test_bench_measures_every_page_on_a_small_dataset(world, tmp_path, capsys):
    HourEntry.objects.create(
        award=world.award, assignment=world.assignment, month=date(2026, 3, 1), hours=Decimal("35")
    )
    output = tmp_path / "bench.json"

    call_command("bench", "--repeat", "1", "--output", str(output), "--only", *PAGES)

    report = json.loads(output.read_text())
    assert report["failures"] == []
    assert report["dataset"]["markets"] == 2 and report["dataset"]["hours"] == "35.00"
    assert report["machine"]["cpus"] >= 1 and report["machine"]["postgresql"]
    measures = {m["name"]: m for m in report["measures"]}
    assert {"home", "grid_load", "grid_save", "dashboard_network", "consolidation_structure_sql"} <= set(measures)
    assert measures["grid_save"]["queries"] > 0 and measures["grid_save"]["runs"] == 1
    assert measures["dashboard_network"]["sql_ratio"] > 0
    assert measures["dashboard_network_sql"]["ok"] is None  # a reference, no target of its own
    assert measures["kept_refresh_year"]["runs"] >= 3 and measures["kept_refresh_year"]["ok"] is None
    assert measures["dashboard_network_changed"]["queries"] > measures["dashboard_network"]["queries"]
    assert world.assignment.hour_entries.get().hours in (Decimal("34"), Decimal("35"))  # the save wrote
    screen = capsys.readouterr().out
    assert "Mesure" in screen and "p95 (ms)" in screen and "résultat" in screen
