import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clauses.accounts.access import ScopedQuerySet
from suivi import hours as rules
from suivi.enums import HourKind, HourSource, ImportStatus
from suivi.models.common import HOURS, STRUCTURE, SUBCONTRACTOR_KINDS, SUBCONTRACTOR_MESSAGE
from suivi.models.contracts import Assignment

# --- Hours ----------------------------------------------------------------------------------------------------


class HourEntryQuerySet(ScopedQuerySet):
    """The single source of truth for every counted hour (R-HRS-1)."""

    structure_lookup = "award__lot__market__structure"

    def counted(self):
        """Hours that fill obligations: subcontracted hours, and the hours of assignments that count."""
        return self.filter(Q(assignment__isnull=True) | Q(assignment__counts=True))


class HourEntry(models.Model):
    """Hours of one month on one award: a contract's worked or training hours, or hours subcontracted to an
    SIAE or an EA (no participant)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    award = models.ForeignKey(
        "marches.Award", verbose_name="attribution", on_delete=models.PROTECT, related_name="hour_entries"
    )
    assignment = models.ForeignKey(
        Assignment, verbose_name="contrat et marché", on_delete=models.PROTECT, null=True, blank=True,
        related_name="hour_entries",
    )  # fmt: skip
    subcontractor = models.ForeignKey(
        "marches.Company", verbose_name="sous-traitant", on_delete=models.PROTECT, null=True, blank=True,
        related_name="subcontracted_hours",
    )  # fmt: skip
    month = models.DateField("mois")
    kind = models.CharField("nature", max_length=20, choices=HourKind.choices, default=HourKind.TRAVAIL)
    hours = models.DecimalField("heures", **HOURS)
    source = models.CharField("source", max_length=20, choices=HourSource.choices, default=HourSource.SAISIE)
    note = models.CharField("remarque", max_length=300, blank=True)
    hour_import = models.ForeignKey(
        "HourImport", verbose_name="import", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="saisi par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    history = HistoricalRecords()

    objects = HourEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "heures d'un mois"
        verbose_name_plural = "heures"
        ordering = ["month", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gte=0), name="hour_entry_not_negative",
                violation_error_message="Les heures ne peuvent pas être négatives.",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=HourKind.SOUS_TRAITANCE, assignment__isnull=True, subcontractor__isnull=False)
                    | (~Q(kind=HourKind.SOUS_TRAITANCE) & Q(assignment__isnull=False, subcontractor__isnull=True))
                ),
                name="hour_entry_of_a_contract_or_a_subcontractor",
                violation_error_message="Des heures sont celles d'un contrat, ou sous-traitées sans participant.",
            ),
            models.UniqueConstraint(
                fields=["assignment", "month", "kind"], condition=Q(assignment__isnull=False),
                name="hour_entry_once_per_assignment_month_and_kind",
                violation_error_message="Ces heures sont déjà saisies pour ce mois.",
            ),
            models.UniqueConstraint(
                fields=["award", "subcontractor", "month"], condition=Q(subcontractor__isnull=False),
                name="hour_entry_once_per_subcontractor_and_month",
                violation_error_message="Ces heures sous-traitées sont déjà saisies pour ce mois.",
            ),
        ]  # fmt: skip
        indexes = [
            models.Index(fields=["award", "month"]),
            models.Index(fields=["assignment", "month"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.month:%m/%Y}"

    def clean(self):
        super().clean()
        if self.month:
            self.month = rules.month_start(self.month)
        errors = {}
        if self.assignment_id and self.award_id and self.assignment.award_id != self.award_id:
            errors["award"] = "Ces heures ne relèvent pas de ce marché."
        if self.subcontractor_id and self.subcontractor.kind not in SUBCONTRACTOR_KINDS:
            errors["subcontractor"] = SUBCONTRACTOR_MESSAGE
        if errors:
            raise ValidationError(errors)


def import_upload_to(instance, filename):
    extension = ".xlsx" if instance.original_name.lower().endswith(".xlsx") else ".csv"
    return f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class HourImportQuerySet(ScopedQuerySet):
    pass


class HourImport(models.Model):
    """A tracking spreadsheet uploaded for import: kept privately, previewed, then applied all at once."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    structure = models.ForeignKey(**STRUCTURE, related_name="hour_imports")
    file = models.FileField("fichier", upload_to=import_upload_to, max_length=200)
    original_name = models.CharField("nom du fichier envoyé", max_length=120)
    sha256 = models.CharField("empreinte", max_length=64, db_index=True)
    status = models.CharField("statut", max_length=20, choices=ImportStatus.choices, default=ImportStatus.EN_ATTENTE)
    row_count = models.PositiveIntegerField("lignes", default=0)
    summary = models.JSONField("bilan", default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="envoyé par", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField("envoyé le", auto_now_add=True)
    applied_at = models.DateTimeField("importé le", null=True, blank=True)

    history = HistoricalRecords()

    objects = HourImportQuerySet.as_manager()

    class Meta:
        verbose_name = "import d'heures"
        verbose_name_plural = "imports d'heures"
        ordering = ["-uploaded_at"]

    def __str__(self):
        return f"Import {str(self.public_id)[:8]}"

    def get_absolute_url(self):
        return reverse("suivi:import_detail", args=[self.public_id])
