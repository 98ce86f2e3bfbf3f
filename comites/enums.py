from django.db import models


class MeetingKind(models.TextChoices):
    """R-COMMITTEE: follow-up committees see cases and markets; governance committees see objectives and results."""

    SUIVI = "suivi", "comité technique / de suivi"
    PILOTAGE = "pilotage", "comité de pilotage"
    ASSEMBLEE = "assemblee", "assemblée générale"


class MeetingStatus(models.TextChoices):
    PREPARATION = "preparation", "en préparation"
    TENU = "tenu", "tenu"


MEETING_TONES = {MeetingStatus.PREPARATION: "info", MeetingStatus.TENU: "success"}


class DecisionKind(models.TextChoices):
    DECISION = "decision", "décision"
    ACTION = "action", "action"


class DecisionStatus(models.TextChoices):
    A_FAIRE = "a_faire", "à faire"
    EN_COURS = "en_cours", "en cours"
    FAIT = "fait", "fait"
    ABANDONNE = "abandonne", "abandonné"


DECISION_OPEN = (DecisionStatus.A_FAIRE, DecisionStatus.EN_COURS)
DECISION_TONES = {
    DecisionStatus.A_FAIRE: "warning",
    DecisionStatus.EN_COURS: "info",
    DecisionStatus.FAIT: "success",
    DecisionStatus.ABANDONNE: "secondary",
}
