import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clauses.accounts.access import ScopedQuerySet
from clauses.accounts.enums import OrganisationKind
from marches.enums import CompanyKind
from participants.models import Participant
from suivi import hours as rules
from suivi.enums import (
    OFFER_TONES,
    OPEN_ENDED_CONTRACTS,
    POSITIONING_OPEN,
    POSITIONING_TONES,
    WORK_STUDY_CONTRACTS,
    ContractModality,
    ContractType,
    EndReason,
    ExperienceLevel,
    HourKind,
    HourSource,
    ImportStatus,
    NonRetentionReason,
    OfferRequirement,
    OfferStatus,
    PositioningStatus,
    RecontactMethod,
)

STRUCTURE = {
    "to": "accounts.Organisation",
    "verbose_name": "structure porteuse",
    "on_delete": models.PROTECT,
    "limit_choices_to": {"kind": OrganisationKind.FACILITATION},
}
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


# --- Job offers (besoins de recrutement, seed 001) ------------------------------------------------------------


class JobOfferQuerySet(ScopedQuerySet):
    """A prescriber sees the offers published by the structures they work with."""

    structure_lookup = "award__lot__market__structure"

    def for_prescriber(self, organisation):
        return self.filter(
            status=OfferStatus.PUBLIEE,
            award__lot__market__structure__in=organisation.partner_structures.values("pk"),
        )

    def published(self):
        return self.filter(status=OfferStatus.PUBLIEE)


class JobOffer(models.Model):
    """A company's recruitment need on a market, as the liaison form records it, published to the prescribers."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    award = models.ForeignKey(
        "marches.Award",
        verbose_name="entreprise et lot",
        on_delete=models.PROTECT,
        related_name="job_offers",
        help_text="L'obligation d'insertion que ce recrutement sert.",
    )
    status = models.CharField("statut", max_length=20, choices=OfferStatus.choices, default=OfferStatus.BROUILLON)
    # Company contact for this recruitment
    contact_name = models.CharField("personne à joindre", max_length=150, blank=True)
    contact_phone = models.CharField("téléphone", max_length=20, blank=True)
    contact_email = models.EmailField("e-mail", blank=True)
    # The job and the profile
    job_title = models.CharField("appellation du poste", max_length=200)
    rome_code = models.CharField("code ROME", max_length=5, blank=True, validators=[ROME_CODE])
    positions = models.PositiveSmallIntegerField(
        "nombre de postes", default=1, validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    start_date = models.DateField("date de recrutement souhaitée", null=True, blank=True)
    activities = models.TextField("activités principales du poste")
    skills = models.TextField("compétences requises", blank=True)
    experience = models.CharField(
        "expérience professionnelle souhaitée", max_length=10, choices=ExperienceLevel.choices, blank=True
    )
    training = models.CharField("formation", max_length=300, blank=True)
    requirements = models.JSONField("exigences particulières", default=list, blank=True)
    other_requirements = models.CharField("autres exigences", max_length=300, blank=True)
    # Employment conditions
    contract_type = models.CharField("type de contrat", max_length=25, choices=ContractType.choices)
    duration_weeks = models.PositiveSmallIntegerField(
        "durée du contrat (semaines)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(260)],
        help_text="Vide pour un CDI.",
    )
    weekly_hours = models.DecimalField("durée hebdomadaire (heures)", **WEEKLY_HOURS)
    gross_salary = models.CharField(
        "salaire brut",
        max_length=100,
        blank=True,
        help_text="Par exemple : SMIC, 12,50 € de l'heure, 1 950 € par mois.",
    )
    workplace = models.CharField("lieu de travail", max_length=200)
    notes = models.TextField("notes internes", blank=True, help_text="Visibles des facilitateurs seulement.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créée par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField("publiée le", null=True, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    history = HistoricalRecords()

    objects = JobOfferQuerySet.as_manager()

    class Meta:
        verbose_name = "offre d'emploi"
        verbose_name_plural = "offres d'emploi"
        ordering = ["-published_at", "-created_at"]
        indexes = [models.Index(fields=["status", "award"])]

    def __str__(self):
        return self.job_title

    def get_absolute_url(self):
        return reverse("suivi:offer_detail", args=[self.public_id])

    def clean_fields(self, exclude=None):
        """The ROME code is written in capitals before it is checked."""
        if self.rome_code:
            self.rome_code = self.rome_code.strip().upper()
        super().clean_fields(exclude=exclude)

    def clean(self):
        super().clean()
        unknown = set(self.requirements or ()) - set(OfferRequirement.values)
        if unknown:
            raise ValidationError({"requirements": "Exigence inconnue : " + ", ".join(sorted(unknown))})

    @property
    def status_tone(self):
        return OFFER_TONES.get(self.status, "secondary")

    @property
    def is_published(self):
        return self.status == OfferStatus.PUBLIEE

    def get_requirements_display(self):
        return [OfferRequirement(code).label for code in self.requirements or () if code in OfferRequirement.values]


# --- Positionings ---------------------------------------------------------------------------------------------


class PositioningQuerySet(ScopedQuerySet):
    """A prescriber sees the positionings of the candidates they sent or follow, and those they proposed."""

    structure_lookup = "offer__award__lot__market__structure"

    def for_prescriber(self, organisation):
        followed = Participant.objects.for_prescriber(organisation)
        return self.filter(
            Q(proposed_by_organisation=organisation)
            | Q(referral__prescriber_organisation=organisation)
            | Q(participant__in=followed)
        )

    def open(self):
        return self.filter(status__in=POSITIONING_OPEN)


class Positioning(models.Model):
    """A candidate put forward for an offer, and what became of them (R-FEEDBACK)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    offer = models.ForeignKey(JobOffer, verbose_name="offre", on_delete=models.PROTECT, related_name="positionings")
    participant = models.ForeignKey(
        Participant, verbose_name="participant", on_delete=models.PROTECT, null=True, blank=True,
        related_name="positionings",
    )  # fmt: skip
    referral = models.ForeignKey(
        "participants.Referral",
        verbose_name="fiche navette",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="positionings",
        help_text="Un candidat dont la fiche navette est encore à l'examen.",
    )
    status = models.CharField(
        "statut", max_length=20, choices=PositioningStatus.choices, default=PositioningStatus.PROPOSE
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="proposé par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    proposed_by_organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name="organisation qui propose", on_delete=models.PROTECT, related_name="+"
    )
    message = models.TextField("pourquoi ce candidat", blank=True)
    non_retention_reason = models.CharField("motif", max_length=20, choices=NonRetentionReason.choices, blank=True)
    feedback = models.TextField("retour au prescripteur", blank=True)
    # R-RECONTACT: a former beneficiary is positioned only once their référent has been told.
    referent_informed_on = models.DateField("référent informé le", null=True, blank=True)
    referent_informed_how = models.CharField(
        "référent informé", max_length=20, choices=RecontactMethod.choices, blank=True
    )
    referent_informed_note = models.CharField("ce qui a été dit au référent", max_length=300, blank=True)
    proposed_at = models.DateTimeField("proposé le", auto_now_add=True)
    presented_at = models.DateTimeField("présenté le", null=True, blank=True)
    decided_at = models.DateTimeField("décision le", null=True, blank=True)

    history = HistoricalRecords()

    objects = PositioningQuerySet.as_manager()

    class Meta:
        verbose_name = "positionnement"
        verbose_name_plural = "positionnements"
        ordering = ["-proposed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(participant__isnull=False) | Q(referral__isnull=False),
                name="positioning_has_a_candidate",
                violation_error_message="Choisissez un participant ou une fiche navette.",
            ),
            models.UniqueConstraint(
                fields=["offer", "participant"], condition=Q(participant__isnull=False),
                name="positioning_once_per_offer_and_participant",
                violation_error_message="Ce candidat est déjà positionné sur cette offre.",
            ),
            models.UniqueConstraint(
                fields=["offer", "referral"], condition=Q(referral__isnull=False),
                name="positioning_once_per_offer_and_referral",
                violation_error_message="Ce candidat est déjà positionné sur cette offre.",
            ),
        ]  # fmt: skip

    def __str__(self):
        return f"Positionnement {str(self.public_id)[:8]}"

    def get_absolute_url(self):
        return reverse("suivi:positioning_detail", args=[self.public_id])

    @property
    def person(self):
        """The participant, or — while the fiche navette is being examined — the person it describes."""
        if self.participant_id:
            return self.participant
        if self.referral_id and self.referral.participant_id:
            return self.referral.participant
        return self.referral

    @property
    def status_tone(self):
        return POSITIONING_TONES.get(self.status, "secondary")

    @property
    def is_open(self):
        return self.status in POSITIONING_OPEN


class PositioningEventQuerySet(ScopedQuerySet):
    structure_lookup = "positioning__offer__award__lot__market__structure"

    def for_prescriber(self, organisation):
        return self.filter(positioning__in=Positioning.objects.for_prescriber(organisation))


class PositioningEvent(models.Model):
    """A step of a positioning, with the message shared with the prescriber."""

    positioning = models.ForeignKey(Positioning, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField("statut précédent", max_length=20, choices=PositioningStatus.choices, blank=True)
    to_status = models.CharField("nouveau statut", max_length=20, choices=PositioningStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="par", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    message = models.TextField("message", blank=True)
    at = models.DateTimeField("le", auto_now_add=True)

    history = HistoricalRecords()

    objects = PositioningEventQuerySet.as_manager()

    class Meta:
        verbose_name = "étape d'un positionnement"
        verbose_name_plural = "étapes des positionnements"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_to_status_display()} le {self.at:%d/%m/%Y}"


# --- Work contracts -------------------------------------------------------------------------------------------


class WorkContractQuerySet(ScopedQuerySet):
    """A prescriber sees a summary of the contracts of the people they follow."""

    def for_prescriber(self, organisation):
        return self.filter(participant__in=Participant.objects.for_prescriber(organisation))

    def active_in(self, month):
        """Contracts covering at least one day of `month`."""
        return self.filter(start_date__lte=rules.month_end(month)).filter(
            Q(actual_end_date__gte=month)
            | Q(actual_end_date__isnull=True, planned_end_date__gte=month)
            | Q(actual_end_date__isnull=True, planned_end_date__isnull=True)
        )

    def running_on(self, day):
        return self.filter(start_date__lte=day).filter(
            Q(actual_end_date__gte=day)
            | Q(actual_end_date__isnull=True, planned_end_date__gte=day)
            | Q(actual_end_date__isnull=True, planned_end_date__isnull=True)
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
