"""Exports (issue 7 point 5): the content of each export read back from CSV and XLSX against the database, nobody
named outside the admins' nominative export, who may download what, every download logged, a constant number of
queries, and formulas kept as text."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marches.enums import AwardRole, CompanyKind
from marches.models import Award
from marches.progress import attach_award_progress, with_award_hours
from reporting.models import ExportLog
from suivi.enums import HourKind, HourSource
from suivi.models import HourEntry
from tests.conftest import diagnosis_for
from tests.marches.factories import AwardFactory, CompanyFactory
from tests.participants.factories import give_distinctive_names
from tests.suivi.factories import WorkContractFactory, hours

pytestmark = pytest.mark.django_db

ANONYMOUS_EXPORTS = ["marches", "attributions", "contrats", "heures"]
MARCH, APRIL = datetime.date(2026, 3, 1), datetime.date(2026, 4, 1)


def scenario(world):
    """The world's market (833 h required): the participant worked 120 h in March; the sibling participant
    160 + 150 h in March and April (310 h: a contract of 300 h and more); an EI did 40 h as subcontractor in April.
    The other structure has its own hours, which never show here."""
    diagnosis_for(world.sibling_participant, world.market)
    give_distinctive_names(world.participant, world.sibling_participant)
    mine = world.contract.assignments.get()
    sibling = world.sibling_contract.assignments.get()
    assert mine.counts and sibling.counts
    hours(mine, MARCH, "120")
    hours(sibling, MARCH, "160")
    hours(sibling, APRIL, "150")
    world.subcontractor = CompanyFactory(structure=world.structure, kind=CompanyKind.EI, name="Insertion Ouest EI")
    HourEntry.objects.create(
        award=world.award, subcontractor=world.subcontractor, month=APRIL, kind=HourKind.SOUS_TRAITANCE,
        hours=Decimal("40"), source=HourSource.RELEVE_ENTREPRISE,
    )  # fmt: skip
    hours(world.other_assignment, MARCH, "77")
    return world


def read_csv(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    return header, [dict(zip(header, row, strict=True)) for row in rows]


def read_xlsx(response):
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    header, *rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    return sheet, header, [dict(zip(header, row, strict=True)) for row in rows]


def download(client, name, fmt, **params):
    return client.get(reverse("reporting:export", args=[name, fmt]), params)


# --- Content --------------------------------------------------------------------------------------------------


def test_markets_export_matches_the_database(world, login_as):
    scenario(world)
    _, rows = read_csv(download(login_as(world.facilitateur), "marches", "csv"))
    (row,) = rows  # the other structure's market is not there
    market = world.market
    assert row["Référence"] == market.reference
    assert row["Objet"] == market.title
    assert row["Donneur d'ordre"] == market.buyer.name
    assert row["Statut"] == market.get_status_display()
    assert row["Fondement de la clause"] == market.get_legal_basis_display()
    assert row["Montant estimé HT (€)"] == "1000000"
    assert row["Date d'attribution"] == "01/12/2025"
    assert row["Début d'exécution"] == "05/01/2026"
    assert row["Fin d'exécution"] == "30/06/2027"
    assert row["Heures exigées"] == "833"
    assert row["Heures réalisées"] == "470"  # 120 + 160 + 150 + 40 subcontracted
    assert row["Heures restantes"] == "363"


def test_awards_export_matches_the_database_with_progress(world, login_as):
    scenario(world)
    sheet, header, rows = read_xlsx(download(login_as(world.facilitateur), "attributions", "xlsx"))
    assert sheet.title == "Attributions et avancement"
    (row,) = rows
    award = attach_award_progress(
        list(with_award_hours(Award.objects.filter(pk=world.award.pk).select_related("lot__market")))
    )[0]
    assert row["Marché (référence)"] == world.market.reference
    assert row["Lot"] == world.lot.number
    assert row["Entreprise"] == world.company.name
    assert row["SIRET"] == world.company.siret
    assert row["Rôle"] == "titulaire"
    assert row["Heures à réaliser"] == 833
    assert row["Heures réalisées"] == 470
    assert row["Heures restantes"] == 363
    assert row["Réalisé (%)"] == pytest.approx(56.4)  # 470 / 833
    assert row["Rythme"] == award.progress.pace_label


def test_contracts_export_matches_the_database_and_names_nobody(world, login_as):
    scenario(world)
    response = download(login_as(world.facilitateur), "contrats", "csv")
    header, rows = read_csv(response)
    assert not {"Nom", "Prénom", "Date de naissance"} & set(header)
    by_ref = {row["Contrat"]: row for row in rows}
    assert set(by_ref) == {str(world.contract), str(world.sibling_contract)}
    mine, sibling = by_ref[str(world.contract)], by_ref[str(world.sibling_contract)]
    assert mine["Participant"] == str(world.participant)
    assert mine["Sexe"] == "homme"
    assert mine["Tranche d'âge au début"] == "26 à 49 ans"  # born 12/04/1985, hired 02/02/2026
    assert mine["Réside en QPV"] == "non"
    assert mine["Type de contrat"] == "CDD"
    assert mine["Début"] == "02/02/2026"
    assert mine["Fin prévue"] == "31/07/2026"
    assert mine["Durée hebdomadaire (h)"] == "35"
    assert mine["Code ROME"] == "F1703"
    assert mine["Entreprise utilisatrice"] == world.company.name
    assert mine["Marchés servis"] == f"{world.market.reference} lot {world.lot.number}"
    assert (mine["Heures réalisées"], mine["300 heures et plus"]) == ("120", "non")
    assert (sibling["Heures réalisées"], sibling["300 heures et plus"]) == ("310", "oui")
    assert_names_nobody(world, response.content.decode("utf-8-sig"))


def test_hours_export_matches_the_database_and_names_nobody(world, login_as):
    scenario(world)
    response = download(login_as(world.facilitateur), "heures", "xlsx")
    _, header, rows = read_xlsx(response)
    assert len(rows) == 4  # not the other structure's 77 h
    assert sum(Decimal(str(row["Heures"])) for row in rows) == Decimal("470")
    mine = next(row for row in rows if row["Contrat"] == str(world.contract))
    assert mine == mine | {
        "Mois": "03/2026",
        "Marché (référence)": world.market.reference,
        "Lot": world.lot.number,
        "Entreprise": world.company.name,
        "SIRET": world.company.siret,
        "Nature": "heures travaillées",
        "Heures": 120,
        "Comptées dans l'obligation": "oui",
        "Source": "saisie par le facilitateur",
        "Participant": str(world.participant),
        "Sous-traitant": None,
    }
    subcontracted = next(row for row in rows if row["Sous-traitant"])
    assert subcontracted["Sous-traitant"] == "Insertion Ouest EI"
    assert (subcontracted["Mois"], subcontracted["Heures"]) == ("04/2026", 40)
    assert subcontracted["Contrat"] is None and subcontracted["Participant"] is None
    text = " ".join(str(value) for row in rows for value in row.values())
    assert_names_nobody(world, text)


def assert_names_nobody(world, text):
    for person in (world.participant, world.sibling_participant):
        assert person.last_name not in text
        assert person.first_name not in text
        assert f"{person.birth_date:%d/%m/%Y}" not in text


def test_nominative_contracts_export_names_people_for_admins(world, login_as):
    scenario(world)
    _, header, rows = read_xlsx(download(login_as(world.admin), "contrats_nominatifs", "xlsx"))
    assert header[:5] == ["Contrat", "Participant", "Nom", "Prénom", "Date de naissance"]
    by_ref = {row["Contrat"]: row for row in rows}
    mine = by_ref[str(world.contract)]
    assert (mine["Nom"], mine["Prénom"]) == (world.participant.last_name, world.participant.first_name)
    assert mine["Date de naissance"] == datetime.datetime(1985, 4, 12)
    assert mine["Heures réalisées"] == 120


# --- Who may download what ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["facilitateur", "comite", "prescripteur", "reseau"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_only_admins_download_personal_data(world, login_as, role, fmt):
    """A committee member, like a facilitator, a prescriber or a network head, cannot download personal data."""
    response = download(login_as(getattr(world, role)), "contrats_nominatifs", fmt)
    assert response.status_code == 403
    assert not ExportLog.objects.exists()


@pytest.mark.parametrize("name", ANONYMOUS_EXPORTS)
def test_committee_members_download_no_rows(world, login_as, name):
    assert download(login_as(world.comite), name, "csv").status_code == 403


def test_another_structure_exports_its_own_data_only(world, login_as):
    scenario(world)
    _, rows = read_csv(download(login_as(world.other_admin), "heures", "csv"))
    assert [row["Heures"] for row in rows] == ["77"]
    _, rows = read_csv(download(login_as(world.other_admin), "contrats_nominatifs", "csv"))
    assert [row["Contrat"] for row in rows] == [str(world.other_contract)]


# --- Log ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("name", ANONYMOUS_EXPORTS)
def test_every_download_is_logged_without_personal_data(world, login_as, name, fmt):
    scenario(world)
    response = download(login_as(world.facilitateur), name, fmt)
    rows = read_csv(response)[1] if fmt == "csv" else read_xlsx(response)[2]
    log = ExportLog.objects.get()
    assert (log.structure, log.user, log.kind, log.file_format) == (
        world.structure,
        world.facilitateur.user,
        name,
        fmt,
    )
    assert log.personal_data is False
    assert log.row_count == len(rows) > 0
    assert log.filters == {}


def test_nominative_download_is_logged_as_personal_data(world, login_as):
    scenario(world)
    download(login_as(world.admin), "contrats_nominatifs", "csv", annee="2026")
    log = ExportLog.objects.get()
    assert (log.user, log.kind, log.personal_data, log.row_count) == (world.admin.user, "contrats_nominatifs", True, 2)
    assert log.filters == {"annee": 2026}


# --- Year -----------------------------------------------------------------------------------------------------


def test_year_filters_each_export(world, login_as):
    scenario(world)
    client = login_as(world.facilitateur)
    # The world's market was attributed on 01/12/2025; the contracts run in 2026; hours are of March and April 2026.
    counts = {
        year: {name: len(read_csv(download(client, name, "csv", annee=year))[1]) for name in ANONYMOUS_EXPORTS}
        for year in (2025, 2026)
    }
    assert counts[2025] == {"marches": 1, "attributions": 1, "contrats": 0, "heures": 0}
    assert counts[2026] == {"marches": 0, "attributions": 0, "contrats": 2, "heures": 4}


@pytest.mark.parametrize("value", ["deux-mille", "1800", "2026.5"])
def test_a_wrong_year_is_told_in_french_never_a_500(world, login_as, value):
    client = login_as(world.facilitateur)
    response = download(client, "marches", "csv", annee=value)
    assert response.status_code == 302
    assert not ExportLog.objects.exists()
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Corrigez l&#x27;année avant d&#x27;exporter." in page.text
    assert "L'année n'est pas valable" in page.text


def test_unknown_export_or_format_is_404(world, login_as):
    client = login_as(world.admin)
    assert download(client, "participants", "csv").status_code == 404
    assert download(client, "marches", "ods").status_code == 404


# --- Formulas -------------------------------------------------------------------------------------------------


def test_a_formula_in_a_title_stays_text(world, login_as):
    title = '=HYPERLINK("http://exemple.invalid","cliquez")'
    world.market.title = title
    world.market.save()
    client = login_as(world.facilitateur)
    _, rows = read_csv(download(client, "marches", "csv"))
    assert rows[0]["Objet"] == "'" + title
    for name, column in (("marches", "Objet"), ("attributions", "Objet du marché")):
        sheet, header, _ = read_xlsx(download(client, name, "xlsx"))
        cell = sheet.cell(row=2, column=header.index(column) + 1)
        assert (cell.value, cell.data_type) == (title, "s")


# --- Queries --------------------------------------------------------------------------------------------------


def more_rows(world):
    """Another market with two awards, three contracts (one serving two awards) and their hours."""
    award = AwardFactory(lot__market__structure=world.structure)
    cotraitant = AwardFactory(lot=award.lot, company__structure=world.structure, role=AwardRole.COTRAITANT)
    same_company = AwardFactory(lot__market__structure=world.structure, company=cotraitant.company)
    contracts = [WorkContractFactory(award=award) for _ in range(2)]
    contracts.append(WorkContractFactory(award=cotraitant, awards=[cotraitant, same_company]))
    for contract in contracts:
        for assignment in contract.assignments.all():
            hours(assignment, MARCH, "35")
            hours(assignment, APRIL, "70")


@pytest.mark.parametrize("name", [*ANONYMOUS_EXPORTS, "contrats_nominatifs"])
def test_queries_do_not_grow_with_rows(world, login_as, name):
    scenario(world)
    client = login_as(world.admin)
    url = reverse("reporting:export", args=[name, "xlsx"])
    client.get(url)  # session and membership warmed up
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    more_rows(world)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    newest, before = ExportLog.objects.values_list("row_count", flat=True)[:2]
    assert newest > before
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# --- Page -----------------------------------------------------------------------------------------------------


def test_page_lists_the_exports_of_the_role(world, login_as):
    page = login_as(world.facilitateur).get(reverse("reporting:exports"))
    assert page.status_code == 200
    for name in ANONYMOUS_EXPORTS:
        assert reverse("reporting:export", args=[name, "csv"]) in page.text
        assert reverse("reporting:export", args=[name, "xlsx"]) in page.text
    assert "contrats_nominatifs" not in page.text
    assert "données personnelles : téléchargement journalisé" not in page.text
    assert "Derniers exports téléchargés" not in page.text
    assert f'href="{reverse("reporting:exports")}"' in page.text  # in the navigation


def test_admin_page_shows_the_personal_data_export_and_the_last_20_downloads(world, login_as):
    client = login_as(world.admin)
    for i in range(25):
        ExportLog.objects.create(
            structure=world.structure, user=world.facilitateur.user, kind="heures", file_format="csv", row_count=i
        )
    ExportLog.objects.create(structure=world.other_structure, kind="marches", file_format="csv", row_count=999)
    page = client.get(reverse("reporting:exports"), {"annee": "2026"})
    assert page.status_code == 200
    assert reverse("reporting:export", args=["contrats_nominatifs", "xlsx"]) + "?annee=2026" in page.text
    assert "Contient des données personnelles : téléchargement journalisé." in page.text
    assert page.text.count("Heures d&#x27;insertion</td>") == 20
    assert ">999<" not in page.text


def test_page_queries_do_not_grow_with_logs(world, login_as):
    client = login_as(world.admin)
    client.get(reverse("reporting:exports"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("reporting:exports"))
    for _ in range(5):
        ExportLog.objects.create(
            structure=world.structure, user=world.other_admin.user, kind="marches", file_format="csv"
        )
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("reporting:exports"))
    assert len(many) == len(few)


def test_committee_members_have_no_exports_page_nor_link(world, login_as):
    client = login_as(world.comite)
    assert client.get(reverse("reporting:exports")).status_code == 403
    assert reverse("reporting:exports") not in client.get(reverse("reporting:dashboard")).text
