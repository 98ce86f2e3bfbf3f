import unicodedata
import uuid
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clauses.accounts.access import ScopedQuerySet, effective_role
from clauses.accounts.enums import OrganisationKind, Role
from marches.enums import TargetPublic, Trade
from participants import eligibility
from participants.enums import (
    INFORMATION_VERSION,
    LOW_QUALIFICATION,
    REFERRAL_EDITABLE,
    REFERRAL_PENDING,
    REFERRAL_TONES,
    ConsentMethod,
    CriterionCode,
    Obstacle,
    ProofKind,
    ProofStatus,
    QualificationLevel,
    ReferralStatus,
    RefusalReason,
    Sex,
    SocialBenefit,
    ViewKind,
)

STRUCTURE = {
    "to": "accounts.Organisation",
    "verbose_name": "structure porteuse",
    "on_delete": models.PROTECT,
    "limit_choices_to": {"kind": OrganisationKind.FACILITATION},
}
MAX_PROOF_SIZE = 10 * 1024 * 1024
ANONYMISED_NAME = "Personne anonymisée"


# Letters that no accent removal turns into a plain one: « AYDIN » (typed in capitals, as in the import template)
# must find « Aydın », « Cœur » must find « COEUR ».
PLAIN_LETTERS = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe",
                               "ß": "ss"})  # fmt: skip


def name_key(last_name, first_name):
    """'Élodie', 'LE GALL' → 'le gall elodie': to find the same person typed twice (with the birth date)."""
    text = f"{last_name} {first_name}".lower()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).translate(PLAIN_LETTERS)
    return " ".join(text.replace("-", " ").replace("'", " ").split())


# --- Reference data -------------------------------------------------------------------------------------------


class EligibilityCriterion(models.Model):
    """A criterion of the clause's publics (R-ELIG-2) with the proofs it needs (R-ELIG-3). Editable in the admin.

    `proofs` lists the requirements, all needed: [{"kinds": ["france_travail"], "max_age_days": 90}, …]; within
    one requirement any of the kinds will do. Whether the facts hold is computed from the code (age, durations).
    """

    code = models.CharField(
        "critère",
        max_length=20,
        unique=True,
        choices=CriterionCode.choices,
        help_text="Ce que le moteur d'éligibilité sait juger : âge, durée d'inscription, situation déclarée.",
    )
    label = models.CharField("libellé", max_length=150)
    description = models.TextField("explication pour les prescripteurs", blank=True)
    public = models.CharField(
        "public de la clause",
        max_length=20,
        choices=TargetPublic.choices,
        blank=True,
        help_text="Vide pour une priorité qui ne rend pas éligible à elle seule (résidence en QPV).",
    )
    computed = models.BooleanField(
        "calculé", default=False, help_text="L'âge ou la durée d'inscription est calculé à la date d'appréciation."
    )
    proofs = models.JSONField("justificatifs exigés", default=list)
    order = models.PositiveSmallIntegerField("ordre", default=0)
    is_active = models.BooleanField("actif", default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "critère d'éligibilité"
        verbose_name_plural = "critères d'éligibilité"
        ordering = ["order", "code"]

    def __str__(self):
        return self.label

    def clean(self):
        super().clean()
        if not isinstance(self.proofs, list):
            raise ValidationError({"proofs": "Une liste de justificatifs est attendue."})
        for requirement in self.proofs:
            kinds = requirement.get("kinds") if isinstance(requirement, dict) else None
            if not kinds or not set(kinds) <= set(ProofKind.values):
                raise ValidationError({"proofs": "Chaque justificatif exigé nomme des types de documents connus."})
            if ProofKind.FICHE_2_IAE in kinds:
                raise ValidationError(
                    {"proofs": "La fiche n°2 IAE ne prouve pas à elle seule l'éligibilité (R-ELIG-3)."}
                )
            age = requirement.get("max_age_days")
            if age is not None and (not isinstance(age, int) or age < 1):
                raise ValidationError({"proofs": "L'ancienneté maximale est un nombre de jours positif."})

    @property
    def rule(self):
        requirements = tuple(
            eligibility.Requirement(tuple(r["kinds"]), r.get("max_age_days")) for r in self.proofs or ()
        )
        return eligibility.Rule(self.code, self.label, self.public, requirements)

    def proofs_display(self):
        """'attestation d'inscription France Travail (3 mois au plus)' …"""
        parts = []
        for requirement in self.proofs or ():
            kinds = " ou ".join(ProofKind(kind).label for kind in requirement["kinds"])
            age = requirement.get("max_age_days")
            parts.append(f"{kinds} ({age} jours au plus)" if age else kinds)
        return parts


# --- Participants ---------------------------------------------------------------------------------------------


class ParticipantQuerySet(ScopedQuerySet):
    """A prescriber sees the people their organisation follows (référent) or has referred."""

    def for_prescriber(self, organisation):
        referred = Referral.objects.filter(participant=OuterRef("pk"), prescriber_organisation=organisation)
        return self.filter(Q(referent_organisation=organisation) | Exists(referred))

    def managed_by_structure(self, structure):
        # An anonymised record is kept for the figures only: nobody changes it any more.
        return super().managed_by_structure(structure).filter(anonymised_at__isnull=True)

    def not_anonymised(self):
        return self.filter(anonymised_at__isnull=True)

    def meeting_facts(self, code, on):
        """Participants whose recorded facts satisfy criterion `code` on `on` (proofs aside), in SQL."""
        years_ago = lambda n: on - relativedelta(years=n)  # noqa: E731
        months_ago = lambda n: on - relativedelta(months=n)  # noqa: E731
        conditions = {
            "deld": Q(registration_date__lte=months_ago(eligibility.LONG_TERM_MONTHS)),
            "detld": Q(registration_date__lte=months_ago(eligibility.VERY_LONG_TERM_MONTHS)),
            "rsa": Q(social_benefit=SocialBenefit.RSA),
            "ass": Q(social_benefit=SocialBenefit.ASS),
            "aah": Q(social_benefit=SocialBenefit.AAH),
            "rqth": Q(rqth=True),
            "jeune": Q(birth_date__gt=years_ago(eligibility.YOUNG_AGE_LIMIT))
            & (Q(qualification_level__in=LOW_QUALIFICATION) | Q(young_inactive=True)),
            "senior": Q(birth_date__lte=years_ago(eligibility.SENIOR_AGE), registration_date__lte=on),
            "justice": Q(under_justice=True),
            "refugie": Q(refugee=True),
            "siae": Q(siae_employee=True),
            "qpv": Q(qpv_resident=True),
        }
        return self.filter(conditions.get(code, Q(pk__in=[])))


class Participant(models.Model):
    """A person followed by the structure. Only what the clause's work needs: no social security number, no health
    detail beyond RQTH yes/no. The situation facts are kept only with a consent on record."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    structure = models.ForeignKey(**STRUCTURE, related_name="participants")
    last_name = models.CharField("nom", max_length=150)
    first_name = models.CharField("prénom", max_length=150)
    birth_date = models.DateField("date de naissance")
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices)
    name_key = models.CharField(max_length=310, editable=False, db_index=True)
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    postcode = models.CharField("code postal", max_length=5, blank=True)
    city = models.CharField("commune de résidence", max_length=100, blank=True)
    qpv_resident = models.BooleanField("réside dans un quartier prioritaire (QPV)", default=False)
    qpv_name = models.CharField("nom du QPV", max_length=150, blank=True)
    qualification_level = models.CharField(
        "niveau de qualification", max_length=4, choices=QualificationLevel.choices, blank=True
    )
    # Situation facts the criteria need (R-ELIG-2)
    registration_date = models.DateField("inscrit à France Travail depuis le", null=True, blank=True)
    social_benefit = models.CharField(
        "minimum social perçu", max_length=5, choices=SocialBenefit.choices, blank=True, default=""
    )
    rqth = models.BooleanField("reconnaissance de la qualité de travailleur handicapé (RQTH)", default=False)
    refugee = models.BooleanField("réfugié ou bénéficiaire de la protection subsidiaire", default=False)
    under_justice = models.BooleanField("placé sous main de justice", default=False)
    siae_employee = models.BooleanField("salarié d'une SIAE", default=False)
    young_inactive = models.BooleanField(
        "moins de 26 ans, sans expérience et inactif depuis 6 mois après l'école", default=False
    )
    obstacles = models.JSONField("freins périphériques", default=list, blank=True)
    # R-GPEC: the trades the person looks for, so that candidates without a fiche navette count in the GPEC view.
    target_trades = models.JSONField("métiers recherchés", default=list, blank=True)
    # Référent de parcours (R-REFERENT)
    referent_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="organisation du référent de parcours",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followed_participants",
        limit_choices_to={"kind": OrganisationKind.PRESCRIPTEUR},
    )
    referent_name = models.CharField("référent de parcours", max_length=150, blank=True)
    referent_email = models.EmailField("e-mail du référent", blank=True)
    notes = models.TextField("notes du facilitateur", blank=True, help_text="Visibles des facilitateurs seulement.")
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
    # RGPD retention (suivi.retention): identity, contact and free text erased, the figures' facts kept.
    anonymised_at = models.DateTimeField("anonymisé le", null=True, blank=True, editable=False)

    history = HistoricalRecords()

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = "participant"
        verbose_name_plural = "participants"
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["structure", "name_key", "birth_date"])]

    def __str__(self):
        # No personal data: __str__ ends up in logs, admin history and error reports.
        return f"Participant {str(self.public_id)[:8]}"

    def save(self, *args, **kwargs):
        self.name_key = name_key(self.last_name, self.first_name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("participants:participant_detail", args=[self.public_id])

    @property
    def is_anonymised(self):
        return self.anonymised_at is not None

    def clean(self):
        super().clean()
        unknown = set(self.obstacles or ()) - set(Obstacle.values)
        if unknown:
            raise ValidationError({"obstacles": "Frein inconnu : " + ", ".join(sorted(unknown))})
        unknown_trades = set(self.target_trades or ()) - set(Trade.values)
        if unknown_trades:
            raise ValidationError({"target_trades": "Métier inconnu : " + ", ".join(sorted(unknown_trades))})
        if self.birth_date and self.birth_date > timezone.localdate():
            raise ValidationError({"birth_date": "La date de naissance est dans le futur."})

    @property
    def full_name(self):
        if self.anonymised_at:
            return ANONYMISED_NAME
        return f"{self.first_name} {self.last_name}"

    @property
    def initials(self):
        if self.anonymised_at:
            return "—"
        return f"{self.first_name[:1]}. {self.last_name[:1]}.".upper()

    def facts(self):
        return eligibility.Facts(
            birth_date=self.birth_date,
            registration_date=self.registration_date,
            social_benefit=self.social_benefit,
            rqth=self.rqth,
            refugee=self.refugee,
            under_justice=self.under_justice,
            siae_employee=self.siae_employee,
            qualification_level=self.qualification_level,
            young_inactive=self.young_inactive,
            qpv_resident=self.qpv_resident,
        )

    def get_obstacles_display(self):
        return [Obstacle(code).label for code in self.obstacles or () if code in Obstacle.values]

    def get_target_trades_display(self):
        return [Trade(code).label for code in self.target_trades or () if code in Trade.values]


class ConsentQuerySet(ScopedQuerySet):
    structure_lookup = "participant__structure"


class Consent(models.Model):
    """The person's agreement to have their situation recorded and shared between partners, and its withdrawal."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        Participant, verbose_name="participant", on_delete=models.CASCADE, related_name="consents"
    )
    given_on = models.DateField("date du consentement")
    method = models.CharField("recueilli par", max_length=10, choices=ConsentMethod.choices)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="recueilli par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    collected_by_name = models.CharField("nom de la personne qui l'a recueilli", max_length=150, blank=True)
    information_version = models.CharField(
        "version de la notice d'information", max_length=20, default=INFORMATION_VERSION
    )
    withdrawn_on = models.DateField("retiré le", null=True, blank=True)
    withdrawal_note = models.TextField("circonstances du retrait", blank=True)
    created_at = models.DateTimeField("enregistré le", auto_now_add=True)

    history = HistoricalRecords()

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = "consentement"
        verbose_name_plural = "consentements"
        ordering = ["-given_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=F("given_on")),
                name="consent_withdrawn_after_given",
                violation_error_message="Le retrait ne peut pas précéder le consentement.",
            )
        ]

    def __str__(self):
        return f"Consentement du {self.given_on:%d/%m/%Y}"

    @property
    def is_active(self):
        return self.withdrawn_on is None


class ParticipantViewLogQuerySet(ScopedQuerySet):
    """The log is read by the structure's administrators only (DESIGN: « audit et conservation »)."""

    structure_lookup = "participant__structure"

    def visible_to(self, membership):
        if effective_role(membership) == Role.ADMIN:
            return self.for_structure(membership.organisation)
        return self.none()

    def manageable_by(self, membership):
        return self.none()  # append-only: written by the views, pruned by `participants.services.view_logs_prune`


class ParticipantViewLog(models.Model):
    """Who opened a participant's record, what, and when (append-only; no history of its own). Written once per
    request by `participants.services.view_log`; kept VIEW_LOG_RETENTION_MONTHS months."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="view_logs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    what = models.CharField("consultation", max_length=20, choices=ViewKind.choices, default=ViewKind.FICHE)
    viewed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = ParticipantViewLogQuerySet.as_manager()

    class Meta:
        verbose_name = "consultation d'un dossier"
        verbose_name_plural = "consultations des dossiers"
        ordering = ["-viewed_at", "-pk"]
        indexes = [models.Index(fields=["participant", "user", "what", "viewed_at"])]

    def __str__(self):
        return f"Consultation du {self.viewed_at:%d/%m/%Y %H:%M}"


# --- Referrals (fiches navettes) ------------------------------------------------------------------------------


class ReferralQuerySet(ScopedQuerySet):
    """The structure sees the fiches sent to it (never the prescribers' drafts); a prescriber, their
    organisation's fiches. The prescriber also changes them (while a draft or returned for completion)."""

    def for_structure(self, structure):
        return self.filter(structure=structure).exclude(status=ReferralStatus.BROUILLON)

    def for_prescriber(self, organisation):
        return self.filter(prescriber_organisation=organisation)

    def pending(self):
        """Fiches waiting for the structure's decision (an anonymised one waits for nothing any more)."""
        return self.filter(status__in=REFERRAL_PENDING, anonymised_at__isnull=True)

    def manageable_by(self, membership):
        if effective_role(membership) == Role.PRESCRIPTEUR:
            return self.for_prescriber(membership.organisation)
        return super().manageable_by(membership)


class Referral(models.Model):
    """Fiche navette: a prescriber sends a candidate to the structure, with the proofs of their eligibility."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    structure = models.ForeignKey(**STRUCTURE, related_name="received_referrals")
    prescriber_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="prescripteur",
        on_delete=models.PROTECT,
        related_name="sent_referrals",
        limit_choices_to={"kind": OrganisationKind.PRESCRIPTEUR},
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="conseiller",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        "statut", max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.BROUILLON
    )
    # The candidate
    last_name = models.CharField("nom", max_length=150)
    first_name = models.CharField("prénom", max_length=150)
    birth_date = models.DateField("date de naissance")
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices)
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    postcode = models.CharField("code postal", max_length=5, blank=True)
    city = models.CharField("commune de résidence", max_length=100, blank=True)
    qpv_resident = models.BooleanField("réside dans un quartier prioritaire (QPV)", default=False)
    qualification_level = models.CharField(
        "niveau de qualification", max_length=4, choices=QualificationLevel.choices, blank=True
    )
    registration_date = models.DateField("inscrit à France Travail depuis le", null=True, blank=True)
    social_benefit = models.CharField(
        "minimum social perçu", max_length=5, choices=SocialBenefit.choices, blank=True, default=""
    )
    rqth = models.BooleanField("reconnaissance de la qualité de travailleur handicapé (RQTH)", default=False)
    refugee = models.BooleanField("réfugié ou bénéficiaire de la protection subsidiaire", default=False)
    under_justice = models.BooleanField("placé sous main de justice", default=False)
    siae_employee = models.BooleanField("salarié d'une SIAE", default=False)
    young_inactive = models.BooleanField(
        "moins de 26 ans, sans expérience et inactif depuis 6 mois après l'école", default=False
    )
    obstacles = models.JSONField("freins périphériques", default=list, blank=True)
    claimed_criteria = models.ManyToManyField(
        EligibilityCriterion, verbose_name="critères d'éligibilité", blank=True, related_name="+"
    )
    # The project
    target_trade = models.CharField("métier visé", max_length=30, choices=Trade.choices, blank=True)
    target_job = models.CharField(
        "poste ou offre visé", max_length=200, blank=True, help_text="Par exemple : manœuvre TP, agent d'entretien…"
    )
    motivation = models.TextField("parcours et motivation", blank=True)
    # Consent, confirmed by the prescriber
    consent_confirmed = models.BooleanField(
        "le candidat a été informé et consent à ce que sa situation soit transmise et suivie", default=False
    )
    consent_method = models.CharField("consentement recueilli par", max_length=10, choices=ConsentMethod.choices)
    consent_date = models.DateField("date du consentement", null=True, blank=True)
    consent_information_version = models.CharField(
        "version de la notice remise", max_length=20, default=INFORMATION_VERSION, editable=False
    )
    # The facilitator's review (R-VERIFY) and decision
    parcours_checked = models.BooleanField("parcours vérifié", default=False)
    motivation_checked = models.BooleanField("motivation vérifiée (échange téléphonique)", default=False)
    eligibility_checked = models.BooleanField("éligibilité vérifiée sur pièces", default=False)
    fit_checked = models.BooleanField("adéquation avec les postes à pourvoir vérifiée", default=False)
    review_note = models.TextField(
        "notes de vérification", blank=True, help_text="Visibles des facilitateurs seulement."
    )
    refusal_reason = models.CharField("motif du refus", max_length=20, choices=RefusalReason.choices, blank=True)
    participant = models.ForeignKey(
        Participant,
        verbose_name="participant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    submitted_at = models.DateTimeField("envoyée le", null=True, blank=True)
    decided_at = models.DateTimeField("décision le", null=True, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    # RGPD retention (suivi.retention): with its person's record, or REFERRAL_RETENTION_MONTHS after its last event
    # when it ended without one; identity, situation, free text and proofs erased, what the figures count kept.
    anonymised_at = models.DateTimeField("anonymisée le", null=True, blank=True, editable=False)

    history = HistoricalRecords(m2m_fields=[claimed_criteria])

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = "fiche navette"
        verbose_name_plural = "fiches navettes"
        ordering = ["-submitted_at", "-created_at"]
        indexes = [
            models.Index(fields=["structure", "status"]),
            models.Index(fields=["prescriber_organisation", "status"]),
        ]

    def __str__(self):
        return f"Fiche navette {str(self.public_id)[:8]}"

    def get_absolute_url(self):
        return reverse("participants:referral_detail", args=[self.public_id])

    def clean(self):
        super().clean()
        unknown = set(self.obstacles or ()) - set(Obstacle.values)
        if unknown:
            raise ValidationError({"obstacles": "Frein inconnu : " + ", ".join(sorted(unknown))})
        if self.birth_date and self.birth_date > timezone.localdate():
            raise ValidationError({"birth_date": "La date de naissance est dans le futur."})

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def is_editable(self):
        return self.status in REFERRAL_EDITABLE and self.anonymised_at is None

    @property
    def is_anonymised(self):
        return self.anonymised_at is not None

    @property
    def is_pending(self):
        return self.status in REFERRAL_PENDING and self.anonymised_at is None

    @property
    def status_tone(self):
        return REFERRAL_TONES.get(self.status, "secondary")

    @property
    def checklist_complete(self):
        return all((self.parcours_checked, self.motivation_checked, self.eligibility_checked, self.fit_checked))

    def facts(self):
        return eligibility.Facts(
            birth_date=self.birth_date,
            registration_date=self.registration_date,
            social_benefit=self.social_benefit,
            rqth=self.rqth,
            refugee=self.refugee,
            under_justice=self.under_justice,
            siae_employee=self.siae_employee,
            qualification_level=self.qualification_level,
            young_inactive=self.young_inactive,
            qpv_resident=self.qpv_resident,
        )

    def get_obstacles_display(self):
        return [Obstacle(code).label for code in self.obstacles or () if code in Obstacle.values]


class ReferralEventQuerySet(ScopedQuerySet):
    structure_lookup = "referral__structure"

    def for_prescriber(self, organisation):
        return self.filter(referral__prescriber_organisation=organisation)


class ReferralEvent(models.Model):
    """A step of a fiche navette (sent, returned, accepted…), with the message shared with the prescriber."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField("statut précédent", max_length=20, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField("nouveau statut", max_length=20, choices=ReferralStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    message = models.TextField("message", blank=True)
    at = models.DateTimeField("le", auto_now_add=True)

    history = HistoricalRecords()

    objects = ReferralEventQuerySet.as_manager()

    class Meta:
        verbose_name = "étape d'une fiche navette"
        verbose_name_plural = "étapes des fiches navettes"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_to_status_display()} le {self.at:%d/%m/%Y}"


# --- Proofs ---------------------------------------------------------------------------------------------------


def proof_upload_to(instance, filename):
    """A random name: nothing of the person or of the uploaded file's name reaches the storage."""
    extension = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(instance.content_type, "")
    return f"justificatifs/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class ProofQuerySet(ScopedQuerySet):
    """Proofs of the structure's participants and of the fiches sent to it; a prescriber sees those of their
    fiches and of the people they follow, and changes those of their fiches still in draft or to complete."""

    def for_structure(self, structure):
        return self.filter(structure=structure).exclude(referral__status=ReferralStatus.BROUILLON)

    def for_prescriber(self, organisation):
        followed = Participant.objects.for_prescriber(organisation)
        return self.filter(Q(referral__prescriber_organisation=organisation) | Q(participant__in=followed))

    def manageable_by(self, membership):
        if effective_role(membership) == Role.PRESCRIPTEUR:
            return self.filter(
                referral__prescriber_organisation=membership.organisation, referral__status__in=REFERRAL_EDITABLE
            )
        return super().manageable_by(membership)

    def expiring(self, on, days=60):
        return self.filter(valid_until__gte=on, valid_until__lte=on + timedelta(days=days))


class Proof(models.Model):
    """A document (justificatif) in private storage, under a random name; served only through a checked view."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    structure = models.ForeignKey(**STRUCTURE, related_name="proofs")
    participant = models.ForeignKey(
        Participant, verbose_name="participant", on_delete=models.PROTECT, null=True, blank=True, related_name="proofs"
    )
    referral = models.ForeignKey(
        Referral, verbose_name="fiche navette", on_delete=models.PROTECT, null=True, blank=True, related_name="proofs"
    )
    kind = models.CharField("type de document", max_length=20, choices=ProofKind.choices)
    file = models.FileField("fichier", upload_to=proof_upload_to, max_length=200)
    original_name = models.CharField("nom du fichier envoyé", max_length=120)
    content_type = models.CharField("format", max_length=40)
    size = models.PositiveIntegerField("taille (octets)")
    issue_date = models.DateField("date d'émission", null=True, blank=True)
    valid_until = models.DateField("valable jusqu'au", null=True, blank=True)
    status = models.CharField(
        "vérification", max_length=20, choices=ProofStatus.choices, default=ProofStatus.A_VERIFIER
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="vérifié par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField("vérifié le", null=True, blank=True)
    verification_note = models.CharField("remarque de vérification", max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="déposé par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("déposé le", auto_now_add=True)

    history = HistoricalRecords()

    objects = ProofQuerySet.as_manager()

    class Meta:
        verbose_name = "justificatif"
        verbose_name_plural = "justificatifs"
        ordering = ["-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(participant__isnull=False) | Q(referral__isnull=False),
                name="proof_belongs_to_a_participant_or_a_referral",
            ),
            models.CheckConstraint(
                condition=Q(size__lte=MAX_PROOF_SIZE), name="proof_size_at_most_10_mb",
                violation_error_message="Un justificatif ne dépasse pas 10 Mo.",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(issue_date__isnull=True)
                | Q(valid_until__gte=F("issue_date")),
                name="proof_valid_after_issued",
                violation_error_message="La fin de validité ne peut pas précéder la date d'émission.",
            ),
        ]  # fmt: skip

    def __str__(self):
        # Not even the kind of document: "notification RQTH" tells something of the person's health.
        return f"Justificatif {str(self.public_id)[:8]}"

    def get_absolute_url(self):
        return reverse("participants:proof_download", args=[self.public_id])

    @property
    def is_verified(self):
        return self.status == ProofStatus.VERIFIE

    def as_item(self):
        return eligibility.ProofItem(self.kind, self.issue_date, self.valid_until, self.is_verified, self)

    @staticmethod
    def usable_items(proofs):
        """The proofs the engine may consider: not those a facilitator found non-compliant."""
        return [proof.as_item() for proof in proofs if proof.status != ProofStatus.REFUSE]


# --- Eligibility diagnoses ------------------------------------------------------------------------------------


class DiagnosisQuerySet(ScopedQuerySet):
    structure_lookup = "participant__structure"

    def for_prescriber(self, organisation):
        return self.filter(participant__in=Participant.objects.for_prescriber(organisation))

    def expiring(self, on, days=60):
        return self.filter(valid_until__gte=on, valid_until__lte=on + timedelta(days=days))


class EligibilityDiagnosis(models.Model):
    """Whether a participant is eligible to a market's clause, judged at its attribution date (R-ELIG-1)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        Participant, verbose_name="participant", on_delete=models.CASCADE, related_name="diagnoses"
    )
    market = models.ForeignKey(
        "marches.Market", verbose_name="marché", on_delete=models.PROTECT, related_name="diagnoses"
    )
    assessed_on = models.DateField("apprécié à la date du")
    provisional = models.BooleanField(
        "provisoire", default=False, help_text="Le marché n'est pas encore attribué : appréciée à la date du jour."
    )
    eligible = models.BooleanField("éligible", default=False)
    criteria_met = models.JSONField("critères remplis", default=list, blank=True)
    details = models.JSONField("détail par critère", default=list, blank=True)
    qpv_priority = models.BooleanField("prioritaire (QPV)", default=False)
    valid_until = models.DateField("valable jusqu'au")
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="établi par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assessed_at = models.DateTimeField("établi le", auto_now=True)

    history = HistoricalRecords()

    objects = DiagnosisQuerySet.as_manager()

    class Meta:
        verbose_name = "diagnostic d'éligibilité"
        verbose_name_plural = "diagnostics d'éligibilité"
        ordering = ["-assessed_on"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "market"], name="diagnosis_one_per_participant_and_market"),
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("assessed_on")), name="diagnosis_valid_after_assessed"
            ),
        ]

    def __str__(self):
        return f"Diagnostic {str(self.public_id)[:8]}"

    def get_absolute_url(self):
        return reverse("participants:diagnosis_detail", args=[self.public_id])

    def is_valid_on(self, day):
        return eligibility.is_still_valid(self.valid_until, day)
