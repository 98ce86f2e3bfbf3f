"""What each person has to do today, gathered from every app for their home page: the facilitator's to-do list
(alerts, passages de relais, checks, fiches navettes, skills documents, companies behind pace, committee actions) and
the référent's (passages de relais to acknowledge, alerts about their people). A fixed number of queries."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Case, IntegerField, Q, Value, When
from django.urls import reverse

from clauses.accounts.access import visible
from comites.models import CommitteeDecision, CommitteeMeeting
from participants.models import EligibilityDiagnosis, Proof, Referral
from suivi import outcomes as outcome_rules
from suivi.enums import Severity
from suivi.models import FollowUpEvent, Handoff, OutcomeCheck, WorkContract

SHOWN = 4  # lines shown under each item; the link leads to the rest
ACKNOWLEDGEMENT_WAIT = timedelta(days=7)  # a passage de relais unanswered this long is chased


@dataclass
class Line:
    label: str
    url: str
    detail: str = ""
    tone: str = ""


@dataclass
class Task:
    key: str
    title: str
    count: int
    url: str
    icon: str
    tone: str = "warning"  # danger: urgent; warning: to do; info: to know
    note: str = ""
    lines: list = field(default_factory=list)


def _alerts(request):
    alerts = (
        visible(request, FollowUpEvent)
        .open_alerts()
        .select_related("contract__participant", "contract__company")
        .annotate(
            rank=Case(When(severity=Severity.URGENTE, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("rank", "date", "pk")
    )
    count = alerts.count()
    if not count:
        return None
    shown = list(alerts[:SHOWN])
    return Task(
        "alertes",
        f"alerte{'s' if count > 1 else ''} ouverte{'s' if count > 1 else ''}",
        count,
        reverse("suivi:alert_list"),
        "exclamation-octagon",
        "danger",
        "Un incident reste ouvert tant qu'un facilitateur ne l'a pas clos en disant ce qui a été fait.",
        [
            Line(
                f"{alert.get_incident_type_display().capitalize()} — {alert.contract.participant.full_name}",
                alert.get_absolute_url(),
                f"{alert.contract.company.name}, signalé le {alert.date:%d/%m/%Y}",
                "danger" if alert.is_urgent else "",
            )
            for alert in shown
        ],
    )


def _handoffs_to_send(request):
    handoffs = visible(request, Handoff).to_send().select_related("participant", "to_organisation")
    count = handoffs.count()
    if not count:
        return None
    return Task(
        "relais",
        f"passage{'s' if count > 1 else ''} de relais à envoyer",
        count,
        reverse("suivi:handoff_list") + "?status=a_envoyer",
        "arrow-left-right",
        note="Vérifiez les documents, notez ce qui a été dit à la personne, puis envoyez au référent.",
        lines=[
            Line(
                f"{h.get_kind_display().capitalize()} — {h.participant.full_name}",
                h.get_absolute_url(),
                f"vers {h.to_organisation.name}",
            )
            for h in handoffs.order_by("proposed_on", "pk")[:SHOWN]
        ],
    )


def _handoffs_unanswered(request, today):
    handoffs = visible(request, Handoff).awaiting_acknowledgement().filter(sent_on__lte=today - ACKNOWLEDGEMENT_WAIT)
    count = handoffs.count()
    if not count:
        return None
    return Task(
        "relais_sans_reponse",
        f"passage{'s' if count > 1 else ''} de relais sans accusé depuis plus de 7 jours",
        count,
        reverse("suivi:handoff_list") + "?status=envoye",
        "hourglass-split",
        "info",
        "Relancez le référent.",
    )


def _checks(request, today):
    checks = visible(request, OutcomeCheck).pending().filter(due_date__lte=today).select_related("participant")
    count = checks.count()
    if not count:
        return None
    overdue = checks.filter(due_date__lte=outcome_rules.overdue_due_dates_before(today)).count()
    return Task(
        "points",
        f"point{'s' if count > 1 else ''} de situation à faire",
        count,
        reverse("suivi:check_list"),
        "telephone",
        "danger" if overdue else "warning",
        f"Dont {overdue} en retard." if overdue else "Situation à 6, 12, 18 et 24 mois après le premier contrat.",
        [
            Line(
                f"{check.participant.full_name} — {check.months} mois",
                check.get_absolute_url(),
                f"à faire le {check.due_date:%d/%m/%Y}",
                "danger" if outcome_rules.is_overdue(due_date=check.due_date, status=check.status, on=today) else "",
            )
            for check in checks.order_by("due_date", "pk")[:SHOWN]
        ],
    )


def _referrals(request):
    count = visible(request, Referral).pending().count()
    if not count:
        return None
    return Task(
        "fiches",
        f"fiche{'s' if count > 1 else ''} navette{'s' if count > 1 else ''} à vérifier",
        count,
        reverse("participants:referral_list") + "?pending=true",
        "send",
        note="Parcours, motivation, éligibilité et adéquation au poste avant de proposer le candidat.",
    )


def _skills_documents(request, today):
    """R-REFERENT: a skills document at the start of each running contract, and at its end."""
    missing = visible(request, WorkContract).skills_documents_due(today)
    count = missing.count()
    if not count:
        return None
    return Task(
        "competences",
        f"document{'s' if count > 1 else ''} de suivi des compétences à remplir",
        count,
        reverse("suivi:contract_list") + "?skills_due=on",
        "clipboard-check",
        "info",
        "Au début et à la fin de chaque contrat, avec la personne, l'entreprise et le référent.",
        [
            Line(
                f"{c.participant.full_name} — {c.job_title}",
                c.get_absolute_url(),
                "document de début à remplir" if not c.has_start_review else "document de fin à remplir",
            )
            for c in missing.select_related("participant").order_by("start_date", "pk")[:SHOWN]
        ],
    )


def _expiring(request, today):
    count = (
        visible(request, EligibilityDiagnosis).expiring(today).filter(eligible=True).count()
        + visible(request, Proof).expiring(today).filter(participant__isnull=False).count()
    )
    if not count:
        return None
    return Task(
        "expirations",
        f"éligibilité{'s' if count > 1 else ''} ou justificatif{'s' if count > 1 else ''} expirant sous 60 jours",
        count,
        reverse("participants:expiring"),
        "calendar-x",
        "info",
        "Demandez les pièces à jour avant l'échéance.",
    )


def _committee_actions(request, today):
    """R-COMMITTEE: actions decided in committee whose due date has passed."""
    actions = visible(request, CommitteeDecision).actions().overdue(today)
    count = actions.count()
    if not count:
        return None
    return Task(
        "actions",
        f"action{'s' if count > 1 else ''} de comité en retard",
        count,
        reverse("comites:action_list") + "?state=en_retard",
        "people",
        "warning",
        "Décidées en comité, échéance passée : soldez-les ou donnez-en des nouvelles au prochain comité.",
        [
            Line(
                action.text if len(action.text) <= 90 else action.text[:89] + "…",
                action.meeting.get_absolute_url(),
                f"{action.owner_display or 'sans responsable'} · échéance le {action.due_date:%d/%m/%Y}",
            )
            for action in actions.select_related("meeting", "owner_user").order_by("due_date", "pk")[:SHOWN]
        ],
    )


def _next_meeting(request, today):
    """The next committee whose agenda is still to prepare, within three weeks."""
    meeting = (
        visible(request, CommitteeMeeting)
        .upcoming(today)
        .filter(date__lte=today + timedelta(days=21), agenda_prepared_at__isnull=True)
        .order_by("date", "pk")
        .first()
    )
    if meeting is None:
        return None
    return Task(
        "comite",
        f"ordre du jour à préparer : {meeting.title}",
        1,
        meeting.get_absolute_url(),
        "calendar-event",
        "info",
        f"Réunion le {meeting.date:%d/%m/%Y} : l'ordre du jour se prépare à partir des données en un clic.",
    )


def _companies_behind(behind, behind_count):
    if not behind_count:
        return None
    return Task(
        "retards",
        f"entreprise{'s' if behind_count > 1 else ''} en retard sur ses heures",
        behind_count,
        reverse("suivi:behind"),
        "graph-down-arrow",
        "info",
        "Au rythme actuel, l'obligation ne sera pas remplie à la fin du marché.",
        [Line(company.name, company.get_absolute_url(), company.progress.pace_label) for company in behind[:SHOWN]],
    )


def facilitator_tasks(request, *, today, behind, behind_count):
    """The facilitator's to-do list, most pressing first; empty when there is nothing to do."""
    tasks = [
        _alerts(request),
        _checks(request, today),
        _handoffs_to_send(request),
        _referrals(request),
        _handoffs_unanswered(request, today),
        _skills_documents(request, today),
        _expiring(request, today),
        _committee_actions(request, today),
        _next_meeting(request, today),
        _companies_behind(behind, behind_count),
    ]
    tasks = [task for task in tasks if task]
    order = {"danger": 0, "warning": 1, "info": 2}
    return sorted(tasks, key=lambda task: order.get(task.tone, 3))


def referent_tasks(request):
    """The référent's to-do list: passages de relais to acknowledge, open alerts about the people they follow."""
    tasks = []
    organisation = request.membership.organisation
    handoffs = (
        visible(request, Handoff)
        .awaiting_acknowledgement()
        .filter(Q(to_organisation=organisation) | Q(participant__referent_organisation=organisation))
        .select_related("participant")
        .order_by("sent_on", "pk")
    )
    count = handoffs.count()
    if count:
        tasks.append(Task(
            "relais",
            f"passage{'s' if count > 1 else ''} de relais dont accuser réception",
            count,
            reverse("suivi:handoff_list"),
            "arrow-left-right",
            note="Le facilitateur vous passe le relais : confirmez que vous l'avez reçu.",
            lines=[Line(f"{h.get_kind_display().capitalize()} — {h.participant.full_name}", h.get_absolute_url(),
                        f"envoyé le {h.sent_on:%d/%m/%Y}" if h.sent_on else "") for h in handoffs[:SHOWN]],
        ))  # fmt: skip
    alerts = visible(request, FollowUpEvent).open_alerts().select_related("contract__participant")
    count = alerts.count()
    if count:
        tasks.append(Task(
            "alertes",
            f"alerte{'s' if count > 1 else ''} ouverte{'s' if count > 1 else ''} sur vos candidats",
            count,
            reverse("suivi:alert_list"),
            "exclamation-octagon",
            "danger",
            "Le facilitateur les traite ; vous êtes informé jusqu'à leur clôture.",
            [Line(f"{a.get_incident_type_display().capitalize()} — {a.contract.participant.full_name}",
                  a.get_absolute_url(), f"signalé le {a.date:%d/%m/%Y}", "danger" if a.is_urgent else "")
             for a in alerts.order_by("date", "pk")[:SHOWN]],
        ))  # fmt: skip
    return tasks
