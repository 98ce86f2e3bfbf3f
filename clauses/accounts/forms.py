from django import forms
from django.contrib.auth import forms as auth_forms
from django.urls import reverse
from django.utils.html import format_html

from clauses.accounts.enums import ROLES_BY_ORGANISATION_KIND, OrganisationKind, Role
from clauses.accounts.models import Organisation, User
from clauses.accounts.validators import normalize_siret


class EmailAuthenticationForm(auth_forms.AuthenticationForm):
    username = forms.EmailField(
        label="Adresse e-mail",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": "Adresse e-mail ou mot de passe incorrect. Vérifiez votre saisie (les majuscules comptent).",
    }


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label="Adresse e-mail", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def get_users(self, email):
        """Active users with this address, including those invited who never chose a password
        (Django leaves them out, so an expired invitation could never be renewed)."""
        return User.objects.filter(email__iexact=email, is_active=True)


class ChooseMembershipForm(forms.Form):
    membership = forms.ChoiceField(label="Structure et rôle", widget=forms.RadioSelect)

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.memberships = {str(m.public_id): m for m in memberships}
        self.fields["membership"].choices = [
            (key, f"{m.organisation.name} — {m.get_role_display()}") for key, m in self.memberships.items()
        ]

    def clean_membership(self):
        return self.memberships[self.cleaned_data["membership"]]


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "job_title", "phone"]


class OrganisationForm(forms.ModelForm):
    """Identity of an organisation. `kinds` limits the kinds offered (partners cannot become structures)."""

    # Longer than the 14 digits: "412 356 789 00012" is accepted as typed, then compacted.
    siret = forms.CharField(
        label="SIRET",
        max_length=20,
        required=False,
        help_text="14 chiffres, espaces acceptés. Facultatif mais recommandé pour éviter les doublons.",
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "kind",
            "prescriber_type",
            "structure_type",
            "siret",
            "address",
            "postcode",
            "city",
            "region",
            "email",
            "phone",
        ]

    def __init__(self, *args, kinds, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.duplicate = None
        self.fields["kind"].choices = [(kind.value, kind.label) for kind in kinds]
        if len(kinds) == 1:
            self.fields["kind"].disabled = True
            self.fields["kind"].initial = kinds[0]
        if OrganisationKind.FACILITATION not in kinds:
            del self.fields["structure_type"]
            del self.fields["region"]  # partners are not placed in a region; structures and networks are
        if OrganisationKind.PRESCRIPTEUR not in kinds:
            del self.fields["prescriber_type"]
        else:
            self.fields["prescriber_type"].help_text = "Obligatoire pour un prescripteur."
        self.fields["siret"].widget.attrs["inputmode"] = "numeric"
        self.fields["postcode"].widget.attrs["inputmode"] = "numeric"

    def clean_siret(self):
        siret = normalize_siret(self.cleaned_data["siret"])
        if not siret:
            return siret
        existing = Organisation.objects.exclude(pk=self.instance.pk).filter(siret=siret).first()
        if existing is None:
            return siret
        visible = self.request is not None and Organisation.objects.visible_to(self.request.membership).filter(
            pk=existing.pk
        )
        if visible:
            raise forms.ValidationError(
                format_html(
                    'Ce SIRET est déjà celui de <a href="{}">{}</a>.',
                    reverse("accounts:organisation_detail", args=[existing.public_id]),
                    existing.name,
                ),
                code="duplicate_siret",
            )
        # Registered by another structure: the page offers to attach it as a partner instead.
        self.duplicate = existing
        raise forms.ValidationError(
            f"« {existing.name} » est déjà inscrite dans Clauses avec ce SIRET.", code="duplicate_siret_elsewhere"
        )

    def clean_postcode(self):
        postcode = self.cleaned_data["postcode"].strip()
        if postcode and (len(postcode) != 5 or not postcode.isdigit()):
            raise forms.ValidationError("Un code postal compte 5 chiffres.")
        return postcode


class InviteMemberForm(forms.Form):
    email = forms.EmailField(label="Adresse e-mail professionnelle")
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    job_title = forms.CharField(label="Fonction", max_length=150, required=False)
    role = forms.ChoiceField(label="Rôle", widget=forms.RadioSelect)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(organisation)
        if len(self.fields["role"].choices) == 1:
            self.fields["role"].initial = self.fields["role"].choices[0][0]

    def clean_email(self):
        return User.objects.normalize_email(self.cleaned_data["email"]).lower()


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label="Rôle", widget=forms.RadioSelect)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(organisation)


ROLE_HELP = {
    Role.FACILITATEUR: "suit les marchés, les participants, les heures et les bilans de la structure",
    Role.ADMIN: "tout ce que fait un facilitateur, plus l'équipe, les partenaires et les exports",
    Role.COMITE: "consulte les tableaux de bord et les réunions auxquelles il est invité",
    Role.PRESCRIPTEUR: "oriente des candidats et suit leurs parcours",
    Role.RESEAU: "consulte les chiffres consolidés des structures porteuses du réseau",
}


def role_choices(organisation):
    return [
        (role.value, f"{role.label} — {ROLE_HELP[role]}") for role in ROLES_BY_ORGANISATION_KIND[organisation.kind]
    ]


class SecondFactorCodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="Les 6 chiffres affichés par votre application, ou l'un de vos codes de secours.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )
