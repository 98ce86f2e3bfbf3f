"""`suivi` listens to `participants` and `marches` (never the reverse): when an eligibility diagnosis changes, or
a market's attribution, the contracts concerned learn again whether their hours count (R-HRS-1, R-ELIG-1)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from marches.models import Market
from participants.models import EligibilityDiagnosis
from suivi import services
from suivi.models import Assignment


@receiver(post_save, sender=EligibilityDiagnosis, dispatch_uid="suivi_recheck_assignments")
def recheck_assignments(sender, instance, raw=False, **kwargs):
    if raw:  # loading fixtures
        return
    services.assignments_recheck_for(participant_id=instance.participant_id, market_id=instance.market_id)


@receiver(post_save, sender=Market, dispatch_uid="suivi_recheck_market_assignments")
def recheck_market_assignments(sender, instance, raw=False, created=False, **kwargs):
    """A market attributed, its attribution date corrected, or abandoned: its contracts are judged again."""
    if raw or created:
        return
    services.assignments_check(Assignment.objects.filter(award__lot__market=instance))
