"""Load test of Clauses (`make loadtest`): three kinds of users against the served application, over HTTP only.

- facilitators open a company's grid of hours for a month, check it as they type (htmx preview), then save it;
  each owns the grids the plan gives its slot (`loadtest/plan.py`), so that no two users write the same cell;
- prescribers write a fiche navette, attach a proof (a small PDF) and send it;
- committee members look at the dashboard (several filters), the consolidation and their meetings.

Forms are read from the pages as a browser would (CSRF token, the real field names, the values shown), with the
standard library's HTML parser. At the end, the last value each facilitator saved in each cell is written to
LOADTEST_POSTED (JSON) for `loadtest/check_hours.py` to compare with the database.

Runs from its own virtual environment (.venv-load, locust only): it never imports the application.
"""

import itertools
import json
import os
import random
import re
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

import gevent
from locust import HttpUser, between, events, task

PLAN = json.loads(open(os.environ.get("LOADTEST_PLAN", "var/loadtest/plan.json"), encoding="utf-8").read())
POSTED_PATH = os.environ.get("LOADTEST_POSTED", "var/loadtest/posted.json")
STATS_PATH = os.environ.get("LOADTEST_STATS", "var/loadtest/stats.json")
LOGIN_PATH = "/compte/connexion/"

# What the facilitators saved: {grid path: {cell name: value posted ("" = emptied)}}, and the saves whose answer
# never came (their outcome is unknown: the check reports them).
POSTED: dict = {}
IN_FLIGHT: dict = {}
SLOTS = iter(PLAN["facilitators"])
PRESCRIBERS = itertools.cycle(PLAN["prescribers"])
COMMITTEE = itertools.cycle(PLAN["committee"])
SERIAL = itertools.count(1)

# The smallest complete PDF the proof upload accepts (checked by content: %PDF- … %%EOF).
PROOF_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


class FormParser(HTMLParser):
    """The forms of a page: action, method and the values a browser would submit without any change."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"attrs": a, "fields": [], "names": set()}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            self._form["names"].add(a["name"])
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["fields"].append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self._form["fields"].append((a["name"], a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "options": [], "selected": []}
            self._form["names"].add(a["name"])
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select["options"].append(value)
            if "selected" in a:
                self._select["selected"].append(value)
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]
            self._form["names"].add(a["name"])

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            chosen = self._select["selected"] or self._select["options"][:1]
            self._form["fields"] += [(self._select["name"], value) for value in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._form["fields"].append(tuple(self._textarea))
            self._textarea = None


def find_form(html, *, field=None, action=None):
    """The first form holding `field` (or posting to an action containing `action`): {name: value} and its
    action. Fields with several values (checkboxes) become lists."""
    parser = FormParser()
    parser.feed(html)
    for form in parser.forms:
        if (field and field in form["names"]) or (action and action in form["attrs"].get("action", "")):
            data = {}
            for name, value in form["fields"]:
                if name in data:
                    data[name] = (data[name] if isinstance(data[name], list) else [data[name]]) + [value]
                else:
                    data[name] = value
            return data, form["attrs"].get("action")
    return None, None


def french(hundredths):
    """3725 → '37,25' (the grid's fields are localised)."""
    return f"{hundredths // 100},{hundredths % 100:02d}"


class ClausesUser(HttpUser):
    abstract = True
    wait_time = between(1, 4)
    login = None

    def on_start(self):
        page = self.page(LOGIN_PATH, "connexion (page)", logged_in=False)
        data, _ = find_form(page.text, field="username")
        data = (data or {}) | {"username": self.login, "password": PLAN["password"]}
        self.post(LOGIN_PATH, data, "connexion", expect=302)

    def page(self, path, name, *, logged_in=True):
        """GET a page as a browser (following redirects): a failure unless it ends on a 200 — or, logged in, if it
        ends on the login page (a lost session)."""
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"statut {response.status_code}")
            elif logged_in and LOGIN_PATH in response.url:
                response.failure("renvoyé vers la connexion : session perdue")
            return response

    def post(self, path, data, name, *, expect, files=None, headers=None, must_contain=None):
        """POST a form; a failure unless the answer is `expect` (302: not followed) and holds `must_contain`."""
        with self.client.post(
            path, data=data, files=files, headers=headers, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != expect:
                response.failure(f"statut {response.status_code}, attendu {expect}")
            elif expect == 302 and LOGIN_PATH in response.headers.get("Location", "") and path != LOGIN_PATH:
                response.failure("renvoyé vers la connexion : session perdue")
            elif must_contain and must_contain not in response.text:
                response.failure(f"la réponse ne contient pas « {must_contain} »")
            return response


class Facilitator(ClausesUser):
    weight = 5

    def on_start(self):
        slot = next(SLOTS, None)
        self.login = slot["login"] if slot else PLAN["facilitators"][0]["login"]
        self.grids = slot["grids"] if slot else []
        super().on_start()

    @task(6)
    def enter_hours(self):
        if not self.grids:  # more facilitators than grids planned: they look at what is left to enter instead
            self.page("/suivi/heures/", "heures : à saisir")
            return
        planned = random.choice(self.grids)
        path = planned["path"]
        page = self.page(path, "grille d'heures")
        if page.status_code != 200:
            return
        data, _ = find_form(page.text, field=next(iter(planned["cells"])))
        if data is None or any(name not in data for name in planned["cells"]):
            page.failure("la grille d'heures n'a pas les cases prévues")
            return
        # Every editable cell gets a value (or is emptied): a contract's cells stay within its ceiling together.
        values = {}
        for name, cell in planned["cells"].items():
            if cell["max"] is not None:
                most = int(Decimal(cell["max"]) * 100)
                values[name] = "" if random.random() < 0.1 else french(random.randint(4, most // 25) * 25)
        data.update(values)
        self.wait()
        # As the browser does while typing: htmx checks the grid and answers totals and messages only.
        self.post(
            path,
            {**data, "_apercu": "1"},
            "grille d'heures : vérification (htmx)",
            expect=200,
            headers={"HX-Request": "true"},
            must_contain="Saisie vérifiée, pas encore enregistrée.",
        )
        IN_FLIGHT[path] = values
        saved = self.post(path, data, "grille d'heures : enregistrement", expect=302)
        if saved.status_code == 302 and saved.headers.get("Location", "").startswith("/suivi/heures/"):
            POSTED.setdefault(path, {}).update(values)
        del IN_FLIGHT[path]
        self.page(path, "grille d'heures")  # where the save redirects, with its message

    @task(2)
    def home(self):
        self.page("/", "accueil")

    @task(1)
    def hours_to_enter(self):
        self.page("/suivi/heures/", "heures : à saisir")

    @task(1)
    def behind(self):
        self.page("/suivi/heures/retards/", "heures : entreprises en retard")


class Prescriber(ClausesUser):
    weight = 3

    def on_start(self):
        self.login = next(PRESCRIBERS)
        super().on_start()

    @task(3)
    def send_referral(self):
        new = "/participants/fiches-navettes/nouvelle/"
        data, _ = find_form(self.page(new, "fiche navette : formulaire").text, field="last_name")
        if data is None:
            return
        data.update(
            last_name=f"Charge{next(SERIAL)}",
            first_name=random.choice(["Inès", "Mathis", "Léa", "Yanis", "Chloé", "Hugo"]),
            birth_date=f"{random.randint(1965, 2004)}-{random.randint(1, 12):02d}-{random.randint(1, 28):02d}",
            sex=random.choice(["F", "M"]),
            postcode="44000",
            city="Nantes",
            target_trade=random.choice(["gros_oeuvre", "nettoyage", "espaces_verts_travaux", "peinture"]),
            target_job="Manœuvre",
            motivation="Disponible tout de suite, permis B, a déjà travaillé sur des chantiers.",
            consent_confirmed="on",
            consent_method="ecrit",
            consent_date=date.today().isoformat(),
        )
        created = self.post(new, data, "fiche navette : création", expect=302)
        if created.status_code != 302:
            return
        detail = created.headers["Location"]
        self.page(detail, "fiche navette : détail")
        upload = detail + "justificatifs/"
        proof, _ = find_form(self.page(upload, "fiche navette : justificatif (formulaire)").text, field="kind")
        if proof is None:
            return
        proof["kind"] = "cv"
        self.post(
            upload,
            proof,
            "fiche navette : justificatif (envoi)",
            expect=302,
            files={"file": ("cv.pdf", PROOF_PDF, "application/pdf")},
        )
        send, action = find_form(self.page(detail, "fiche navette : détail").text, action="/envoyer/")
        if send is None:
            return
        if self.post(action, send, "fiche navette : envoi", expect=302).status_code == 302:
            shown = self.page(detail, "fiche navette : détail")
            if "La fiche est envoyée" not in shown.text:
                shown.failure("la fiche n'a pas été envoyée")

    @task(2)
    def referrals(self):
        self.page("/participants/fiches-navettes/", "fiches navettes : liste")

    @task(1)
    def home(self):
        self.page("/", "accueil")


class CommitteeMember(ClausesUser):
    weight = 2

    def on_start(self):
        self.login = next(COMMITTEE)
        super().on_start()

    @task(4)
    def dashboard(self):
        self.page("/reporting/tableau-de-bord/", "tableau de bord")

    @task(3)
    def dashboard_filtered(self):
        year = date.today().year - random.randint(0, 3)
        kind = random.choice(["", "commune", "epci", "departement", "bailleur_social"])
        self.page(f"/reporting/tableau-de-bord/?year={year}&buyer_type={kind}", "tableau de bord : filtré")

    @task(2)
    def consolidation(self):
        self.page("/reporting/consolidation/", "consolidation")

    @task(2)
    def meetings(self):
        listed = self.page("/comites/", "comités : réunions")
        found = sorted(set(re.findall(r'href="(/comites/[0-9a-f-]{36}/)"', listed.text)))
        if found:
            self.page(random.choice(found), "comités : une réunion")

    @task(1)
    def actions(self):
        self.page("/comites/actions/", "comités : actions")

    @task(1)
    def home(self):
        self.page("/", "accueil")


@events.test_stop.add_listener
def _write_results(environment, **kwargs):
    """Once every user has stopped: what was saved, and the final figures of each request type."""
    with open(POSTED_PATH, "w", encoding="utf-8") as output:
        json.dump({"posted": POSTED, "in_flight": IN_FLIGHT}, output, indent=1)
    stats = environment.stats
    entries = sorted(stats.entries.values(), key=lambda e: (e.name, e.method))
    with open(STATS_PATH, "w", encoding="utf-8") as output:
        json.dump(
            {
                "entries": [_figures(entry) for entry in [*entries, stats.total]],
                "errors": [
                    {"method": e.method, "name": e.name, "error": str(e.error), "occurrences": e.occurrences}
                    for e in stats.errors.values()
                ],
            },
            output,
            indent=1,
        )
    gevent.sleep(1.5)  # Locust rewrites its CSV every second: let it write the final figures


def _figures(entry):
    percentile = entry.get_response_time_percentile
    return {
        "method": entry.method or "",
        "name": entry.name,
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "p50": percentile(0.5),
        "p95": percentile(0.95),
        "p99": percentile(0.99),
        "max": entry.max_response_time,
        "rps": entry.total_rps,
    }
