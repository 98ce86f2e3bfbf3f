"""A participant's parcours in date order: referral, diagnoses, positionings, contracts, hours by month, follow-up,
passages de relais, skills documents, sortie and later checks. One query per kind of thing, whatever the number."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from participants.models import EligibilityDiagnosis, ReferralEvent
from suivi import hours as rules
from suivi.enums import CheckStatus, FollowUpKind, HandoffStatus, PositioningStatus
from suivi.models import (
    FollowUpEvent,
    Handoff,
    HourEntry,
    Outcome,
    OutcomeCheck,
    PositioningEvent,
    SkillsReview,
    WorkContract,
)


@dataclass(frozen=True)
class Entry:
    day: date
    kind: str  # a key of KINDS
    icon: str  # a Bootstrap icon name
    title: str
    detail: str = ""
    url: str = ""
    tone: str = "secondary"
    upcoming: bool = False  # planned, not yet happened

    @property
    def kind_label(self):
        return KINDS[self.kind]


KINDS = {
    "referral": "Fiche navette",
    "diagnosis": "Éligibilité",
    "positioning": "Positionnement",
    "contract": "Contrat",
    "hours": "Heures",
    "follow_up": "Suivi dans l'emploi",
    "incident": "Incident",
    "handoff": "Passage de relais",
    "skills": "Compétences",
    "outcome": "Sortie",
    "check": "Point de situation",
}


def _day(value):
    if isinstance(value, datetime):
        return timezone.localdate(value)
    return value


def build(visible, participant, *, today):
    """The entries of `participant`'s timeline, newest first. `visible(Model)` gives the queryset the viewer may
    see of a model: a prescriber's timeline holds only what their scope allows."""
    entries = []
    entries += _referrals(visible(ReferralEvent).filter(referral__participant=participant))
    entries += _diagnoses(visible(EligibilityDiagnosis).filter(participant=participant))
    entries += _positionings(visible(PositioningEvent).filter(positioning__participant=participant))
    contracts = list(visible(WorkContract).filter(participant=participant).select_related("company"))
    entries += _contracts(contracts, today)
    entries += _hours(visible(HourEntry).filter(assignment__contract__in=[c.pk for c in contracts]))
    entries += _follow_up(visible(FollowUpEvent).filter(contract__participant=participant))
    entries += _handoffs(visible(Handoff).filter(participant=participant).select_related("to_organisation"))
    entries += _skills(visible(SkillsReview).filter(contract__participant=participant).select_related("contract"))
    entries += _outcomes(visible(Outcome).filter(participant=participant))
    outcomes_url = reverse("suivi:participant_outcomes", args=[participant.public_id])
    entries += _checks(visible(OutcomeCheck).filter(participant=participant), today, outcomes_url)
    entries.sort(key=lambda e: (e.day, e.kind), reverse=True)
    return entries


def _referrals(events):
    for event in events.select_related("referral__prescriber_organisation"):
        organisation = event.referral.prescriber_organisation
        yield Entry(
            _day(event.at),
            "referral",
            "send",
            f"Fiche navette {event.get_to_status_display()}",
            f"{organisation.name}" + (f" — {event.message}" if event.message else ""),
            event.referral.get_absolute_url(),
            "info",
        )


def _diagnoses(diagnoses):
    for diagnosis in diagnoses.select_related("market"):
        verdict = "éligible" if diagnosis.eligible else "non éligible"
        yield Entry(
            diagnosis.assessed_on,
            "diagnosis",
            "patch-check",
            f"Diagnostic d'éligibilité : {verdict}" + (" (provisoire)" if diagnosis.provisional else ""),
            f"Marché {diagnosis.market.reference}, valable jusqu'au {diagnosis.valid_until:%d/%m/%Y}",
            diagnosis.get_absolute_url(),
            "success" if diagnosis.eligible else "warning",
        )


def _positionings(events):
    for event in events.select_related("positioning__offer__award__company"):
        offer = event.positioning.offer
        yield Entry(
            _day(event.at),
            "positioning",
            "person-check" if event.to_status == PositioningStatus.RETENU else "person-up",
            f"Positionnement : {event.get_to_status_display()}",
            f"« {offer.job_title} » chez {offer.award.company.name}",
            event.positioning.get_absolute_url(),
            "success" if event.to_status == PositioningStatus.RETENU else "primary",
        )


def _contracts(contracts, today):
    for contract in contracts:
        label = f"{contract.get_contract_type_display()} — {contract.job_title} chez {contract.company.name}"
        url = contract.get_absolute_url()
        yield Entry(
            contract.start_date,
            "contract",
            "briefcase",
            "Début du contrat",
            label,
            url,
            "primary",
            contract.start_date > today,
        )
        if contract.end_date:
            ended = contract.actual_end_date is not None or contract.end_date < today
            title = "Fin du contrat" if ended else "Fin prévue du contrat"
            reason = f" ({contract.get_end_reason_display()})" if contract.end_reason else ""
            yield Entry(contract.end_date, "contract", "flag", title + reason, label, url, "secondary", not ended)


def _hours(entries):
    by_month = entries.values("month").annotate(total=Sum("hours")).order_by("month")
    for row in by_month:
        yield Entry(
            rules.month_end(row["month"]),
            "hours",
            "clock",
            f"{rules.format_hours(row['total'])} h relevées en {rules.month_label(row['month'])}",
            "Heures travaillées et de formation, tous contrats et marchés confondus.",
            tone="secondary",
        )


def _follow_up(events):
    for event in events:
        if event.kind == FollowUpKind.INCIDENT:
            yield Entry(
                event.date,
                "incident",
                "exclamation-octagon" if event.is_urgent else "exclamation-triangle",
                f"Incident : {event.get_incident_type_display()} (gravité {event.get_severity_display()})",
                "Alerte ouverte" if event.closed_at is None else f"Alerte close le {_day(event.closed_at):%d/%m/%Y}",
                event.get_absolute_url(),
                event.severity_tone,
            )
            if event.closed_at:
                yield Entry(
                    _day(event.closed_at),
                    "incident",
                    "check2-circle",
                    "Alerte close",
                    event.action_taken,
                    event.get_absolute_url(),
                    "success",
                )
        else:
            yield Entry(
                event.date,
                "follow_up",
                "chat-dots",
                event.get_kind_display().capitalize(),
                event.note,
                event.get_absolute_url(),
            )


def _handoffs(handoffs):
    for handoff in handoffs:
        kind = handoff.get_kind_display()
        if handoff.status == HandoffStatus.A_ENVOYER:
            yield Entry(handoff.proposed_on, "handoff", "arrow-left-right", f"{kind.capitalize()} à envoyer",
                        handoff.to_organisation.name, handoff.get_absolute_url(), "warning", True)  # fmt: skip
            continue
        if handoff.sent_on:
            yield Entry(handoff.sent_on, "handoff", "arrow-left-right", f"{kind.capitalize()} envoyé",
                        f"À {handoff.to_organisation.name}", handoff.get_absolute_url(), "info")  # fmt: skip
        if handoff.acknowledged_at:
            yield Entry(_day(handoff.acknowledged_at), "handoff", "check2-all", f"{kind.capitalize()} : reçu",
                        handoff.acknowledgement_note, handoff.get_absolute_url(), "success")  # fmt: skip


def _skills(reviews):
    for review in reviews:
        yield Entry(
            review.review_date,
            "skills",
            "clipboard-check",
            f"Suivi des compétences ({review.get_moment_display()})",
            review.contract.job_title,
            review.get_absolute_url(),
            "info",
        )


def _outcomes(outcomes):
    for outcome in outcomes:
        yield Entry(
            outcome.date,
            "outcome",
            "door-open",
            f"Sortie : {outcome.get_category_display()}",
            outcome.get_situation_display() + (f" — {outcome.employer}" if outcome.employer else ""),
            tone=outcome.category_tone,
        )


def _checks(checks, today, url):
    for check in checks:
        if check.status == CheckStatus.A_FAIRE:
            yield Entry(check.due_date, "check", "telephone", f"Point de situation à {check.months} mois à faire",
                        "", url, "warning", check.due_date >= today)  # fmt: skip
        else:
            situation = check.get_situation_display() if check.situation else check.get_status_display()
            yield Entry(check.checked_on, "check", "telephone-inbound", f"Point de situation à {check.months} mois",
                        situation, url, check.category_tone)  # fmt: skip
