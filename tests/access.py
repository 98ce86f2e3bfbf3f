"""What the URL × role walk is made of: expected outcomes per role, and cases. Cases of each area live beside
their tests (tests/suivi/access_*.py) and are gathered in tests/test_access.py."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from clauses.accounts.enums import Role

ANON = "anonyme"
ROLES = [ANON, *Role.values]
LOGIN = "redirection vers la connexion"


def expect(default, **by_role):
    """Expected outcome per role: `default` for the logged-in roles, LOGIN for anonymous unless overridden."""
    unknown = by_role.keys() - set(ROLES) - {"anonyme"}
    assert not unknown, unknown
    return {ANON: LOGIN} | {role: default for role in Role.values} | by_role


ADMIN_ONLY = expect(403, admin=200)


def admin_only(admin_status):
    return expect(403, admin=admin_status)


def url(name, *args):
    return lambda w: reverse(name, args=args)


def url_of(name, attribute):
    """A URL taking the public id of one object of the world (`attribute` is its field name)."""
    return lambda w: reverse(name, args=[getattr(w, attribute).public_id])


def reset_confirm_url(w):
    user = w.facilitateur.user
    return reverse(
        "accounts:password_reset_confirm",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": "lien-perime"},
    )


@dataclass(frozen=True)
class Case:
    label: str
    url: Callable
    expected: dict
    method: str = "get"
    data: Callable = lambda w: {}  # world → POST data


def membership_cases(name, method, allowed):
    """A membership page on: the structure's team, a partner it registered (managed), a partner it only
    attached (not managed), another structure."""

    def case(label, attribute, expected):
        return Case(
            label,
            lambda w: reverse(name, args=[getattr(w, attribute).public_id]),
            expected,
            method=method,
        )

    return [
        case("équipe", "facilitateur", allowed),
        case("prescripteur partenaire", "prescripteur", allowed),
        case("prescripteur d'un partenaire rattaché", "shared_prescripteur", admin_only(404)),
        case("autre structure", "other_admin", admin_only(404)),
    ]


STAFF_ONLY = expect(403, facilitateur=200, admin=200)


def staff_object_cases(name, attribute):
    """A facilitators' page on an object: theirs opens, another structure's is 404, other roles 403."""
    return [
        Case("sa structure", url_of(name, attribute), STAFF_ONLY),
        Case("autre structure", url_of(name, f"other_{attribute}"), expect(403, facilitateur=404, admin=404)),
    ]


STAFF_OR_PRESCRIBER = expect(403, facilitateur=200, admin=200, prescripteur=200)
PRESCRIBER_ONLY = expect(403, prescripteur=200)


def obj_url(name, attribute):
    return url_of(name, attribute)
