"""Every URL pattern of the project × every role.

`ACCESS_CASES` lists, for each URL name, one or more cases (own object, partner's object, another
structure's object…) and the status each role gets. `test_every_url_pattern_has_access_cases` fails as
soon as a URL pattern exists without cases here: a new page cannot ship without its access rules tested.
"""

from urllib.parse import urlparse

import pytest
from django.urls import URLResolver, get_resolver, resolve, reverse

from tests.access import (
    ADMIN_ONLY,
    ANON,
    LOGIN,
    PRESCRIBER_ONLY,
    ROLES,
    STAFF_ONLY,
    STAFF_OR_PRESCRIBER,
    Case,
    admin_only,
    expect,
    membership_cases,
    obj_url,
    reset_confirm_url,
    staff_object_cases,
    url,
    url_of,
)
from tests.comites.access_cases import CASES as COMITES_CASES
from tests.conftest import build_world, restore_reference_data
from tests.participants.access_rgpd import CASES as RGPD_CASES
from tests.reporting.access_cases import REPORTING_CASES
from tests.suivi.access_cases import SUIVI_CASES

ACCESS_CASES = {
    "home": [Case("accueil", url("home"), expect(200))],
    "healthz": [Case("sonde", url("healthz"), expect(200, anonyme=200))],
    "privacy": [Case("page publique", url("privacy"), expect(200, anonyme=200))],
    "accessibility": [Case("page publique", url("accessibility"), expect(200, anonyme=200))],
    "accounts:login": [Case("connexion", url("accounts:login"), expect(302, anonyme=200))],
    "accounts:logout": [
        Case("déconnexion", url("accounts:logout"), expect(302, anonyme=302), method="post"),
        Case("déconnexion en GET", url("accounts:logout"), expect(405)),
    ],
    "accounts:password_reset": [Case("demande", url("accounts:password_reset"), expect(200, anonyme=200))],
    "accounts:password_reset_done": [Case("envoyé", url("accounts:password_reset_done"), expect(200, anonyme=200))],
    "accounts:password_reset_confirm": [Case("lien périmé", reset_confirm_url, expect(200, anonyme=200))],
    "accounts:password_reset_complete": [
        Case("terminé", url("accounts:password_reset_complete"), expect(200, anonyme=200))
    ],
    "accounts:password_change": [Case("changement", url("accounts:password_change"), expect(200))],
    "accounts:password_change_done": [Case("changé", url("accounts:password_change_done"), expect(200))],
    "accounts:profile": [Case("mon compte", url("accounts:profile"), expect(200))],
    "accounts:choose_membership": [Case("choix", url("accounts:choose_membership"), expect(200))],
    # The second factor is offered to who holds a structure's data; the world's accounts have none yet.
    "accounts:second_factor_setup": [
        Case("mise en place", url("accounts:second_factor_setup"), expect(200, prescripteur=403, comite=403))
    ],
    "accounts:second_factor_recovery_codes": [
        Case(
            "nouveaux codes sans second facteur",
            url("accounts:second_factor_recovery_codes"),
            expect(302, prescripteur=403, comite=403),
            method="post",
        ),
        Case("nouveaux codes en GET", url("accounts:second_factor_recovery_codes"), expect(405)),
    ],
    "accounts:second_factor_disable": [
        Case(
            "désactivation sans code",
            url("accounts:second_factor_disable"),
            expect(200, prescripteur=403, comite=403),
            method="post",
        ),
        Case("désactivation en GET", url("accounts:second_factor_disable"), expect(405)),
    ],
    "accounts:second_factor_verify": [
        Case("code non demandé", url("accounts:second_factor_verify"), expect(302)),
        Case("code envoyé sans second facteur", url("accounts:second_factor_verify"), expect(302), method="post"),
    ],
    "accounts:organisation_list": [
        Case("liste", url("accounts:organisation_list"), expect(200, comite=403, reseau=403))
    ],
    "accounts:organisation_create": [Case("création", url("accounts:organisation_create"), ADMIN_ONLY)],
    "accounts:organisation_attach": [
        Case(
            "rattachement",
            url("accounts:organisation_attach"),
            admin_only(302),
            method="post",
            data=lambda w: {"siret": w.other_prescriber_org.siret},
        ),
        Case("rattachement en GET", url("accounts:organisation_attach"), expect(405)),
    ],
    "accounts:organisation_detail": [
        Case("sa structure", url_of("accounts:organisation_detail", "structure"), expect(200, reseau=404)),
        Case(
            "prescripteur partenaire",
            url_of("accounts:organisation_detail", "prescriber_org"),
            expect(200, comite=404, reseau=404),
        ),
        Case(
            "autre prescripteur de la structure",
            url_of("accounts:organisation_detail", "sibling_prescriber_org"),
            expect(200, prescripteur=404, comite=404, reseau=404),
        ),
        Case("autre structure", url_of("accounts:organisation_detail", "other_structure"), expect(404)),
        Case(
            "prescripteur d'une autre structure",
            url_of("accounts:organisation_detail", "other_prescriber_org"),
            expect(404),
        ),
        Case(
            "partenaire rattaché, géré ailleurs",
            url_of("accounts:organisation_detail", "shared_partner"),
            expect(200, prescripteur=404, comite=404, reseau=404),
        ),
    ],
    "accounts:organisation_update": [
        Case("sa structure", url_of("accounts:organisation_update", "structure"), ADMIN_ONLY),
        Case("partenaire", url_of("accounts:organisation_update", "prescriber_org"), ADMIN_ONLY),
        Case("autre structure", url_of("accounts:organisation_update", "other_structure"), admin_only(404)),
        Case("autre prescripteur", url_of("accounts:organisation_update", "other_prescriber_org"), admin_only(404)),
        Case("partenaire rattaché", url_of("accounts:organisation_update", "shared_partner"), admin_only(404)),
    ],
    "accounts:member_invite": [
        Case("sa structure", url_of("accounts:member_invite", "structure"), ADMIN_ONLY),
        Case("partenaire", url_of("accounts:member_invite", "prescriber_org"), ADMIN_ONLY),
        Case("financeur (aucun rôle possible)", url_of("accounts:member_invite", "financeur"), admin_only(404)),
        Case("autre structure", url_of("accounts:member_invite", "other_structure"), admin_only(404)),
        Case("partenaire rattaché", url_of("accounts:member_invite", "shared_partner"), admin_only(404)),
    ],
    "marches:market_list": [Case("liste", url("marches:market_list"), STAFF_ONLY)],
    "marches:market_export": [
        Case("CSV", url("marches:market_export", "csv"), STAFF_ONLY),
        Case("format inconnu", url("marches:market_export", "pdf"), expect(403, facilitateur=404, admin=404)),
    ],
    "marches:market_create": [Case("création", url("marches:market_create"), STAFF_ONLY)],
    "marches:calibration": [Case("calibrage", url("marches:calibration"), STAFF_ONLY)],
    "marches:programmation": [Case("programmation", url("marches:programmation"), STAFF_ONLY)],
    "marches:market_detail": staff_object_cases("marches:market_detail", "market"),
    "marches:market_update": staff_object_cases("marches:market_update", "market"),
    "marches:market_delete": staff_object_cases("marches:market_delete", "market"),
    "marches:lot_create": staff_object_cases("marches:lot_create", "market"),
    "marches:lot_detail": staff_object_cases("marches:lot_detail", "lot"),
    "marches:lot_update": staff_object_cases("marches:lot_update", "lot"),
    "marches:lot_delete": staff_object_cases("marches:lot_delete", "lot"),
    "marches:award_create": staff_object_cases("marches:award_create", "lot"),
    "marches:award_update": staff_object_cases("marches:award_update", "award"),
    "marches:award_delete": staff_object_cases("marches:award_delete", "award"),
    "marches:buyer_list": [Case("liste", url("marches:buyer_list"), STAFF_ONLY)],
    "marches:buyer_create": [Case("création", url("marches:buyer_create"), STAFF_ONLY)],
    "marches:buyer_detail": staff_object_cases("marches:buyer_detail", "buyer"),
    "marches:buyer_update": staff_object_cases("marches:buyer_update", "buyer"),
    "marches:buyer_delete": staff_object_cases("marches:buyer_delete", "buyer"),
    "marches:company_list": [Case("liste", url("marches:company_list"), STAFF_ONLY)],
    "marches:company_create": [Case("création", url("marches:company_create"), STAFF_ONLY)],
    "marches:company_detail": staff_object_cases("marches:company_detail", "company"),
    "marches:company_update": staff_object_cases("marches:company_update", "company"),
    "marches:company_delete": staff_object_cases("marches:company_delete", "company"),
    "participants:participant_list": [Case("liste", url("participants:participant_list"), STAFF_OR_PRESCRIBER)],
    "participants:participant_create": [Case("création", url("participants:participant_create"), STAFF_ONLY)],
    "participants:expiring": [Case("échéances", url("participants:expiring"), STAFF_ONLY)],
    "participants:participant_detail": [
        Case(
            "suivi par le prescripteur", obj_url("participants:participant_detail", "participant"), STAFF_OR_PRESCRIBER
        ),
        Case(
            "suivi par un autre prescripteur",
            obj_url("participants:participant_detail", "sibling_participant"),
            expect(403, facilitateur=200, admin=200, prescripteur=404),
        ),
        Case(
            "autre structure",
            obj_url("participants:participant_detail", "other_participant"),
            expect(403, facilitateur=404, admin=404, prescripteur=404),
        ),
    ],
    "participants:participant_update": staff_object_cases("participants:participant_update", "participant"),
    "participants:consent_record": staff_object_cases("participants:consent_record", "participant"),
    "participants:consent_withdraw": [
        Case(
            "sa structure",
            lambda w: reverse("participants:consent_withdraw", args=[w.participant.consents.get().public_id]),
            STAFF_ONLY,
        ),
        Case(
            "autre structure",
            lambda w: reverse("participants:consent_withdraw", args=[w.other_participant.consents.get().public_id]),
            expect(403, facilitateur=404, admin=404),
        ),
    ],
    "participants:proof_upload": staff_object_cases("participants:proof_upload", "participant"),
    "participants:diagnosis_create": staff_object_cases("participants:diagnosis_create", "participant"),
    "participants:proof_download": [
        Case("suivi par le prescripteur", obj_url("participants:proof_download", "proof"), STAFF_OR_PRESCRIBER),
        Case(
            "brouillon du prescripteur",
            obj_url("participants:proof_download", "draft_proof"),
            expect(403, facilitateur=404, admin=404, prescripteur=200),
        ),
        Case(
            "fiche envoyée",
            obj_url("participants:proof_download", "referral_proof"),
            STAFF_OR_PRESCRIBER,
        ),
        Case(
            "autre structure",
            obj_url("participants:proof_download", "other_proof"),
            expect(403, facilitateur=404, admin=404, prescripteur=404),
        ),
    ],
    "participants:proof_verify": [
        Case(
            "sa structure",
            obj_url("participants:proof_verify", "proof"),
            expect(403, facilitateur=302, admin=302),
            method="post",
            data=lambda w: {"status": "verifie"},
        ),
        Case(
            "autre structure",
            obj_url("participants:proof_verify", "other_proof"),
            expect(403, facilitateur=404, admin=404),
            method="post",
            data=lambda w: {"status": "verifie"},
        ),
    ],
    "participants:proof_delete": [
        Case(
            "justificatif d'un participant",
            obj_url("participants:proof_delete", "proof"),
            expect(403, facilitateur=200, admin=200, prescripteur=404),
        ),
        Case(
            "justificatif d'un brouillon",
            obj_url("participants:proof_delete", "draft_proof"),
            expect(403, facilitateur=404, admin=404, prescripteur=200),
        ),
        Case(
            "justificatif d'une fiche envoyée",
            obj_url("participants:proof_delete", "referral_proof"),
            expect(403, facilitateur=404, admin=404, prescripteur=404),
        ),
        Case(
            "autre structure",
            obj_url("participants:proof_delete", "other_proof"),
            expect(403, facilitateur=404, admin=404, prescripteur=404),
        ),
    ],
    "participants:diagnosis_detail": [
        Case("suivi par le prescripteur", obj_url("participants:diagnosis_detail", "diagnosis"), STAFF_OR_PRESCRIBER),
        Case(
            "autre structure",
            obj_url("participants:diagnosis_detail", "other_diagnosis"),
            expect(403, facilitateur=404, admin=404, prescripteur=404),
        ),
    ],
    "participants:referral_list": [Case("liste", url("participants:referral_list"), STAFF_OR_PRESCRIBER)],
    "participants:referral_create": [Case("création", url("participants:referral_create"), PRESCRIBER_ONLY)],
    "participants:referral_detail": [
        Case("envoyée par le prescripteur", obj_url("participants:referral_detail", "referral"), STAFF_OR_PRESCRIBER),
        Case(
            "envoyée par un autre prescripteur",
            obj_url("participants:referral_detail", "sibling_referral"),
            expect(403, facilitateur=200, admin=200, prescripteur=404),
        ),
        Case(
            "brouillon du prescripteur",
            obj_url("participants:referral_detail", "draft"),
            expect(403, facilitateur=404, admin=404, prescripteur=200),
        ),
        Case(
            "autre structure",
            obj_url("participants:referral_detail", "other_referral"),
            expect(403, facilitateur=404, admin=404, prescripteur=404),
        ),
    ],
    "participants:referral_update": [
        Case("brouillon", obj_url("participants:referral_update", "draft"), PRESCRIBER_ONLY),
        Case("déjà envoyée", obj_url("participants:referral_update", "referral"), expect(403, prescripteur=404)),
        Case(
            "autre prescripteur",
            obj_url("participants:referral_update", "sibling_referral"),
            expect(403, prescripteur=404),
        ),
    ],
    "participants:referral_proof_upload": [
        Case("brouillon", obj_url("participants:referral_proof_upload", "draft"), PRESCRIBER_ONLY),
        Case("déjà envoyée", obj_url("participants:referral_proof_upload", "referral"), expect(403, prescripteur=404)),
        Case(
            "autre structure",
            obj_url("participants:referral_proof_upload", "other_referral"),
            expect(403, prescripteur=404),
        ),
    ],
    "participants:referral_submit": [
        Case(
            "brouillon", obj_url("participants:referral_submit", "draft"), expect(403, prescripteur=302), method="post"
        ),
        Case(
            "autre prescripteur",
            obj_url("participants:referral_submit", "sibling_referral"),
            expect(403, prescripteur=404),
            method="post",
        ),
    ],
    "participants:referral_delete": [
        Case("brouillon", obj_url("participants:referral_delete", "draft"), PRESCRIBER_ONLY),
        Case("déjà envoyée", obj_url("participants:referral_delete", "referral"), expect(403, prescripteur=404)),
    ],
    "participants:referral_review": [
        Case("reçue", obj_url("participants:referral_review", "referral"), STAFF_ONLY),
        Case("brouillon", obj_url("participants:referral_review", "draft"), expect(403, facilitateur=404, admin=404)),
        Case(
            "autre structure",
            obj_url("participants:referral_review", "other_referral"),
            expect(403, facilitateur=404, admin=404),
        ),
    ],
    "accounts:membership_update": membership_cases("accounts:membership_update", "get", ADMIN_ONLY),
    "accounts:membership_deactivate": membership_cases("accounts:membership_deactivate", "get", ADMIN_ONLY),
    "accounts:membership_reactivate": membership_cases("accounts:membership_reactivate", "post", admin_only(302)),
    "accounts:membership_resend_invitation": membership_cases(
        "accounts:membership_resend_invitation", "post", admin_only(302)
    ),
    **RGPD_CASES,
    **SUIVI_CASES,
    **COMITES_CASES,
    **REPORTING_CASES,
}


def iter_url_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's admin: see test_admin_is_for_staff_only
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from iter_url_names(pattern.url_patterns, prefix)
        else:
            yield f"{namespace}{pattern.name}" if pattern.name else f"<sans nom : {pattern.pattern}>"


def test_every_url_pattern_has_access_cases():
    names = set(iter_url_names(get_resolver().url_patterns))
    assert names - ACCESS_CASES.keys() == set(), "URL sans test d'accès : ajoutez-les à ACCESS_CASES"
    assert ACCESS_CASES.keys() - names == set(), "Cas d'accès pour des URL qui n'existent plus"


def close_quietly(response):
    """Close a response (a file download holds its file open until closed) as the test client does, without the
    end-of-request signal closing the connection: that would end the shared world's transaction."""
    from django.core.signals import request_finished
    from django.db import close_old_connections

    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def _access_files(tmp_path_factory):
    return tmp_path_factory.mktemp("private")


@pytest.fixture(autouse=True)
def _private_files_in_a_temporary_folder(settings, _access_files):
    """The files of the shared world (proofs, imports) stay where the world put them, for every case."""
    settings.STORAGES = _storages(settings.STORAGES, _access_files)


def _storages(storages, location):
    return {**storages, "default": {**storages["default"], "OPTIONS": {"location": location, "base_url": None}}}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, _access_files):  # noqa: F811 (the conftest one, for a module)
    """One world for the whole walk, built once: every case runs inside its own savepoint and is rolled back, so a
    case that changes data (a POST, an object made for its URL) leaves the world as it was for the next one. The
    walk is over a thousand requests; building the world for each one cost minutes."""
    from django.conf import settings
    from django.db import transaction
    from django.test import override_settings

    with django_db_blocker.unblock(), override_settings(STORAGES=_storages(settings.STORAGES, _access_files)):
        with transaction.atomic():
            restore_reference_data()
            yield build_world()
            transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _reference_data():
    """The shared world put the reference data back once (see conftest)."""


@pytest.fixture
def db(world, django_db_blocker):
    """Here `db` is a savepoint of the shared world's transaction, rolled back after each case (pytest-django's own
    `db` would close the connection at the end of each test, and the world's transaction with it)."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


PARAMS = [
    pytest.param(name, case, role, id=f"{name}[{case.label}]-{role}")
    for name, cases in ACCESS_CASES.items()
    for case in cases
    for role in ROLES
]


@pytest.mark.parametrize(("name", "case", "role"), PARAMS)
def test_access(client, db, world, name, case, role):
    target = case.url(world)
    assert resolve(urlparse(target).path).view_name == name
    if role != ANON:
        client.force_login(world.membership(role).user)
    if case.method == "post":
        response = client.post(target, case.data(world))
    else:
        response = client.get(target)
    close_quietly(response)
    expected = case.expected[role]
    if expected == LOGIN:
        assert response.status_code == 302
        assert urlparse(response.url).path == reverse("accounts:login")
    else:
        assert response.status_code == expected


ADMIN_URLS = ["admin:index", "admin:accounts_user_changelist", "admin:accounts_organisation_changelist"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("admin_url", ADMIN_URLS)
def test_admin_is_for_staff_only(client, db, world, role, admin_url):
    if role != ANON:
        client.force_login(world.membership(role).user)
    response = client.get(reverse(admin_url))
    assert response.status_code == 302
    assert urlparse(response.url).path in (reverse("admin:login"), reverse("accounts:login"))


@pytest.mark.parametrize("admin_url", ADMIN_URLS)
def test_admin_opens_for_superusers(client, db, world, admin_url):
    user = type(world.admin.user).objects.get(pk=world.admin.user.pk)  # a copy: the shared world stays as it was
    user.is_staff = user.is_superuser = True
    user.save()
    client.force_login(user)
    assert client.get(reverse(admin_url)).status_code == 200


# Pages a session may open after the password and before the second factor's code.
SECOND_FACTOR_PENDING_ALLOWED = {"accounts:logout", "accounts:second_factor_verify"}


@pytest.mark.parametrize(
    ("name", "case"),
    [
        pytest.param(name, cases[0], id=name)
        for name, cases in ACCESS_CASES.items()
        if cases[0].expected[ANON] == LOGIN
    ],
)
def test_every_page_waits_for_the_second_factor(client, db, world, name, case):
    """A session whose account has a second factor, before its code is given: every page behind the login sends it
    to the code (generated from the URL configuration, like the walk above: a new page is covered at once)."""
    from clauses.accounts.middleware import SECOND_FACTOR_KEY

    client.force_login(world.facilitateur.user)
    session = client.session
    session[SECOND_FACTOR_KEY] = True
    session.save()
    target = case.url(world)
    response = client.post(target, case.data(world)) if case.method == "post" else client.get(target)
    close_quietly(response)
    if name in SECOND_FACTOR_PENDING_ALLOWED:
        assert not (response.status_code == 302 and response.url.startswith(reverse("accounts:second_factor_verify")))
    else:
        assert response.status_code == 302
        assert urlparse(response.url).path == reverse("accounts:second_factor_verify")
