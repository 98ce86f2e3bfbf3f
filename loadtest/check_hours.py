"""After the load test: are the hours in the database the hours the simulated facilitators posted?

Compares, cell by cell, every cell of every planned grid with the last value saved by the load test (or, when
never saved, the value it had before), then the database's total of hours with the total before the test plus
what the saves changed. Exit status 1 on any difference, or when a save's outcome is unknown.

    DATABASE_URL=postgres:///clauses_load .venv/bin/python loadtest/check_hours.py \
        --plan var/loadtest/plan.json --posted var/loadtest/posted.json
"""

import argparse
import json
import os
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clauses.settings")

import django  # noqa: E402

django.setup()

from django.db.models import Count, Sum  # noqa: E402

from suivi.models import HourEntry  # noqa: E402


def _hours(text):
    """'37,25' (as posted) or '37.25' (as planned) → Decimal; '' or None → None (no row)."""
    if text in (None, ""):
        return None
    return Decimal(str(text).replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", "."))


def _fmt(value):
    return f"{value:,.2f}".replace(",", " ").replace(".", ",")


def check(plan, posted):
    in_flight = posted.get("in_flight", {})
    saved = posted.get("posted", {})
    recorded = {}
    for entry in HourEntry.objects.all():
        if entry.assignment_id:
            recorded[("a", entry.assignment_id, entry.month, entry.kind)] = entry.hours
        else:
            recorded[("s", entry.award_id, entry.subcontractor_id, entry.month)] = entry.hours
    mismatches, cells_saved = [], 0
    hours_saved = hours_saved_db = Decimal(0)
    initial_sum = expected_sum = Decimal(0)
    for slot in plan["facilitators"]:
        for grid in slot["grids"]:
            month = date.fromisoformat(grid["month"] + "-01")
            values = saved.get(grid["path"], {})
            for name, cell in grid["cells"].items():
                initial = _hours(cell["initial"])
                expected = _hours(values[name]) if name in values else initial
                if "assignment" in cell:
                    key = ("a", cell["assignment"], month, cell["kind"])
                else:
                    key = ("s", cell["award"], cell["subcontractor"], month)
                actual = recorded.get(key)
                if name in values:
                    cells_saved += 1
                    hours_saved += expected or 0
                    hours_saved_db += actual or 0
                initial_sum += initial or 0
                expected_sum += expected or 0
                if actual != expected:
                    mismatches.append(f"{grid['path']} {name} : attendu {expected}, en base {actual}")
    totals = HourEntry.objects.aggregate(total=Sum("hours"), rows=Count("pk"))
    total = totals["total"] or Decimal(0)
    expected_total = Decimal(plan["hours_total"]) - initial_sum + expected_sum
    lines = [
        f"- grilles enregistrées au moins une fois : {len(saved)} ; cases saisies : {cells_saved}",
        f"- heures des dernières saisies : {_fmt(hours_saved)} h ; en base pour ces cases : {_fmt(hours_saved_db)} h",
        f"- total des heures en base : {_fmt(total)} h ({totals['rows']} relevés) ; "
        f"attendu : {_fmt(expected_total)} h (avant le test : {_fmt(Decimal(plan['hours_total']))} h)",
        f"- cases différentes : {len(mismatches)} ; enregistrements à l'issue inconnue : {len(in_flight)}",
    ]
    ok = not mismatches and not in_flight and total == expected_total
    return ok, lines, mismatches


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", type=Path, required=True)
    parser.add_argument("--posted", type=Path, required=True)
    args = parser.parse_args()
    if not args.posted.exists():
        print(f"Vérification des heures impossible : {args.posted} manque (le test de charge n'a pas abouti).")
        sys.exit(1)
    ok, lines, mismatches = check(json.loads(args.plan.read_text()), json.loads(args.posted.read_text()))
    print(
        "Heures : "
        + ("identiques en base et dans les saisies." if ok else "DIFFÉRENCES entre la base et les saisies.")
    )
    print("\n".join(lines + mismatches[:20]))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
