"""`reporting` listens to the data its kept figures come from (never the reverse): every save, deletion and bulk
write of these models marks the structure's kept figures (`reporting.kept`)."""

from django.db.models.signals import post_delete, post_save

from clauses.accounts.enums import OrganisationKind
from clauses.accounts.models import Organisation
from clauses.changes import structures_changed
from marches.models import Award, Buyer, Company, Lot, Market
from participants.models import EligibilityCriterion, EligibilityDiagnosis, Participant
from reporting import kept
from suivi.models import Assignment, HourEntry, Outcome, OutcomeCheck, WorkContract

# What the dashboard and the consolidation read, of one structure. Shared labels (eligibility criteria, prescriber
# types) are watched below.
WATCHED = (
    Market, Lot, Award, Buyer, Company, Participant, EligibilityDiagnosis, WorkContract, Assignment, HourEntry,
    Outcome, OutcomeCheck,
)  # fmt: skip


def _changed(sender, instance, raw=False, **kwargs):
    if not raw:  # fixtures loaded
        kept.touched(sender, objects=[instance])


def _changed_in_bulk(sender, structures, objects=(), **kwargs):
    kept.touched(sender, objects=objects, structures=structures)


def _criterion_changed(sender, instance, raw=False, **kwargs):
    """A public's label is in every structure's figures."""
    if not raw:
        structures = Organisation.objects.filter(kind=OrganisationKind.FACILITATION).values_list("pk", flat=True)
        kept.touched(sender, structures=set(structures))


def _prescriber_changed(sender, instance, raw=False, **kwargs):
    """A prescriber's type is in the figures of the structures whose people it refers."""
    if not raw and instance.kind == OrganisationKind.PRESCRIPTEUR:
        people = Participant.objects.filter(referent_organisation=instance).order_by()
        kept.touched(sender, structures=set(people.values_list("structure", flat=True).distinct()))


post_save.connect(_criterion_changed, sender=EligibilityCriterion, dispatch_uid="kept_criterion_saved")
post_save.connect(_prescriber_changed, sender=Organisation, dispatch_uid="kept_prescriber_saved")
for model in WATCHED:
    post_save.connect(_changed, sender=model, dispatch_uid=f"kept_saved_{model.__name__}")
    post_delete.connect(_changed, sender=model, dispatch_uid=f"kept_deleted_{model.__name__}")
    structures_changed.connect(_changed_in_bulk, sender=model, dispatch_uid=f"kept_bulk_{model.__name__}")
