"""Committees (R-COMMITTEE): follow-up committees with prescribers, employers and partners, and governance
committees (comité de pilotage, assemblée générale), with their agenda prepared from the data, their decisions and
actions, and their minutes.

Who sees a meeting: the facilitators and admins of its structure (all of them); a committee member only the
meetings they attend; a prescriber only the meetings they or their organisation attend. Network admins: none.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clauses.accounts.access import ScopedQuerySet, effective_role
from clauses.accounts.enums import OrganisationKind, Role
from comites.enums import (
    DECISION_OPEN,
    DECISION_TONES,
    MEETING_TONES,
    DecisionKind,
    DecisionStatus,
    MeetingKind,
    MeetingStatus,
)
from participants.models import Participant
from suivi.models.common import STRUCTURE, USER


def person_code(participant):
    """The identifier a committee knows a person by: "P-" and the first six characters of their public id."""
    return "P-" + participant.public_id.hex[:6].upper()


def person_label(participant):
    """How a person appears in a committee, for every role: initials and identifier, never the name."""
    return f"{participant.initials} ({person_code(participant)})"


class AttendanceScopedQuerySet(ScopedQuerySet):
    """Committee members and prescribers see what belongs to the meetings they attend: the user is an attendee,
    or (for a prescriber) their organisation is. The active user is needed, so `visible_to` passes it on."""

    meeting_path = ""  # ORM path from the model to its CommitteeMeeting ("" for the meeting itself)

    def visible_to(self, membership):
        match effective_role(membership):
            case Role.COMITE:
                return self.for_committee(membership.organisation, user=membership.user)
            case Role.PRESCRIPTEUR:
                return self.for_prescriber(membership.organisation, user=membership.user)
        return super().visible_to(membership)

    def _path(self, field):
        return f"{self.meeting_path}__{field}" if self.meeting_path else field

    def for_committee(self, structure, user=None):
        if user is None:
            return self.none()
        return self.filter(**{self._path("structure"): structure, self._path("attendees"): user}).distinct()

    def for_prescriber(self, organisation, user=None):
        attends = Q(**{self._path("organisations"): organisation})
        if user is not None:
            attends |= Q(**{self._path("attendees"): user})
        partners = organisation.partner_structures.values("pk")  # never another structure's meeting
        return self.filter(attends, **{f"{self._path('structure')}__in": partners}).distinct()


class CommitteeMeetingQuerySet(AttendanceScopedQuerySet):
    def upcoming(self, on):
        return self.filter(date__gte=on, status=MeetingStatus.PREPARATION)

    def past(self, on):
        return self.filter(Q(date__lt=on) | Q(status=MeetingStatus.TENU))


class CommitteeMeeting(models.Model):
    """A committee meeting: who attends, the agenda prepared from the data (a snapshot, so that the minutes show
    what was discussed), the notes of the discussion, and its decisions and actions."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    structure = models.ForeignKey(**STRUCTURE, related_name="committee_meetings")
    kind = models.CharField("type de comité", max_length=20, choices=MeetingKind.choices, default=MeetingKind.SUIVI)
    title = models.CharField("intitulé", max_length=200, help_text="Par exemple : comité de suivi du 2e trimestre.")
    date = models.DateField("date")
    start_time = models.TimeField("heure", null=True, blank=True)
    place = models.CharField("lieu", max_length=200, blank=True, help_text="Salle, adresse ou visioconférence.")
    status = models.CharField(
        "statut", max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PREPARATION
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="personnes invitées", blank=True, related_name="committee_meetings"
    )
    organisations = models.ManyToManyField(
        "accounts.Organisation",
        verbose_name="organisations invitées",
        blank=True,
        related_name="committee_invitations",
        limit_choices_to=~Q(kind=OrganisationKind.RESEAU),
        help_text="Prescripteurs, financeurs et partenaires : leurs membres prescripteurs voient la réunion.",
    )
    companies = models.ManyToManyField(
        "marches.Company", verbose_name="entreprises invitées", blank=True, related_name="committee_invitations"
    )
    agenda = models.JSONField("ordre du jour préparé", default=dict, blank=True, editable=False)
    agenda_prepared_at = models.DateTimeField("ordre du jour préparé le", null=True, blank=True)
    other_items = models.TextField(
        "autres points à l'ordre du jour",
        blank=True,
        help_text="Un point par ligne : actualités des partenaires, cohérence des parcours…",
    )
    minutes = models.TextField(
        "relevé des échanges",
        blank=True,
        help_text="Repris dans le compte rendu. Désignez les personnes par leurs initiales et leur identifiant.",
    )
    held_at = models.DateTimeField("tenu le", null=True, blank=True)
    held_by = models.ForeignKey(verbose_name="déclaré tenu par", **USER)
    created_by = models.ForeignKey(verbose_name="créé par", **USER)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    history = HistoricalRecords()

    objects = CommitteeMeetingQuerySet.as_manager()

    class Meta:
        verbose_name = "réunion de comité"
        verbose_name_plural = "réunions de comité"
        ordering = ["-date", "-start_time", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=MeetingStatus.PREPARATION) | Q(held_at__isnull=False),
                name="committee_meeting_held_has_date",
                violation_error_message="Une réunion tenue a une date de tenue.",
            ),
        ]
        indexes = [models.Index(fields=["structure", "date"])]

    def __str__(self):
        return f"{self.get_kind_display().capitalize()} du {self.date:%d/%m/%Y}"

    def get_absolute_url(self):
        return reverse("comites:meeting_detail", args=[self.public_id])

    @property
    def status_tone(self):
        return MEETING_TONES.get(self.status, "secondary")

    @property
    def is_held(self):
        return self.status == MeetingStatus.TENU

    @property
    def is_follow_up(self):
        """R-COMMITTEE: a follow-up committee discusses individual cases; governance committees see figures."""
        return self.kind == MeetingKind.SUIVI

    def shown_agenda(self):
        """The agenda as shown and printed: a governance committee never sees individual cases (R-COMMITTEE), even
        when the meeting's kind changed after its agenda was prepared."""
        agenda = dict(self.agenda or {})
        if not self.is_follow_up and agenda.get("cases"):
            for key in ("alerts", "inactive", "inactivity_since", "eligibility", "eligibility_until"):
                agenda.pop(key, None)
            agenda["cases"] = False
        return agenda

    def get_other_items(self):
        return [line.strip(" -•\t") for line in self.other_items.splitlines() if line.strip(" -•\t")]


class CommitteeDecisionQuerySet(AttendanceScopedQuerySet):
    structure_lookup = "meeting__structure"
    meeting_path = "meeting"

    def open(self):
        return self.filter(status__in=DECISION_OPEN)

    def actions(self):
        return self.filter(kind=DecisionKind.ACTION)

    def overdue(self, on):
        return self.open().filter(due_date__lt=on)


class CommitteeDecision(models.Model):
    """A decision taken or an action decided by a committee, with its owner, due date and status."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(
        CommitteeMeeting, verbose_name="réunion", on_delete=models.CASCADE, related_name="decisions"
    )
    kind = models.CharField("nature", max_length=10, choices=DecisionKind.choices, default=DecisionKind.ACTION)
    text = models.TextField("libellé")
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="responsable",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="committee_actions",
    )
    owner_name = models.CharField(
        "ou organisation responsable",
        max_length=200,
        blank=True,
        help_text="Une organisation ou une personne sans compte dans Clauses.",
    )
    due_date = models.DateField("échéance", null=True, blank=True)
    status = models.CharField("statut", max_length=20, choices=DecisionStatus.choices, default=DecisionStatus.A_FAIRE)
    participant = models.ForeignKey(
        Participant,
        verbose_name="personne concernée",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="committee_decisions",
        help_text="Désignée par ses initiales et son identifiant.",
    )
    done_at = models.DateTimeField("soldée le", null=True, blank=True)
    created_by = models.ForeignKey(verbose_name="saisi par", **USER)
    created_at = models.DateTimeField("saisi le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    history = HistoricalRecords()

    objects = CommitteeDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = "décision ou action de comité"
        verbose_name_plural = "décisions et actions de comité"
        ordering = ["meeting", "kind", "due_date", "pk"]

    def __str__(self):
        return f"{self.get_kind_display().capitalize()} {str(self.public_id)[:8]}"

    def clean(self):
        super().clean()
        errors = {}
        if self.kind == DecisionKind.ACTION:
            if not self.owner_user_id and not self.owner_name.strip():
                errors["owner_user"] = (
                    "Une action a un responsable : choisissez une personne ou nommez une organisation."
                )
            if not self.due_date:
                errors["due_date"] = "Une action a une échéance."
        if self.due_date and self.meeting_id and self.due_date < self.meeting.date:
            errors["due_date"] = "L'échéance ne peut pas précéder la réunion."
        if self.participant_id and self.meeting_id and self.participant.structure_id != self.meeting.structure_id:
            errors["participant"] = "Cette personne est suivie par une autre structure."
        if errors:
            raise ValidationError(errors)

    @property
    def status_tone(self):
        return DECISION_TONES.get(self.status, "secondary")

    @property
    def is_open(self):
        return self.status in DECISION_OPEN

    def is_overdue(self, on=None):
        return self.is_open and self.due_date is not None and self.due_date < (on or timezone.localdate())

    @property
    def participant_label(self):
        return person_label(self.participant) if self.participant_id else ""

    @property
    def owner_display(self):
        parts = [self.owner_user.full_name] if self.owner_user_id else []
        if self.owner_name:
            parts.append(self.owner_name)
        return " — ".join(parts)
