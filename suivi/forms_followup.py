"""Forms and list filters of the follow-up pages: passages de relais (R-SEQ, R-RECONTACT), follow-up events and
incident alerts (R-INCIDENT). The rules live in the services; these forms carry labels, help and French messages."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from suivi.enums import (
    FollowUpKind,
    HandoffDocument,
    HandoffKind,
    HandoffStatus,
    IncidentType,
    Severity,
)
from suivi.forms import DATE_INPUT
from suivi.models import FollowUpEvent, Handoff

ACTION_REQUIRED = "Dites ce qui a été fait : une alerte ne se clôt pas sans action."


class ParticipantChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, to_field_name="public_id", **kwargs)

    def label_from_instance(self, obj):
        referent = obj.referent_organisation.name if obj.referent_organisation else "sans référent"
        return f"{obj.last_name.upper()} {obj.first_name} — {referent}"


class ProofChoiceField(forms.ModelMultipleChoiceField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, to_field_name="public_id", **kwargs)

    def label_from_instance(self, obj):
        issued = f", du {obj.issue_date:%d/%m/%Y}" if obj.issue_date else ""
        return f"{obj.get_kind_display().capitalize()}{issued} ({obj.get_status_display()})"


# --- Passages de relais ---------------------------------------------------------------------------------------


class HandoffCreateForm(forms.Form):
    participant = ParticipantChoiceField(
        label="Personne",
        queryset=None,
        error_messages={
            "required": "Choisissez la personne.",
            "invalid_choice": "Choisissez une personne de la liste.",
        },
    )
    kind = forms.ChoiceField(
        label="Passage de relais",
        choices=HandoffKind.choices,
        initial=HandoffKind.RECONTACT,
        error_messages={"required": "Choisissez le type de passage de relais."},
        help_text="Entrée : à l'embauche, avec les documents du prescripteur. Retour : à la fin des heures de la "
        "clause. Recontact : un ancien bénéficiaire vous a contacté, son référent doit le savoir.",
    )
    documents = forms.MultipleChoiceField(
        label="Documents transmis",
        choices=HandoffDocument.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Pour une entrée, laissez vide : la fiche navette, les justificatifs, le CV et le contrat "
        "enregistrés sont joints d'office.",
    )
    participant_message = forms.CharField(
        label=Handoff._meta.get_field("participant_message").verbose_name.capitalize(),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Pour un retour : ce qui a été dit à la personne (elle retourne dans la file active de son "
        "référent). Obligatoire pour l'envoyer.",
    )
    note = forms.CharField(
        label="Message au référent", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    send_now = forms.BooleanField(
        label="Envoyer au référent dès maintenant",
        required=False,
        initial=True,
        help_text="Sinon, le passage de relais reste « à envoyer » dans votre liste.",
    )

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = participants.select_related("referent_organisation").order_by(
            "last_name", "first_name"
        )


class HandoffSendForm(forms.ModelForm):
    proofs = ProofChoiceField(
        label="Justificatifs transmis", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    documents = forms.MultipleChoiceField(
        label="Documents transmis",
        choices=HandoffDocument.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Handoff
        fields = ["to_name", "documents", "proofs", "participant_message", "note"]
        widgets = {
            "participant_message": forms.Textarea(attrs={"rows": 3}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, proofs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proofs"].queryset = proofs
        self.fields["proofs"].initial = list(self.instance.proofs.all()) if self.instance.pk else []
        if self.instance.kind == HandoffKind.RETOUR:
            self.fields["participant_message"].required = True
            self.fields["participant_message"].error_messages["required"] = (
                "Notez ce qui a été dit à la personne : elle retourne dans la file active de son référent."
            )
        else:
            del self.fields["participant_message"]


def proofs_of(participant, visible_proofs):
    """The proofs of a person that may travel with a handoff (those of their fiches navettes included)."""
    return (
        visible_proofs.filter(Q(participant=participant) | Q(referral__participant=participant))
        .exclude(status="refuse")
        .order_by("kind", "-issue_date")
    )


class HandoffAcknowledgeForm(forms.Form):
    note = forms.CharField(
        label="Votre réponse (facultatif)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, by_staff=False, **kwargs):
        super().__init__(*args, **kwargs)
        if by_staff:
            self.fields["note"].label = "Comment le référent a confirmé la réception"
            self.fields["note"].help_text = "Par téléphone, par e-mail… avec qui et quand."


class HandoffCancelForm(forms.Form):
    reason = forms.CharField(label="Pourquoi (facultatif)", required=False, max_length=90)


class HandoffFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Personne",
        method="search",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "Nom ou prénom…"}),
    )
    kind = django_filters.ChoiceFilter(label="Type", choices=HandoffKind.choices, empty_label="Tous")
    status = django_filters.ChoiceFilter(label="Statut", choices=HandoffStatus.choices, empty_label="Tous")

    class Meta:
        model = Handoff
        fields = ["q", "kind", "status"]

    def search(self, queryset, name, value):
        for word in value.split()[:6]:
            queryset = queryset.filter(
                Q(participant__last_name__icontains=word) | Q(participant__first_name__icontains=word)
            )
        return queryset


# --- Follow-up events and alerts ------------------------------------------------------------------------------


class EventForm(forms.Form):
    kind = forms.ChoiceField(
        label="Type de suivi",
        choices=FollowUpKind.choices,
        error_messages={"required": "Choisissez le type de suivi."},
    )
    date = forms.DateField(
        label="Date",
        widget=DATE_INPUT,
        error_messages={"required": "Indiquez la date.", "invalid": "Saisissez une date valide."},
    )
    incident_type = forms.ChoiceField(
        label="Nature de l'incident",
        choices=[("", "—"), *IncidentType.choices],
        required=False,
        help_text="La souffrance au travail est toujours une alerte urgente : le référent et les facilitateurs "
        "sont prévenus aussitôt.",
    )
    severity = forms.ChoiceField(label="Gravité", choices=[("", "—"), *Severity.choices], required=False)
    note = forms.CharField(
        label="Compte rendu",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=8000,
        help_text="Visible du référent de parcours de la personne. Pas de détail médical.",
        error_messages={"required": "Écrivez le compte rendu : ce qui a été vu, dit ou décidé."},
    )

    def __init__(self, *args, employer_follow_up=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
        if employer_follow_up:
            self.fields["kind"].help_text = (
                "Suivi assuré par la structure employeuse (marché réservé / EI / EA) : seuls les incidents sont "
                "enregistrés ici."
            )


class AlertCloseForm(forms.Form):
    action_taken = forms.CharField(
        label=FollowUpEvent._meta.get_field("action_taken").verbose_name.capitalize(),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=8000,
        help_text="Rencontre avec l'employeur, orientation, échange avec le référent… Visible du référent.",
        error_messages={"required": ACTION_REQUIRED},
    )


class AlertFilter(django_filters.FilterSet):
    STATES = [("ouvertes", "ouvertes"), ("closes", "closes"), ("toutes", "toutes")]

    state = django_filters.ChoiceFilter(label="Alertes", choices=STATES, method="by_state", empty_label=None)
    incident_type = django_filters.ChoiceFilter(label="Nature", choices=IncidentType.choices, empty_label="Toutes")

    class Meta:
        model = FollowUpEvent
        fields = ["state", "incident_type"]

    def by_state(self, queryset, name, value):
        if value == "ouvertes":
            return queryset.filter(closed_at__isnull=True)
        if value == "closes":
            return queryset.filter(closed_at__isnull=False)
        return queryset
