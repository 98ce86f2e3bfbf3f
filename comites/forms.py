from django import forms
from django.contrib.auth import get_user_model

from comites.enums import DecisionKind, DecisionStatus
from comites.models import CommitteeDecision, CommitteeMeeting, person_label

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class UserChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} ({obj.email})"


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name


class PersonChoiceField(forms.ModelChoiceField):
    """People are chosen by initials and identifier only, as the meeting shows them."""

    def label_from_instance(self, obj):
        return person_label(obj)


class MeetingForm(forms.ModelForm):
    attendees = UserChoiceField(
        label="Personnes invitées",
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="Membres du comité, prescripteurs et équipe. Un membre de comité ne voit que les réunions où il "
        "est invité. Maintenez Ctrl (ou Cmd) pour en choisir plusieurs.",
    )
    organisations = forms.ModelMultipleChoiceField(
        label="Organisations invitées",
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Les prescripteurs d'une organisation invitée voient la réunion.",
    )
    companies = forms.ModelMultipleChoiceField(
        label="Entreprises invitées",
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Les employeurs participent aux comités de suivi.",
    )

    class Meta:
        model = CommitteeMeeting
        fields = ["kind", "title", "date", "start_time", "place", "attendees", "organisations", "companies",
                  "other_items", "minutes"]  # fmt: skip
        widgets = {
            "date": DATE_INPUT,
            "start_time": TIME_INPUT,
            "other_items": forms.Textarea(attrs={"rows": 3}),
            "minutes": forms.Textarea(attrs={"rows": 6}),
        }
        error_messages = {
            "title": {"required": "Donnez un intitulé à la réunion."},
            "date": {"required": "Indiquez la date de la réunion.", "invalid": "Saisissez une date valide."},
            "start_time": {"invalid": "Saisissez une heure valide, par exemple 14:30."},
        }

    def __init__(self, *args, users, organisations, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = users.order_by("last_name", "first_name")
        self.fields["organisations"].queryset = organisations.order_by("name")
        self.fields["companies"].queryset = companies.order_by("name")
        for name in ("attendees", "organisations", "companies"):
            self.fields[name].error_messages["invalid_choice"] = "Ce choix n'est pas possible."
            self.fields[name].error_messages["invalid_pk_value"] = "Ce choix n'est pas possible."


def users_of(memberships):
    """The users having one of `memberships` (active ones)."""
    return get_user_model().objects.filter(pk__in=memberships.active().values("user")).distinct()


class DecisionForm(forms.ModelForm):
    owner_user = OwnerChoiceField(label="Responsable", queryset=None, required=False, empty_label="—")
    participant = PersonChoiceField(
        label="Personne concernée",
        queryset=None,
        required=False,
        empty_label="—",
        help_text="Une des personnes évoquées à l'ordre du jour, désignée par ses initiales et son identifiant.",
    )

    class Meta:
        model = CommitteeDecision
        fields = ["kind", "text", "owner_user", "owner_name", "due_date", "status", "participant"]
        widgets = {"due_date": DATE_INPUT, "text": forms.Textarea(attrs={"rows": 2})}
        error_messages = {
            "text": {"required": "Écrivez la décision ou l'action."},
            "due_date": {"invalid": "Saisissez une date valide."},
        }

    def __init__(self, *args, meeting, owners, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.meeting = meeting
        self.fields["owner_user"].queryset = owners.order_by("last_name", "first_name")
        self.fields["participant"].queryset = people
        self.fields["kind"].initial = DecisionKind.ACTION
        self.fields["status"].initial = DecisionStatus.A_FAIRE
        for name in ("owner_user", "participant"):
            self.fields[name].error_messages["invalid_choice"] = "Ce choix n'est pas possible."


class DecisionStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Statut",
        choices=DecisionStatus.choices,
        error_messages={"invalid_choice": "Choisissez un statut de la liste.", "required": "Choisissez un statut."},
    )
