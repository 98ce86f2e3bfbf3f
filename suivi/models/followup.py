"""Following people during and after the clause: passages de relais (R-SEQ, R-RECONTACT), follow-up in employment
and incidents (R-INCIDENT), skills follow-up documents (R-REFERENT), sorties and later checks (R-OUTCOME)."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from clauses.accounts.access import ScopedQuerySet
from participants.models import Consent, Participant
from suivi.enums import (
    HANDOFF_TONES,
    OUTCOME_TONES,
    SEVERITY_TONES,
    SITUATION_CATEGORY,
    CheckStatus,
    FollowUpKind,
    HandoffDocument,
    HandoffKind,
    HandoffStatus,
    IncidentType,
    OutcomeCategory,
    ReviewMoment,
    Severity,
    Situation,
    SkillArea,
    SkillLevel,
)
from suivi.models.common import STRUCTURE, USER
from suivi.models.contracts import WorkContract


def _consented(participant_path):
    """The rows about a person whose consent is in force: once withdrawn, a partner sees nothing of their follow-up
    (as on the participant's page)."""
    return Exists(Consent.objects.filter(participant=OuterRef(participant_path), withdrawn_on__isnull=True))


def _followed_by(organisation, participant_path):
    return Q(**{f"{participant_path}__referent_organisation": organisation}) & Q(_consented(participant_path))


# --- Passages de relais ---------------------------------------------------------------------------------------


class HandoffQuerySet(ScopedQuerySet):
    """A prescriber sees the passages de relais about the people they follow, or addressed to or from them, once
    sent, while the person's consent is in force."""

    def for_prescriber(self, organisation):
        # Sent only: a draft, even cancelled before it left, stays the facilitator's.
        return self.filter(sent_on__isnull=False).filter(
            Q(participant__referent_organisation=organisation)
            | Q(to_organisation=organisation)
            | Q(from_organisation=organisation),
            _consented("participant"),
        )

    def to_send(self):
        return self.filter(status=HandoffStatus.A_ENVOYER)

    def awaiting_acknowledgement(self):
        return self.filter(status=HandoffStatus.ENVOYE)


class Handoff(models.Model):
    """A passage de relais between the prescriber who follows a person and the facilitator (R-SEQ): entry into the
    clause, return to the référent when the clause hours end, or recontact of a former beneficiary."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    structure = models.ForeignKey(**STRUCTURE, related_name="handoffs")
    participant = models.ForeignKey(
        Participant, verbose_name="participant", on_delete=models.PROTECT, related_name="handoffs"
    )
    kind = models.CharField("passage de relais", max_length=20, choices=HandoffKind.choices)
    status = models.CharField("statut", max_length=20, choices=HandoffStatus.choices, default=HandoffStatus.A_ENVOYER)
    contract = models.ForeignKey(
        WorkContract,
        verbose_name="contrat",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handoffs",
        help_text="Le contrat d'entrée dans la clause, ou le dernier contrat pour un retour au référent.",
    )
    referral = models.ForeignKey(
        "participants.Referral",
        verbose_name="fiche navette",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handoffs",
    )
    from_organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name="de", on_delete=models.PROTECT, related_name="handoffs_sent"
    )
    to_organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name="à", on_delete=models.PROTECT, related_name="handoffs_received"
    )
    to_name = models.CharField("à l'attention de", max_length=150, blank=True)
    documents = models.JSONField("documents transmis", default=list, blank=True)
    proofs = models.ManyToManyField(
        "participants.Proof", verbose_name="justificatifs transmis", blank=True, related_name="handoffs"
    )
    participant_message = models.TextField(
        "ce qui a été dit au participant",
        blank=True,
        help_text="Pour un retour : le message donné à la personne, qui retourne dans la file active de son référent.",
    )
    note = models.TextField("message au référent", blank=True)
    proposed_on = models.DateField("proposé le")
    sent_on = models.DateField("envoyé le", null=True, blank=True)
    sent_by = models.ForeignKey(verbose_name="envoyé par", **USER)
    acknowledged_at = models.DateTimeField("accusé de réception le", null=True, blank=True)
    acknowledged_by = models.ForeignKey(verbose_name="accusé de réception par", **USER)
    acknowledgement_note = models.TextField("réponse du référent", blank=True)
    created_by = models.ForeignKey(verbose_name="créé par", **USER)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    history = HistoricalRecords()

    objects = HandoffQuerySet.as_manager()

    class Meta:
        verbose_name = "passage de relais"
        verbose_name_plural = "passages de relais"
        ordering = ["-proposed_on", "-created_at"]
        constraints = [
            # R-SEQ: one return per end of clause (the automatic proposal runs every day).
            models.UniqueConstraint(
                fields=["participant", "contract"],
                condition=Q(kind=HandoffKind.RETOUR) & ~Q(status=HandoffStatus.ANNULE),
                name="handoff_one_return_per_contract",
                violation_error_message="Un retour au référent est déjà prévu pour ce contrat.",
            ),
        ]
        indexes = [models.Index(fields=["structure", "status"])]

    def __str__(self):
        return f"{self.get_kind_display().capitalize()} {str(self.public_id)[:8]}"

    def get_absolute_url(self):
        return reverse("suivi:handoff_detail", args=[self.public_id])

    def clean(self):
        super().clean()
        errors = {}
        unknown = set(self.documents or ()) - set(HandoffDocument.values)
        if unknown:
            errors["documents"] = "Document inconnu : " + ", ".join(sorted(unknown))
        if self.participant_id and self.structure_id and self.participant.structure_id != self.structure_id:
            errors["participant"] = "Cette personne est suivie par une autre structure."
        if self.kind == HandoffKind.RETOUR and self.status != HandoffStatus.A_ENVOYER:
            if not self.participant_message.strip():
                errors["participant_message"] = (
                    "Notez ce qui a été dit à la personne : elle retourne dans la file active de son référent."
                )
        if errors:
            raise ValidationError(errors)

    @property
    def status_tone(self):
        return HANDOFF_TONES.get(self.status, "secondary")

    def get_documents_display(self):
        return [HandoffDocument(code).label for code in self.documents or () if code in HandoffDocument.values]


# --- Follow-up in employment ----------------------------------------------------------------------------------


class FollowUpEventQuerySet(ScopedQuerySet):
    """The référent sees the follow-up of the people they follow, incidents included (R-INCIDENT)."""

    structure_lookup = "contract__structure"

    def for_prescriber(self, organisation):
        return self.filter(_followed_by(organisation, "contract__participant"))

    def incidents(self):
        return self.filter(kind=FollowUpKind.INCIDENT)

    def open_alerts(self):
        """R-INCIDENT: every incident stays an open alert until a facilitator closes it with what was done."""
        return self.filter(kind=FollowUpKind.INCIDENT, closed_at__isnull=True)


class FollowUpEvent(models.Model):
    """A site visit, a phone call, an on-site meeting or an incident on a contract."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contract = models.ForeignKey(
        WorkContract, verbose_name="contrat", on_delete=models.CASCADE, related_name="follow_up_events"
    )
    kind = models.CharField("type", max_length=20, choices=FollowUpKind.choices)
    date = models.DateField("date")
    incident_type = models.CharField("nature de l'incident", max_length=20, choices=IncidentType.choices, blank=True)
    severity = models.CharField("gravité", max_length=10, choices=Severity.choices, blank=True)
    note = models.TextField("compte rendu", help_text="Visible du référent de parcours de la personne.")
    # R-INCIDENT: the alert an incident opens, closed by a facilitator with what was done.
    closed_at = models.DateTimeField("alerte close le", null=True, blank=True)
    closed_by = models.ForeignKey(verbose_name="alerte close par", **USER)
    action_taken = models.TextField("ce qui a été fait", blank=True)
    created_by = models.ForeignKey(verbose_name="saisi par", **USER)
    created_at = models.DateTimeField("saisi le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    history = HistoricalRecords()

    objects = FollowUpEventQuerySet.as_manager()

    class Meta:
        verbose_name = "événement de suivi"
        verbose_name_plural = "événements de suivi"
        ordering = ["-date", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=FollowUpKind.INCIDENT) & ~Q(severity="") & ~Q(incident_type="")
                    | ~Q(kind=FollowUpKind.INCIDENT) & Q(severity="", incident_type="", closed_at__isnull=True)
                ),
                name="follow_up_incident_has_type_and_severity",
                violation_error_message="Un incident a une nature et une gravité ; les autres suivis n'en ont pas.",
            ),
            models.CheckConstraint(
                condition=~Q(incident_type=IncidentType.SOUFFRANCE) | Q(severity=Severity.URGENTE),
                name="follow_up_suffering_is_urgent",
                violation_error_message="La souffrance au travail est toujours une alerte urgente.",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | ~Q(action_taken=""),
                name="follow_up_alert_closed_with_action",
                violation_error_message="Une alerte se clôt en disant ce qui a été fait.",
            ),
        ]
        indexes = [models.Index(fields=["kind", "closed_at"])]

    def __str__(self):
        return f"{self.get_kind_display().capitalize()} du {self.date:%d/%m/%Y}"

    def get_absolute_url(self):
        return reverse("suivi:event_detail", args=[self.public_id])

    def clean(self):
        super().clean()
        errors = {}
        if self.kind == FollowUpKind.INCIDENT:
            if self.incident_type == IncidentType.SOUFFRANCE:
                self.severity = Severity.URGENTE  # R-INCIDENT: suffering at work is always urgent
            if not self.incident_type:
                errors["incident_type"] = "Indiquez la nature de l'incident."
            if not self.severity:
                errors["severity"] = "Indiquez la gravité de l'incident."
        else:
            self.incident_type = self.severity = ""
        if errors:
            raise ValidationError(errors)

    @property
    def is_incident(self):
        return self.kind == FollowUpKind.INCIDENT

    @property
    def is_open_alert(self):
        return self.is_incident and self.closed_at is None

    @property
    def is_urgent(self):
        return self.severity == Severity.URGENTE

    @property
    def severity_tone(self):
        return SEVERITY_TONES.get(self.severity, "secondary")


# --- Skills follow-up documents (R-REFERENT) ------------------------------------------------------------------


class SkillsReviewQuerySet(ScopedQuerySet):
    structure_lookup = "contract__structure"

    def for_prescriber(self, organisation):
        return self.filter(_followed_by(organisation, "contract__participant"))


class SkillsReview(models.Model):
    """The skills follow-up document of one contract, at its start or its end, with the views of the participant,
    the company (the tutor) and the référent."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contract = models.ForeignKey(
        WorkContract, verbose_name="contrat", on_delete=models.CASCADE, related_name="skills_reviews"
    )
    moment = models.CharField("moment", max_length=10, choices=ReviewMoment.choices)
    review_date = models.DateField("date de l'entretien")
    company_person = models.CharField(
        "pour l'entreprise", max_length=150, blank=True, help_text="Le tuteur, en général."
    )
    referent_person = models.CharField("pour le référent", max_length=150, blank=True)
    participant_comment = models.TextField("ce qu'en dit le participant", blank=True)
    company_comment = models.TextField("ce qu'en dit l'entreprise", blank=True)
    referent_comment = models.TextField("ce qu'en dit le référent", blank=True)
    next_steps = models.TextField("suites envisagées", blank=True, help_text="Formation, prolongation, autre emploi…")
    created_by = models.ForeignKey(verbose_name="rempli par", **USER)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    history = HistoricalRecords()

    objects = SkillsReviewQuerySet.as_manager()

    class Meta:
        verbose_name = "document de suivi des compétences"
        verbose_name_plural = "documents de suivi des compétences"
        ordering = ["contract", "moment"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "moment"],
                name="skills_review_once_per_contract_and_moment",
                violation_error_message="Ce document existe déjà pour ce contrat.",
            ),
        ]

    def __str__(self):
        return f"Suivi des compétences ({self.get_moment_display()}) {str(self.public_id)[:8]}"

    def get_absolute_url(self):
        return reverse("suivi:skills_review_detail", args=[self.public_id])


class SkillsReviewItemQuerySet(ScopedQuerySet):
    structure_lookup = "review__contract__structure"

    def for_prescriber(self, organisation):
        return self.filter(_followed_by(organisation, "review__contract__participant"))


class SkillsReviewItem(models.Model):
    """One skill of a skills follow-up document, rated by the participant, the company and the référent."""

    review = models.ForeignKey(SkillsReview, verbose_name="document", on_delete=models.CASCADE, related_name="items")
    area = models.CharField("domaine", max_length=20, choices=SkillArea.choices)
    label = models.CharField("compétence", max_length=200)
    position = models.PositiveSmallIntegerField("ordre", default=0)
    participant_level = models.PositiveSmallIntegerField(
        "selon le participant", choices=SkillLevel.choices, null=True, blank=True
    )
    company_level = models.PositiveSmallIntegerField(
        "selon l'entreprise", choices=SkillLevel.choices, null=True, blank=True
    )
    referent_level = models.PositiveSmallIntegerField(
        "selon le référent", choices=SkillLevel.choices, null=True, blank=True
    )

    history = HistoricalRecords()

    objects = SkillsReviewItemQuerySet.as_manager()

    class Meta:
        verbose_name = "compétence suivie"
        verbose_name_plural = "compétences suivies"
        ordering = ["review", "position", "pk"]

    def __str__(self):
        return self.label


# --- Sorties and later checks (R-OUTCOME) ---------------------------------------------------------------------


class OutcomeQuerySet(ScopedQuerySet):
    structure_lookup = "participant__structure"

    def for_prescriber(self, organisation):
        return self.filter(_followed_by(organisation, "participant"))


class Outcome(models.Model):
    """A participant's situation when they leave the clause (R-OUTCOME)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        Participant, verbose_name="participant", on_delete=models.PROTECT, related_name="outcomes"
    )
    contract = models.ForeignKey(
        WorkContract,
        verbose_name="dernier contrat",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outcomes",
    )
    date = models.DateField("date de sortie")
    situation = models.CharField("situation à la sortie", max_length=20, choices=Situation.choices)
    category = models.CharField("type de sortie", max_length=20, choices=OutcomeCategory.choices, editable=False)
    employer = models.CharField("employeur ou organisme", max_length=200, blank=True)
    note = models.TextField("précisions", blank=True)
    recorded_by = models.ForeignKey(verbose_name="saisi par", **USER)
    created_at = models.DateTimeField("saisi le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    history = HistoricalRecords()

    objects = OutcomeQuerySet.as_manager()

    class Meta:
        verbose_name = "sortie"
        verbose_name_plural = "sorties"
        ordering = ["-date", "-created_at"]

    def __str__(self):
        return f"Sortie {str(self.public_id)[:8]}"

    def save(self, *args, **kwargs):
        self.category = SITUATION_CATEGORY.get(self.situation, OutcomeCategory.AUTRE)
        super().save(*args, **kwargs)

    @property
    def category_tone(self):
        return OUTCOME_TONES.get(SITUATION_CATEGORY.get(self.situation), "secondary")


class OutcomeCheckQuerySet(ScopedQuerySet):
    structure_lookup = "participant__structure"

    def for_prescriber(self, organisation):
        return self.filter(_followed_by(organisation, "participant"))

    def pending(self):
        return self.filter(status=CheckStatus.A_FAIRE)


class OutcomeCheck(models.Model):
    """The situation of a participant 6, 12, 18 or 24 months after their first clause contract (R-OUTCOME)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        Participant, verbose_name="participant", on_delete=models.PROTECT, related_name="outcome_checks"
    )
    months = models.PositiveSmallIntegerField("échéance (mois)")
    first_contract_start = models.DateField("début du premier contrat de la clause")
    due_date = models.DateField("à faire le")
    status = models.CharField("statut", max_length=20, choices=CheckStatus.choices, default=CheckStatus.A_FAIRE)
    checked_on = models.DateField("fait le", null=True, blank=True)
    situation = models.CharField("situation", max_length=20, choices=Situation.choices, blank=True)
    category = models.CharField(
        "type de situation", max_length=20, choices=OutcomeCategory.choices, blank=True, editable=False
    )
    employer = models.CharField("employeur ou organisme", max_length=200, blank=True)
    note = models.TextField("précisions", blank=True)
    checked_by = models.ForeignKey(verbose_name="fait par", **USER)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    history = HistoricalRecords()

    objects = OutcomeCheckQuerySet.as_manager()

    class Meta:
        verbose_name = "point de situation"
        verbose_name_plural = "points de situation"
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "months"],
                name="outcome_check_once_per_participant_and_month",
                violation_error_message="Ce point de situation existe déjà.",
            ),
            models.CheckConstraint(
                condition=Q(months__in=(6, 12, 18, 24)),
                name="outcome_check_at_6_12_18_24_months",
                violation_error_message="Les points de situation ont lieu à 6, 12, 18 et 24 mois.",
            ),
            models.CheckConstraint(
                condition=Q(status=CheckStatus.A_FAIRE) | Q(checked_on__isnull=False),
                name="outcome_check_done_has_a_date",
                violation_error_message="Indiquez la date du point de situation.",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self):
        return f"Point à {self.months} mois {str(self.public_id)[:8]}"

    def save(self, *args, **kwargs):
        self.category = SITUATION_CATEGORY.get(self.situation, "") if self.situation else ""
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("suivi:check_update", args=[self.public_id])

    def clean(self):
        super().clean()
        if self.status == CheckStatus.FAIT and not self.situation:
            raise ValidationError({"situation": "Indiquez la situation de la personne."})

    @property
    def category_tone(self):
        return OUTCOME_TONES.get(self.category, "secondary")
