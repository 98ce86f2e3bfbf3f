"""Demo committees: for each demo structure, the quarterly follow-up committees of the past year (held, with their
agenda, notes, decisions and actions), a steering committee, and the next follow-up committee in preparation, to
which the demo committee member and the demo prescriber are invited. Idempotent: a structure that already has
meetings is left as it is."""

import random
from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import Count
from django.utils import timezone

from clauses.accounts.enums import OrganisationKind, Role
from clauses.accounts.models import Membership
from comites import services
from comites.agenda import prepare_agenda
from comites.enums import DecisionKind, DecisionStatus, MeetingKind, MeetingStatus
from comites.models import CommitteeDecision, CommitteeMeeting
from marches.models import Company

SEED = 20261122

NOTES = [
    "Tour de table des partenaires. Le comité relève la bonne dynamique des recrutements sur les chantiers de "
    "rénovation ; deux entreprises demandent un appui pour anticiper leurs besoins du prochain trimestre.",
    "Situations individuelles examinées par initiales. Les prescripteurs signalent des difficultés de mobilité "
    "pour les chantiers éloignés des lignes de tramway : une solution de covoiturage est à l'étude.",
    "Point sur la programmation : plusieurs marchés de services arrivent en renouvellement ; l'acheteur prévoit "
    "une clause de 5 % sur le nettoyage des locaux.",
]

DECISIONS = [
    (
        DecisionKind.DECISION,
        "Prioriser les candidats résidant en QPV sur les marchés du Nouveau programme de renouvellement urbain.",
    ),  # noqa: E501
    (DecisionKind.ACTION, "Organiser une information collective sur les métiers du second œuvre avec France Travail."),
    (DecisionKind.ACTION, "Relancer les entreprises en retard sur leurs heures et proposer un plan de rattrapage."),
    (DecisionKind.ACTION, "Préparer avec l'acheteur le calibrage des clauses des marchés de nettoyage."),
    (DecisionKind.ACTION, "Mettre en place un point téléphonique mensuel avec les tuteurs des chantiers éloignés."),
    (DecisionKind.DECISION, "Présenter les résultats à 6 et 12 mois au prochain comité de pilotage."),
    (DecisionKind.ACTION, "Proposer une formation CACES R489 avant l'ouverture du chantier logistique."),
]


def _quarter_label(day):
    return f"{(day.month - 1) // 3 + 1}{'er' if day.month <= 3 else 'e'} trimestre {day.year}"


def _staff(structure):
    memberships = Membership.objects.filter(organisation=structure, is_active=True).select_related("user")
    by_role = {}
    for membership in memberships.order_by("user__email"):
        by_role.setdefault(membership.role, []).append(membership.user)
    return by_role


def _prescriber_users(structure):
    return [
        m.user
        for m in Membership.objects.filter(
            role=Role.PRESCRIPTEUR, is_active=True, organisation__partner_structures=structure
        )
        .select_related("user", "organisation")
        .order_by("user__email")
    ]


def _meeting(structure, *, kind, title, day, by, users, organisations, companies, place, held, today):
    meeting = CommitteeMeeting(
        structure=structure, kind=kind, title=title, date=day, start_time=time(9, 30) if held else time(14, 0),
        place=place,
    )  # fmt: skip
    services.meeting_save(meeting=meeting, by=by, attendees=users, organisations=organisations, companies=companies)
    # The agenda as the data stood a few days before the meeting (the demo's data is today's: close enough).
    prepared_on = min(day - timedelta(days=7), today)
    agenda = prepare_agenda(structure, prepared_on, cases=meeting.is_follow_up)
    # The alerts read today may have been raised after a past meeting: keep those it could have discussed.
    if "alerts" in agenda:
        agenda["alerts"] = [
            alert for alert in agenda["alerts"] if datetime.strptime(alert["date"], "%d/%m/%Y").date() <= prepared_on
        ]
    meeting.agenda = agenda
    meeting.agenda_prepared_at = timezone.make_aware(datetime.combine(prepared_on, time(11)))
    fields = ["agenda", "agenda_prepared_at", "updated_at"]
    if held:
        meeting.status = MeetingStatus.TENU
        meeting.held_at = timezone.make_aware(datetime.combine(day, time(12)))
        meeting.held_by = by
        fields += ["status", "held_at", "held_by"]
    meeting.save(update_fields=fields)
    return meeting


def seed(accounts, today=None):
    today = today or timezone.localdate()
    rng = random.Random(SEED)
    for structure in accounts["structures"].values():
        if CommitteeMeeting.objects.filter(structure=structure).exists():
            continue
        staff = _staff(structure)
        facilitators = staff.get(Role.FACILITATEUR, []) + staff.get(Role.ADMIN, [])
        if not facilitators:
            continue
        by = facilitators[0]
        committee = staff.get(Role.COMITE, [])
        prescribers = _prescriber_users(structure)
        partners = list(
            structure.partners.filter(kind__in=(OrganisationKind.PRESCRIPTEUR, OrganisationKind.FINANCEUR)).order_by(
                "name"
            )
        )
        companies = list(
            Company.objects.filter(structure=structure).annotate(n=Count("awards")).order_by("-n", "name")[:3]
        )
        place = f"Salle du conseil, {structure.address or structure.city}"
        # Four quarterly follow-up committees: three held, the next one in preparation.
        upcoming = today.replace(day=12) + relativedelta(months=1)
        for i in range(4):
            day = upcoming - relativedelta(months=3 * (3 - i))
            held = day <= today
            users = facilitators[:2] + committee[:1] + prescribers[: 3 if held else 2]
            meeting = _meeting(
                structure, kind=MeetingKind.SUIVI, title=f"Comité de suivi du {_quarter_label(day)}", day=day,
                by=by, users=users, organisations=partners[:4], companies=companies[:2] if held else [],
                place=place, held=held, today=today,
            )  # fmt: skip
            if held:
                meeting.minutes = "\n\n".join(rng.sample(NOTES, 2))
                meeting.save(update_fields=["minutes"])
                _decisions(rng, meeting, facilitators, day, today)
        # A steering committee, half a year ago, with the funders.
        day = (today - relativedelta(months=5)).replace(day=20)
        meeting = _meeting(
            structure, kind=MeetingKind.PILOTAGE, title=f"Comité de pilotage {day.year}", day=day, by=by,
            users=facilitators[:1] + committee, organisations=partners, companies=[], place=place, held=True,
            today=today,
        )  # fmt: skip
        meeting.minutes = "Bilan des heures réalisées et des sorties à 6 et 12 mois ; objectifs de l'année suivante."
        meeting.save(update_fields=["minutes"])
        _decisions(rng, meeting, facilitators, day, today, count=2)
    return list(accounts["structures"].values())


def _decisions(rng, meeting, facilitators, day, today, count=3):
    for kind, text in rng.sample(DECISIONS, count):
        due = day + timedelta(days=rng.choice((30, 45, 60, 90))) if kind == DecisionKind.ACTION else None
        if kind == DecisionKind.DECISION:
            status = DecisionStatus.FAIT
        elif due and due < today - timedelta(days=30):
            status = rng.choice((DecisionStatus.FAIT, DecisionStatus.FAIT, DecisionStatus.EN_COURS))
        else:
            status = rng.choice((DecisionStatus.A_FAIRE, DecisionStatus.EN_COURS))
        decision = CommitteeDecision(
            meeting=meeting, kind=kind, text=text, owner_user=rng.choice(facilitators) if due else None,
            due_date=due, status=status,
        )  # fmt: skip
        services.decision_save(decision=decision, by=meeting.held_by or facilitators[0])


def summary_line(structures):
    meetings = CommitteeMeeting.objects.filter(structure__in=structures)
    held = meetings.filter(status=MeetingStatus.TENU).count()
    return (
        f"Comités : {meetings.count()} réunions, dont {held} tenues et {meetings.count() - held} en préparation ; "
        f"{CommitteeDecision.objects.filter(meeting__in=meetings).count()} décisions et actions."
    )
