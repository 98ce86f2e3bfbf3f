"""The models of `suivi`, one module per stage of the parcours: offers and positionings, contracts, hours,
follow-up in and after employment."""

from suivi.models.common import (
    LONG_CONTRACT_HOURS,
    PLACING_KINDS,
    SUBCONTRACTOR_KINDS,
    SUBCONTRACTOR_MESSAGE,
)
from suivi.models.contracts import Assignment, WorkContract
from suivi.models.followup import (
    FollowUpEvent,
    Handoff,
    Outcome,
    OutcomeCheck,
    SkillsReview,
    SkillsReviewItem,
)
from suivi.models.hours import HourEntry, HourImport, import_upload_to
from suivi.models.offers import JobOffer, Positioning, PositioningEvent

__all__ = [
    "LONG_CONTRACT_HOURS",
    "PLACING_KINDS",
    "SUBCONTRACTOR_KINDS",
    "SUBCONTRACTOR_MESSAGE",
    "Assignment",
    "FollowUpEvent",
    "Handoff",
    "Outcome",
    "OutcomeCheck",
    "SkillsReview",
    "SkillsReviewItem",
    "HourEntry",
    "HourImport",
    "JobOffer",
    "Positioning",
    "PositioningEvent",
    "WorkContract",
    "import_upload_to",
]
