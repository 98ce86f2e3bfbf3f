import uuid
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from clauses.accounts.access import ScopedQuerySet
from marches.enums import RESERVED_BASES, CompanyKind
from participants.models import Participant
from suivi import hours as rules
from suivi.enums import (
    OPEN_ENDED_CONTRACTS,
    WORK_STUDY_CONTRACTS,
    ContractModality,
    ContractType,
    EndReason,
)
from suivi.models.common import LENDING_KINDS, ROME_CODE, STRUCTURE, TEMPING_KINDS, WEEKLY_HOURS
from suivi.models.offers import Positioning

# --- Work contracts -------------------------------------------------------------------------------------------

# R-RESERVED: employers whose own staff run the follow-up of the people they employ.
EMPLOYER_FOLLOW_UP_KINDS = (CompanyKind.EI, CompanyKind.EA)


class WorkContractQuerySet(ScopedQuerySet):
    """A prescriber sees a summary of the contracts of the people they follow."""

    def for_prescriber(self, organisation):
        return self.filter(participant__in=Participant.objects.for_prescriber(organisation))

    def active_in(self, month, last=None):
        """Contracts covering at least one day of `month` (or of the months from `month` to `last`)."""
        return self.filter(start_date__lte=rules.month_end(last or month)).filter(
            Q(actual_end_date__gte=month)
            | Q(actual_end_date__isnull=True, planned_end_date__gte=month)
            | Q(actual_end_date__isnull=True, planned_end_date__isnull=True)
        )

    def skills_documents_due(self, today):
        """R-REFERENT: contracts whose start document is missing once they have started (within the last year), or
        whose end document is missing from two weeks before their end (up to three months after)."""
        from suivi.enums import ReviewMoment

        reviews = apps.get_model("suivi", "SkillsReview").objects.filter(contract=OuterRef("pk"))
        recent, notice = today - timedelta(days=90), today + timedelta(days=14)
        return self.annotate(
            has_start_review=Exists(reviews.filter(moment=ReviewMoment.DEBUT)),
            has_end_review=Exists(reviews.filter(moment=ReviewMoment.FIN)),
        ).filter(
            Q(has_start_review=False, start_date__lte=today, start_date__gte=today - timedelta(days=365))
            | Q(has_end_review=False, actual_end_date__lte=notice, actual_end_date__gte=recent)
            | Q(has_end_review=False, actual_end_date__isnull=True, planned_end_date__lte=notice,
                planned_end_date__gte=recent)
        )  # fmt: skip

    def running_on(self, day):
        return self.filter(start_date__lte=day).filter(
            Q(actual_end_date__gte=day)
            | Q(actual_end_date__isnull=True, planned_end_date__gte=day)
            | Q(actual_end_date__isnull=True, planned_end_date__isnull=True)
        )

    def with_employer_follow_up(self):
        """R-RESERVED: `employer_follow_up` is true when the employer structure runs the follow-up (a reserved
        market served, or an EI / EA employer), in the same query."""
        reserved = Assignment.objects.filter(
            contract=OuterRef("pk"), award__lot__market__legal_basis__in=RESERVED_BASES
        )
        return self.annotate(
            employer_follow_up=ExpressionWrapper(
                Q(employer__kind__in=EMPLOYER_FOLLOW_UP_KINDS) | Q(Exists(reserved)), output_field=BooleanField()
            )
        )


class WorkContract(models.Model):
    """A work contract of a participant on one or more obligations of the same company (R-HRS-2)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    structure = models.ForeignKey(**STRUCTURE, related_name="work_contracts")
    participant = models.ForeignKey(
        Participant, verbose_name="participant", on_delete=models.PROTECT, related_name="contracts"
    )
    positioning = models.OneToOneField(
        Positioning, verbose_name="positionnement", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="contract",
    )  # fmt: skip
    employer = models.ForeignKey(
        "marches.Company",
        verbose_name="employeur",
        on_delete=models.PROTECT,
        related_name="employed_contracts",
        help_text="L'entreprise elle-même, ou l'ETTI, l'AI ou le GEIQ qui met la personne à disposition.",
    )
    company = models.ForeignKey(
        "marches.Company",
        verbose_name="entreprise utilisatrice",
        on_delete=models.PROTECT,
        related_name="work_contracts",
        help_text="L'entreprise qui porte l'obligation d'insertion et chez qui la personne travaille.",
    )
    awards = models.ManyToManyField(
        "marches.Award", through="Assignment", verbose_name="marchés servis", related_name="work_contracts"
    )
    contract_type = models.CharField("type de contrat", max_length=25, choices=ContractType.choices)
    modality = models.CharField(
        "modalité", max_length=25, choices=ContractModality.choices, default=ContractModality.EMBAUCHE_DIRECTE
    )
    start_date = models.DateField("début du contrat")
    planned_end_date = models.DateField("fin prévue", null=True, blank=True, help_text="Vide pour un CDI.")
    actual_end_date = models.DateField("fin effective", null=True, blank=True)
    end_reason = models.CharField("motif de fin", max_length=25, choices=EndReason.choices, blank=True)
    weekly_hours = models.DecimalField("durée hebdomadaire (heures)", **WEEKLY_HOURS)
    job_title = models.CharField("poste occupé", max_length=200)
    rome_code = models.CharField("code ROME", max_length=5, blank=True, validators=[ROME_CODE])
    tutor_name = models.CharField("tuteur dans l'entreprise", max_length=150, blank=True)
    tutor_phone = models.CharField("téléphone du tuteur", max_length=20, blank=True)
    notes = models.TextField("notes internes", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créé par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    history = HistoricalRecords()

    objects = WorkContractQuerySet.as_manager()

    class Meta:
        verbose_name = "contrat de travail"
        verbose_name_plural = "contrats de travail"
        ordering = ["-start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end_date__isnull=True) | Q(planned_end_date__gte=F("start_date")),
                name="contract_planned_end_after_start",
                violation_error_message="La fin prévue ne peut pas précéder le début du contrat.",
            ),
            models.CheckConstraint(
                condition=Q(actual_end_date__isnull=True) | Q(actual_end_date__gte=F("start_date")),
                name="contract_actual_end_after_start",
                violation_error_message="La fin effective ne peut pas précéder le début du contrat.",
            ),
            models.CheckConstraint(
                condition=Q(weekly_hours__gt=0) & Q(weekly_hours__lte=rules.MAX_WEEKLY_HOURS),
                name="contract_weekly_hours_plausible",
                violation_error_message="La durée hebdomadaire est comprise entre 0,5 et 48 heures.",
            ),
        ]
        indexes = [
            models.Index(fields=["structure", "company"]),
            models.Index(fields=["structure", "start_date"]),
        ]

    def __str__(self):
        return f"Contrat {str(self.public_id)[:8]}"

    def get_absolute_url(self):
        return reverse("suivi:contract_detail", args=[self.public_id])

    def clean_fields(self, exclude=None):
        """The ROME code is written in capitals before it is checked."""
        if self.rome_code:
            self.rome_code = self.rome_code.strip().upper()
        super().clean_fields(exclude=exclude)

    def clean(self):
        super().clean()
        errors = {}
        for field in ("employer", "company", "participant"):
            related = getattr(self, field, None) if getattr(self, f"{field}_id") else None
            if related is not None and self.structure_id and related.structure_id != self.structure_id:
                errors[field] = "Cette fiche appartient à une autre structure."
        if self.contract_type in OPEN_ENDED_CONTRACTS and self.planned_end_date:
            errors["planned_end_date"] = "Un CDI n'a pas de fin prévue : laissez ce champ vide."
        if self.contract_type and self.contract_type not in OPEN_ENDED_CONTRACTS and not self.planned_end_date:
            errors["planned_end_date"] = "Indiquez la fin prévue du contrat."
        if self.actual_end_date and not self.end_reason:
            errors["end_reason"] = "Indiquez pourquoi le contrat a pris fin."
        if self.employer_id and self.company_id:
            if self.modality == ContractModality.EMBAUCHE_DIRECTE and self.employer_id != self.company_id:
                errors["employer"] = (
                    "En embauche directe, l'employeur est l'entreprise utilisatrice. Sinon, choisissez la "
                    "mise à disposition ou l'intérim."
                )
            if self.modality == ContractModality.MISSION_INTERIM and self.employer.kind not in TEMPING_KINDS:
                errors["employer"] = "Une mission d'intérim est confiée par une agence d'intérim (ETT ou ETTI)."
            elif self.modality == ContractModality.MISE_A_DISPOSITION and self.employer.kind not in LENDING_KINDS:
                errors["employer"] = (
                    "Seules une AI, un GEIQ ou un groupement d'employeurs mettent une personne à disposition ; "
                    "une agence d'intérim confie une mission d'intérim."
                )
        if errors:
            raise ValidationError(errors)

    @property
    def end_date(self):
        """The day the contract ends (actual, else planned); None for a CDI still running."""
        return self.actual_end_date or self.planned_end_date

    @property
    def period(self):
        return rules.Period(self.start_date, self.end_date)

    @property
    def is_work_study(self):
        return self.contract_type in WORK_STUDY_CONTRACTS

    def is_running_on(self, day):
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)

    @property
    def is_followed_by_employer(self):
        """R-RESERVED (read from `with_employer_follow_up()` when the queryset has it)."""
        if hasattr(self, "employer_follow_up"):
            return self.employer_follow_up
        return (
            self.employer.kind in EMPLOYER_FOLLOW_UP_KINDS
            or self.assignments.filter(award__lot__market__legal_basis__in=RESERVED_BASES).exists()
        )

    @property
    def duration_weeks(self):
        if not self.end_date:
            return None
        return ((self.end_date - self.start_date).days + 1) // 7


class AssignmentQuerySet(ScopedQuerySet):
    structure_lookup = "contract__structure"

    def for_prescriber(self, organisation):
        return self.filter(contract__participant__in=Participant.objects.for_prescriber(organisation))


class Assignment(models.Model):
    """A contract serving one award (one market's obligation), and whether its hours count there (R-HRS-1):
    the person's eligibility to that market at its attribution date (R-ELIG-1), the conditions of R-ELIG-4 for
    a work-study contract, or a justified exception recorded by a facilitator."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contract = models.ForeignKey(
        WorkContract, verbose_name="contrat", on_delete=models.CASCADE, related_name="assignments"
    )
    award = models.ForeignKey(
        "marches.Award", verbose_name="attribution", on_delete=models.PROTECT, related_name="assignments"
    )
    counts = models.BooleanField("heures comptées", default=False)
    reason = models.CharField("pourquoi", max_length=300, blank=True)
    diagnosis = models.ForeignKey(
        "participants.EligibilityDiagnosis",
        verbose_name="diagnostic d'éligibilité",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    checked_at = models.DateTimeField("vérifié le", null=True, blank=True)
    # R-ELIG-4 exception
    exception_justification = models.TextField("justification de l'exception", blank=True)
    exception_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="exception accordée par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    exception_at = models.DateTimeField("exception accordée le", null=True, blank=True)

    history = HistoricalRecords()

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "marché servi"
        verbose_name_plural = "marchés servis"
        ordering = ["contract", "award"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "award"], name="assignment_once_per_contract_and_award"),
        ]

    def __str__(self):
        return f"Affectation {str(self.public_id)[:8]}"

    @property
    def has_exception(self):
        return bool(self.exception_at)
