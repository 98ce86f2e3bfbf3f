from django import forms
from django.utils import timezone

from marches.enums import NOT_YET_ATTRIBUTED, Trade
from participants.enums import ConsentMethod, Obstacle, ProofKind, ProofStatus, RefusalReason
from participants.models import Consent, EligibilityCriterion, Participant, Referral

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def clean_postcode(value):
    value = (value or "").strip()
    if value and (len(value) != 5 or not value.isdigit()):
        raise forms.ValidationError("Un code postal compte 5 chiffres.")
    return value


def not_in_future(value, message):
    if value and value > timezone.localdate():
        raise forms.ValidationError(message)
    return value


SITUATION_FIELDS = [
    "qualification_level",
    "registration_date",
    "social_benefit",
    "rqth",
    "refugee",
    "under_justice",
    "siae_employee",
    "young_inactive",
    "obstacles",
]
IDENTITY_FIELDS = [
    "last_name",
    "first_name",
    "birth_date",
    "sex",
    "email",
    "phone",
    "postcode",
    "city",
    "qpv_resident",
]


class PersonFormMixin:
    """Identity and situation fields shared by the participant and the fiche navette."""

    def setup_person_fields(self):
        self.fields["obstacles"] = forms.MultipleChoiceField(
            label="Freins périphériques",
            choices=Obstacle.choices,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text="Aucune information de santé : seulement ce qui freine la reprise d'un emploi.",
        )
        for name in ("birth_date", "registration_date"):
            if name in self.fields:
                self.fields[name].widget = DATE_INPUT

    def clean_postcode(self):
        return clean_postcode(self.cleaned_data["postcode"])

    def clean_birth_date(self):
        return not_in_future(self.cleaned_data["birth_date"], "La date de naissance est dans le futur.")

    def clean_registration_date(self):
        return not_in_future(self.cleaned_data["registration_date"], "La date d'inscription est dans le futur.")


class ParticipantForm(PersonFormMixin, forms.ModelForm):
    class Meta:
        model = Participant
        fields = [
            *IDENTITY_FIELDS,
            "qpv_name",
            *SITUATION_FIELDS,
            "referent_organisation",
            "referent_name",
            "referent_email",
            "target_trades",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, structure, referent_organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_person_fields()
        self.fields["target_trades"] = forms.MultipleChoiceField(
            label="Métiers recherchés",
            choices=Trade.choices,
            required=False,
            widget=forms.SelectMultiple(attrs={"size": 6}),
            help_text="Pour anticiper les recrutements des marchés à venir (GPEC). Ctrl ou Cmd pour en choisir "
            "plusieurs.",
            error_messages={"invalid_choice": "« %(value)s » n'est pas un métier de la liste."},
        )
        self.instance.structure = structure
        self.fields["referent_organisation"].queryset = referent_organisations.order_by("name")


class ConsentForm(forms.ModelForm):
    information_given = forms.BooleanField(
        label="La personne a reçu la notice d'information sur ses données et a donné son accord.",
        required=True,
        error_messages={"required": "Sans consentement, seule l'identité peut être enregistrée."},
    )

    class Meta:
        model = Consent
        fields = ["given_on", "method", "collected_by_name"]
        widgets = {"given_on": DATE_INPUT}
        help_texts = {"collected_by_name": "Si ce n'est pas vous : la personne (conseiller…) qui l'a recueilli."}

    def clean_given_on(self):
        return not_in_future(self.cleaned_data["given_on"], "La date du consentement est dans le futur.")


class ConsentWithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(label="Date du retrait", widget=DATE_INPUT)
    note = forms.CharField(label="Circonstances", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, consent, **kwargs):
        super().__init__(*args, **kwargs)
        self.consent = consent
        self.fields["withdrawn_on"].initial = timezone.localdate()

    def clean_withdrawn_on(self):
        day = not_in_future(self.cleaned_data["withdrawn_on"], "La date du retrait est dans le futur.")
        if day < self.consent.given_on:
            raise forms.ValidationError("Le retrait ne peut pas précéder le consentement.")
        return day


class ProofForm(forms.Form):
    kind = forms.ChoiceField(label="Type de document", choices=[("", "Choisissez…"), *ProofKind.choices])
    file = forms.FileField(
        label="Fichier", help_text="PDF, JPEG ou PNG, 10 Mo au plus.", widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/jpeg,image/png"}
        )
    )  # fmt: skip
    issue_date = forms.DateField(label="Date d'émission", widget=DATE_INPUT, required=False)
    valid_until = forms.DateField(
        label="Valable jusqu'au", widget=DATE_INPUT, required=False, help_text="Si le document a une fin de validité."
    )

    def clean_issue_date(self):
        return not_in_future(self.cleaned_data["issue_date"], "La date d'émission est dans le futur.")

    def clean(self):
        cleaned = super().clean()
        issued, valid = cleaned.get("issue_date"), cleaned.get("valid_until")
        if issued and valid and valid < issued:
            self.add_error("valid_until", "La fin de validité précède la date d'émission.")
        if cleaned.get("kind") and cleaned["kind"] not in (ProofKind.CV, ProofKind.AUTRE) and not issued:
            self.add_error("issue_date", "Indiquez la date d'émission : elle dit si le justificatif est récent.")
        return cleaned


class ProofVerifyForm(forms.Form):
    status = forms.ChoiceField(
        label="Vérification",
        choices=[(ProofStatus.VERIFIE, "conforme à l'original"), (ProofStatus.REFUSE, "non conforme ou illisible")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="Remarque", max_length=300, required=False)


class DiagnosisForm(forms.Form):
    market = forms.ModelChoiceField(label="Marché", queryset=None, empty_label="Choisissez un marché…")

    def __init__(self, *args, markets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["market"].queryset = (
            markets.exclude(status="abandonne").select_related("buyer").order_by("-attribution_date", "reference")
        )
        self.fields["market"].label_from_instance = lambda m: (
            f"{m.reference} — {m.title} ({'pas encore attribué' if m.status in NOT_YET_ATTRIBUTED else 'attribué'})"
        )


class CriteriaField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, criterion):
        return criterion.label


class ReferralForm(PersonFormMixin, forms.ModelForm):
    """The prescriber's fiche navette. Saved as a draft freely; sending it requires the consent and motivation."""

    claimed_criteria = CriteriaField(
        label="Critères d'éligibilité",
        queryset=EligibilityCriterion.objects.none(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Cochez ceux que le candidat remplit et joignez les justificatifs correspondants.",
    )

    class Meta:
        model = Referral
        fields = [
            "structure",
            *IDENTITY_FIELDS,
            *SITUATION_FIELDS,
            "claimed_criteria",
            "target_trade",
            "target_job",
            "motivation",
            "consent_confirmed",
            "consent_method",
            "consent_date",
        ]
        widgets = {"motivation": forms.Textarea(attrs={"rows": 4}), "consent_date": DATE_INPUT}
        help_texts = {
            "motivation": "Où en est le candidat, ce qu'il veut faire, ce qui le rend prêt pour un emploi.",
            "structure": "La structure porteuse de la clause à qui vous adressez le candidat.",
        }

    def __init__(self, *args, structures, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_person_fields()
        if structures is None:
            # The addressee is chosen once: the fiche's proofs belong to that structure from their upload.
            del self.fields["structure"]
        else:
            self.fields["structure"].queryset = structures.order_by("name")
            self.fields["structure"].empty_label = None
            choices = list(structures[:2])
            if len(choices) == 1 and not self.is_bound:
                # A single partner structure: it is the addressee, shown as text (errors still show the list).
                self.single_structure = choices[0]
                self.fields["structure"].initial = choices[0]
                self.fields["structure"].widget = forms.HiddenInput()
        self.fields["claimed_criteria"].queryset = EligibilityCriterion.objects.filter(is_active=True)
        self.fields["motivation"].required = False  # a draft may be saved before; sending requires it
        self.fields["consent_method"].required = False
        self.fields["consent_method"].initial = ConsentMethod.ECRIT

    def clean_consent_date(self):
        return not_in_future(self.cleaned_data["consent_date"], "La date du consentement est dans le futur.")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("consent_confirmed") and not cleaned.get("consent_method"):
            self.add_error("consent_method", "Indiquez comment le consentement a été recueilli.")
        if not cleaned.get("consent_method"):
            cleaned["consent_method"] = ConsentMethod.ECRIT
            self.instance.consent_method = ConsentMethod.ECRIT
        return cleaned


class ReviewForm(forms.ModelForm):
    """The facilitator's checks before accepting a candidate (R-VERIFY)."""

    class Meta:
        model = Referral
        fields = ["parcours_checked", "motivation_checked", "eligibility_checked", "fit_checked", "review_note"]
        widgets = {"review_note": forms.Textarea(attrs={"rows": 3})}


class DecisionForm(forms.Form):
    ACCEPT, RETURN, REFUSE = "accepter", "completer", "refuser"
    decision = forms.ChoiceField(
        label="Décision",
        choices=[
            (ACCEPT, "accepter le candidat"),
            (RETURN, "renvoyer au prescripteur pour compléter"),
            (REFUSE, "ne pas retenir le candidat"),
        ],
        widget=forms.RadioSelect,
    )
    existing = forms.ModelChoiceField(
        label="Participant déjà connu",
        queryset=Participant.objects.none(),
        required=False,
        empty_label=None,
        widget=forms.RadioSelect,
        help_text="Une personne de même nom et de même date de naissance est déjà suivie : rattachez-y la fiche, "
        "ou confirmez que c'en est une autre.",
    )
    new_person = forms.BooleanField(label="C'est une autre personne : créer un nouveau participant", required=False)
    refusal_reason = forms.ChoiceField(
        label="Motif du refus", choices=[("", "—"), *RefusalReason.choices], required=False
    )
    message = forms.CharField(
        label="Message au prescripteur",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Obligatoire pour un renvoi : ce qu'il faut compléter.",
    )

    def __init__(self, *args, duplicates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["existing"].queryset = duplicates
        self.fields["existing"].label_from_instance = lambda p: f"{p.full_name}, né(e) le {p.birth_date:%d/%m/%Y}"
        if not duplicates.exists():
            del self.fields["existing"]
            del self.fields["new_person"]

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision == self.RETURN and not cleaned.get("message", "").strip():
            self.add_error("message", "Dites au prescripteur ce qu'il faut compléter.")
        if decision == self.REFUSE and not cleaned.get("refusal_reason"):
            self.add_error("refusal_reason", "Choisissez le motif du refus.")
        if decision == self.ACCEPT and "existing" in self.fields:
            if bool(cleaned.get("existing")) == bool(cleaned.get("new_person")):
                self.add_error(
                    "existing",
                    "Rattachez la fiche au participant déjà connu, ou confirmez que c'est une autre personne.",
                )
        return cleaned
