"""Authentication hardening: lockout, password rules, session expiry, the optional second factor, security headers."""

import logging
import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clauses.accounts.middleware import LAST_SEEN_KEY, LOGGED_IN_AT_KEY, POLL_HEADER
from clauses.accounts.validators import CnilPasswordValidator
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.html import text
from tests.test_settings import ENV_KEYS

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def attempt(client, email, password):
    return client.post(LOGIN, {"username": email, "password": password})


# --- Lockout (django-axes) -----------------------------------------------------------------------------------


def test_five_failures_lock_the_account_whatever_the_case_of_the_address(client, world, caplog):
    email = world.facilitateur.user.email
    caplog.set_level(logging.INFO)
    for variant in (email, email.upper(), email.title(), f"  {email}"):
        assert attempt(client, variant, "pas-le-bon-mot-de-passe").status_code == 200
    assert attempt(client, email, "pas-le-bon-mot-de-passe").status_code == 429  # the fifth failure locks
    response = attempt(client, email, DEFAULT_PASSWORD)
    assert response.status_code == 429
    assert "Connexion temporairement bloquée" in text(response)
    assert "bloqué pendant 15 minutes" in text(response)
    assert "_auth_user_id" not in client.session
    # The logs name the account by a pseudonym, never by its address.
    assert "AXES" in caplog.text
    assert email.lower() not in caplog.text.lower()


def test_a_success_before_the_limit_starts_the_count_again(client, world):
    email = world.facilitateur.user.email
    for _ in range(4):
        attempt(client, email, "pas-le-bon-mot-de-passe")
    assert attempt(client, email, DEFAULT_PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        attempt(client, email, "pas-le-bon-mot-de-passe")
    assert attempt(client, email, DEFAULT_PASSWORD).status_code == 302


def test_the_lockout_ends_after_the_cooling_off_time(client, world):
    email = world.facilitateur.user.email
    for _ in range(5):
        attempt(client, email, "pas-le-bon-mot-de-passe")
    assert attempt(client, email, DEFAULT_PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))
    assert attempt(client, email, DEFAULT_PASSWORD).status_code == 302


def test_choosing_a_new_password_lifts_the_lockout(client, world):
    user = world.facilitateur.user
    for _ in range(5):
        attempt(client, user.email, "pas-le-bon-mot-de-passe")
    assert attempt(client, user.email, DEFAULT_PASSWORD).status_code == 429
    url = reverse(
        "accounts:password_reset_confirm",
        args=[urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)],
    )
    form_url = client.get(url, follow=True).redirect_chain[-1][0]
    new = "Nouveau-Mot-de-passe-2026"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert attempt(client, user.email, new).status_code == 302


def test_locking_one_account_leaves_the_others_open(client, world):
    for _ in range(6):
        attempt(client, world.facilitateur.user.email, "pas-le-bon-mot-de-passe")
    assert attempt(client, world.admin.user.email, DEFAULT_PASSWORD).status_code == 302


# --- Password rules (CNIL) -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["Clauses-2026", "MotDePasse2026", "une phrase de passe assez longue"],
    ids=["12 de quatre sortes", "14 de trois sortes", "phrase de 20 caractères"],
)
def test_cnil_rules_accept(password):
    CnilPasswordValidator().validate(password)


@pytest.mark.parametrize(
    "password",
    ["Clauses-226", "clauses-2026", "MotDePasse202", "motdepasse20261", "CLAUSES2026ABCD", "une phrase courte"],
    ids=["11 caractères", "sans majuscule", "13 de trois sortes", "15 sans majuscule", "15 sans minuscule", "19"],
)
def test_cnil_rules_refuse(password):
    with pytest.raises(ValidationError, match="au moins 12 caractères"):
        CnilPasswordValidator().validate(password)


def test_changing_to_a_weak_password_is_refused_in_french(client, world):
    user = world.facilitateur.user
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": DEFAULT_PASSWORD, "new_password1": "clauses-2026", "new_password2": "clauses-2026"},
    )
    assert response.status_code == 200
    assert "au moins 12 caractères mêlant minuscules, majuscules, chiffres" in text(response)
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


# --- Session expiry -----------------------------------------------------------------------------------------


def age_session(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_a_session_ends_after_an_hour_without_activity(client, world):
    client.force_login(world.facilitateur.user)
    age_session(client, **{LAST_SEEN_KEY: settings.SESSION_IDLE_TIMEOUT + 1})
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[0][0] == f"{LOGIN}?next=/"
    assert "Votre session a pris fin après 60 minutes sans activité" in text(response)
    assert "_auth_user_id" not in client.session


def test_an_active_session_goes_on_and_is_stamped_at_most_every_few_minutes(client, world):
    client.force_login(world.facilitateur.user)
    age_session(client, **{LAST_SEEN_KEY: settings.SESSION_IDLE_TIMEOUT - 60})
    assert client.get(reverse("home")).status_code == 200
    stamped = client.session[LAST_SEEN_KEY]
    assert int(time.time()) - stamped < 5
    assert client.get(reverse("home")).status_code == 200
    assert client.session[LAST_SEEN_KEY] == stamped  # not written again a moment later


def test_a_page_polling_on_its_own_is_not_activity(client, world):
    client.force_login(world.facilitateur.user)
    age_session(client, **{LAST_SEEN_KEY: 600})
    before = client.session[LAST_SEEN_KEY]
    assert client.get(reverse("home"), headers={POLL_HEADER: "1", "HX-Request": "true"}).status_code == 200
    assert client.session[LAST_SEEN_KEY] == before
    assert client.get(reverse("home")).status_code == 200
    assert client.session[LAST_SEEN_KEY] > before


def test_a_session_opened_before_the_clock_gets_its_login_time(client, world):
    client.force_login(world.facilitateur.user)
    session = client.session
    del session[LOGGED_IN_AT_KEY]
    session.save()
    client.get(reverse("home"))
    assert int(time.time()) - client.session[LOGGED_IN_AT_KEY] < 5


def test_a_session_ends_after_a_working_day_even_when_active(client, world):
    client.force_login(world.facilitateur.user)
    age_session(client, **{LOGGED_IN_AT_KEY: settings.SESSION_COOKIE_AGE + 1, LAST_SEEN_KEY: 10})
    response = client.get(reverse("home"), follow=True)
    assert "Votre session a atteint sa durée maximale" in text(response)


def test_an_expired_htmx_request_sends_the_whole_page_to_the_login(client, world):
    client.force_login(world.facilitateur.user)
    age_session(client, **{LAST_SEEN_KEY: settings.SESSION_IDLE_TIMEOUT + 1})
    response = client.get(reverse("home"), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"{LOGIN}?next=/"


# --- Second factor (django-otp) ------------------------------------------------------------------------------


def code(device, steps_ahead=0):
    """The code an application shows now (or `steps_ahead` periods of 30 s later, within the device's tolerance)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)  # a phone knows no drift
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def enable_second_factor(client, user):
    client.force_login(user)
    response = client.get(reverse("accounts:second_factor_setup"))
    assert "<svg" in response.content.decode() and "Impossible de scanner" in text(response)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("accounts:second_factor_setup"), {"code": code(device, -1)})
    assert "Vos codes de secours" in text(response)
    codes = [t.token for t in StaticToken.objects.filter(device__user=user)]
    assert len(codes) == 8 and all(c in text(response) for c in codes)
    device.refresh_from_db()
    assert device.confirmed
    client.logout()
    return device, codes


def log_in_with_password(client, user):
    response = client.post(LOGIN, {"username": user.email, "password": DEFAULT_PASSWORD, "next": "/marches/"})
    assert response.status_code == 302
    return client.get(response["Location"])


def test_setting_up_refuses_a_wrong_code(client, world):
    user = world.facilitateur.user
    client.force_login(user)
    client.get(reverse("accounts:second_factor_setup"))
    response = client.post(reverse("accounts:second_factor_setup"), {"code": "000000"})
    assert "Ce code ne correspond pas" in text(response)
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_with_a_second_factor_every_page_waits_for_the_code(client, world):
    user = world.facilitateur.user
    device, _ = enable_second_factor(client, user)
    response = log_in_with_password(client, user)
    verify = reverse("accounts:second_factor_verify")
    assert response.status_code == 302 and response["Location"].startswith(f"{verify}?next=")
    for name in ("home", "accounts:profile", "participants:participant_list"):
        assert client.get(reverse(name))["Location"].startswith(verify)
    response = client.post(verify, {"code": "123456", "next": "/marches/"})
    assert "Ce code n'est pas valide" in text(response)
    # One wrong code: the next try must wait (django-otp doubles the wait at each failure).
    response = client.post(verify, {"code": code(device), "next": "/marches/"})
    assert "Trop de codes erronés" in text(response)
    device.refresh_from_db()
    device.throttling_failure_timestamp = timezone.now() - timedelta(minutes=1)
    device.save()
    response = client.post(verify, {"code": code(device), "next": "/marches/"})
    assert response.status_code == 302 and response["Location"] == "/marches/"
    assert client.get(reverse("home")).status_code == 200


def test_the_admin_site_waits_for_the_code_too(client, world):
    user = world.admin.user
    user.is_staff = user.is_superuser = True
    user.save()
    device, _ = enable_second_factor(client, user)
    log_in_with_password(client, user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:second_factor_verify"))
    client.post(reverse("accounts:second_factor_verify"), {"code": code(device)})
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    "next_url",
    ["foo", "accounts:logout", "//evil.example/", "https://evil.example/", "/\\evil.example/", "javascript:alert(1)"],
)
def test_the_code_page_sends_nowhere_but_this_site(client, world, next_url):
    client.force_login(world.facilitateur.user)
    response = client.get(reverse("accounts:second_factor_verify"), {"next": next_url})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    response = client.post(reverse("accounts:choose_membership"), {"next": next_url})
    assert response.status_code == 200


def test_the_admin_site_never_shows_a_second_factor_key(client, world):
    user = world.admin.user
    user.is_staff = user.is_superuser = True
    user.save()
    device, codes = enable_second_factor(client, user)
    client.force_login(user)
    client.post(reverse("accounts:second_factor_verify"), {"code": code(device)})
    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk])).content.decode()
    assert device.key not in page
    page = client.get(reverse("admin:otp_static_staticdevice_change", args=[device.user.staticdevice_set.get().pk]))
    assert not any(c in page.content.decode() for c in codes)


def test_a_recovery_code_opens_once(client, world):
    user = world.admin.user
    _, codes = enable_second_factor(client, user)
    verify = reverse("accounts:second_factor_verify")
    log_in_with_password(client, user)
    response = client.post(verify, {"code": codes[0].upper()}, follow=True)
    assert "il vous en reste 7" in text(response)
    client.logout()
    log_in_with_password(client, user)
    assert "Ce code n'est pas valide" in text(client.post(verify, {"code": codes[0]}))


def test_turning_the_second_factor_off_asks_for_a_current_code(client, world):
    user = world.facilitateur.user
    device, _ = enable_second_factor(client, user)
    log_in_with_password(client, user)
    response = client.post(reverse("accounts:second_factor_verify"), {"code": code(device)})
    assert response.status_code == 302, text(response)
    response = client.post(reverse("accounts:second_factor_disable"), {"code": "999999"})
    assert "Ce code n'est pas valide" in text(response)
    assert TOTPDevice.objects.filter(user=user).exists()
    device.refresh_from_db()
    device.throttling_failure_timestamp = timezone.now() - timedelta(minutes=1)
    device.save()
    response = client.post(reverse("accounts:second_factor_disable"), {"code": code(device, 1)}, follow=True)
    assert "La double authentification est désactivée" in text(response)
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticToken.objects.filter(device__user=user).exists()
    client.logout()
    assert log_in_with_password(client, user).status_code == 200  # straight in


@pytest.mark.parametrize("role", ["prescripteur", "comite"])
def test_the_second_factor_is_offered_to_who_holds_a_structures_data(client, world, role):
    client.force_login(getattr(world, role).user)
    assert client.get(reverse("accounts:second_factor_setup")).status_code == 403
    assert "double authentification" not in text(client.get(reverse("accounts:profile"))).lower()
    client.force_login(world.facilitateur.user)
    assert "Activer la double authentification" in text(client.get(reverse("accounts:profile")))


# --- Headers and deployment checks ---------------------------------------------------------------------------


def test_pages_carry_a_content_security_policy_and_security_headers(client, world):
    client.force_login(world.facilitateur.user)
    response = client.get(reverse("home"))
    policy = dict(
        directive.strip().split(" ", 1) for directive in response["Content-Security-Policy"].split(";") if directive
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_deployment_checks_pass_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={
            **{
                key: value for key, value in os.environ.items() if key not in ENV_KEYS + ("DJANGO_ALLOW_ASYNC_UNSAFE",)
            },
            "CLAUSES_ENV": "production",
            "SECRET_KEY": "k3y-" + "x9Qz7" * 12,
            "DATABASE_URL": "postgres://clauses@db.interne:5432/clauses",
            "ALLOWED_HOSTS": "clauses.exemple.fr",
            "SITE_URL": "https://clauses.exemple.fr",
            "SECURE_SSL_REDIRECT": "true",
        },
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
