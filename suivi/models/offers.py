import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from clauses.accounts.access import ScopedQuerySet
from participants.models import Participant
from suivi.enums import (
    OFFER_TONES,
    POSITIONING_OPEN,
    POSITIONING_TONES,
    ContractType,
    ExperienceLevel,
    NonRetentionReason,
    OfferRequirement,
    OfferStatus,
    PositioningStatus,
    RecontactMethod,
)
from suivi.models.common import ROME_CODE, WEEKLY_HOURS

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
