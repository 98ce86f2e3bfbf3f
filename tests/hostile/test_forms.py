"""Every form of the project with hostile values: never a server error, French messages on refusal, nothing
written when refused, stored text shown escaped.

The forms come from tests/hostile/registry.py (one entry per URL reading POST data, checked against the URL
configuration); their fields are read from the page. A deterministic pass sends every hand-picked value of a
field's kind (tests/hostile/values.py) to every field; on top, hypothesis draws, per example, a few fields and a
hostile value for each; the other fields keep the page's values. Each request runs in its own savepoint. CI runs 2
hypothesis examples per form, reproducibly (derandomize); `HYPOTHESIS_PROFILE=thorough` runs 150. The `next` and
`back` parameters are tried in tests/hostile/test_next.py.
"""

from dataclasses import dataclass
from urllib.parse import urlparse

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils.html import escape
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.hostile.checks import (
    ENGLISH,
    assert_french_errors,
    assert_local_redirect,
    assert_no_raw_markup,
    html_of,
    writes,
    written,
)
from tests.hostile.forms import Field, error_texts, form_of
from tests.hostile.registry import HOSTILE, SUBMITTERS, post_url_names
from tests.hostile.values import NASTY_TEXT, PROFILE, hand_picked, hostile_value
from tests.test_access import ACCESS_CASES

REDIRECTS = (301, 302, 303)
TEXT_KINDS = ("text", "textarea")
REFUSED_WITH_FORM = (200, 400, 422)


def test_every_post_url_has_a_hostile_entry():
    names = post_url_names()
    assert names - HOSTILE.keys() == set(), "URL recevant des données sans test d'entrées hostiles : ajoutez-les"
    assert HOSTILE.keys() - names == set(), "Entrées hostiles pour des URL qui ne lisent plus de données POST"


@dataclass
class Target:
    url: str
    client: Client
    fields: dict
    baseline: dict


def _submitter(name, entry, world):
    """The URL and the role: the entry's, or the first access case a role may use (its page opens, or its POST
    is answered)."""
    roles = [entry.role] if entry.role else SUBMITTERS
    for case in ACCESS_CASES[name]:
        for role in roles:
            if case.expected[role] == 200 or case.method == "post" and case.expected[role] in (302, 400):
                return (entry.url or case.url)(world), role
    raise AssertionError(f"{name} : aucun cas d'accès où un rôle peut soumettre")


JUNK = ("next", "<b>champ</b>")  # parameters a form without fields must ignore


def _target(name, world):
    entry = HOSTILE[name]
    url, role = _submitter(name, entry, world)
    client = Client()
    if role != "anonyme":
        client.force_login(world.membership(role).user)
    if not entry.page:
        fields = {param: Field(param, "hidden") for param in entry.params}
        return Target(url, client, fields, {})
    page = client.get(entry.form_page(world) if entry.form_page else url, follow=True)
    assert page.status_code == 200, f"{name} : la page du formulaire répond {page.status_code}"
    landing = page.request["PATH_INFO"]
    form = form_of(page.content.decode(), urlparse(url).path, landing)
    if not form.action:
        url = landing + (f"?{page.request['QUERY_STRING']}" if page.request.get("QUERY_STRING") else "")
    baseline = form.data() | dict(form.buttons[:1]) | (entry.valid(world) if entry.valid else {})
    fields = form.fields or {junk: Field(junk, "hidden") for junk in JUNK}
    return Target(url, client, fields, baseline)


def _check(name, target, response, before, visible, landing=True):
    """`visible`: whether a field the person sees was made hostile (hidden fields only: the view may ignore
    them and show the page again without a message). `landing`: whether a redirect is followed to check the page
    it leads to; otherwise its messages are read from the request (their display is checked by the other tests)."""
    after = writes()
    where = f"{name} ({response.status_code})"
    assert response.status_code < 500, where
    assert_no_raw_markup(html_of(response), where)
    if response.status_code in REDIRECTS and not landing:
        assert_local_redirect(response)
        errors = [m.message for m in get_messages(response.wsgi_request) if m.level >= message_levels.ERROR]
        if errors:  # refused with a message after the redirect (a POST-only action): nothing may have been written
            english = [error for error in errors if ENGLISH.search(error)]
            assert not english, f"{where} : messages d'erreur pas en français : {english}"
            assert not written(before, after), f"{where} : refusé mais écrit dans {written(before, after)}"
        return
    if response.status_code in REDIRECTS:
        assert_local_redirect(response)
        landing = target.client.get(response["Location"])
        assert landing.status_code < 500, f"{where} → {response['Location']}"
        html = html_of(landing)
        assert_no_raw_markup(html, response["Location"])
        if any("alert-danger" in line for line in html.splitlines()) and error_texts(html):
            # refused with a message after the redirect (a POST-only action): nothing may have been written
            assert_french_errors(html, where)
            assert not written(before, after), f"{where} : refusé mais écrit dans {written(before, after)}"
        return
    assert not written(before, after), f"{where} : refusé mais écrit dans {written(before, after)}"
    if response.status_code in REFUSED_WITH_FORM and html_of(response) and visible:
        assert_french_errors(html_of(response), where)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_values_never_break_a_form(db, world, name):
    target = _target(name, world)
    names = sorted(target.fields)
    if not names:
        pytest.fail(f"{name} : formulaire sans champ, déclarez-le comme action")

    @settings(parent=PROFILE)
    @given(data=st.data())
    def example(data):
        chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=min(4, len(names)), unique=True))
        values = dict(target.baseline)
        for field_name in chosen:
            value = data.draw(hostile_value(target.fields[field_name]), label=field_name)
            values[field_name] = SimpleUploadedFile(*value) if target.fields[field_name].kind == "file" else value
        with transaction.atomic():
            before = writes()
            response = target.client.post(target.url, values)
            visible = any(target.fields[field_name].kind != "hidden" for field_name in chosen)
            _check(name, target, response, before, visible)
            transaction.set_rollback(True)

    example()


def _submitted(field, value):
    return SimpleUploadedFile(*value) if field.kind == "file" else value


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_every_hand_picked_value_reaches_every_field(db, world, name):
    """The deterministic pass, whatever hypothesis draws: every hand-picked value of a field's kind
    (tests/hostile/values.py) is sent to that field at least once. Each request makes every field hostile at once,
    each field with another value (field j gets value i + j of its kind's list in request i), so that a form takes
    as many requests as the longest list of its kinds rather than one per field and value."""
    target = _target(name, world)
    fields = [target.fields[field_name] for field_name in sorted(target.fields)]
    pools = [hand_picked(field) for field in fields]
    visible = any(field.kind != "hidden" for field in fields)
    for round_ in range(max(len(pool) for pool in pools)):
        values = dict(target.baseline)
        for index, (field, pool) in enumerate(zip(fields, pools, strict=True)):
            values[field.name] = _submitted(field, pool[(round_ + index) % len(pool)])
        _send(name, target, values, visible)
    # Then the free-text fields alone, the others as the page gave them: a form whose other fields are valid may
    # accept the text, which then goes through the save and the pages after it (a value refused only at save time
    # would show here). Fields that must stay well-formed (SIRET, e-mail…) keep their value.
    entry = HOSTILE[name]
    texts = [f for f in fields if f.kind in TEXT_KINDS and f.name not in entry.plain]
    accepted = 0
    for value in NASTY_TEXT if texts else ():
        # A field too short for the value (a postal code) keeps its own: it alone would refuse the whole form. The
        # fields after the first get the value numbered, so that rows whose labels must differ are not refused.
        numbered = [value if i == 0 or not value.strip() else f"{value} {i}" for i in range(len(texts))]
        fitting = {
            field.name: text
            for field, text in zip(texts, numbered, strict=True)
            if len(text) <= (field.maxlength or len(text))
        }
        values = dict(target.baseline) | fitting
        accepted += _send(name, target, values, visible) in REDIRECTS
    if entry.markup is True:  # the markup round trip shows this form accepts free text with valid other fields
        assert accepted, f"{name} : aucun texte accepté : le chemin de l'enregistrement n'a pas été parcouru"


def _send(name, target, values, visible):
    """One submission, rolled back after its checks; its status."""
    with transaction.atomic():
        before = writes()
        response = target.client.post(target.url, values)
        _check(name, target, response, before, visible, landing=False)
        transaction.set_rollback(True)
    return response.status_code


def _marked(field_name):
    return f"<script>{field_name[:8]}</script>"


@pytest.mark.parametrize("name", sorted(name for name, entry in HOSTILE.items() if entry.markup is True))
def test_markup_in_every_text_field_is_stored_then_shown_escaped(db, world, name):
    entry = HOSTILE[name]
    target = _target(name, world)
    marked = {
        field.name: _marked(field.name)
        for field in target.fields.values()
        if field.kind in TEXT_KINDS
        and field.name not in entry.plain
        and (field.maxlength or 1000) >= len(_marked(field.name))  # a postal code, a phone number: too short
    }
    assert marked, f"{name} : aucun champ texte ; déclarez markup=<raison>"
    response = target.client.post(target.url, target.baseline | marked)
    assert response.status_code in REDIRECTS, (
        f"{name} : formulaire refusé ({response.status_code}) : {error_texts(html_of(response))}"
    )
    pages = [response["Location"], *entry.shows(world)]
    html = ""
    for page in pages:
        answer = target.client.get(page)
        assert answer.status_code == 200, page
        html += html_of(answer)
    raw = [value for value in marked.values() if value in html]
    assert not raw, f"{name} : texte non échappé : {raw}"
    shown = [value for value in marked.values() if escape(value) in html]
    assert shown, f"{name} : aucun des textes saisis n'est affiché sur {pages}"
