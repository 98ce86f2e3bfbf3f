import datetime
from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.html import format_html

from clauses.accounts.validators import normalize_siret, validate_siret
from marches import calibration
from marches.enums import AwardRole, MarketNature, TargetPublic, Trade
from marches.models import Award, Buyer, Company, Lot, Market

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
EARLIEST, LATEST = datetime.date(1990, 1, 1), datetime.date(2100, 12, 31)  # plausible dates of a market


class PlainNumberInput(forms.NumberInput):
    """Shows 300 rather than 300.00 (the browser's number input needs a point, never a grouping)."""

    def format_value(self, value):
        if isinstance(value, Decimal):
            return format(value.normalize(), "f")
        return super().format_value(value)


class PlainDecimalsMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DecimalField):
                field.widget = PlainNumberInput(attrs=field.widget.attrs)


def siret_field(required):
    # Longer than 14: "412 356 789 00012" is accepted as typed, then compacted.
    return forms.CharField(
        label="SIRET",
        max_length=20,
        required=required,
        help_text="14 chiffres, espaces acceptés.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class StructureOwnedForm(forms.ModelForm):
    """A form for an object of the user's structure: the structure is set by the view, never posted."""

    def __init__(self, *args, structure, **kwargs):
        super().__init__(*args, **kwargs)
        self.structure = structure
        if not self.instance.pk and hasattr(self.instance, "structure_id"):
            self.instance.structure = structure

    def clean_unique_siret(self, model, label):
        """The SIRET, compacted and checked; a duplicate in the structure is refused with a link to it."""
        siret = normalize_siret(self.cleaned_data.get("siret", ""))
        if not siret:
            return siret
        validate_siret(siret)
        existing = model.objects.filter(structure=self.structure, siret=siret).exclude(pk=self.instance.pk).first()
        if existing:
            raise forms.ValidationError(
                format_html(
                    'Ce SIRET est déjà celui {} <a href="{}">{}</a>.', label, existing.get_absolute_url(), existing
                ),
                code="duplicate_siret",
            )
        return siret


def clean_postcode(value):
    value = (value or "").strip()
    if value and (len(value) != 5 or not value.isdigit()):
        raise forms.ValidationError("Un code postal compte 5 chiffres.")
    return value


class BuyerForm(StructureOwnedForm):
    siret = siret_field(required=False)

    class Meta:
        model = Buyer
        fields = [
            "name",
            "buyer_type",
            "siret",
            "address",
            "postcode",
            "city",
            "contact_name",
            "contact_role",
            "contact_email",
            "contact_phone",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def clean_siret(self):
        return self.clean_unique_siret(Buyer, "du donneur d'ordre")

    def clean_postcode(self):
        return clean_postcode(self.cleaned_data["postcode"])


class CompanyForm(StructureOwnedForm):
    siret = siret_field(required=True)

    class Meta:
        model = Company
        fields = [
            "siret",
            "name",
            "kind",
            "naf_code",
            "size",
            "address",
            "postcode",
            "city",
            "contact_name",
            "contact_role",
            "contact_email",
            "contact_phone",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def clean_siret(self):
        return self.clean_unique_siret(Company, "de l'entreprise")

    def clean_naf_code(self):
        code = self.cleaned_data["naf_code"].strip().upper().replace(" ", "")
        if code and not (len(code) == 6 and code[:2].isdigit() and code[2] == "." and code[3:5].isdigit()):
            raise forms.ValidationError("Un code NAF s'écrit comme 43.34Z (quatre chiffres, un point, une lettre).")
        return code

    def clean_postcode(self):
        return clean_postcode(self.cleaned_data["postcode"])


class MarketForm(PlainDecimalsMixin, StructureOwnedForm):
    target_publics = forms.MultipleChoiceField(
        label="Publics visés",
        choices=TargetPublic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Rien de coché : tous les publics de la clause. Sinon, seuls les publics cochés sont éligibles.",
    )

    class Meta:
        model = Market
        fields = [
            "buyer",
            "reference",
            "title",
            "nature",
            "sector",
            "legal_basis",
            "estimated_amount_ht",
            "status",
            "publication_date",
            "expected_attribution_date",
            "attribution_date",
            "notification_date",
            "start_date",
            "end_date",
            "city",
            "postcode",
            "qpv",
            "qpv_name",
            "target_publics",
            "notes",
        ]
        widgets = {
            "publication_date": DATE_WIDGET,
            "expected_attribution_date": DATE_WIDGET,
            "attribution_date": DATE_WIDGET,
            "notification_date": DATE_WIDGET,
            "start_date": DATE_WIDGET,
            "end_date": DATE_WIDGET,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, buyers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buyer"].queryset = buyers.order_by("name")
        self.fields["estimated_amount_ht"].widget.attrs.update({"step": "0.01", "min": "0"})

    def clean_postcode(self):
        return clean_postcode(self.cleaned_data["postcode"])

    def clean(self):
        cleaned = super().clean()
        for name in ("publication_date", "expected_attribution_date", "attribution_date", "notification_date",
                     "start_date", "end_date"):  # fmt: skip
            day = cleaned.get(name)
            if day and not (EARLIEST <= day <= LATEST):
                self.add_error(name, f"Indiquez une date entre {EARLIEST:%Y} et {LATEST:%Y}.")
        buyer, reference = cleaned.get("buyer"), cleaned.get("reference")
        if buyer and reference:
            duplicate = Market.objects.filter(structure=self.structure, buyer=buyer, reference=reference).exclude(
                pk=self.instance.pk
            )
            if duplicate.exists():
                self.add_error("reference", "Ce donneur d'ordre a déjà un marché avec cette référence.")
        return cleaned


class CalibrationFields(PlainDecimalsMixin, forms.Form):
    """The assumptions of R-CAL, shared by the lot form and the standalone calibration page."""

    amount_ht = forms.DecimalField(label="Montant HT (€)", min_value=0, max_digits=14, decimal_places=2)
    trade = forms.ChoiceField(label="Corps d'état ou prestation", choices=[("", "Choisissez…"), *Trade.choices])
    labour_share = forms.DecimalField(
        label="Part de main-d'œuvre (%)", min_value=0, max_value=100, max_digits=5, decimal_places=2
    )
    insertion_rate = forms.DecimalField(
        label="Taux d'insertion (%)",
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        initial=calibration.DEFAULT_INSERTION_RATE,
        help_text="5 % le plus souvent ; 10 % sur certains marchés de renouvellement urbain.",
    )
    hourly_cost = forms.DecimalField(
        label="Coût horaire chargé (€/h)",
        min_value=1,
        max_digits=7,
        decimal_places=2,
        initial=calibration.DEFAULT_HOURLY_COST[MarketNature.TRAVAUX],
        help_text="Entre 25 et 30 €/h en général.",
    )


def trade_presets():
    """For the page's script: the preset labour share and default hourly cost of each trade."""
    return {
        trade: {
            "labour_share": str(preset.labour_share),
            "hourly_cost": str(calibration.DEFAULT_HOURLY_COST[preset.nature]),
            "nature": preset.nature.label,
        }
        for trade, preset in calibration.PRESETS.items()
    }


def check_calibration_size(form, values):
    """A proposal beyond what a lot can hold (10⁸ h) means a mistyped amount: say so rather than fail."""
    if calibration.proposed_hours(*values) >= MAX_HOURS:
        form.add_error("amount_ht", "Ce calibrage dépasse 99 999 999 heures : vérifiez le montant.")
        return False
    return True


MAX_HOURS = Decimal("100000000")


class CalibrationForm(CalibrationFields):
    """The standalone page (a meeting with a buyer): nothing is saved."""

    def clean(self):
        cleaned = super().clean()
        values = [cleaned.get(n) for n in ("amount_ht", "labour_share", "insertion_rate", "hourly_cost")]
        if all(v is not None for v in values):
            check_calibration_size(self, values)
        return cleaned

    def result(self):
        data = self.cleaned_data
        return calibration.Calibration(
            data["amount_ht"], data["labour_share"], data["insertion_rate"], data["hourly_cost"]
        )


class LotForm(PlainDecimalsMixin, forms.ModelForm):
    """A lot and its calibration. Leave the required hours empty to take the calibrated proposal."""

    class Meta:
        model = Lot
        fields = [
            "number",
            "title",
            "trade",
            "amount_ht",
            "labour_share",
            "insertion_rate",
            "hourly_cost",
            "required_hours",
        ]
        help_texts = {
            "required_hours": "Celles que le DCE impose. Laissez vide pour reprendre la proposition du calibrage.",
            "labour_share": "Préremplie selon le corps d'état : ajustez-la avec l'acheteur.",
        }

    def __init__(self, *args, market, **kwargs):
        super().__init__(*args, **kwargs)
        self.market = market
        self.instance.market = market
        self.fields["required_hours"].required = False
        # The calibration in clean() needs its figures already within bounds (the model checks them too late).
        for name in ("amount_ht", "required_hours"):
            self.fields[name].validators.append(MinValueValidator(0))
        for name in ("labour_share", "insertion_rate"):
            self.fields[name].validators += [MinValueValidator(0), MaxValueValidator(100)]
        self.fields["hourly_cost"].validators.append(MinValueValidator(1))
        if not self.instance.pk:
            self.initial["required_hours"] = None  # empty: the calibrated proposal is taken
            self.fields["number"].initial = (
                market.lots.order_by("-number").values_list("number", flat=True).first() or 0
            ) + 1
            self.fields["insertion_rate"].initial = calibration.DEFAULT_INSERTION_RATE
            self.fields["hourly_cost"].initial = calibration.DEFAULT_HOURLY_COST.get(market.nature)
        for name in ("amount_ht", "labour_share", "insertion_rate", "hourly_cost", "required_hours"):
            self.fields[name].widget.attrs.update({"min": "0", "step": "any"})

    def clean_number(self):
        number = self.cleaned_data["number"]
        if Lot.objects.filter(market=self.market, number=number).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(f"Le lot n°{number} existe déjà dans ce marché.")
        return number

    def clean(self):
        cleaned = super().clean()
        assumptions = [cleaned.get(name) for name in ("amount_ht", "labour_share", "insertion_rate", "hourly_cost")]
        if all(value is not None for value in assumptions) and check_calibration_size(self, assumptions):
            proposal = calibration.proposed_hours(*assumptions)
            self.instance.calibrated_hours = proposal
            if cleaned.get("required_hours") is None:
                cleaned["required_hours"] = proposal
        else:
            self.instance.calibrated_hours = None
        if cleaned.get("required_hours") is None and "required_hours" not in self.errors:
            self.add_error(
                "required_hours",
                "Indiquez les heures exigées, ou renseignez le montant, la part de main-d'œuvre, le taux d'insertion "
                "et le coût horaire pour les calibrer.",
            )
        return cleaned

    @property
    def calibration(self):
        """The calibration to show next to the form: of the submitted figures, else of the lot as stored."""
        names = ("amount_ht", "labour_share", "insertion_rate", "hourly_cost")
        if self.is_bound:
            source = getattr(self, "cleaned_data", {})
            values = [source.get(n) for n in names]
        else:
            values = [getattr(self.instance, n) for n in names]
        if any(value is None for value in values) or "amount_ht" in self.errors:
            return None
        return calibration.Calibration(*values)


class AwardForm(PlainDecimalsMixin, forms.ModelForm):
    class Meta:
        model = Award
        fields = ["company", "role", "amount_ht", "hours_committed", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, lot, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.lot = lot
        self.instance.lot = lot
        self.fields["company"].queryset = companies.order_by("name")
        self.fields["hours_committed"].widget.attrs.update({"min": "0", "step": "any"})
        self.fields["amount_ht"].widget.attrs.update({"min": "0", "step": "0.01"})
        if not self.instance.pk:
            awards = list(lot.awards.all())
            already = sum((a.hours_committed for a in awards), Decimal(0))
            self.fields["hours_committed"].initial = max(lot.required_hours - already, Decimal(0))
            if any(a.role == AwardRole.TITULAIRE for a in awards):
                self.fields["role"].initial = AwardRole.COTRAITANT

    def clean_company(self):
        company = self.cleaned_data["company"]
        if Award.objects.filter(lot=self.lot, company=company).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Cette entreprise a déjà une attribution sur ce lot : modifiez-la plutôt.")
        return company

    def clean_role(self):
        role = self.cleaned_data["role"]
        if role == AwardRole.TITULAIRE:
            other = self.lot.awards.filter(role=AwardRole.TITULAIRE).exclude(pk=self.instance.pk).first()
            if other:
                raise forms.ValidationError(
                    f"Ce lot a déjà pour titulaire {other.company} : les autres membres sont cotraitants."
                )
        return role

    def clean(self):
        cleaned = super().clean()
        if not self.lot.market.is_attributed:
            raise forms.ValidationError(
                "Ce marché n'est pas encore attribué : passez-le au statut « attribué », avec sa date "
                "d'attribution, avant d'enregistrer les entreprises retenues."
            )
        return cleaned
