"""The agenda of a committee, prepared from the data (R-COMMITTEE): open incident alerts, people without activity
for three months, eligibility about to expire, markets attributed or planned in the next six months, key figures.

`prepare_agenda(structure, on)` reads a constant number of grouped queries (never one per row) and returns a
JSON-ready snapshot stored on the meeting, so that the minutes keep what was discussed even after the data moves
on. People appear only by their initials and an identifier (`person_label`), for every role.
"""

from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Exists, OuterRef, Q, Sum

from comites.models import person_code
from marches.enums import ATTRIBUTED, NOT_YET_ATTRIBUTED, MarketStatus
from marches.models import Market
from marches.progress import Progress, attach_market_progress, with_market_hours
from participants.enums import ReferralStatus
from participants.models import EligibilityDiagnosis, Participant, Referral
from suivi.enums import OutcomeCategory
from suivi.models import FollowUpEvent, HourEntry, Outcome, Positioning, WorkContract

INACTIVITY_MONTHS = 3
MARKETS_HORIZON_MONTHS = 6
ELIGIBILITY_HORIZON_DAYS = 90  # until the next quarterly committee


def _day(value):
    return value.strftime("%d/%m/%Y") if value else ""


def _person(participant):
    # `pid` links the line to the person for the structure's staff; it is never shown.
    return {"initials": participant.initials, "code": person_code(participant), "pid": str(participant.public_id)}


def open_alerts(structure):
    """R-INCIDENT alerts still open: one line per incident."""
    events = (
        FollowUpEvent.objects.for_structure(structure)
        .open_alerts()
        .select_related("contract__participant", "contract__company")
        .order_by("date", "pk")
    )
    return [
        {
            **_person(event.contract.participant),
            "date": _day(event.date),
            "incident": event.get_incident_type_display(),
            "severity": event.get_severity_display(),
            "urgent": event.is_urgent,
            "company": event.contract.company.name,
        }
        for event in events
    ]


def inactive_participants(structure, on):
    """People in the clause's active file with no sign of activity for three months.

    In the active file: they have a work contract, or a fiche navette accepted for them, and no sortie recorded yet.
    Activity: hours recorded for a month since the cut-off, a follow-up event, a positioning proposed, a contract
    started, or a fiche navette accepted since the cut-off.
    """
    cutoff = on - relativedelta(months=INACTIVITY_MONTHS)
    cutoff_month = cutoff.replace(day=1)
    accepted = Referral.objects.filter(participant=OuterRef("pk"), status=ReferralStatus.ACCEPTEE)
    activity = (
        Exists(HourEntry.objects.filter(assignment__contract__participant=OuterRef("pk"), month__gte=cutoff_month))
        | Exists(FollowUpEvent.objects.filter(contract__participant=OuterRef("pk"), date__gte=cutoff))
        | Exists(Positioning.objects.filter(participant=OuterRef("pk"), proposed_at__date__gte=cutoff))
        | Exists(WorkContract.objects.filter(participant=OuterRef("pk"), start_date__gte=cutoff))
        | Exists(accepted.filter(decided_at__date__gte=cutoff))
    )
    people = (
        Participant.objects.for_structure(structure)
        .filter(Exists(WorkContract.objects.filter(participant=OuterRef("pk"))) | Exists(accepted))
        .exclude(Exists(Outcome.objects.filter(participant=OuterRef("pk"))))
        .exclude(activity)
        .order_by("last_name", "first_name", "pk")
    )
    return [_person(participant) for participant in people]


def expiring_eligibility(structure, on):
    diagnoses = (
        EligibilityDiagnosis.objects.for_structure(structure)
        .filter(eligible=True)
        .expiring(on, days=ELIGIBILITY_HORIZON_DAYS)
        .select_related("participant", "market")
        .order_by("valid_until", "pk")
    )
    return [
        {**_person(d.participant), "market": d.market.reference, "valid_until": _day(d.valid_until)} for d in diagnoses
    ]


def upcoming_markets(structure, on):
    """Markets to programme: planned for attribution in the next six months (or late to be attributed), and
    attributed ones starting in the next six months or attributed in the last six."""
    horizon = on + relativedelta(months=MARKETS_HORIZON_MONTHS)
    since = on - relativedelta(months=MARKETS_HORIZON_MONTHS)
    markets = (
        Market.objects.for_structure(structure)
        .filter(
            Q(status__in=NOT_YET_ATTRIBUTED, expected_attribution_date__lte=horizon)
            | Q(status__in=ATTRIBUTED, start_date__gte=on, start_date__lte=horizon)
            | Q(status__in=ATTRIBUTED, attribution_date__gte=since)
        )
        .exclude(status=MarketStatus.TERMINE)
        .select_related("buyer")
        .annotate(hours=Sum("lots__required_hours"), lot_count=Count("lots"))
        .order_by("attribution_date", "expected_attribution_date", "reference")
    )
    return [
        {
            "reference": m.reference,
            "title": m.title,
            "buyer": m.buyer.name,
            "status": m.get_status_display(),
            "planned": m.status in NOT_YET_ATTRIBUTED,
            "date": _day(m.attribution_date or m.expected_attribution_date),
            "start": _day(m.start_date),
            "hours": float(m.hours or 0),
            "lots": m.lot_count,
        }
        for m in markets
    ]


def key_figures(structure, on):
    """What governance committees look at (R-COMMITTEE): hours done against required, people in employment,
    contracts started and sorties this year."""
    year_start = on.replace(month=1, day=1)
    markets = list(with_market_hours(Market.objects.for_structure(structure).attributed()))
    attach_market_progress(markets, on=on)
    progress = Progress.combine([m.progress for m in markets], today=on)
    hours_this_year = (
        HourEntry.objects.for_structure(structure)
        .counted()
        .filter(month__gte=year_start, month__lte=on)
        .aggregate(total=Sum("hours"))["total"]
    )
    contracts = WorkContract.objects.for_structure(structure)
    outcomes = (
        Outcome.objects.for_structure(structure)
        .filter(date__gte=year_start, date__lte=on)
        .values("category")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_category = {row["category"]: row["n"] for row in outcomes}
    return {
        "year": on.year,
        "markets": len(markets),
        "hours_required": float(progress.required),
        "hours_done": float(progress.done),
        "percent": float(progress.percent) if progress.percent is not None else None,
        "hours_this_year": float(hours_this_year or 0),
        "in_employment": contracts.running_on(on).values("participant").distinct().count(),
        "contracts_started": contracts.filter(start_date__gte=year_start, start_date__lte=on).count(),
        "outcomes": sum(by_category.values()),
        "outcomes_by_category": [
            {"label": category.label, "count": by_category[category.value]}
            for category in OutcomeCategory
            if by_category.get(category.value)
        ],
    }


def prepare_agenda(structure, on, *, cases=True):
    """The snapshot stored on the meeting. Individual cases only for follow-up committees (`cases`): governance
    committees see the markets, the objectives and the results (R-COMMITTEE)."""
    agenda = {"prepared_on": _day(on), "cases": cases}
    if cases:
        agenda |= {
            "alerts": open_alerts(structure),
            "inactive": inactive_participants(structure, on),
            "inactivity_since": _day(on - relativedelta(months=INACTIVITY_MONTHS)),
            "eligibility": expiring_eligibility(structure, on),
            "eligibility_until": _day(on + timedelta(days=ELIGIBILITY_HORIZON_DAYS)),
        }
    return agenda | {"markets": upcoming_markets(structure, on), "figures": key_figures(structure, on)}


def cited_people(agenda):
    """The public ids of the people an agenda cites (the cases a decision may be about)."""
    return {item["pid"] for section in ("alerts", "inactive", "eligibility") for item in agenda.get(section, ())}
