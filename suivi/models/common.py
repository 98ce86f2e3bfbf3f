"""What the models of `suivi` share: the structure field, hour amounts, codes, and the kinds of employers."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from clauses.accounts.enums import OrganisationKind
from marches.enums import CompanyKind
from suivi import hours as rules

STRUCTURE = {
    "to": "accounts.Organisation",
    "verbose_name": "structure porteuse",
    "on_delete": models.PROTECT,
    "limit_choices_to": {"kind": OrganisationKind.FACILITATION},
}
# Who did something: kept as a reference, emptied if the account is deleted.
USER = {"to": settings.AUTH_USER_MODEL, "on_delete": models.SET_NULL, "null": True, "blank": True, "related_name": "+"}
HOURS = {"max_digits": 6, "decimal_places": 2, "validators": [MinValueValidator(0)]}
WEEKLY_HOURS = {
    "max_digits": 4,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal("0.5")), MaxValueValidator(rules.MAX_WEEKLY_HOURS)],
}
ROME_CODE = RegexValidator(
    r"^[A-N]\d{4}$", "Un code ROME s'écrit avec une lettre et quatre chiffres, par exemple F1704."
)
LONG_CONTRACT_HOURS = Decimal(300)  # R-HRS-5: at least 8 weeks, about 300 hours
# Employers that place their staff at the company holding the obligation.
PLACING_KINDS = (CompanyKind.ETT, CompanyKind.ETTI, CompanyKind.AI, CompanyKind.GEIQ, CompanyKind.GE)
TEMPING_KINDS = (CompanyKind.ETT, CompanyKind.ETTI)  # mission d'intérim
LENDING_KINDS = (CompanyKind.AI, CompanyKind.GEIQ, CompanyKind.GE)  # mise à disposition
# Subcontractors whose hours count without a named participant (R-HRS-1).
SUBCONTRACTOR_KINDS = (
    CompanyKind.EI,
    CompanyKind.ETTI,
    CompanyKind.AI,
    CompanyKind.ACI,
    CompanyKind.EA,
    CompanyKind.ESAT,
)
SUBCONTRACTOR_MESSAGE = (
    "Seules les heures confiées à une SIAE (EI, ETTI, AI, ACI) ou à une EA / un ESAT comptent sans participant nommé."
)
