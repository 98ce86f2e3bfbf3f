"""The follow-up card of a participant's page (participants cannot import suivi: the page loads this tag)."""

from django import template
from django.utils import timezone

from clauses.accounts.access import visible
from suivi.models import FollowUpEvent, Handoff, WorkContract

register = template.Library()


@register.inclusion_tag("suivi/followup/_participant_card.html", takes_context=True)
def participant_followup(context, participant):
    """Passages de relais, open alerts and R-RESERVED marker of one person, as the viewer may see them: three
    queries."""
    request = context["request"]
    today = timezone.localdate()
    employer_follows = (
        visible(request, WorkContract)
        .with_employer_follow_up()
        .filter(participant=participant, employer_follow_up=True)
        .running_on(today)
        .exists()
    )
    return {
        "participant": participant,
        "is_staff": context.get("is_staff", False),
        "handoffs": list(
            visible(request, Handoff).filter(participant=participant).select_related("to_organisation")[:5]
        ),
        "open_alerts": visible(request, FollowUpEvent).open_alerts().filter(contract__participant=participant).count(),
        "employer_follows": employer_follows,
    }
