"""R-CONSO: the consolidation tables, on screen and as a workbook, for a structure or a whole network."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reporting.consolidation import consolidate, total_hours
from tests.reporting.test_bilans import scenario
from tests.suivi.factories import hours

pytestmark = pytest.mark.django_db


def tables_of(structures, year=2026):
    return {table.key: table for table in consolidate(structures, year, timezone.localdate())}


def test_r_conso_tables_add_up_to_the_hours_done(world):
    scenario(world)
    tables = tables_of([world.structure])
    for key in ("buyer_type", "taille", "metiers"):
        assert total_hours(tables[key]) == Decimal("411.67"), key
    assert sum(row[-1] for row in tables["fondement_entreprise"].rows) == Decimal("411.67")
    assert sum(row[-1] for row in tables["prescripteurs"].rows) == 2
    assert sum(row[-1] for row in tables["marches"].rows) == 1
    assert [row[0] for row in tables["situations"].rows] == ["6 mois", "12 mois", "18 mois", "24 mois"]


def test_r_conso_a_network_head_consolidates_every_structure(client, world):
    scenario(world)
    hours(world.other_contract.assignments.get(), datetime.date(2026, 3, 1), "77")
    client.force_login(world.reseau.user)
    tables = {t.key: t for t in client.get(reverse("reporting:consolidation") + "?year=2026").context["tables"]}
    assert total_hours(tables["buyer_type"]) == Decimal("411.67") + 77
    client.force_login(world.facilitateur.user)
    own = {t.key: t for t in client.get(reverse("reporting:consolidation") + "?year=2026").context["tables"]}
    assert total_hours(own["buyer_type"]) == Decimal("411.67")


def test_r_conso_workbook_has_one_sheet_per_table(client, world):
    scenario(world)
    client.force_login(world.admin.user)
    response = client.get(reverse("reporting:consolidation") + "?year=2026&format=xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="consolidation-2026.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) == 8
    sheet = workbook[workbook.sheetnames[0]]
    assert sheet.cell(1, 1).value == "Type d'acheteur"
    assert sum(row[1] for row in sheet.iter_rows(min_row=2, values_only=True)) == pytest.approx(411.67)
    names = {world.participant.last_name, world.sibling_participant.last_name}
    for name in workbook.sheetnames:
        for row in workbook[name].iter_rows(values_only=True):
            assert not names & {str(value) for value in row}
