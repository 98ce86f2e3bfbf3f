from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from marches.enums import ATTRIBUTED
from suivi.enums import (
    OPEN_ENDED_CONTRACTS,
    NonRetentionReason,
    OfferRequirement,
    OfferStatus,
    PositioningStatus,
    RecontactMethod,
)
from suivi.models import JobOffer, WorkContract

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def award_label(award):
    market = award.lot.market
    return f"{award.company.name} — {market.reference} lot {award.lot.number} ({award.get_role_display()})"


class AwardChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return award_label(obj)


class AwardMultipleChoiceField(forms.ModelMultipleChoiceField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, to_field_name="public_id", **kwargs)

    def label_from_instance(self, obj):
        market = obj.lot.market
        return f"{market.reference} — {market.title} — lot {obj.lot.number} ({obj.hours_committed:.0f} h à réaliser)"


def attributed_awards(awards):
    return (
        awards.filter(lot__market__status__in=ATTRIBUTED)
        .select_related("company", "lot__market")
        .order_by("company__name", "lot__market__reference", "lot__number")
    )


# --- Offers ---------------------------------------------------------------------------------------------------


class OfferForm(forms.ModelForm):
    award = AwardChoiceField(
        label="Entreprise et lot",
        queryset=None,
        help_text="L'obligation d'insertion que ce recrutement sert (marchés attribués seulement).",
    )
    requirements = forms.MultipleChoiceField(
        label="Exigences particulières",
        choices=OfferRequirement.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = JobOffer
        fields = [
            "award",
            "contact_name",
            "contact_phone",
            "contact_email",
            "job_title",
            "rome_code",
            "positions",
            "start_date",
            "activities",
            "skills",
            "experience",
            "training",
            "requirements",
            "other_requirements",
            "contract_type",
            "duration_weeks",
            "weekly_hours",
            "gross_salary",
            "workplace",
            "notes",
        ]
        widgets = {
            "start_date": DATE_INPUT,
            "activities": forms.Textarea(attrs={"rows": 3}),
            "skills": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, awards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award"].queryset = attributed_awards(awards)
        self.fields["weekly_hours"].localize = True
        self.fields["weekly_hours"].widget.is_localized = True

    def clean(self):
        data = super().clean()
        if data.get("contract_type") in OPEN_ENDED_CONTRACTS and data.get("duration_weeks"):
            self.add_error("duration_weeks", "Un CDI n'a pas de durée : laissez ce champ vide.")
        elif data.get("contract_type") and data["contract_type"] not in OPEN_ENDED_CONTRACTS:
            if not data.get("duration_weeks"):
                self.add_error("duration_weeks", "Indiquez la durée du contrat en semaines.")
        return data


class OfferStatusForm(forms.Form):
    status = forms.ChoiceField(choices=OfferStatus.choices)


# --- Positionings ---------------------------------------------------------------------------------------------


class PositioningForm(forms.Form):
    """A candidate for an offer: a participant, or a fiche navette still being examined."""

    candidate = forms.ChoiceField(label="Candidat")
    message = forms.CharField(
        label="Pourquoi ce candidat",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Ce qui le rapproche du poste : expérience, projet, disponibilité, mobilité…",
    )
    referent_informed_on = forms.DateField(
        label="Référent de parcours informé le",
        required=False,
        widget=DATE_INPUT,
        help_text="Obligatoire pour une personne qui a déjà travaillé dans le cadre d'une clause.",
    )
    referent_informed_how = forms.ChoiceField(
        label="Comment", choices=[("", "—"), *RecontactMethod.choices], required=False
    )
    referent_informed_note = forms.CharField(label="Ce qui lui a été dit", max_length=300, required=False)

    def __init__(self, *args, participants, referrals, **kwargs):
        super().__init__(*args, **kwargs)
        self.participants = {str(p.public_id): p for p in participants}
        self.referrals = {str(r.public_id): r for r in referrals}
        choices = [("", "Choisissez une personne")]
        if self.participants:
            choices.append(
                (
                    "Personnes suivies",
                    [(f"p:{key}", f"{p.last_name.upper()} {p.first_name}") for key, p in self.participants.items()],
                )
            )
        if self.referrals:
            choices.append(
                (
                    "Fiches navettes en cours d'examen",
                    [(f"f:{key}", f"{r.last_name.upper()} {r.first_name}") for key, r in self.referrals.items()],
                )
            )
        self.fields["candidate"].choices = choices

    def clean_candidate(self):
        value = self.cleaned_data["candidate"]
        kind, _, key = value.partition(":")
        found = (self.participants if kind == "p" else self.referrals).get(key)
        if found is None:
            raise forms.ValidationError("Choisissez une personne de la liste.")
        self.candidate_kind = "participant" if kind == "p" else "referral"
        return found

    def clean_referent_informed_on(self):
        value = self.cleaned_data["referent_informed_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError("Cette date est dans le futur.")
        return value

    @property
    def candidate_kwargs(self):
        return {self.candidate_kind: self.cleaned_data["candidate"]}

    @property
    def recontact(self):
        data = self.cleaned_data
        if not data.get("referent_informed_on"):
            return None
        return (
            data["referent_informed_on"],
            data.get("referent_informed_how"),
            data.get("referent_informed_note", ""),
        )


class PositioningDecisionForm(forms.Form):
    PRESENT, RETAIN, REJECT = "presenter", "retenir", "ecarter"
    action = forms.ChoiceField(
        label="Décision",
        widget=forms.RadioSelect,
        choices=[
            (PRESENT, "Présenter la candidature à l'employeur"),
            (RETAIN, "L'employeur retient le candidat"),
            (REJECT, "Le candidat n'est pas retenu"),
        ],
    )
    non_retention_reason = forms.ChoiceField(
        label="Motif", choices=[("", "—"), *NonRetentionReason.choices], required=False
    )
    message = forms.CharField(
        label="Message au prescripteur",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Le prescripteur le lit avec la décision : ce qui a plu, ce qui a manqué, la suite.",
    )

    def __init__(self, *args, positioning, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = {
            PositioningStatus.PROPOSE: (self.PRESENT, self.REJECT),
            PositioningStatus.PRESENTE: (self.RETAIN, self.REJECT),
        }.get(positioning.status, ())
        self.fields["action"].choices = [c for c in self.fields["action"].choices if c[0] in allowed]

    def clean(self):
        data = super().clean()
        if data.get("action") == self.REJECT and not data.get("non_retention_reason"):
            self.add_error("non_retention_reason", "Choisissez le motif : le prescripteur en a besoin.")
        return data


# --- Contracts ------------------------------------------------------------------------------------------------


class ContractForm(forms.ModelForm):
    awards = AwardMultipleChoiceField(
        label="Marchés servis",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="Plusieurs marchés de la même entreprise : les heures sont réparties entre eux (mutualisation).",
    )

    class Meta:
        model = WorkContract
        fields = [
            "participant",
            "company",
            "awards",
            "employer",
            "modality",
            "contract_type",
            "start_date",
            "planned_end_date",
            "actual_end_date",
            "end_reason",
            "weekly_hours",
            "job_title",
            "rome_code",
            "tutor_name",
            "tutor_phone",
            "notes",
        ]
        widgets = {
            "start_date": DATE_INPUT,
            "planned_end_date": DATE_INPUT,
            "actual_end_date": DATE_INPUT,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, structure, participants, companies, awards, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.structure = structure
        given = kwargs.get("initial") or {}
        for name in ("participant", "company", "employer"):  # public ids in the page, never integer keys
            self.fields[name].to_field_name = "public_id"
            if getattr(self.instance, f"{name}_id", None) and not given.get(name):
                self.initial[name] = getattr(self.instance, name).public_id  # not the integer key of the instance
        self.fields["participant"].queryset = participants.order_by("last_name", "first_name")
        self.fields["participant"].label_from_instance = lambda p: f"{p.last_name.upper()} {p.first_name}"
        self.fields["employer"].queryset = companies.order_by("name")
        holding = attributed_awards(awards)
        self.fields["company"].queryset = companies.filter(pk__in=holding.values("company")).order_by("name")
        company = self._chosen_company()
        self.fields["awards"].queryset = holding.filter(company=company) if company else holding.none()
        if company is None:
            self.fields["awards"].help_text = "Choisissez d'abord l'entreprise utilisatrice."
        self.fields["weekly_hours"].localize = True
        self.fields["weekly_hours"].widget.is_localized = True
        self.fields["company"].widget.attrs["data-awards-source"] = "true"

    def _chosen_company(self):
        if self.is_bound:
            key = self.data.get(self.add_prefix("company"))
        else:
            key = self.initial.get("company") or (self.instance.company if self.instance.company_id else None)
            key = getattr(key, "public_id", key)
        if not key:
            return None
        try:
            return self.fields["company"].queryset.filter(public_id=key).first()
        except (ValueError, TypeError, ValidationError):
            return None

    def clean_start_date(self):
        value = self.cleaned_data["start_date"]
        if value and value > timezone.localdate() + timedelta(days=366):
            raise forms.ValidationError("Ce début est à plus d'un an : vérifiez la date.")
        return value

    def clean(self):
        """Ends before the start, said next to the date (the model's constraints would say it on top)."""
        data = super().clean()
        start = data.get("start_date")
        for name, what in (("planned_end_date", "La fin prévue"), ("actual_end_date", "La fin effective")):
            end = data.get(name)
            if start and end and end < start:
                self.add_error(name, f"{what} ne peut pas précéder le début du contrat.")
        return data


class ExceptionForm(forms.Form):
    justification = forms.CharField(
        label="Justification de l'exception",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "Pourquoi compter les heures de cette alternance signée avant l'attribution : pérennisation de "
            "l'emploi, insertion durable de la personne… (instruction DGEFP 2019, fiche 1)."
        ),
    )


# --- Hours ----------------------------------------------------------------------------------------------------


class HoursField(forms.DecimalField):
    def __init__(self, **kwargs):
        super().__init__(
            required=False,
            min_value=0,
            max_digits=6,
            decimal_places=2,
            localize=True,
            error_messages={
                "invalid": "Un nombre d'heures, par exemple 151,67.",
                "min_value": "Les heures ne peuvent pas être négatives.",
                "max_digits": "Ce nombre d'heures n'est pas plausible.",
                "max_whole_digits": "Ce nombre d'heures n'est pas plausible.",
                "max_decimal_places": "Deux décimales au plus.",
            },
            **kwargs,
        )
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})


class HoursGridForm(forms.Form):
    """One field per cell of a statement: `cells` maps a field name to (label, initial value)."""

    def __init__(self, *args, cells, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (label, initial) in cells.items():
            self.fields[name] = HoursField(label=label, initial=initial)
