"""The benchmark behind `make bench` (issue 8): the pages, the bilans and the import, measured on whatever database
the settings point at (a national-scale one for the figures that matter).

Pages go through the whole stack — middleware, sessions, access layer, templates — with Django's test client,
logged in as a real user of the right role found in the database; the objects measured are chosen by SQL (the
largest structure, market, company, buyer…), so the same bench runs on the demo and on national data. Each item
is a function of the registry `ITEMS`; it returns `Measure`s, which the report compares with the issue's targets.

Writes are real (a grid saved, hours imported, bilans rendered): run it on a database made for it.
"""

import csv
import io
import json
import math
import os
import statistics
import subprocess
import sys
import time
import traceback
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from html.parser import HTMLParser
from itertools import cycle
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Count, Sum
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone

from clauses.accounts.access import structures_for_aggregates
from clauses.accounts.enums import OrganisationKind, Role
from clauses.accounts.middleware import SESSION_KEY
from clauses.accounts.models import Membership, Organisation
from clauses.celery import app as celery_app
from marches.enums import ATTRIBUTED, MarketStatus
from marches.models import Award, Buyer, Company, Lot, Market
from marches.progress import today
from participants.models import Participant
from reporting import kept
from reporting.models import ACTIVE, JobStatus, ReportJob, ReportKind
from reporting.services import INTERRUPTED
from reporting.tasks import render_report
from suivi import hours as rules
from suivi import imports
from suivi.enums import ImportStatus
from suivi.models import Assignment, HourEntry, HourImport, WorkContract

PAGE_MS = 300  # every page, p95
AGGREGATE_MS = 1000  # dashboard and consolidation, p95…
SQL_RATIO = 3  # …and at most this many times their bare SQL
BILAN_MS = 20_000  # the largest buyer's yearly bilan, from the request to the PDF
IMPORT_MS = 30_000  # an import of IMPORT_ROWS rows, upload, preview and confirmation
IMPORT_ROWS = 10_000
WARMUP = 2
BUDGET_S = 60  # a measure stops repeating after this long…
MIN_RUNS = 3  # …once it has this many runs
BILAN_RUNS = 3
IMPORT_RUNS = 2
JOB_TIMEOUT = 600  # seconds a bilan may take before the bench gives up on it
EMPTY_DATABASE = "La base ne contient aucun marché : lancez d'abord « make national »."


class BenchFailure(Exception):
    """A request that did not answer as a user's would (an error page, a refused form, a failed bilan)."""


# --- Figures ----------------------------------------------------------------------------------------------------


def percentile(values, share):
    """Nearest-rank percentile: the smallest value at least `share` of the values do not exceed."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


@dataclass
class Measure:
    name: str
    label: str
    timings: list  # seconds
    queries: int | None = None  # SQL queries of one request (of one whole run for the bilan and the import)
    limit_ms: float | None = None  # the p95 not to exceed; None for a reference (bare SQL)
    sql: "Measure | None" = None  # the bare SQL of the same figures, which the page may exceed SQL_RATIO times
    note: str = ""

    @property
    def p50(self):
        return statistics.median(self.timings) * 1000

    @property
    def p95(self):
        return percentile(self.timings, 0.95) * 1000

    @property
    def ratio(self):
        return self.p95 / self.sql.p95 if self.sql is not None and self.sql.p95 else None

    @property
    def target(self):
        if self.limit_ms is None:
            return "référence"
        text = f"p95 ≤ {number(self.limit_ms, 0)} ms"
        return f"{text} et ≤ {SQL_RATIO}× SQL" if self.sql is not None else text

    @property
    def ok(self):
        if self.limit_ms is None:
            return None
        return self.p95 <= self.limit_ms and (self.ratio is None or self.ratio <= SQL_RATIO)

    def as_json(self):
        return {
            "name": self.name,
            "label": self.label,
            "p50_ms": round(self.p50, 1),
            "p95_ms": round(self.p95, 1),
            "queries": self.queries,
            "target": self.target,
            "ok": self.ok,
            "sql_ratio": round(self.ratio, 2) if self.ratio is not None else None,
            "runs": len(self.timings),
            "timings_ms": [round(t * 1000, 1) for t in self.timings],
            "note": self.note,
        }


@dataclass
class Report:
    repeat: int
    measures: list = field(default_factory=list)
    failures: list = field(default_factory=list)  # (item, French message)
    machine: dict = field(default_factory=dict)
    dataset: dict = field(default_factory=dict)
    started_at: str = ""

    def as_json(self):
        return {
            "date": self.started_at,
            "repeat": self.repeat,
            "machine": self.machine,
            "dataset": self.dataset,
            "measures": [measure.as_json() for measure in self.measures],
            "failures": [{"item": item, "error": error} for item, error in self.failures],
        }


def number(value, digits=1):
    """1234.56 → '1 234,6' (French, narrow spaces kept plain for a terminal)."""
    return f"{value:,.{digits}f}".replace(",", " ").replace(".", ",")


def table(report):
    """The report as a table for the terminal, then the page / SQL ratios and the failures."""
    header = ["Mesure", "p50 (ms)", "p95 (ms)", "requêtes", "cible", "résultat"]
    lines = []
    for m in report.measures:
        result = "—" if m.ok is None else "OK" if m.ok else "DÉPASSÉ"
        queries = "—" if m.queries is None else str(m.queries)
        lines.append([m.label, number(m.p50), number(m.p95), queries, m.target, result])
    for item, _ in report.failures:
        lines.append([ITEMS[item].label if item in ITEMS else item, "—", "—", "—", "—", "ÉCHEC"])
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]
    right = {1, 2, 3}

    def render(row):
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )

    out = [render(header), "  ".join("-" * w for w in widths), *map(render, lines)]
    ratios = [m for m in report.measures if m.ratio is not None]
    if ratios:
        out += ["", "Page / SQL nu (p95) :"]
        out += [f"  {m.label} : {number(m.ratio, 1)}× (cible ≤ {SQL_RATIO}×)" for m in ratios]
    notes = [m for m in report.measures if m.note]
    if notes:
        out += ["", *[f"{m.label} : {m.note}" for m in notes]]
    if report.failures:
        out += ["", "Échecs :", *[f"  {item} : {error}" for item, error in report.failures]]
    return "\n".join(out)


def machine():
    info = {
        "cpus": os.cpu_count(),
        "cpu_model": "",
        "ram_gib": None,
        "postgresql": "",
        "python": sys.version.split()[0],
    }
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        info["cpu_model"] = next(
            (line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), ""
        )
        meminfo = Path("/proc/meminfo").read_text()
        kib = next(int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal:"))
        info["ram_gib"] = round(kib / 1024 / 1024, 1)
    except (OSError, StopIteration, ValueError):
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version" if connection.vendor == "postgresql" else "SELECT 'sqlite'")
        info["postgresql"] = cursor.fetchone()[0]
    return info


def dataset():
    return {
        "markets": Market.objects.count(),
        "hour_entries": HourEntry.objects.count(),
        "contracts": WorkContract.objects.count(),
        "participants": Participant.objects.count(),
        "buyers": Buyer.objects.count(),
        "structures": Organisation.objects.filter(kind=OrganisationKind.FACILITATION).count(),
        "hours": str(HourEntry.objects.aggregate(total=Sum("hours"))["total"] or 0),
    }


# --- The objects measured, chosen by SQL ----------------------------------------------------------------------


def _largest(values, field_name, model, **lookup):
    """The `model` object whose `field_name` groups the most rows of `values` (a queryset), or None."""
    row = values.order_by().values(field_name).annotate(n=Count("pk")).order_by("-n", field_name).first()
    return model.objects.filter(pk=row[field_name], **lookup).first() if row and row[field_name] else None


class Dataset:
    """The largest objects of the database and users to look at them, each found once."""

    @cached_property
    def structure(self):
        """The structure porteuse with the most markets."""
        found = (
            Organisation.objects.filter(kind=OrganisationKind.FACILITATION, is_active=True)
            .annotate(n=Count("markets"))
            .order_by("-n", "pk")
            .first()
        )
        if found is None:
            raise BenchFailure(EMPTY_DATABASE)
        return found

    @cached_property
    def market(self):
        """The market with the most hour rows (else the most awards)."""
        return _largest(HourEntry.objects.all(), "award__lot__market", Market) or _largest(
            Award.objects.all(), "lot__market", Market
        )

    @cached_property
    def company(self):
        """The company with the most awards."""
        return _largest(Award.objects.all(), "company", Company)

    @cached_property
    def participant(self):
        """The person with the most hour rows (else the most contracts)."""
        return _largest(HourEntry.objects.all(), "assignment__contract__participant", Participant) or _largest(
            WorkContract.objects.all(), "participant", Participant
        )

    @cached_property
    def buyer(self):
        """The buyer with the most hours counted, and the year it has the most."""
        totals = HourEntry.objects.counted().order_by().values("award__lot__market__buyer")
        row = totals.annotate(total=Sum("hours")).order_by("-total").first()
        if row is None:
            return None, None
        buyer = Buyer.objects.get(pk=row["award__lot__market__buyer"])
        years = HourEntry.objects.counted().filter(award__lot__market__buyer=buyer, month__lte=today())
        year = years.order_by().values("month__year").annotate(total=Sum("hours")).order_by("-total").first()
        return buyer, year["month__year"] if year else today().year - 1

    def staff(self, structure):
        """An active facilitator (else admin) of `structure`."""
        for role in (Role.FACILITATEUR, Role.ADMIN):
            found = self._memberships().filter(organisation=structure, role=role).first()
            if found is not None:
                return found
        raise BenchFailure(f"Aucun facilitateur ni administrateur actif dans « {structure} ».")

    @cached_property
    def network(self):
        """An active national network head (else a regional one)."""
        found = (
            self._memberships()
            .filter(role=Role.RESEAU, organisation__kind=OrganisationKind.RESEAU)
            .order_by("organisation__region", "pk")  # national heads have no region ('' first)
            .first()
        )
        if found is None:
            raise BenchFailure("Aucune tête de réseau active dans la base.")
        return found

    def _memberships(self):
        return Membership.objects.active().select_related("user", "organisation").order_by("pk")


# --- Requests -------------------------------------------------------------------------------------------------


class FormReader(HTMLParser):
    """What a browser sends with one form of a page: its inputs (text, hidden, checked boxes), by name."""

    def __init__(self, matches: Callable[[dict], bool]):
        super().__init__()
        self.matches = matches
        self.inside = False
        self.found = False
        self.fields = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = self.matches(attrs)
            self.found |= self.inside
        elif tag == "input" and self.inside and attrs.get("name") and "disabled" not in attrs:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields[attrs["name"]] = attrs.get("value") or ("on" if kind in ("checkbox", "radio") else "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def form_fields(response, **attrs):
    """The fields of the page's form whose attributes include `attrs` (id=…, action=…)."""
    reader = FormReader(lambda found: all(found.get(key) == value for key, value in attrs.items()))
    reader.feed(response.content.decode())
    if not reader.found:
        raise BenchFailure(f"Formulaire {attrs} introuvable sur {response.request['PATH_INFO']}.")
    return reader.fields


def check(response, expected=200):
    if response.status_code != expected:
        where = response.request["PATH_INFO"]
        raise BenchFailure(
            f"{response.request['REQUEST_METHOD']} {where} : {response.status_code} (attendu {expected})"
        )
    return response


class Bench:
    def __init__(self, *, repeat, progress=None):
        self.repeat = repeat
        self.data = Dataset()
        self.progress = progress or (lambda text: None)
        self._clients = {}

    def client(self, membership):
        """A browser logged in as the membership's user, working through that membership."""
        if membership.pk not in self._clients:
            client = Client(raise_request_exception=True)
            client.force_login(membership.user)
            session = client.session
            session[SESSION_KEY] = str(membership.public_id)
            session.save()
            self._clients[membership.pk] = client
        return self._clients[membership.pk]

    def timed(self, send, *, expected=200):
        """Two warm-up requests (the second counting its SQL queries: the first may still show a message left by
        an earlier measure), then `repeat` timed ones — fewer when a measure has used up its time budget
        (BUDGET_S), but never fewer than MIN_RUNS: a slow page still gets its figures."""
        check(send(), expected)
        with CaptureQueriesContext(connection) as captured:
            check(send(), expected)
        queries = len(captured)
        timings, started = [], time.perf_counter()
        while len(timings) < self.repeat:
            if len(timings) >= MIN_RUNS and time.perf_counter() - started > BUDGET_S:
                break
            start = time.perf_counter()
            response = send()
            timings.append(time.perf_counter() - start)
            check(response, expected)
        return timings, queries

    def page(self, name, label, membership, url, query=None, *, limit_ms=PAGE_MS):
        client = self.client(membership)
        timings, queries = self.timed(lambda: client.get(url, query or {}, secure=True))
        return Measure(name, label, timings, queries, limit_ms)

    def sql(self, name, label, statements):
        """The bare SQL of a page's figures: `statements` ([(sql, params)]) run and fetched, timed like a page."""

        def send():
            with connection.cursor() as cursor:
                for statement, params in statements:
                    cursor.execute(statement, params)
                    cursor.fetchall()
            return None

        for _ in range(WARMUP):
            send()
        timings, started = [], time.perf_counter()
        while len(timings) < self.repeat and (len(timings) < MIN_RUNS or time.perf_counter() - started < BUDGET_S):
            start = time.perf_counter()
            send()
            timings.append(time.perf_counter() - start)
        return Measure(name, label, timings, len(statements))


# --- The items measured ---------------------------------------------------------------------------------------


@dataclass
class Item:
    name: str
    label: str
    function: Callable


ITEMS: dict[str, Item] = {}


def item(name, label):
    def register(function):
        ITEMS[name] = Item(name, label, function)
        return function

    return register


@item("home", "Accueil du facilitateur")
def home(bench):
    structure = bench.data.structure
    return [bench.page("home", f"Accueil du facilitateur ({structure})", bench.data.staff(structure), reverse("home"))]


@item("market_list", "Liste des marchés")
def market_list(bench):
    structure = bench.data.structure
    staff = bench.data.staff(structure)
    url = reverse("marches:market_list")
    markets = Market.objects.filter(structure=structure).with_year()
    common = markets.order_by().values("status", "year").annotate(n=Count("pk")).order_by("-n").first() or {}
    filters = {"status": common.get("status", ""), "year": common.get("year") or ""}
    shown = f"statut « {MarketStatus(filters['status']).label} », année {filters['year']}" if common else "aucun"
    word = max((bench.data.market.title if bench.data.market else "").split(), key=len, default="")
    return [
        bench.page("market_list", "Liste des marchés, sans filtre", staff, url),
        bench.page("market_list_filtered", f"Liste des marchés, filtre {shown}", staff, url, filters),
        bench.page("market_list_search", f"Liste des marchés, recherche « {word} »", staff, url, {"q": word}),
    ]


@item("market_detail", "Fiche du plus grand marché")
def market_detail(bench):
    market = bench.data.market
    staff = bench.data.staff(market.structure)
    return [
        bench.page("market_detail", f"Fiche du marché {market.reference}", staff,
                   reverse("marches:market_detail", args=[market.public_id])),
        bench.page("market_contracts", "  son panneau des contrats (htmx)", staff,
                   reverse("suivi:market_contracts", args=[market.public_id])),
    ]  # fmt: skip


@item("company_detail", "Fiche de l'entreprise aux plus nombreuses attributions")
def company_detail(bench):
    company = bench.data.company
    staff = bench.data.staff(company.structure)
    return [
        bench.page("company_detail", f"Fiche de l'entreprise {company.name}", staff,
                   reverse("marches:company_detail", args=[company.public_id])),
        bench.page("company_contracts", "  son panneau des contrats (htmx)", staff,
                   reverse("suivi:company_contracts", args=[company.public_id])),
    ]  # fmt: skip


@item("participants", "Participants et parcours")
def participants(bench):
    person = bench.data.participant
    return [
        bench.page("participant_list", "Liste des participants", bench.data.staff(bench.data.structure),
                   reverse("participants:participant_list")),
        bench.page("participant_timeline", "Parcours du participant aux plus nombreuses heures",
                   bench.data.staff(person.structure), reverse("suivi:participant_timeline", args=[person.public_id])),
    ]  # fmt: skip


def _grid_month(company):
    """The month (up to the current one) with the most hour rows of the company, else the previous month."""
    current = rules.month_start(timezone.localdate())
    row = (
        HourEntry.objects.filter(award__company=company, month__lte=current)
        .order_by()
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("-n", "-month")
        .first()
    )
    return row["month"] if row else rules.add_months(current, -1)


@item("grid", "Grille des heures d'un mois")
def grid(bench):
    company = bench.data.company
    staff = bench.data.staff(company.structure)
    client = bench.client(staff)
    month = _grid_month(company)
    url = reverse("suivi:company_grid", args=[company.public_id]) + f"?mois={month:%Y-%m}"
    load = bench.page("grid_load", f"Grille des heures de {company.name}, {rules.month_label(month)}", staff, url)
    # Save: the page's own form sent back with one cell changed, alternately, so that every save writes.
    fields = form_fields(check(client.get(url, secure=True)), id="grille-heures")
    cells = [name for name in fields if name not in ("csrfmiddlewaretoken", "_affiche")]
    if not cells:
        raise BenchFailure(f"La grille de {company.name} en {rules.month_label(month)} n'a aucune case.")
    filled = [name for name in cells if fields[name] and _hours(fields[name]) >= 1]
    name = filled[0] if filled else cells[0]
    lowered = _hours(fields[name]) - 1 if filled else Decimal(1)
    # Each save is sent as by someone who was shown the value the previous save left (`_affiche`): the grid refuses
    # a change of a cell whose value moved since it was shown.
    after = json.dumps({**json.loads(fields["_affiche"]), name: str(lowered)})
    versions = cycle([{**fields, name: str(lowered).replace(".", ",")}, {**fields, "_affiche": after}])
    timings, queries = bench.timed(lambda: client.post(url, next(versions), secure=True), expected=302)
    save = Measure("grid_save", "  enregistrement de la grille (une case changée)", timings, queries, PAGE_MS)
    return [load, save]


def _hours(text):
    return Decimal(text.replace(",", ".").replace(" ", "").replace("\u202f", ""))


# Dashboard and consolidation: the same figures in hand-written SQL, to compare the pages with.

TABLES = {
    "entry": HourEntry._meta.db_table,
    "award": Award._meta.db_table,
    "lot": Lot._meta.db_table,
    "market": Market._meta.db_table,
    "buyer": Buyer._meta.db_table,
    "company": Company._meta.db_table,
    "assignment": Assignment._meta.db_table,
    "contract": WorkContract._meta.db_table,
}
COUNTED_HOURS = """
    FROM {entry} e
    JOIN {award} a ON a.id = e.award_id
    JOIN {lot} l ON l.id = a.lot_id
    JOIN {market} m ON m.id = l.market_id
    JOIN {buyer} b ON b.id = m.buyer_id
    JOIN {company} co ON co.id = a.company_id
    LEFT JOIN {assignment} s ON s.id = e.assignment_id
    LEFT JOIN {contract} c ON c.id = s.contract_id
    WHERE m.structure_id = ANY(%(structures)s) AND e.month BETWEEN %(start)s AND %(end)s
      AND (e.assignment_id IS NULL OR s.counts) {extra}
"""


def _scope(membership):
    on = today()
    start, end = date(on.year, 1, 1), min(date(on.year, 12, 31), on)
    structures = list(structures_for_aggregates(membership).values_list("pk", flat=True))
    return {"structures": structures, "start": start, "end": end, "statuses": list(ATTRIBUTED)}


def dashboard_sql(membership):
    """The dashboard's core figures: the year's counted hours by month, buyer type and sector, and the people."""
    params = _scope(membership)
    scope = COUNTED_HOURS.format(**TABLES, extra="AND m.status = ANY(%(statuses)s)")
    return [
        (f"SELECT e.month, SUM(e.hours) {scope} GROUP BY e.month", params),
        (f"SELECT b.buyer_type, SUM(e.hours) {scope} GROUP BY b.buyer_type", params),
        (f"SELECT m.sector, SUM(e.hours) {scope} GROUP BY m.sector", params),
        (f"SELECT COUNT(DISTINCT c.participant_id) {scope}", params),
    ]


def consolidation_sql(membership):
    """The consolidation's hour tables: hours and people by buyer type, company size and trade."""
    params = _scope(membership)
    scope = COUNTED_HOURS.format(**TABLES, extra="")
    return [
        (f"SELECT {column}, SUM(e.hours), COUNT(DISTINCT c.participant_id) {scope} GROUP BY {column}", params)
        for column in ("b.buyer_type", "co.size", "l.trade")
    ]


def _aggregate_pages(bench, name, label, url_name, statements):
    """The page as it is used: every structure's figures kept (`reporting.kept`), the writes of the items before
    taken in first, as a worker would; and, for reference, the network's page just after a change of the largest
    structure, before the worker has refreshed it (its figures are then computed, the others added up)."""
    structure, year = bench.data.structure, today().year
    kept.refresh(years=[year])  # the year measured
    measures = []
    for suffix, who, membership in (
        ("network", "réseau national", bench.data.network),
        ("structure", str(structure), bench.data.staff(structure)),
    ):
        sql = bench.sql(f"{name}_{suffix}_sql", "  SQL nu des mêmes chiffres", statements(membership))
        page = bench.page(f"{name}_{suffix}", f"{label} ({who})", membership, reverse(url_name), limit_ms=AGGREGATE_MS)
        page.sql = sql
        measures += [page, sql]
    client = bench.client(bench.data.network)

    def changed_then_asked():
        kept.mark([structure.pk])
        return client.get(reverse(url_name), secure=True)

    timings, queries = bench.timed(changed_then_asked)
    measures.append(
        Measure(f"{name}_network_changed", f"  juste après une saisie dans {structure}", timings, queries,
                note="référence : le temps que le worker recalcule la structure")
    )  # fmt: skip
    kept.refresh([structure.pk], years=[year])
    return measures


@item("kept", "Chiffres tenus à jour")
def kept_refresh(bench):
    """What a worker does after a change of the largest structure: its figures of the year computed again."""
    structure, timings = bench.data.structure, []
    on = today()
    while len(timings) < max(MIN_RUNS, min(bench.repeat, 5)):
        kept.mark([structure.pk])
        start = time.perf_counter()
        kept.refresh([structure.pk], years=[on.year])
        timings.append(time.perf_counter() - start)
    label = f"Recalcul d'une année de {structure} (après une saisie)"
    return [Measure("kept_refresh_year", label, timings, note="référence : fait par le worker, en arrière-plan")]


@item("dashboard", "Tableau de bord")
def dashboard(bench):
    return _aggregate_pages(bench, "dashboard", "Tableau de bord", "reporting:dashboard", dashboard_sql)


@item("consolidation", "Consolidation")
def consolidation(bench):
    return _aggregate_pages(bench, "consolidation", "Consolidation", "reporting:consolidation", consolidation_sql)


# The largest buyer's bilan, rendered by a real Celery worker.


def database_url():
    """The database of this process as a URL, for the worker."""
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    location = db["HOST"] + (f":{db['PORT']}" if db["PORT"] else "")
    authority = f"{credentials}@{location}" if credentials else location
    return f"postgres://{authority}/{db['NAME']}"


def _route_bilans_to(queue):
    """Send the bilans' task to `queue` (None: back to the default one). Celery keeps its router once built."""
    celery_app.conf.task_routes = {render_report.name: {"queue": queue}} if queue else {}
    celery_app.amqp.flush_routes()
    celery_app.amqp.router = celery_app.amqp.Router()


@contextmanager
def celery_worker(log_path):
    """A worker process on Redis consuming a queue of its own (as the integration tests start one)."""
    if not settings.REDIS_URL:
        raise BenchFailure("REDIS_URL manque : le bilan passe par un worker Celery sur Redis.")
    queue = f"bench-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PRIVATE_MEDIA_ROOT": str(settings.STORAGES["default"]["OPTIONS"]["location"]),
    }
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "clauses", "worker", "--loglevel", "info", "--pool", "solo",
             "--queues", queue, "--hostname", f"{queue}@%h", "--without-gossip", "--without-mingle",
             "--without-heartbeat"],
            cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    _route_bilans_to(queue)
    try:
        yield process
    finally:
        _route_bilans_to(None)
        celery_app.conf.task_always_eager = eager
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _bilan_run(client, data, worker, log_path):
    """Ask for the bilan as a user would, wait until its PDF is ready: seconds from the request to the PDF."""
    start = time.perf_counter()
    response = check(client.post(reverse("reporting:bilan_request"), data, secure=True), 302)
    public_id = resolve(response["Location"]).kwargs["public_id"]
    jobs = ReportJob.objects.filter(public_id=public_id)
    while (status := jobs.values_list("status", flat=True).get()) not in (JobStatus.TERMINE, JobStatus.ECHEC):
        if worker.poll() is not None:
            raise BenchFailure(f"Le worker Celery s'est arrêté : voyez {log_path}.")
        if time.perf_counter() - start > JOB_TIMEOUT:
            raise BenchFailure(f"Le bilan n'est pas prêt après {JOB_TIMEOUT} s : voyez {log_path}.")
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    job = jobs.get()
    if status == JobStatus.ECHEC:
        raise BenchFailure(f"Le bilan a échoué : {job.error} (voyez {log_path}).")
    with job.file.open("rb") as document:
        if not document.read(5).startswith(b"%PDF") or job.file.size < 1000:
            raise BenchFailure("Le bilan rendu n'est pas un PDF.")
    return elapsed


@item("bilan", "Bilan annuel du plus grand donneur d'ordre (worker Celery)")
def bilan(bench):
    buyer, year = bench.data.buyer
    if buyer is None:
        raise BenchFailure("Aucune heure comptée : pas de bilan de donneur d'ordre à mesurer.")
    client = bench.client(bench.data.staff(buyer.structure))
    data = {
        "kind": ReportKind.BILAN_ACHETEUR,
        "buyer": buyer.public_id,
        "start": date(year, 1, 1).isoformat(),
        "end": min(date(year, 12, 31), timezone.localdate()).isoformat(),
    }
    log_path = Path(settings.BASE_DIR) / "var" / "bench-worker.log"
    runs = min(BILAN_RUNS, bench.repeat)
    # A bench stopped midway leaves its job "en cours", and asking again would wait for it: failed here (this is
    # a measuring database), as the app does itself after half an hour.
    ReportJob.objects.filter(structure=buyer.structure, status__in=ACTIVE).update(
        status=JobStatus.ECHEC, error=INTERRUPTED, finished_at=timezone.now()
    )
    with celery_worker(log_path) as worker:
        bench.progress("  démarrage du worker et bilan d'échauffement…")
        _bilan_run(client, data, worker, log_path)  # the worker's start and first imports are not measured
        timings = [_bilan_run(client, data, worker, log_path) for _ in range(runs)]
    label = f"Bilan {year} de {buyer.name}, demande → PDF"
    return [Measure("bilan", label, timings, None, BILAN_MS)]


# The import of IMPORT_ROWS rows of hours, in the template's own format.


def _template_rows(client, structure, wanted):
    """Rows of the import template (as `suivi:import_template` gives them, month by month going back from the
    previous month) until `wanted` rows: (header, rows)."""
    first = WorkContract.objects.filter(structure=structure).order_by("start_date").values_list("start_date").first()
    month, rows, header = rules.add_months(rules.month_start(timezone.localdate()), -1), [], imports.HEADER
    while first and month >= rules.month_start(first[0]) and len(rows) < wanted:
        response = check(client.get(reverse("suivi:import_template", args=[imports.CSV]), {"mois": f"{month:%Y-%m}"},
                                    secure=True))  # fmt: skip
        header, *found = csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
        rows += found
        month = rules.add_months(month, -1)
    return header, rows[:wanted]


def _csv(header, rows, hours):
    """The CSV a facilitator would send back: the template's rows with `hours` worked."""
    worked = header.index("Heures travaillées")
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([*row[:worked], hours, *row[worked + 1 :]] for row in rows)
    return buffer.getvalue().encode()


def _chunks(rows):
    return [rows[i : i + imports.MAX_ROWS] for i in range(0, len(rows), imports.MAX_ROWS)]


def _importable(header, rows, structure, hours):
    """The rows the import accepts with `hours` (months before the market's attribution, over the legal ceiling…
    dropped), as the preview judges them. Smaller hours are then accepted too."""
    kept = []
    for chunk in _chunks(rows):
        preview = imports.build_preview(data=_csv(header, chunk, hours), structure=structure)
        refused = {row.number for row in preview.rows if row.errors}
        kept += [row for number, row in enumerate(chunk, start=2) if number not in refused]  # row 1: the header
    return kept


def _import_file(client, data):
    """Upload, preview, confirm: the three requests of an import; fails unless the hours are recorded."""
    response = check(client.post(reverse("suivi:import_start"), {"file": SimpleUploadedFile(
        "heures.csv", data, "text/csv"), "month": ""}, secure=True), 302)  # fmt: skip
    detail = response["Location"]
    public_id = resolve(detail).kwargs["public_id"]
    confirm = reverse("suivi:import_confirm", args=[public_id])
    fields = form_fields(check(client.get(detail, secure=True)), action=confirm)
    check(client.post(confirm, fields, secure=True), 302)
    if HourImport.objects.get(public_id=public_id).status != ImportStatus.APPLIQUE:
        raise BenchFailure(f"L'import {public_id} n'a pas été appliqué (voyez sa page {detail}).")


@item("import", f"Import de {number(IMPORT_ROWS, 0)} lignes d'heures")
def hour_import(bench):
    structure = bench.data.structure
    client = bench.client(bench.data.staff(structure))
    bench.progress("  préparation du fichier à partir du modèle d'import…")
    header, rows = _template_rows(client, structure, IMPORT_ROWS)
    # Each run writes less than the one before (2 h, then 1,75 h…): every row is updated, no ceiling is crossed.
    values = ["2", "1,75", "1,5", "1,25"][: 1 + min(IMPORT_RUNS, bench.repeat)]
    rows = _importable(header, rows, structure, values[0])
    if not rows:
        raise BenchFailure(f"Aucune ligne importable pour « {structure} ».")
    files = [[_csv(header, chunk, hours) for chunk in _chunks(rows)] for hours in values]
    queries = 0
    for data in files[0]:  # the first run creates or updates: not timed
        with CaptureQueriesContext(connection) as captured:
            _import_file(client, data)
        queries += len(captured)
    timings = []
    for run in files[1:]:
        start = time.perf_counter()
        for data in run:
            _import_file(client, data)
        timings.append(time.perf_counter() - start)
    note = ""
    if len(rows) < IMPORT_ROWS:
        note = f"seulement {number(len(rows), 0)} lignes importables dans cette base"
    if len(files[0]) > 1:
        note = ", ".join(filter(None, [note, f"{len(files[0])} fichiers de {number(imports.MAX_ROWS, 0)} lignes "
                                              "au plus (limite de l'import)"]))  # fmt: skip
    label = f"Import de {number(len(rows), 0)} lignes d'heures (envoi, aperçu, confirmation)"
    return [Measure("import", label, timings, queries, IMPORT_MS, note=note)]


# --- The run --------------------------------------------------------------------------------------------------


def run(*, repeat=20, only=None, progress=None, measured=None) -> Report:
    """Measure the items of `only` (all by default); a failing item is reported and the others still run.
    `measured(report)` is called after each item (the command writes the JSON then: a long run stopped midway
    keeps what it measured)."""
    progress = progress or (lambda text: None)
    if not Market.objects.exists():
        raise BenchFailure(EMPTY_DATABASE)
    report = Report(repeat=repeat, started_at=timezone.now().isoformat(timespec="seconds"))
    report.machine = machine()
    report.dataset = dataset()
    bench = Bench(repeat=repeat, progress=progress)
    # The test client's host, over HTTPS as in production (no redirect, secure cookies).
    # The bench refreshes kept figures itself (`_aggregate_pages`): no refresh queued for a worker.
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"], KEPT_FIGURES_REFRESH=False):
        for name in only or ITEMS:
            progress(f"{ITEMS[name].label}…")
            try:
                report.measures += ITEMS[name].function(bench)
            except BenchFailure as error:
                report.failures.append((name, str(error)))
            except Exception as error:  # a page that crashed: reported with the others, the run goes on
                progress(traceback.format_exc())
                report.failures.append((name, f"{type(error).__name__} : {error}"))
            if measured is not None:
                measured(report)
    return report


def write_json(report, path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report.as_json(), ensure_ascii=False, indent=2) + "\n")
