"""Import of hours from the facilitators' tracking spreadsheets: XLSX and CSV, a preview naming every bad row,
all or nothing (R-HRS-3 checked on the whole file), idempotent, private files, hostile files refused."""

import csv
import datetime
import io
import os
import re
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from clauses.exports import XLSX_TYPE
from marches.enums import CompanyKind
from suivi import imports
from suivi.enums import HourKind, HourSource, ImportStatus
from suivi.models import HourEntry, HourImport
from tests.html import text
from tests.marches.factories import AwardFactory, CompanyFactory, LotFactory
from tests.suivi.factories import WorkContractFactory, hours

pytestmark = pytest.mark.django_db

ELF_EXECUTABLE = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200
COLUMN = {column.key: index for index, column in enumerate(imports.COLUMNS)}


# --- Helpers --------------------------------------------------------------------------------------------------


def name(world, contract, last, first, born=datetime.date(1990, 5, 3)):
    person = contract.participant
    person.last_name, person.first_name, person.birth_date = last, first, born
    person.save()
    return person


@pytest.fixture
def people(world):
    """Names without homonyms: world.contract is Karim DUPONT's, world.sibling_contract Aurélie LEFÈVRE's."""
    name(world, world.contract, "Dupont", "Karim")
    name(world, world.sibling_contract, "Lefèvre", "Aurélie", datetime.date(1988, 11, 20))
    return world


def row(contract, month="03/2026", worked="", training="", **columns):
    """A row of the template's layout for a contract's person on its first award."""
    person, award = contract.participant, contract.assignments.first().award
    values = [""] * len(imports.COLUMNS)
    values[COLUMN["month"]] = month
    values[COLUMN["last_name"]] = person.last_name.upper()
    values[COLUMN["first_name"]] = person.first_name
    values[COLUMN["birth_date"]] = f"{person.birth_date:%d/%m/%Y}"
    values[COLUMN["company_siret"]] = award.company.siret
    values[COLUMN["market"]] = award.lot.market.reference
    values[COLUMN["lot"]] = str(award.lot.number)
    values[COLUMN["worked"]] = worked
    values[COLUMN["training"]] = training
    for key, value in columns.items():
        values[COLUMN[key]] = value
    return values


def csv_bytes(rows, header=imports.HEADER, delimiter=";", encoding="utf-8-sig"):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, header=imports.HEADER, above=()):
    workbook = Workbook()
    sheet = workbook.active
    for line in above:
        sheet.append(line)
    sheet.append(list(header))
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, content, filename="suivi-heures.csv", month=""):
    return client.post(reverse("suivi:import_start"), {"file": SimpleUploadedFile(filename, content), "month": month})


def uploaded(client, content, filename="suivi-heures.csv", month=""):
    """Upload a file that must be accepted; the import waiting for confirmation."""
    response = upload(client, content, filename, month)
    assert response.status_code == 302, text(response)[:3000]
    return HourImport.objects.get(public_id=response.url.rstrip("/").split("/")[-1])


def confirm(client, hour_import):
    """Confirm as the page does: with the fingerprint of the preview just read."""
    page = client.get(hour_import.get_absolute_url()).content.decode()
    found = re.search(r'name="apercu" value="(\w*)"', page)
    data = {"apercu": found.group(1)} if found else {}
    return client.post(reverse("suivi:import_confirm", args=[hour_import.public_id]), data, follow=True)


def detail(client, hour_import):
    response = client.get(hour_import.get_absolute_url())
    assert response.status_code == 200
    return text(response)


def statuses(page):
    """The status badges of the preview, in order: ['créé', 'inchangé', …]."""
    return re.findall(r'status-badge status-\w+">(?:<i [^>]*></i> )?([^<]+)</span>', page)[1:]  # after the import's


def entries(contract):
    return {
        (e.month, e.kind): e.hours
        for e in HourEntry.objects.filter(assignment__contract=contract).order_by("month", "kind")
    }


@pytest.fixture
def facilitator(client, world):
    client.force_login(world.facilitateur.user)
    return client


MARCH, APRIL = datetime.date(2026, 3, 1), datetime.date(2026, 4, 1)


# --- Reading XLSX and CSV -------------------------------------------------------------------------------------


def test_an_xlsx_is_previewed_then_recorded_on_confirmation(facilitator, people):
    content = xlsx_bytes(
        [
            row(people.contract, "03/2026", worked=35, training="7,5"),
            row(people.contract, datetime.datetime(2026, 4, 1), worked=120.5),
        ],
        above=[["Suivi des heures d'insertion — PLIE"], []],  # a title above the table
    )
    hour_import = uploaded(facilitator, content, "Suivi heures.xlsx")
    assert hour_import.status == ImportStatus.EN_ATTENTE and hour_import.row_count == 2
    page = detail(facilitator, hour_import)
    assert "DUPONT Karim" in page and "mars 2026" in page and "avril 2026" in page
    assert statuses(page) == ["créé"] * 3
    assert not HourEntry.objects.exists()  # nothing before confirmation

    response = confirm(facilitator, hour_import)
    assert "2 lignes importées : 3 saisies d'heures créées, 0 modifiée, 0 inchangée." in text(response)
    assert entries(people.contract) == {
        (MARCH, HourKind.FORMATION): Decimal("7.50"),
        (MARCH, HourKind.TRAVAIL): Decimal("35.00"),
        (APRIL, HourKind.TRAVAIL): Decimal("120.50"),
    }
    assert set(HourEntry.objects.values_list("source", "hour_import", "updated_by")) == {
        (HourSource.IMPORT, hour_import.pk, people.facilitateur.user.pk)
    }
    hour_import.refresh_from_db()
    assert hour_import.status == ImportStatus.APPLIQUE and hour_import.applied_at
    assert hour_import.summary["created"] == 3
    assert "Heures enregistrées par cet import" in text(response)


@pytest.mark.parametrize(
    ("delimiter", "encoding"), [(";", "utf-8-sig"), (",", "utf-8"), (";", "cp1252"), (",", "cp1252")]
)
def test_csv_files_are_read_whatever_their_separator_and_encoding(facilitator, people, delimiter, encoding):
    content = csv_bytes(
        [
            row(people.sibling_contract, "2026-03", worked="151,67"),
            row(people.sibling_contract, "04/2026", worked="7h30"),
        ],
        delimiter=delimiter,
        encoding=encoding,
    )
    hour_import = uploaded(facilitator, content)
    page = detail(facilitator, hour_import)
    assert "LEFÈVRE Aurélie" in page
    # R-HRS-1: her eligibility to the market is not established: recorded, not counted, and said so
    assert "Ces heures seront enregistrées sans compter pour ce marché (éligibilité à établir pour ce marché)." in page
    confirm(facilitator, hour_import)
    assert entries(people.sibling_contract) == {
        (MARCH, HourKind.TRAVAIL): Decimal("151.67"),
        (APRIL, HourKind.TRAVAIL): Decimal("7.50"),
    }


def test_headers_are_matched_whatever_their_case_accents_and_wording(facilitator, people):
    header = [
        "Mois concerné", "NOM DE FAMILLE", "prenom", "Né(e) le", "Commentaire", "N° SIRET", "Réf. marché",
        "N° de lot", "Heures réalisées (h)", "heures de FORMATION",
    ]  # fmt: skip
    contract = people.contract
    award = contract.assignments.get().award
    values = [
        "oct.-26", "dupont", "KARIM", "1990-05-03", "embauché en février", f" {award.company.siret[:3]} "
        f"{award.company.siret[3:]}", award.lot.market.reference.lower(), f"Lot {award.lot.number}", "35 h", "",
    ]  # fmt: skip
    march = ["03/2026", *values[1:]]
    total = ["TOTAL", "", "", "", "", "", "", "", "35", ""]
    hour_import = uploaded(facilitator, csv_bytes([march, total], header=header))
    page = detail(facilitator, hour_import)
    assert "Colonnes ignorées : Commentaire" in page
    assert "1 ligne de total ignorée" in page
    confirm(facilitator, hour_import)
    assert entries(contract) == {(MARCH, HourKind.TRAVAIL): Decimal("35.00")}


def test_rows_without_hours_are_skipped_and_empty_cells_never_delete(facilitator, people):
    hours(people.assignment, MARCH, "35", kind=HourKind.FORMATION)
    content = csv_bytes(
        [
            row(people.contract, "03/2026", worked="20", training=""),  # formation left empty: kept
            row(people.sibling_contract, "03/2026"),  # no hours at all: skipped
            [""] * len(imports.COLUMNS),
        ]
    )
    hour_import = uploaded(facilitator, content)
    page = detail(facilitator, hour_import)
    assert "1 ligne sans heures ignorée" in page
    confirm(facilitator, hour_import)
    assert entries(people.contract) == {
        (MARCH, HourKind.FORMATION): Decimal("35.00"),
        (MARCH, HourKind.TRAVAIL): Decimal("20.00"),
    }
    assert not entries(people.sibling_contract)


def test_the_month_may_be_chosen_at_upload_when_the_file_has_no_month_column(facilitator, people):
    header = [c for c in imports.HEADER if c != "Mois"]
    values = row(people.contract, worked="42")
    del values[COLUMN["month"]]
    response = upload(facilitator, csv_bytes([values], header=header))
    assert response.status_code == 200
    assert "Ajoutez une colonne « Mois », ou choisissez le mois des heures" in text(response)
    hour_import = uploaded(facilitator, csv_bytes([values], header=header), month="2026-04")
    assert "avril 2026" in detail(facilitator, hour_import)
    confirm(facilitator, hour_import)
    assert entries(people.contract) == {(APRIL, HourKind.TRAVAIL): Decimal("42.00")}


def test_the_lot_may_be_left_out_when_the_contract_serves_one_lot_only(facilitator, people):
    hour_import = uploaded(facilitator, csv_bytes([row(people.contract, worked="35", lot="", company_siret="")]))
    confirm(facilitator, hour_import)
    assert entries(people.contract) == {(MARCH, HourKind.TRAVAIL): Decimal("35.00")}


def test_a_contract_serving_two_lots_needs_the_lot(facilitator, people):
    """R-HRS-2: a contract shared between two lots of one market; each row says which one."""
    first = people.award
    second = AwardFactory(lot=LotFactory(market=first.lot.market), company=first.company)
    contract = WorkContractFactory(award=first, awards=[first, second])
    name(people, contract, "Martin", "Léa", datetime.date(1995, 1, 9))
    hour_import = uploaded(facilitator, csv_bytes([row(contract, worked="35", lot="")]))
    assert "Ligne 2 : le contrat de MARTIN Léa sert plusieurs marchés ou lots : indiquez le lot." in detail(
        facilitator, hour_import
    )
    hour_import = uploaded(
        facilitator,
        csv_bytes(
            [
                row(contract, worked="20", lot=str(first.lot.number)),
                row(contract, worked="15", lot=str(second.lot.number)),
            ]
        ),
    )
    confirm(facilitator, hour_import)
    recorded = dict(HourEntry.objects.filter(assignment__contract=contract).values_list("award", "hours"))
    assert recorded == {first.pk: Decimal("20.00"), second.pk: Decimal("15.00")}


# --- All or nothing -------------------------------------------------------------------------------------------


BAD_ROWS = {
    "personne inconnue": (
        {"last_name": "INCONNU", "first_name": "Paul"},
        "Ligne 3 : aucune personne nommée INCONNU Paul né(e) le 03/05/1990 n'est suivie par la structure.",
    ),
    "date de naissance fausse": (
        {"birth_date": "04/05/1990"},
        "une personne de ce nom est née le 03/05/1990 : vérifiez la date de naissance",
    ),
    "mois hors des dates du contrat": (
        {"month": "09/2026"},
        "Ligne 3 : aucun contrat de DUPONT Karim ne couvre septembre 2026 (contrat du 02/02/2026 au 31/07/2026)",
    ),
    "au-delà du plafond mensuel": (
        {"worked": "200", "training": "50"},
        "Ligne 3 : 250 h en avril 2026 dépassent la durée maximale du travail",
    ),
    "heures négatives": ({"worked": "-5"}, "Ligne 3 : les heures ne peuvent pas être négatives."),
    "nombre démesuré": ({"worked": "1e300"}, "Ligne 3 : heures travaillées : « 1e300 » n'est pas un nombre"),
    "montant démesuré": ({"worked": "250000"}, "« 250000 » heures, ce n'est pas un nombre d'heures plausible."),
    "texte dans une cellule d'heures": (
        {"worked": "sept"},
        "Ligne 3 : heures travaillées : « sept » n'est pas un nombre d'heures.",
    ),
    "marché inconnu": (
        {"market": "2099-XXX-999"},
        "Ligne 3 : aucun marché de référence « 2099-XXX-999 » n'est suivi par la structure.",
    ),
    "SIRET mal écrit": ({"company_siret": "1234"}, "Ligne 3 : SIRET entreprise : « 1234 » n'est pas un SIRET"),
    "mois à venir": ({"month": "12/2026"}, "Ligne 3 : aucun contrat de DUPONT Karim ne couvre décembre 2026"),
    "mois en exposant": ({"month": "²/2026"}, "Ligne 3 : mois : « ²/2026 » n'est pas un mois lisible"),
    "mois démesuré": ({"month": "9" * 5000 + "/2026"}, "Ligne 3 : mois : « 9999999999"),
    "lot démesuré": ({"lot": "7" * 5000}, "Ligne 3 : lot : « 7777777777"),
    "deux lots": (
        {"lot": "2 et 3"},
        "Ligne 3 : lot : « 2 et 3 » n'est pas un numéro de lot (un seul numéro par ligne).",
    ),
    "parenthèses sans fin": ({"last_name": "(" * 65536}, "Ligne 3 : aucune personne nommée ((((((((((("),
}


@pytest.mark.parametrize("bad", BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_one_bad_row_imports_nothing_and_names_the_row(facilitator, people, bad):
    """R-HRS-3: the whole file is checked; one wrong row and nothing is written, the row is named."""
    changes, message = bad
    good = row(people.sibling_contract, "03/2026", worked="35")
    wrong = row(people.contract, "04/2026", worked="35")
    for key, value in changes.items():
        wrong[COLUMN[key]] = value
    hour_import = uploaded(facilitator, csv_bytes([good, wrong]))
    page = detail(facilitator, hour_import)
    assert message in page
    assert "1 ligne en erreur : rien ne sera importé" in page
    assert 'disabled aria-disabled="true"><i class="bi bi-check-lg" aria-hidden="true"></i> Confirmer' in page
    assert "Corriger le fichier et l'envoyer de nouveau" in page

    response = confirm(facilitator, hour_import)
    assert "Rien n'a été importé : 1 ligne en erreur." in text(response)
    assert message in text(response)
    assert not HourEntry.objects.exists()
    hour_import.refresh_from_db()
    assert hour_import.status == ImportStatus.EN_ATTENTE


def test_the_monthly_ceiling_counts_hours_already_recorded_on_another_market(facilitator, people):
    """R-HRS-2 and R-HRS-3: the legal maximum is per person and month, whatever the markets."""
    other_award = AwardFactory(lot__market__structure=people.structure, company=people.company)
    contract = WorkContractFactory(award=people.award, awards=[people.award, other_award])
    name(people, contract, "Martin", "Léa", datetime.date(1995, 1, 9))
    hours(contract.assignments.get(award=other_award), MARCH, "150")
    hour_import = uploaded(facilitator, csv_bytes([row(contract, worked="70")]))
    assert "Ligne 2 : 220 h en mars 2026 dépassent la durée maximale du travail" in detail(facilitator, hour_import)


def test_confirmation_checks_again_what_changed_since_the_preview(facilitator, people):
    hour_import = uploaded(facilitator, csv_bytes([row(people.contract, "06/2026", worked="35")]))
    assert statuses(detail(facilitator, hour_import)) == ["créé"]
    people.contract.planned_end_date = datetime.date(2026, 5, 31)  # the contract ended earlier, meanwhile
    people.contract.save()
    response = confirm(facilitator, hour_import)
    assert "Rien n'a été importé" in text(response)
    assert "Ligne 2 : aucun contrat de DUPONT Karim ne couvre juin 2026" in text(response)
    assert not HourEntry.objects.exists()


def test_three_rows_for_the_same_hours_name_the_two_others(facilitator, people):
    content = csv_bytes([row(people.contract, worked=str(hours_)) for hours_ in (35, 40, 45)])
    page = detail(facilitator, uploaded(facilitator, content))
    assert "figurent aussi lignes 3 et 4 : n'en gardez qu'une." in page


def test_hours_entered_after_the_preview_are_not_overwritten_unseen(facilitator, people, by_hand=Decimal("12")):
    """The preview said « créé »; meanwhile a colleague entered the month by hand: confirming that preview writes
    nothing, and the refreshed preview shows the change to confirm."""
    hour_import = uploaded(facilitator, csv_bytes([row(people.contract, worked="35")]))
    page = facilitator.get(hour_import.get_absolute_url()).content.decode()
    read = re.search(r'name="apercu" value="(\w+)"', page).group(1)
    assert statuses(text(facilitator.get(hour_import.get_absolute_url()))) == ["créé"]
    hours(people.contract.assignments.get(), MARCH, by_hand)

    url = reverse("suivi:import_confirm", args=[hour_import.public_id])
    response = facilitator.post(url, {"apercu": read}, follow=True)
    assert "Des heures ont été saisies ou modifiées depuis l'aperçu : rien n'a été importé." in text(response)
    assert entries(people.contract) == {(MARCH, HourKind.TRAVAIL): by_hand}
    assert statuses(text(response)) == ["modifié"]

    confirm(facilitator, hour_import)  # the refreshed preview, read and confirmed
    assert entries(people.contract) == {(MARCH, HourKind.TRAVAIL): Decimal("35.00")}


def test_two_rows_for_the_same_hours_are_refused(facilitator, people):
    content = csv_bytes([row(people.contract, worked="35"), row(people.contract, worked="40")])
    page = detail(facilitator, uploaded(facilitator, content))
    messages = re.findall(r"<li>(Ligne \d+ :[^<]*)</li>", page)
    assert messages == [
        f"Ligne 2 : les heures travaillées de DUPONT Karim en mars 2026 ({people.market.reference} · lot "
        f"{people.lot.number}) figurent aussi ligne 3 : n'en gardez qu'une.",
        f"Ligne 3 : les heures travaillées de DUPONT Karim en mars 2026 ({people.market.reference} · lot "
        f"{people.lot.number}) figurent aussi ligne 2 : n'en gardez qu'une.",
    ]


# --- Idempotence and history ----------------------------------------------------------------------------------


def test_importing_the_same_file_again_changes_nothing(facilitator, people):
    content = xlsx_bytes([row(people.contract, worked=35, training=7), row(people.sibling_contract, worked=28)])
    first = uploaded(facilitator, content, "heures.xlsx")
    confirm(facilitator, first)
    recorded = list(HourEntry.objects.order_by("pk").values_list("pk", "hours", "updated_at", "hour_import"))
    history = HourEntry.history.count()

    again = uploaded(facilitator, content, "heures (copie).xlsx")
    page = detail(facilitator, again)
    assert "Ce même fichier a déjà été importé le" in page
    assert statuses(page) == ["inchangé"] * 3
    assert "Tout est déjà enregistré : confirmer ne changera rien." in page
    response = confirm(facilitator, again)
    assert "2 lignes importées : 0 saisie d'heures créée, 0 modifiée, 3 inchangées." in text(response)
    assert list(HourEntry.objects.order_by("pk").values_list("pk", "hours", "updated_at", "hour_import")) == recorded
    assert HourEntry.history.count() == history


def test_changed_values_are_updated_and_kept_in_the_history(facilitator, people):
    confirm(facilitator, uploaded(facilitator, csv_bytes([row(people.contract, worked="35")])))
    corrected = uploaded(facilitator, csv_bytes([row(people.contract, worked="40,5")]))
    page = detail(facilitator, corrected)
    assert statuses(page) == ["modifié"] and "35\u00a0h →" in page
    response = confirm(facilitator, corrected)
    assert "1 ligne importée : 0 saisie d'heures créée, 1 modifiée, 0 inchangée." in text(response)
    entry = HourEntry.objects.get()
    assert entry.hours == Decimal("40.50") and entry.hour_import == corrected
    assert [h.hours for h in entry.history.order_by("history_date")] == [Decimal("35.00"), Decimal("40.50")]
    assert entry.history.latest().history_user == people.facilitateur.user


def test_an_applied_import_cannot_be_confirmed_nor_abandoned_again(facilitator, people):
    hour_import = uploaded(facilitator, csv_bytes([row(people.contract, worked="35")]))
    confirm(facilitator, hour_import)
    assert "Cet import est déjà importé." in text(confirm(facilitator, hour_import))
    response = facilitator.post(reverse("suivi:import_cancel", args=[hour_import.public_id]), follow=True)
    assert "Cet import est déjà importé." in text(response)
    assert HourEntry.objects.count() == 1


# --- Subcontracting -------------------------------------------------------------------------------------------


def sub_row(award, subcontractor, value, month="03/2026", **columns):
    values = [""] * len(imports.COLUMNS)
    values[COLUMN["month"]] = month
    values[COLUMN["company_siret"]] = award.company.siret
    values[COLUMN["market"]] = award.lot.market.reference
    values[COLUMN["lot"]] = str(award.lot.number)
    values[COLUMN["subcontractor_siret"]] = subcontractor.siret
    values[COLUMN["subcontracted"]] = value
    for key, value in columns.items():
        values[COLUMN[key]] = value
    return values


def test_subcontracted_hours_are_recorded_without_a_person(facilitator, people):
    """R-HRS-1: hours an SIAE or an EA did for the holder of an award count without a named participant."""
    siae = CompanyFactory(structure=people.structure, kind=CompanyKind.EI, name="Bâtir Ensemble")
    hour_import = uploaded(facilitator, csv_bytes([sub_row(people.award, siae, "120", company_siret="")]))
    assert "Bâtir Ensemble" in detail(facilitator, hour_import)
    confirm(facilitator, hour_import)
    entry = HourEntry.objects.get()
    assert (entry.award, entry.subcontractor, entry.kind, entry.hours, entry.assignment) == (
        people.award, siae, HourKind.SOUS_TRAITANCE, Decimal("120.00"), None,
    )  # fmt: skip


def test_subcontracted_hours_of_a_classic_company_are_refused(facilitator, people):
    classic = CompanyFactory(structure=people.structure, name="Sous-traitant Classique")
    page = detail(facilitator, uploaded(facilitator, csv_bytes([sub_row(people.award, classic, "80")])))
    assert "Ligne 2 : l'entreprise Sous-traitant Classique n'est ni une SIAE" in page


def test_a_row_cannot_mix_a_person_and_a_subcontractor(facilitator, people):
    siae = CompanyFactory(structure=people.structure, kind=CompanyKind.EA)
    mixed = row(people.contract, worked="35", subcontractor_siret=siae.siret, subcontracted="10")
    page = detail(facilitator, uploaded(facilitator, csv_bytes([mixed])))
    assert "Ligne 2 : une ligne porte soit les heures d'une personne, soit des heures sous-traitées" in page


def test_another_structures_people_and_companies_are_unknown(facilitator, people):
    """The file is resolved within the facilitator's structure only."""
    name(people, people.other_contract, "Durand", "Zoé", datetime.date(1992, 2, 2))
    page = detail(facilitator, uploaded(facilitator, csv_bytes([row(people.other_contract, worked="35")])))
    assert "Ligne 2 : aucune personne nommée DURAND Zoé né(e) le 02/02/1992 n'est suivie par la structure." in page


# --- The template ---------------------------------------------------------------------------------------------


def fill(sheet_rows, value):
    header, *rows = sheet_rows
    worked = header.index("Heures travaillées")
    for values in rows:
        values[worked] = value
    return header, rows


def test_the_prefilled_xlsx_template_round_trips(facilitator, people):
    response = facilitator.get(reverse("suivi:import_template", args=["xlsx"]) + "?mois=2026-03")
    assert response["Content-Type"] == XLSX_TYPE
    assert 'filename="heures-2026-03.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Heures", "Mode d'emploi"]
    guide = [cell for line in workbook["Mode d'emploi"].iter_rows(values_only=True) for cell in line if cell]
    assert "Heures sous-traitées" in guide and "Date de naissance" in guide
    header, rows = fill([list(line) for line in workbook["Heures"].iter_rows(values_only=True)], 35)
    assert header == imports.HEADER
    assert {(r[1], r[2]) for r in rows} == {("DUPONT", "Karim"), ("LEFÈVRE", "Aurélie")}
    assert all(r[0] == "03/2026" and r[7] == 35 for r in rows)

    hour_import = uploaded(facilitator, xlsx_bytes(rows, header=header), "heures-2026-03.xlsx")
    confirm(facilitator, hour_import)
    assert entries(people.contract) == {(MARCH, HourKind.TRAVAIL): Decimal("35.00")}
    assert entries(people.sibling_contract) == {(MARCH, HourKind.TRAVAIL): Decimal("35.00")}


def test_the_prefilled_csv_template_round_trips_and_defuses_formulas(facilitator, people):
    market = people.market
    market.reference = '=HYPERLINK("http://exemple.invalid")'
    market.save()
    response = facilitator.get(reverse("suivi:import_template", args=["csv"]) + "?mois=2026-03")
    content = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in content  # a spreadsheet shows it as text, never runs it
    lines = list(csv.reader(io.StringIO(content), delimiter=";"))
    header, rows = fill(lines, "35")
    hour_import = uploaded(facilitator, csv_bytes(rows, header=header))
    confirm(facilitator, hour_import)
    assert entries(people.contract) == {(MARCH, HourKind.TRAVAIL): Decimal("35.00")}


def test_namesakes_are_told_apart_by_their_birth_date(facilitator, world):
    name(world, world.contract, "Dupont", "Karim", datetime.date(1990, 5, 3))
    name(world, world.sibling_contract, "Dupont", "Karim", datetime.date(1988, 11, 20))
    rows = [row(world.contract, worked="35"), row(world.sibling_contract, worked="12")]
    confirm(facilitator, uploaded(facilitator, csv_bytes(rows)))
    assert entries(world.contract) == {(MARCH, HourKind.TRAVAIL): Decimal("35.00")}
    assert entries(world.sibling_contract) == {(MARCH, HourKind.TRAVAIL): Decimal("12.00")}


def test_a_former_contract_elsewhere_is_told_apart_from_no_contract_at_all(facilitator, people):
    """Only the contracts of the file's months are read for people who have one then: a row naming the company of
    a former contract says the person has no contract there that month."""
    former = WorkContractFactory(
        participant=people.participant, award__lot__market__structure=people.structure,
        award__company__structure=people.structure, start_date=datetime.date(2024, 1, 8),
        planned_end_date=datetime.date(2024, 6, 28),
    )  # fmt: skip
    hour_import = uploaded(
        facilitator, csv_bytes([row(people.contract, worked="35", company_siret=former.company.siret)])
    )
    assert (
        f"Ligne 2 : la personne DUPONT Karim né(e) le 03/05/1990 n'a aucun contrat chez {former.company.name} en "
        "mars 2026 : vérifiez le mois ou l'entreprise."
    ) in " ".join(text(facilitator.get(hour_import.get_absolute_url())).split())


def test_the_template_finds_names_whose_capitals_lose_a_letter(facilitator, people):
    """« Aydın » is written AYDIN in the template (names in capitals); reading it back still finds her."""
    people.participant.last_name = "Aydın"
    people.participant.save()
    response = facilitator.get(reverse("suivi:import_template", args=["csv"]) + "?mois=2026-03")
    header, rows = fill(list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")), "35")
    assert ("AYDIN", people.participant.first_name) in {(r[1], r[2]) for r in rows}
    hour_import = uploaded(facilitator, csv_bytes(rows, header=header))
    confirm(facilitator, hour_import)
    assert entries(people.contract) == {(MARCH, HourKind.TRAVAIL): Decimal("35.00")}


def test_the_xlsx_template_never_holds_a_formula(facilitator, people):
    people.participant.last_name = "=1+1"
    people.participant.save()
    response = facilitator.get(reverse("suivi:import_template", args=["xlsx"]) + "?mois=2026-03")
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "=1+1" in sheet


def test_the_empty_template_has_the_header_only(facilitator, world):
    response = facilitator.get(reverse("suivi:import_template", args=["csv"]))
    assert response.content.decode("utf-8-sig").splitlines() == [";".join(imports.HEADER)]


@pytest.mark.parametrize("month", ["treize", "²/2026", "9" * 5000 + "/2026"])
def test_a_wrong_template_month_is_explained(facilitator, world, month):
    response = facilitator.get(reverse("suivi:import_template", args=["xlsx"]), {"mois": month}, follow=True)
    assert "Indiquez un mois, par exemple 10/2026." in text(response)


def test_a_wrong_upload_month_is_explained(facilitator, people):
    response = upload(facilitator, csv_bytes([row(people.contract, worked="35")]), month="²/2026")
    assert response.status_code == 200
    assert "Indiquez un mois, par exemple 10/2026." in text(response)
    assert not HourImport.objects.filter(original_name="suivi-heures.csv").exists()


def test_the_import_page_explains_the_layout(facilitator, world):
    page = text(facilitator.get(reverse("suivi:import_start")))
    for column in imports.COLUMNS:
        assert column.name in page
    assert reverse("suivi:import_template", args=["xlsx"]) in page
    assert "heures-mars.csv" in page  # the structure's recent import
    assert "Maison de l'emploi" not in page


# --- Hostile or broken files ----------------------------------------------------------------------------------


def zip_bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (imports.MAX_UNCOMPRESSED_SIZE + 1))
    return buffer.getvalue()


REFUSED = {
    "exécutable renommé": (ELF_EXECUTABLE, "heures.xlsx", "n'est ni un classeur Excel (.xlsx) ni un fichier CSV"),
    "exécutable en .csv": (b"MZ\x90\x00\x03" + b"\x00" * 100, "heures.csv", "ni un fichier CSV"),
    "trop lourd": (
        b"a;b\n" * (imports.MAX_FILE_SIZE // 4 + 1),
        "heures.csv",
        "Le fichier pèse 5,0 Mo : 5 Mo au plus.",
    ),
    "classeur abîmé": (b"PK\x03\x04" + os.urandom(300), "heures.xlsx", "Ce classeur Excel est abîmé ou illisible."),
    "bombe zip": (zip_bomb(), "heures.xlsx", "Ce classeur est démesuré une fois ouvert"),
    "ancien Excel": (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
        "heures.xls",
        "ancien classeur Excel (.xls)",
    ),
    "encodage inconnu": (b"Mois;Nom\n\x81\x8d\x8f\x90", "heures.csv", "ni en UTF-8 ni en Windows-1252"),
    "sans en-têtes": (
        b"1;2;3\n4;5;6\n",
        "heures.csv",
        "Aucune ligne d'en-têtes reconnue dans les 10 premières lignes",
    ),
    "sans nom": (b"Mois;Heures\n03/2026;35\n", "heures.csv", "Ajoutez les colonnes « Nom » et « Prénom »"),
    "colonne en double": (
        b"Mois;Nom;Pr\xc3\xa9nom;Heures;Heures travaill\xc3\xa9es\n",
        "heures.csv",
        "La colonne « Heures travaillées » apparaît plusieurs fois (colonnes D, E)",
    ),
    "vide": (b"", "heures.csv", "Le fichier est vide."),
    "cellule démesurée": (b"Mois;Nom;Heures\n" + b"a" * 200_000 + b"\n", "heures.csv", "Ce fichier CSV est mal formé"),
}


def mimetype_bomb():
    """A small ZIP whose first member inflates to 1 GiB: nothing may be read before the sizes are checked."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("mimetype", "w", force_zip64=True) as member:
            chunk = b"\x00" * (1 << 20)
            for _ in range(1024):
                member.write(chunk)
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def formula_without_value():
    """A sheet written by a program: the hours are a formula Excel never computed, so no value is saved."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(imports.HEADER))
    values = [""] * len(imports.COLUMNS)
    values[COLUMN["month"]], values[COLUMN["last_name"]], values[COLUMN["first_name"]] = "03/2026", "DUPONT", "Karim"
    values[COLUMN["worked"]] = "=5*7"
    sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


REFUSED |= {
    "bombe zip sur mimetype": (mimetype_bomb(), "heures.xlsx", "Ce classeur est démesuré une fois ouvert"),
    "formule jamais calculée": (
        formula_without_value(),
        "heures.xlsx",
        f"La cellule {chr(ord('A') + COLUMN['worked'])}2 contient une formule sans valeur calculée",
    ),
    "virgule décimale dans un CSV à virgules": (
        "Mois,Nom,Prénom,Heures travaillées,Heures de formation\r\n03/2026,DUPONT,Karim,151,67,\r\n".encode(),
        "heures.csv",
        "Ligne 2 : plus de cellules que d'en-têtes.",
    ),
}


@pytest.mark.parametrize(("content", "filename", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_a_file_that_cannot_be_read_is_refused_with_a_french_message(facilitator, world, content, filename, message):
    count = HourImport.objects.count()
    response = upload(facilitator, content, filename)
    assert response.status_code == 200
    assert message in text(response)
    assert HourImport.objects.count() == count


def test_a_sheet_too_long_is_refused(facilitator, people):
    rows = [row(people.contract, worked="1")] * (imports.MAX_ROWS + 1)
    response = upload(facilitator, csv_bytes(rows))
    assert "Le fichier compte plus de 5\u202f000 lignes d'heures : découpez-le" in text(response)


def test_an_xlsx_formatted_down_to_its_last_row_is_read_quickly(facilitator, people):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(imports.HEADER)
    sheet.append(row(people.contract, worked=35))
    sheet.cell(row=1_000_000, column=1, value=" ")  # a stray cell at the very bottom
    buffer = io.BytesIO()
    workbook.save(buffer)
    hour_import = uploaded(facilitator, buffer.getvalue(), "heures.xlsx")
    assert hour_import.row_count == 1


# --- Private storage ------------------------------------------------------------------------------------------


def test_the_stored_file_is_private_and_under_a_random_name(facilitator, people, client, settings):
    hour_import = uploaded(facilitator, csv_bytes([row(people.contract, worked="35")]), "Heures DUPONT.csv")
    assert hour_import.original_name == "Heures DUPONT.csv"
    assert "DUPONT" not in hour_import.file.name and hour_import.file.name.startswith("imports/")
    assert str(settings.STORAGES["default"]["OPTIONS"]["location"]) in hour_import.file.path
    with pytest.raises(ValueError):
        hour_import.file.url  # noqa: B018
    for path in (f"/{hour_import.file.name}", f"/media/{hour_import.file.name}", f"/static/{hour_import.file.name}"):
        assert facilitator.get(path).status_code == 404


def test_abandoning_an_import_erases_its_file(facilitator, people, django_capture_on_commit_callbacks):
    hour_import = uploaded(facilitator, csv_bytes([row(people.contract, worked="35")]))
    path = hour_import.file.path
    with django_capture_on_commit_callbacks(execute=True):
        response = facilitator.post(reverse("suivi:import_cancel", args=[hour_import.public_id]), follow=True)
    assert "L'import est abandonné" in text(response)
    hour_import.refresh_from_db()
    assert hour_import.status == ImportStatus.ABANDONNE and not hour_import.file
    assert not os.path.exists(path)
    assert "Cet import a été abandonné" in detail(facilitator, hour_import)
    assert not HourEntry.objects.exists()


def test_the_waiting_import_of_the_world_can_be_confirmed(facilitator, world):
    """The import of the shared test world is real: March hours of our contract."""
    response = confirm(facilitator, world.hour_import)
    assert "1 ligne importée : 1 saisie d'heures créée" in text(response)
    assert HourEntry.objects.get().assignment == world.assignment


# --- Query counts ---------------------------------------------------------------------------------------------


def import_of(client, world, count, prefix):
    """An import of `count` people's worked and training hours, each on their own contract."""
    contracts = [WorkContractFactory(award=world.award) for _ in range(count)]
    for index, contract in enumerate(contracts):
        name(world, contract, f"{prefix}{index:03d}", "Test", datetime.date(1980, 1, 1) + datetime.timedelta(index))
    return uploaded(client, csv_bytes([row(contract, worked="35", training="2") for contract in contracts]))


def test_the_preview_queries_do_not_grow_with_rows(facilitator, world, django_assert_max_num_queries):
    few = import_of(facilitator, world, 5, "Petit")
    with CaptureQueriesContext(connection) as queries:
        response = facilitator.get(few.get_absolute_url())
    assert statuses(text(response)) == ["créé"] * 10
    count = len(queries)
    many = import_of(facilitator, world, 30, "Grand")
    # session, user, memberships; savepoint; the import; people, their contracts and markets, companies, markets,
    # awards; the cells read again and the hours already recorded (twice); the same file imported before
    with django_assert_max_num_queries(count):
        response = facilitator.get(many.get_absolute_url())
    assert statuses(text(response)) == ["créé"] * 60


# --- In the browser -------------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_facilitator_imports_their_spreadsheet_in_the_browser(page, live_server, world, tmp_path):
    """A facilitator fills the pre-filled template, sends it with a typo, reads which row is wrong, sends it again
    corrected and confirms."""
    from playwright.sync_api import expect

    from tests.browser.test_home_pages import SCREENSHOTS, log_in

    name(world, world.contract, "Dupont", "Karim")
    name(world, world.sibling_contract, "Lefèvre", "Aurélie", datetime.date(1988, 11, 20))
    log_in(page, live_server.url, world.facilitateur.user.email)
    page.goto(live_server.url + reverse("suivi:import_start"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Importer un tableau de suivi des heures")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "import-page.png", full_page=True)

    page.get_by_label("Mois à pré-remplir").fill("2026-03")
    with page.expect_download() as download:
        page.get_by_role("button", name="Modèle pré-rempli (.xlsx)").click()
    workbook = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    sheet = workbook["Heures"]
    sheet["H2"], sheet["H3"], sheet["I3"] = 35, "sept", "7,5"
    sent = tmp_path / "Suivi mars.xlsx"
    workbook.save(sent)

    page.get_by_label("Tableau de suivi").set_input_files(sent)
    page.get_by_role("button", name="Envoyer et prévisualiser").click()
    expect(page.get_by_role("alert")).to_contain_text("Ligne 3 : heures travaillées : « sept » n'est pas un nombre")
    expect(page.get_by_role("button", name="Confirmer l'import")).to_be_disabled()
    page.screenshot(path=SCREENSHOTS / "import-apercu-erreur.png", full_page=True)

    page.get_by_role("link", name="Corriger le fichier et l'envoyer de nouveau").click()
    sheet["H3"] = "151,67"
    workbook.save(sent)
    page.get_by_label("Tableau de suivi").set_input_files(sent)
    page.get_by_role("button", name="Envoyer et prévisualiser").click()
    expect(page.get_by_role("button", name="Confirmer l'import")).to_be_enabled()
    page.get_by_role("button", name="Confirmer l'import").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "2 lignes importées : 3 saisies d'heures créées, 0 modifiée, 0 inchangée."
    )
    page.screenshot(path=SCREENSHOTS / "import-applique.png", full_page=True)
    assert HourEntry.objects.filter(source=HourSource.IMPORT).count() == 3
