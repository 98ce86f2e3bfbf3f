"""The optional second factor (django-otp): a TOTP application, and single-use recovery codes.

Offered to the roles that hold a structure's data (facilitators, administrators, network administrators). A user
who has one must give a code after their password: the login marks the session, and `SecondFactorMiddleware` keeps
every page closed until the code is given.
"""

from base64 import b32encode

import segno
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clauses.accounts.enums import Role

ROLES = frozenset({Role.FACILITATEUR, Role.ADMIN, Role.RESEAU})
RECOVERY_CODES = 8
TOTP_NAME = "Application d'authentification"
RECOVERY_NAME = "Codes de secours"


def offered_to(memberships) -> bool:
    return any(m.role in ROLES for m in memberships)


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user) -> TOTPDevice:
    """The application being set up: kept until confirmed, so that reloading the page shows the same key."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def secret_of(device: TOTPDevice) -> str:
    """The key to type into an application that cannot read the QR code, in groups of four."""
    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#1b1b1b", omitsize=True)


def clean_token(token: str) -> str:
    return "".join((token or "").split()).lower()


@transaction.atomic
def confirm(device: TOTPDevice, token: str) -> list[str]:
    """Turn the second factor on with a first code from the application; returns the recovery codes, shown once."""
    if not device.verify_token(clean_token(token)):
        raise ValidationError("Ce code ne correspond pas. Saisissez le code à 6 chiffres affiché par l'application.")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    return new_recovery_codes(device.user)


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


def verify(user, token: str):
    """The device that accepts `token` (application code or recovery code), or a ValidationError saying why not.
    Each device throttles its own failures (each one doubles the wait)."""
    token = clean_token(token)
    throttled = False
    with transaction.atomic():  # the failure counters are saved even though the code is refused
        for device in devices_for_user(user, for_verify=True):
            if isinstance(device, TOTPDevice) != token.isdigit():
                continue  # six digits are an application's code, eight letters and digits a recovery code
            if not device.verify_is_allowed()[0]:
                throttled = True
            elif device.verify_token(token):
                return device
    if throttled:
        raise ValidationError("Trop de codes erronés : patientez quelques secondes avant de réessayer.")
    raise ValidationError(
        "Ce code n'est pas valide. Vérifiez l'heure de votre téléphone, ou utilisez un code de secours."
    )


@transaction.atomic
def disable(user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
