"""Plan of the load test, written before it starts (main virtual environment, the load database).

Which accounts the simulated users log in with, and which monthly statements (a company's grid of hours for one
month) each simulated facilitator owns. A grid belongs to one facilitator slot only: every save posts the whole
grid, so two users saving the same grid would overwrite each other and the check "the hours in the database are
the hours the users posted" would mean nothing.

For each grid: every cell's field name, its value before the test, and — for the cells the user may change — the
most hours it may take, chosen so that any mix of values stays within the legal ceiling (R-HRS-3: the contract's
month, every market together, divided evenly between its cells). Contract-months with a cell outside the grid
(another company's award), on a market not attributed that month, or in a grid that would not validate, are left
as they are (posted back unchanged).

    DATABASE_URL=postgres:///clauses_load .venv/bin/python loadtest/plan.py --slots 50 --out var/loadtest/plan.json
"""

import argparse
import json
import os
import sys
from collections import defaultdict
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clauses.settings")

import django  # noqa: E402

django.setup()

from django.db.models import Count, Sum  # noqa: E402
from django.utils import timezone  # noqa: E402

from clauses.accounts.demo import DEMO_DOMAIN, DEMO_PASSWORD  # noqa: E402
from clauses.accounts.enums import Role  # noqa: E402
from clauses.accounts.models import Membership  # noqa: E402
from marches.enums import ATTRIBUTED  # noqa: E402
from marches.models import Award, Company  # noqa: E402
from suivi import grid, services  # noqa: E402
from suivi import hours as rules  # noqa: E402
from suivi.models import Assignment, HourEntry  # noqa: E402

# Accounts of the demo (seed_demo) the simulated users share; never an admin (second factor, other screens) nor
# the account of two structures (it must choose one first).
FACILITATOR_LOGINS = ["facilitateur", "karim.benali", "sophie.legall", "marc.lefebvre"]
PRESCRIBER_LOGINS = ["prescripteur", "thomas.petit", "amina.diallo", "luc.garnier", "pauline.robert"]
COMMITTEE_LOGINS = ["comite", "nadia.haddad"]
MONTHS_BACK = 24  # grids of the last two years, up to last month
GRIDS_PER_SLOT = 6
QUARTER = Decimal("0.25")


def _email(local):
    return f"{local}@{DEMO_DOMAIN}"


def _text(value):
    return None if value is None else str(value)


def _grids_of(membership, months):
    """Every usable grid of the membership's structure: {path, month, cells: {name: {...}}}."""
    company_ids = set(
        Award.objects.all().visible_to(membership).values_list("company", flat=True).distinct()  # companies it sees
    )
    companies = Company.objects.all().visible_to(membership).filter(pk__in=company_ids).order_by("name")
    assignments = Assignment.objects.all().visible_to(membership)
    awards = Award.objects.all().visible_to(membership)
    found = []
    for company in companies:
        for month in months:
            rows = grid.month_rows(month, assignments.filter(award__company=company), awards.filter(company=company))
            if rows:
                planned = _planned_grid(company, month, rows)
                if planned is not None:
                    found.append(planned)
    return found


def _planned_grid(company, month, rows):
    # Contract-months of the grid, and whether every one of their cells is in it and may take hours.
    cells_of = defaultdict(list)
    for row in rows:
        if row.assignment is not None:
            cells_of[row.assignment.contract_id].extend((row, cell) for cell in row.cells)
    editable = {}
    for cells in cells_of.values():
        contract = cells[0][0].assignment.contract
        in_grid = {row.assignment.pk for row, _ in cells}
        everywhere = set(contract.assignments.values_list("pk", flat=True))
        markets = [row.award.lot.market for row, _ in cells]
        if in_grid != everywhere or any(
            m.status not in ATTRIBUTED or not m.attribution_date or rules.month_start(m.attribution_date) > month
            for m in markets
        ):
            continue
        ceiling = rules.monthly_ceiling(contract.period, month)
        share = (ceiling / len(cells)).quantize(QUARTER, rounding=ROUND_DOWN)
        if share >= 1:
            for _, cell in cells:
                editable[cell.name] = share
    if not editable:
        return None
    # The grid must save with every editable cell at its most, the others as they are.
    values = {cell.name: editable.get(cell.name, cell.initial) for row in rows for cell in row.cells}
    if services.validate_cells(grid.to_cells(rows, month, values)):
        return None
    cells = {}
    for row in rows:
        for cell in row.cells:
            if row.assignment is not None:
                identity = {"assignment": row.assignment.pk, "kind": cell.kind}
            else:
                identity = {"award": row.award.pk, "subcontractor": row.subcontractor.pk, "kind": cell.kind}
            cells[cell.name] = {"initial": _text(cell.initial), "max": _text(editable.get(cell.name)), **identity}
    return {
        "path": f"/suivi/heures/entreprises/{company.public_id}/?mois={month:%Y-%m}",
        "month": f"{month:%Y-%m}",
        "cells": cells,
    }


def build(slots):
    today = timezone.localdate()
    last = rules.add_months(rules.month_start(today), -1)
    months = [rules.add_months(last, -back) for back in range(MONTHS_BACK)]
    by_structure = defaultdict(list)  # structure → facilitator logins
    grids = {}
    for local in FACILITATOR_LOGINS:
        membership = Membership.objects.select_related("organisation").get(
            user__email=_email(local), role=Role.FACILITATEUR, is_active=True
        )
        structure = membership.organisation
        by_structure[structure.pk].append(_email(local))
        if structure.pk not in grids:
            grids[structure.pk] = _grids_of(membership, months)
    # Slots share the structures in proportion to their grids; each grid goes to one slot only.
    total = sum(len(found) for found in grids.values())
    if total == 0:
        raise SystemExit("Aucune grille d'heures utilisable dans cette base : chargez la démo (seed_demo).")
    order = sorted(grids, key=lambda pk: -len(grids[pk]))
    quota = {pk: max(1, round(slots * len(grids[pk]) / total)) for pk in order}
    while sum(quota.values()) > slots and any(q > 1 for q in quota.values()):
        quota[max(quota, key=quota.get)] -= 1
    plan_slots = []
    for pk in order:
        count = quota[pk]
        mine = [[] for _ in range(count)]
        for index, found in enumerate(grids[pk][: count * GRIDS_PER_SLOT]):
            mine[index % count].append(found)
        logins = by_structure[pk]
        plan_slots += [{"login": logins[i % len(logins)], "grids": g} for i, g in enumerate(mine) if g]
    base = HourEntry.objects.aggregate(total=Sum("hours"), rows=Count("pk"))
    return {
        "created": timezone.now().isoformat(timespec="seconds"),
        "password": DEMO_PASSWORD,
        "hours_total": str(base["total"] or 0),
        "hour_rows": base["rows"],
        "facilitators": plan_slots,
        "prescribers": [_email(local) for local in PRESCRIBER_LOGINS],
        "committee": [_email(local) for local in COMMITTEE_LOGINS],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slots", type=int, default=50, help="facilitator slots (at most one per simulated user)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    plan = build(args.slots)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(plan, indent=1))
    grids = sum(len(slot["grids"]) for slot in plan["facilitators"])
    editable = sum(1 for s in plan["facilitators"] for g in s["grids"] for c in g["cells"].values() if c["max"])
    print(
        f"Plan : {len(plan['facilitators'])} facilitateurs simulés, {grids} grilles d'heures, "
        f"{editable} cases modifiables ; {plan['hour_rows']} relevés ({plan['hours_total']} h) avant le test."
    )


if __name__ == "__main__":
    main()
