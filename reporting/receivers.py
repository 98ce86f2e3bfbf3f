"""`reporting` listens to the data its kept figures come from (never the reverse): every save, deletion and bulk
write of these models marks the structure's kept figures (`reporting.kept`)."""

from django.db.models.signals import post_delete, post_save

from clauses.changes import structures_changed
from marches.models import Award, Buyer, Company, Lot, Market
from participants.models import EligibilityDiagnosis, Participant
from reporting import kept
from suivi.models import Assignment, HourEntry, Outcome, OutcomeCheck, WorkContract

# What the dashboard and the consolidation read. Labels shared by every structure (eligibility criteria,
# prescriber types) are not watched: they change rarely and the nightly refresh takes them in.
WATCHED = (
    Market, Lot, Award, Buyer, Company, Participant, EligibilityDiagnosis, WorkContract, Assignment, HourEntry,
    Outcome, OutcomeCheck,
)  # fmt: skip


def _changed(sender, instance, raw=False, **kwargs):
    if not raw:  # fixtures loaded
        kept.touched(sender, objects=[instance])


def _changed_in_bulk(sender, structures, objects=(), **kwargs):
    kept.touched(sender, objects=objects, structures=structures)


for model in WATCHED:
    post_save.connect(_changed, sender=model, dispatch_uid=f"kept_saved_{model.__name__}")
    post_delete.connect(_changed, sender=model, dispatch_uid=f"kept_deleted_{model.__name__}")
    structures_changed.connect(_changed_in_bulk, sender=model, dispatch_uid=f"kept_bulk_{model.__name__}")
