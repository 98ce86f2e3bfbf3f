"""Where to go next: every view that reads a `next` or `back` parameter gets hostile ones, in the query string and
in the form, on its refusing path and on its accepting path. Never a server error (a `next` that `redirect()` took
for a view name was one), never a redirection off the site (`/\\evil.example` is `//evil.example` to a browser),
never a view name followed, and the hostile address is not written back into the page (a hidden `next` field)."""

import inspect
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlparse

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from clauses.accounts.middleware import SECOND_FACTOR_KEY
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.hostile.checks import assert_local_redirect, html_of
from tests.hostile.registry import PROJECT_MODULES, _url_names
from tests.hostile.test_forms import _target

HOSTILE_NEXT = [
    "foo",
    "accounts:logout",
    "//evil.example",
    "https://evil.example",
    "/\\evil.example",
    "javascript:alert(1)",
]
OFF_SITE = HOSTILE_NEXT[2:]  # never echoed back in a page


@dataclass(frozen=True)
class Reads:
    """A view reading `param`; `valid`: world → what makes its POST succeed (the accepting path); `setup`: world,
    client → prepares the client for the accepting path (a pending second factor), returns the POST data."""

    param: str = "next"
    valid: object = lambda w: {}
    setup: object = None


def _pending_second_factor(world, client):
    """The session waits for a code; a recovery code (each is accepted once) is sent with the hostile `next`."""
    user = world.facilitateur.user
    device, _ = StaticDevice.objects.get_or_create(user=user, name="secours", confirmed=True)
    StaticToken.objects.create(device=device, token=(token := f"code{StaticToken.objects.count():04d}"))
    session = client.session
    session[SECOND_FACTOR_KEY] = True
    session.save()
    return {"code": token}


def _login_data(world, client):
    client.logout()
    return {"username": world.facilitateur.user.email, "password": DEFAULT_PASSWORD}


NEXT_VIEWS = {
    "accounts:login": Reads(setup=_login_data),
    "accounts:logout": Reads(),
    "accounts:choose_membership": Reads(),
    "accounts:second_factor_verify": Reads(setup=_pending_second_factor),
    "participants:proof_verify": Reads(param="back", valid=lambda w: {"status": "verifie"}),
    "comites:decision_status": Reads(valid=lambda w: {"status": "fait"}),
}


def _reads_next(function):
    function = inspect.unwrap(function)
    if not inspect.isfunction(function):
        return False
    source = inspect.getsource(function)
    # Read directly, or through the house's helpers (clauses.redirects.safe_path, the accounts views' _next_url).
    return (
        "safe_path(" in source
        or "_next_url(" in source
        or any(f'{where}.get("{param}"' in source for where in ("POST", "GET") for param in ("next", "back"))
    )


def test_every_view_reading_next_or_back_is_tried():
    """Views of ours reading `next` or `back` (Django's login and logout views read `next` too, and are listed)."""
    from django.urls import get_resolver

    found = {
        name
        for name, callback in _url_names(get_resolver().url_patterns)
        if getattr(inspect.unwrap(callback), "__module__", "").startswith(PROJECT_MODULES) and _reads_next(callback)
    }
    # The search sees each way of reading the parameter: directly, through safe_path, through _next_url.
    assert {"participants:proof_verify", "comites:decision_status", "accounts:choose_membership"} <= found
    assert "accounts:second_factor_verify" in found
    assert found - NEXT_VIEWS.keys() == set(), "vue lisant un paramètre de redirection sans test hostile"


def _assert_safe(response, name, value):
    where = f"{name} ({value!r}, {response.status_code})"
    assert response.status_code < 500, where
    if response.status_code in (301, 302, 303):
        location = response["Location"]
        assert_local_redirect(response)  # no other host, no other scheme (javascript:)
        path = urlparse(location).path  # (the hostile value may travel on in a query string, quoted)
        assert not path.startswith(("//", "/\\")), f"{where} : redirection hors du site {location}"
        assert path != reverse("accounts:logout"), f"{where} : un nom de vue suivi comme adresse"
    elif value in OFF_SITE:
        html = html_of(response)
        assert value not in html and escape(value) not in html, f"{where} : adresse hostile reprise dans la page"


@pytest.mark.parametrize("name", sorted(NEXT_VIEWS))
def test_hostile_next_never_breaks_nor_leaves_the_site(db, world, name):
    reads = NEXT_VIEWS[name]
    target = _target(name, world)
    cookies = target.client.cookies
    for value in HOSTILE_NEXT:
        with transaction.atomic():
            client = Client()
            client.cookies = SimpleCookie(cookies)  # the session as it was (a logout in the loop dropped it)
            # Refusing path (or no form at all): the parameter alone, in the query string then in the form.
            query = f"{target.url}{'&' if '?' in target.url else '?'}{urlencode({reads.param: value})}"
            _assert_safe(client.get(query), name, value)
            _assert_safe(client.post(target.url, {reads.param: value}), name, value)
            # Accepting path: what makes the form succeed, with the hostile parameter.
            data = target.baseline | reads.valid(world) | (reads.setup(world, client) if reads.setup else {})
            accepted = client.post(query, data | {reads.param: value})
            _assert_safe(accepted, name, value)
            assert accepted.status_code == 302, f"{name} : le chemin d'acceptation n'a pas abouti ({value!r})"
            transaction.set_rollback(True)
