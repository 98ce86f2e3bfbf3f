"""Project-level pages: the home page of each role, the health check and the legal pages."""

import logging
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from clauses import todo
from clauses.accounts.access import any_role, manageable, structures_for_aggregates, visible
from clauses.accounts.enums import OrganisationKind, Role
from clauses.accounts.models import Membership, Organisation
from clauses.celery import app as celery_app
from comites.models import CommitteeMeeting
from marches.enums import NOT_YET_ATTRIBUTED, MarketStatus
from marches.models import Award, Company, Lot, Market
from marches.progress import progress_by_company, today
from participants.enums import ReferralStatus
from participants.models import Participant, Referral
from suivi.models import JobOffer, Positioning

logger = logging.getLogger(__name__)


@any_role
def home(request):
    handler = {
        Role.FACILITATEUR: _home_structure,
        Role.ADMIN: _home_structure,
        Role.PRESCRIPTEUR: _home_prescriber,
        Role.COMITE: _home_committee,
        Role.RESEAU: _home_network,
    }[request.membership.role]
    return handler(request)


def _contacts_by_organisation(request, organisations):
    """The active facilitators and admins of each organisation, in one query."""
    contacts = {}
    memberships = (
        visible(request, Membership)
        .active()
        .staff()
        .filter(organisation__in=organisations)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    for member in memberships:
        contacts.setdefault(member.organisation_id, []).append(member)
    return contacts


def _home_structure(request):
    structure = request.membership.organisation
    team = visible(request, Membership).active().filter(organisation=structure)
    partners = (
        visible(request, Organisation)
        .active()
        .filter(partner_structures=structure)
        .annotate(member_count=Count("memberships", filter=Q(memberships__is_active=True)))
        .order_by("kind", "name")
    )
    overview = _market_overview(request)
    context = {
        **overview,
        "tasks": todo.facilitator_tasks(
            request, today=today(), behind=overview["behind"], behind_count=overview["behind_count"]
        ),
        "structure": structure,
        "team_by_role": {row["role"]: row["n"] for row in team.values("role").annotate(n=Count("pk"))},
        "partners": partners[:8],
        "partner_count": partners.count(),
        "prescriber_count": partners.filter(kind=OrganisationKind.PRESCRIPTEUR).count(),
    }
    if request.membership.role == Role.ADMIN:
        context["pending_invitations"] = (
            manageable(request, Membership)
            .active()
            .filter(user__last_login__isnull=True)
            .select_related("user", "organisation")
            .order_by("-created_at")[:10]
        )
        return render(request, "home/admin.html", context)
    return render(request, "home/facilitateur.html", context)


def _market_overview(request):
    """The facilitator's markets at a glance: under way, to come, and the companies falling behind on them."""
    markets = visible(request, Market)
    running = markets.filter(status=MarketStatus.EXECUTION)
    on = today()
    progress = progress_by_company(visible(request, Award).filter(lot__market__in=running), on)
    late = sorted((pk for pk, p in progress.items() if p.is_behind), key=lambda pk: (-progress[pk].remaining, pk))
    companies = Company.objects.in_bulk(late[:5])
    behind = []
    for pk in late[:5]:
        companies[pk].progress = progress[pk]
        behind.append(companies[pk])
    upcoming = (
        markets.filter(status__in=NOT_YET_ATTRIBUTED, expected_attribution_date__gte=on)
        .select_related("buyer")
        .order_by("expected_attribution_date")[:5]
    )
    return {
        "running_count": running.count(),
        "running_hours": visible(request, Lot)
        .filter(market__in=running)
        .aggregate(total=Sum("required_hours"))["total"]
        or Decimal(0),
        "behind": behind,
        "behind_count": len(late),
        "upcoming": upcoming,
    }


def _referral_counts(referrals):
    counts = {row["status"]: row["n"] for row in referrals.values("status").annotate(n=Count("pk"))}
    return [(status, counts.get(status, 0)) for status in ReferralStatus]


def _home_prescriber(request):
    organisation = request.membership.organisation
    structures = list(visible(request, Organisation).active().structures().order_by("name"))
    contacts = _contacts_by_organisation(request, structures)
    for structure in structures:
        structure.contacts = contacts.get(structure.pk, [])
    referrals = visible(request, Referral)
    return render(
        request,
        "home/prescripteur.html",
        {
            "organisation": organisation,
            "tasks": todo.referent_tasks(request),
            "structures": structures,
            "referral_counts": _referral_counts(referrals),
            "recent_referrals": referrals.select_related("structure").order_by("-updated_at")[:6],
            "followed_count": visible(request, Participant).count(),
            "colleague_count": visible(request, Membership).active().filter(organisation=organisation).count(),
            "open_offer_count": visible(request, JobOffer).count(),
            "recent_positionings": visible(request, Positioning)
            .select_related("participant", "referral__participant", "offer__award__company")
            .order_by(Coalesce("decided_at", "presented_at", "proposed_at").desc())[:6],
        },
    )


def _home_committee(request):
    structure = request.membership.organisation
    on = today()
    meetings = visible(request, CommitteeMeeting)
    return render(
        request,
        "home/comite.html",
        {
            "structure": structure,
            "contacts": _contacts_by_organisation(request, [structure]).get(structure.pk, []),
            "upcoming_meetings": meetings.upcoming(on).order_by("date", "start_time", "pk")[:5],
            "past_meetings": meetings.past(on).order_by("-date", "-pk")[:3],
        },
    )


def _home_network(request):
    structures = (
        structures_for_aggregates(request.membership)
        .annotate(partner_count=Count("partners", distinct=True))
        .order_by("name")
    )
    return render(request, "home/reseau.html", {"network": request.membership.organisation, "structures": structures})


@login_not_required
@never_cache
@require_GET
@transaction.non_atomic_requests
def healthz(request):
    """State of the database and of the task broker, as JSON, for probes. No secret, no detail of errors."""
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(check["status"] in ("ok", "embedded") for check in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


def _check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("health check: database unreachable")
        return {"status": "error", "detail": "base de données injoignable"}
    return {"status": "ok", "vendor": connection.vendor}


def _check_broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"status": "embedded", "detail": "tâches exécutées dans le processus web"}
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception:
        logger.exception("health check: broker unreachable")
        return {"status": "error", "detail": "file de tâches injoignable"}
    return {"status": "ok"}


@login_not_required
def privacy(request):
    return render(request, "pages/privacy.html")


@login_not_required
def accessibility(request):
    return render(request, "pages/accessibility.html")
