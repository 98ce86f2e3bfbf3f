from django.core.exceptions import ValidationError
from stdnum import luhn
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.fr import siret


def normalize_siret(value):
    """Digits only: '123 456 789 00012' → '12345678900012'."""
    return siret.compact(value or "")


def validate_siret(value):
    """A SIRET with its 14 digits and a valid check digit (python-stdnum)."""
    try:
        siret.validate(value)
    except InvalidLength as exc:
        raise ValidationError("Un SIRET compte 14 chiffres.", code="invalid_length") from exc
    except InvalidFormat as exc:
        raise ValidationError("Un SIRET ne contient que des chiffres.", code="invalid_format") from exc
    except InvalidChecksum as exc:
        raise ValidationError(
            "Ce SIRET n'existe pas : sa clé de contrôle est fausse. Vérifiez-le sur l'avis de situation Sirene.",
            code="invalid_checksum",
        ) from exc


def make_valid_siret(siren_stem, nic_stem="0001"):
    """A valid SIRET from 8 SIREN digits and 4 NIC digits, completing both check digits (demo data)."""
    siren = siren_stem + luhn.calc_check_digit(siren_stem)
    return siren + nic_stem + luhn.calc_check_digit(siren + nic_stem)


class CnilPasswordValidator:
    """Passwords as the CNIL recommends for an account protected by a password alone (délibération 2022-100):
    at least 12 characters mixing lower case, upper case, digits and special characters, or at least 14
    characters mixing lower case, upper case and digits. Long passphrases (20 characters and more) pass too."""

    def validate(self, password, user=None):
        kinds = (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
        if len(password) >= 20:
            return
        if len(password) >= 14 and all(kinds[:3]):
            return
        if len(password) >= 12 and all(kinds):
            return
        raise ValidationError(self.get_help_text(), code="password_too_weak")

    def get_help_text(self):
        return (
            "Votre mot de passe doit compter au moins 12 caractères mêlant minuscules, majuscules, chiffres et "
            "caractères spéciaux, ou au moins 14 caractères mêlant minuscules, majuscules et chiffres, "
            "ou être une phrase de 20 caractères ou plus."
        )
