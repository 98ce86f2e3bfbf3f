"""Rows of an import resolved against the structure's records: a person's contract and market, or an award and
its subcontractor. Every failure is a French message naming the row."""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.db.models.functions import Upper

from marches.models import Award, Company, Market
from participants.models import Participant, name_key
from suivi import hours as rules
from suivi import services
from suivi.enums import HourKind
from suivi.imports.layout import COLUMN_BY_KEY, HOUR_COLUMNS, header_key
from suivi.imports.reading import (
    CellError,
    cell_text,
    hour_keys,
    is_empty,
    parse_date_cell,
    parse_hours_cell,
    parse_lot_cell,
    parse_month_cell,
    parse_siret_cell,
)
from suivi.models import SUBCONTRACTOR_KINDS, Assignment, WorkContract

# --- Rows -----------------------------------------------------------------------------------------------------

CREATED, UPDATED, UNCHANGED, ERROR = "cree", "modifie", "inchange", "erreur"
STATUS_DISPLAY = {
    CREATED: ("créé", "success", "plus-circle"),
    UPDATED: ("modifié", "primary", "pencil"),
    UNCHANGED: ("inchangé", "secondary", "dash-circle"),
    ERROR: ("erreur", "danger", "exclamation-octagon"),
}


@dataclass
class Amount:
    """One value of a row: hours of one kind, and what importing it would do."""

    kind: str
    hours: Decimal | None
    status: str = ""
    old: Decimal | None = None
    raw: str = ""  # as written, when it is not a number of hours

    @property
    def kind_label(self):
        return HourKind(self.kind).label

    @property
    def status_label(self):
        return STATUS_DISPLAY[self.status][0] if self.status else ""

    @property
    def status_tone(self):
        return STATUS_DISPLAY[self.status][1] if self.status else "secondary"

    @property
    def status_icon(self):
        return STATUS_DISPLAY[self.status][2] if self.status else ""


def _sentence_start_lower(message):
    """'Indiquez le mois' → 'indiquez le mois', 'L'entreprise X' → 'l'entreprise X' (after 'Ligne 3 : ')."""
    if len(message) > 1 and message[0].isupper() and (message[1].islower() or message[1] == "'"):
        return message[0].lower() + message[1:]
    return message


@dataclass
class Row:
    number: int
    month: date | None = None
    last_name: str = ""
    first_name: str = ""
    birth_date: date | None = None
    company_siret: str = ""
    market: str = ""
    lot: int | None = None
    subcontractor_siret: str = ""
    amounts: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # worth knowing, not blocking
    # resolution
    person: str = ""
    assignment: Assignment | None = None
    award: Award | None = None
    subcontractor: Company | None = None
    cells: list = field(default_factory=list)

    @property
    def who(self):
        """As the row names it: 'DUPONT Karim' or the subcontractor."""
        if self.person:
            return self.person
        if self.subcontractor is not None:
            return self.subcontractor.name
        return " ".join(p for p in (self.last_name.upper(), self.first_name) if p)

    @property
    def month_label(self):
        return rules.month_label(self.month) if self.month else ""

    @property
    def market_label(self):
        award = self.assignment.award if self.assignment is not None else self.award
        if award is not None:
            return f"{award.lot.market.reference} · lot {award.lot.number}"
        return " · ".join(p for p in (self.market, f"lot {self.lot}" if self.lot else "") if p)

    @property
    def messages(self):
        return [f"Ligne {self.number} : {_sentence_start_lower(message)}" for message in self.errors]

    def fail(self, message):
        if message not in self.errors:
            self.errors.append(message)


def parse_rows(table, default_month=None):
    """Rows holding hours, their cells read; (rows, skipped rows without hours, total rows ignored)."""
    columns = table.columns
    rows, skipped, totals = [], 0, 0

    def cell(values, key):
        return values[columns[key]] if key in columns else None

    for number, values in table.rows:
        hour_values = {key: cell(values, key) for key in hour_keys(columns)}
        identifying = [header_key(cell(values, key)) for key in ("last_name", "first_name", "month", "market")]
        if any(re.match(r"(sous )?totale?s?\b", text) for text in identifying):
            totals += 1
            continue
        if all(is_empty(value) for value in hour_values.values()):
            skipped += 1
            continue
        row = Row(number=number)
        for key, value in hour_values.items():
            try:
                hours = parse_hours_cell(value, COLUMN_BY_KEY[key].name)
            except CellError as error:
                row.fail(str(error))
                row.amounts.append(Amount(HOUR_COLUMNS[key], None, ERROR, raw=cell_text(value)[:40]))
                continue
            if hours is not None:
                row.amounts.append(Amount(HOUR_COLUMNS[key], hours))
        raw_month = cell(values, "month")
        try:
            row.month = parse_month_cell(raw_month) if not is_empty(raw_month) else default_month
        except CellError as error:
            row.fail(str(error))
        else:
            if row.month is None:
                row.fail("Indiquez le mois des heures.")
        row.last_name, row.first_name = cell_text(cell(values, "last_name")), cell_text(cell(values, "first_name"))
        row.market = cell_text(cell(values, "market"))
        readers = (
            ("birth_date", lambda v: parse_date_cell(v, "Date de naissance")),
            ("company_siret", lambda v: parse_siret_cell(v, "SIRET entreprise")),
            ("subcontractor_siret", lambda v: parse_siret_cell(v, "SIRET sous-traitant")),
            ("lot", parse_lot_cell),
        )
        for key, reader in readers:
            value = cell(values, key)
            if is_empty(value):
                continue
            try:
                setattr(row, key, reader(value))
            except CellError as error:
                row.fail(str(error))
        rows.append(row)
    return rows, skipped, totals


# --- Resolution against the structure's records ---------------------------------------------------------------


def siret_label(siret):
    return f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"


def _born(birth_date):
    return f" né(e) le {birth_date:%d/%m/%Y}" if birth_date else ""


def _contract_dates(contract):
    end = f"au {contract.end_date:%d/%m/%Y}" if contract.end_date else "sans fin prévue"
    return f"du {contract.start_date:%d/%m/%Y} {end}"


def _people(structure, rows):
    """The people the rows name: by name and birth date where the row gives one (a large structure has many
    namesakes), by name alone otherwise, and by name alone again for a birth date that matches nobody (the
    message then gives the namesakes' dates). Two queries at most."""
    dated, undated = set(), set()
    for row in rows:
        if row.last_name or row.first_name:
            key = name_key(row.last_name, row.first_name)
            if row.birth_date:
                dated.add((key, row.birth_date))
            else:
                undated.add(key)
    people = Participant.objects.for_structure(structure).order_by("pk")
    found = [
        person
        for person in people.filter(
            Q(name_key__in=undated)
            | Q(name_key__in={key for key, _ in dated}, birth_date__in={born for _, born in dated})
        )
        if person.name_key in undated or (person.name_key, person.birth_date) in dated
    ]
    matched = {(person.name_key, person.birth_date) for person in found}
    unmatched = {key for key, born in dated if (key, born) not in matched} - undated
    if unmatched:
        found += people.filter(name_key__in=unmatched).exclude(pk__in=[person.pk for person in found])
    return sorted(found, key=lambda person: person.pk)


class Resolver:
    """Everything the rows refer to, loaded at once: a fixed number of queries whatever the number of rows."""

    def __init__(self, structure, rows):
        self.people = defaultdict(list)
        for person in _people(structure, rows):
            self.people[person.name_key].append(person)
        assignments = Assignment.objects.select_related("award__lot__market", "award__company")
        contracts = (
            WorkContract.objects.for_structure(structure)
            .select_related("company")
            .prefetch_related(Prefetch("assignments", queryset=assignments))
            .order_by("start_date", "pk")
        )
        people = {p.pk for namesakes in self.people.values() for p in namesakes}
        months = [row.month for row in rows if row.month]
        self.contracts = defaultdict(list)
        # The contracts running in the file's months; all the contracts of the people who have none then (the
        # message lists their dates). A person's years of former contracts are not read for every row.
        running = contracts.filter(participant__in=people).active_in(min(months), max(months)) if months else []
        for contract in running:
            self.contracts[contract.participant_id].append(contract)
        self.complete = people - set(self.contracts)  # the people whose every contract is read
        if self.complete:
            for contract in contracts.filter(participant__in=self.complete):
                self.contracts[contract.participant_id].append(contract)
        sirets = {s for r in rows for s in (r.company_siret, r.subcontractor_siret) if s}
        self.companies = {c.siret: c for c in Company.objects.for_structure(structure).filter(siret__in=sirets)}
        references = {r.market.upper() for r in rows if r.market}
        self.markets = defaultdict(list)
        markets = (
            Market.objects.for_structure(structure)
            .alias(ref=Upper("reference"))
            .filter(ref__in=references)
            .select_related("buyer")
        )
        for market in markets:
            self.markets[market.reference.upper()].append(market)
        self.awards = defaultdict(list)
        for award in (
            Award.objects.for_structure(structure)
            .filter(lot__market__in=[m for ms in self.markets.values() for m in ms])
            .select_related("lot__market", "company")
            .order_by("lot__number", "pk")
        ):
            self.awards[award.lot.market_id].append(award)

    def resolve(self, row):
        if row.errors:
            return
        person_amounts = [a for a in row.amounts if a.kind != HourKind.SOUS_TRAITANCE]
        sub_amounts = [a for a in row.amounts if a.kind == HourKind.SOUS_TRAITANCE]
        if (person_amounts or row.last_name or row.first_name) and (sub_amounts or row.subcontractor_siret):
            row.fail(
                "Une ligne porte soit les heures d'une personne, soit des heures sous-traitées : "
                "faites-en deux lignes."
            )
        elif sub_amounts or row.subcontractor_siret:
            self._resolve_subcontracting(row)
        else:
            self._resolve_person(row)
        if row.errors:
            return
        for amount in row.amounts:
            row.cells.append(
                services.Cell(
                    month=row.month,
                    kind=amount.kind,
                    hours=amount.hours,
                    assignment=row.assignment,
                    award=row.award,
                    subcontractor=row.subcontractor,
                    key=str(row.number),
                )
            )

    def _market(self, row):
        """The market the row names (None and a message when unknown or ambiguous; None when not named)."""
        if not row.market:
            return None
        markets = self.markets.get(row.market.upper(), [])
        if not markets:
            row.fail(f"Aucun marché de référence « {row.market} » n'est suivi par la structure.")
        elif len(markets) > 1:
            buyers = ", ".join(sorted(m.buyer.name for m in markets))
            row.fail(
                f"Plusieurs marchés portent la référence « {row.market} » ({buyers}) : renommez-en un dans Clauses."
            )
        else:
            return markets[0]
        return None

    def _company(self, row, siret, label):
        company = self.companies.get(siret)
        if company is None:
            row.fail(f"Aucune entreprise de SIRET {siret_label(siret)} n'est enregistrée par la structure ({label}).")
        return company

    def _resolve_person(self, row):
        if not (row.last_name and row.first_name):
            row.fail("Indiquez le nom et le prénom de la personne.")
            return
        written = f"{row.last_name.upper()} {row.first_name}"
        written = written if len(written) <= 80 else f"{written[:80]}…"  # as typed, but never a page of it
        people = self.people.get(name_key(row.last_name, row.first_name), [])
        if row.birth_date:
            same_name = people
            people = [p for p in people if p.birth_date == row.birth_date]
            if not people and same_name:
                dates = ", ".join(f"{p.birth_date:%d/%m/%Y}" for p in same_name)
                row.fail(
                    f"Aucune personne nommée {written}{_born(row.birth_date)} n'est suivie par la structure "
                    f"(une personne de ce nom est née le {dates} : vérifiez la date de naissance)."
                )
                return
        if not people:
            row.fail(f"Aucune personne nommée {written}{_born(row.birth_date)} n'est suivie par la structure.")
            return
        company = self._company(row, row.company_siret, "SIRET entreprise") if row.company_siret else None
        market = self._market(row)
        if row.errors:
            return
        contracts = [c for person in people for c in self.contracts.get(person.pk, [])]
        if company is not None:
            contracts = [c for c in contracts if c.company_id == company.pk]
        if not contracts:
            at = f" chez {company.name}" if company is not None else ""
            if any(person.pk in self.complete for person in people):
                row.fail(f"La personne {written}{_born(row.birth_date)} n'a aucun contrat enregistré{at}.")
            else:  # only their contracts of the file's months were read
                row.fail(f"La personne {written}{_born(row.birth_date)} n'a aucun contrat{at} en "
                         f"{rules.month_label(row.month)} : vérifiez le mois ou l'entreprise.")  # fmt: skip
            return
        running = [c for c in contracts if c.period.covers(row.month)]
        if not running:
            dates = " ; ".join(_contract_dates(c) for c in contracts)
            row.fail(
                f"Aucun contrat de {written} ne couvre {rules.month_label(row.month)} "
                f"(contrat{'s' * (len(contracts) > 1)} {dates}) : vérifiez le mois ou les dates du contrat."
            )
            return
        assignments = [a for c in running for a in c.assignments.all()]
        if market is not None:
            served = assignments
            assignments = [a for a in assignments if a.award.lot.market_id == market.pk]
            if not assignments:
                names = ", ".join(sorted({a.award.lot.market.reference for a in served})) or "aucun"
                row.fail(f"Le contrat de {written} ne sert pas le marché {market.reference} (il sert : {names}).")
                return
        if row.lot is not None:
            assignments = [a for a in assignments if a.award.lot.number == row.lot]
            if not assignments:
                row.fail(f"Le contrat de {written} ne sert pas le lot {row.lot} de ce marché.")
                return
        people_found = {a.contract.participant_id for a in assignments}
        contracts_found = {a.contract for a in assignments}
        if len(people_found) > 1:
            row.fail(
                f"Plusieurs personnes nommées {written} sont suivies par la structure : indiquez la date de naissance."
            )
        elif len(contracts_found) > 1 and len({c.company_id for c in contracts_found}) > 1:
            row.fail(
                f"{written} a des contrats dans plusieurs entreprises en {rules.month_label(row.month)} : "
                "indiquez le SIRET entreprise."
            )
        elif len(contracts_found) > 1:
            dates = " ; ".join(_contract_dates(c) for c in sorted(contracts_found, key=lambda c: c.start_date))
            row.fail(
                f"{written} a plusieurs contrats dans la même entreprise en {rules.month_label(row.month)} "
                f"({dates}) : saisissez ces heures contrat par contrat dans Clauses."
            )
        elif len(assignments) > 1:
            markets = {a.award.lot.market_id for a in assignments}
            missing = "le lot" if len(markets) == 1 else "le marché (et le lot s'il le faut)"
            row.fail(f"Le contrat de {written} sert plusieurs marchés ou lots : indiquez {missing}.")
        elif len(assignments) == 1:
            row.assignment = assignments[0]
            if not row.assignment.counts:  # R-HRS-1: recorded, not counted
                reason = row.assignment.reason or "éligibilité à établir"
                row.notes.append(f"Ces heures seront enregistrées sans compter pour ce marché ({reason}).")
            participant = next(p for p in people if p.pk == row.assignment.contract.participant_id)
            row.person = f"{participant.last_name.upper()} {participant.first_name}"
        else:
            row.fail(f"Le contrat de {written} ne sert aucun marché.")

    def _resolve_subcontracting(self, row):
        if not row.subcontractor_siret:
            row.fail("Indiquez le SIRET du sous-traitant qui a réalisé ces heures.")
            return
        if not any(a.kind == HourKind.SOUS_TRAITANCE for a in row.amounts):
            row.fail("Indiquez les heures sous-traitées de ce sous-traitant.")
            return
        subcontractor = self._company(row, row.subcontractor_siret, "SIRET sous-traitant")
        holder = self._company(row, row.company_siret, "SIRET entreprise") if row.company_siret else None
        if not row.market:
            row.fail("Indiquez le marché des heures sous-traitées.")
        market = self._market(row)
        if row.errors:
            return
        if subcontractor.kind not in SUBCONTRACTOR_KINDS:
            row.fail(
                f"L'entreprise {subcontractor.name} n'est ni une SIAE (EI, ETTI, AI, ACI) ni une EA / un ESAT : "
                "ses heures ne comptent pas sans personne nommée."
            )
            return
        awards = [a for a in self.awards.get(market.pk, []) if a.company_id != subcontractor.pk]
        if row.lot is not None:
            awards = [a for a in awards if a.lot.number == row.lot]
            if not awards:
                row.fail(f"Le marché {market.reference} n'a pas de lot {row.lot} attribué à une autre entreprise.")
                return
        if holder is not None:
            awards = [a for a in awards if a.company_id == holder.pk]
            if not awards:
                row.fail(
                    f"L'entreprise {holder.name} n'est pas attributaire du marché {market.reference}{self._lot(row)}."
                )
                return
        if len(awards) == 1:
            row.award, row.subcontractor = awards[0], subcontractor
        elif not awards:
            row.fail(f"Le marché {market.reference} n'est attribué à aucune autre entreprise que le sous-traitant.")
        elif len({a.lot_id for a in awards}) > 1:
            row.fail(f"Le marché {market.reference} a plusieurs lots : indiquez le lot.")
        else:
            row.fail(
                f"Le lot {awards[0].lot.number} du marché {market.reference} a plusieurs attributaires : indiquez "
                "le SIRET de l'entreprise qui sous-traite."
            )

    @staticmethod
    def _lot(row):
        return f" (lot {row.lot})" if row.lot is not None else ""
