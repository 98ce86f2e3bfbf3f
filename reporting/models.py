"""Reporting: the bilans asked for and rendered in the background (`ReportJob`), and the log of exports."""

import uuid

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clauses.accounts.access import ScopedQuerySet
from suivi.models.common import STRUCTURE, USER


class ReportKind(models.TextChoices):
    BILAN_ACHETEUR = "bilan_acheteur", "bilan d'un donneur d'ordre"
    BILAN_MARCHE = "bilan_marche", "bilan d'un marché"
    BILAN_ENTREPRISE = "bilan_entreprise", "bilan d'une entreprise"
    LOT_ANNUEL = "lot_annuel", "bilans de tous les donneurs d'ordre d'une année"


class JobStatus(models.TextChoices):
    EN_ATTENTE = "en_attente", "en attente"
    EN_COURS = "en_cours", "en cours"
    TERMINE = "termine", "terminé"
    ECHEC = "echec", "échec"


ACTIVE = (JobStatus.EN_ATTENTE, JobStatus.EN_COURS)
JOB_TONES = {
    JobStatus.EN_ATTENTE: "secondary",
    JobStatus.EN_COURS: "info",
    JobStatus.TERMINE: "success",
    JobStatus.ECHEC: "danger",
}


def report_upload_to(instance, filename):
    extension = ".zip" if filename.lower().endswith(".zip") else ".pdf"
    return f"bilans/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class ReportJobQuerySet(ScopedQuerySet):
    """Bilans stay with the structure's staff; committee members download those shared with the committee."""

    def for_committee(self, structure):
        return self.filter(structure=structure, shared_with_committee=True, status=JobStatus.TERMINE)

    def active(self):
        return self.filter(status__in=ACTIVE)


class ReportJob(models.Model):
    """A bilan asked for: rendered by a Celery task into a private file, with its progress and, on failure, why."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    structure = models.ForeignKey(**STRUCTURE, related_name="report_jobs")
    kind = models.CharField("document", max_length=20, choices=ReportKind.choices)
    parameters = models.JSONField("paramètres", default=dict, blank=True)
    key = models.CharField("clé", max_length=200, help_text="Le même bilan demandé deux fois a la même clé.")
    title = models.CharField("intitulé", max_length=250)
    status = models.CharField("statut", max_length=20, choices=JobStatus.choices, default=JobStatus.EN_ATTENTE)
    progress = models.PositiveSmallIntegerField("avancement (%)", default=0)
    step = models.CharField("étape", max_length=200, blank=True)
    error = models.CharField("erreur", max_length=300, blank=True)
    file = models.FileField("fichier", upload_to=report_upload_to, max_length=200, blank=True)
    filename = models.CharField("nom du fichier", max_length=150, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name="lot", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    shared_with_committee = models.BooleanField("partagé avec le comité", default=False)
    requested_by = models.ForeignKey(verbose_name="demandé par", **USER)
    created_at = models.DateTimeField("demandé le", auto_now_add=True)
    queued_at = models.DateTimeField(
        "transmis le", null=True, blank=True,
        help_text="Quand la file des tâches a reçu la demande ; vide tant qu'elle n'a pas pu la recevoir.",
    )  # fmt: skip
    attempts = models.PositiveSmallIntegerField("essais", default=0)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)

    history = HistoricalRecords()

    objects = ReportJobQuerySet.as_manager()

    class Meta:
        verbose_name = "bilan demandé"
        verbose_name_plural = "bilans demandés"
        ordering = ["-created_at", "-pk"]
        constraints = [
            # The same bilan asked for again while one is being made: the running one answers.
            models.UniqueConstraint(
                fields=["structure", "key"],
                condition=Q(status__in=ACTIVE) & Q(parent__isnull=True),
                name="report_job_once_while_running",
                violation_error_message="Ce bilan est déjà en cours de préparation.",
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="report_job_progress_percent",
                violation_error_message="L'avancement est un pourcentage.",
            ),
        ]  # fmt: skip
        indexes = [models.Index(fields=["structure", "status"])]

    def __str__(self):
        return f"{self.get_kind_display().capitalize()} {str(self.public_id)[:8]}"

    def get_absolute_url(self):
        return reverse("reporting:job_detail", args=[self.public_id])

    @property
    def status_tone(self):
        return JOB_TONES.get(self.status, "secondary")

    @property
    def is_active(self):
        return self.status in ACTIVE

    @property
    def is_waiting_for_the_queue(self):
        """Asked for, but the task queue could not take it yet (broker down): it is sent again when it is back."""
        return self.status == JobStatus.EN_ATTENTE and self.queued_at is None

    @property
    def is_done(self):
        return self.status == JobStatus.TERMINE and bool(self.file)


class ExportLogQuerySet(ScopedQuerySet):
    pass


class ExportLog(models.Model):
    """Who downloaded which export, and whether it held personal data (append-only, never changed)."""

    structure = models.ForeignKey(**STRUCTURE, related_name="export_logs")
    user = models.ForeignKey(verbose_name="par", **USER)
    kind = models.CharField("export", max_length=50)
    file_format = models.CharField("format", max_length=10)
    personal_data = models.BooleanField("données personnelles", default=False)
    row_count = models.PositiveIntegerField("lignes", default=0)
    filters = models.JSONField("filtres", default=dict, blank=True)
    at = models.DateTimeField("le", auto_now_add=True)

    objects = ExportLogQuerySet.as_manager()

    class Meta:
        verbose_name = "export téléchargé"
        verbose_name_plural = "exports téléchargés"
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"Export {self.kind} du {self.at:%d/%m/%Y}"


class KeptFiguresQuerySet(ScopedQuerySet):
    pass


class KeptFigures(models.Model):
    """A structure's dashboard and consolidation figures of one year, computed ahead by a Celery task
    (`reporting.kept`), so that a network's pages add up a few hundred rows instead of a million hours.

    `version` goes up with every change of the structure's data; the figures hold when they were computed at the
    current version and up to the day the pages count to."""

    structure = models.ForeignKey(
        "accounts.Organisation", verbose_name="structure porteuse", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField("année")
    end = models.DateField("compté jusqu'au", null=True)
    dashboard = models.JSONField("tableau de bord", default=dict)  # reporting.dashboard.figures; rows: KeptRow
    version = models.PositiveIntegerField("version des données", default=0)
    computed_version = models.IntegerField("version calculée", null=True)
    format = models.PositiveSmallIntegerField("format", default=0)  # reporting.kept.FORMAT when computed
    computed_at = models.DateTimeField("calculé le", null=True)

    objects = KeptFiguresQuerySet.as_manager()

    class Meta:
        verbose_name = "chiffres tenus à jour"
        verbose_name_plural = "chiffres tenus à jour"
        constraints = [models.UniqueConstraint(fields=["structure", "year"], name="kept_figures_once_per_year")]

    def __str__(self):
        return f"Chiffres {self.year} de la structure {self.structure_id}"


class KeptRow(models.Model):
    """A row of a consolidation table in a structure's kept figures: up to four labels and five figures, which the
    database sums over the structures of a network (`reporting.kept.consolidate`)."""

    figures = models.ForeignKey(KeptFigures, verbose_name="chiffres", on_delete=models.CASCADE, related_name="rows")
    table = models.CharField("tableau", max_length=30)
    label_1 = models.CharField(max_length=300, blank=True)
    label_2 = models.CharField(max_length=300, blank=True)
    label_3 = models.CharField(max_length=300, blank=True)
    label_4 = models.CharField(max_length=300, blank=True)
    value_1 = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    value_2 = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    value_3 = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    value_4 = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    value_5 = models.DecimalField(max_digits=14, decimal_places=2, null=True)

    class Meta:
        verbose_name = "ligne de consolidation tenue à jour"
        verbose_name_plural = "lignes de consolidation tenues à jour"

    def __str__(self):
        return f"Ligne {self.table} des chiffres {self.figures_id}"
