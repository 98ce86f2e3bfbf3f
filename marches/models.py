import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Count, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, ExtractYear
from django.urls import reverse
from simple_history.models import HistoricalRecords

from clauses.accounts.access import ScopedQuerySet
from clauses.accounts.enums import OrganisationKind
from clauses.accounts.validators import normalize_siret, validate_siret
from marches.enums import (
    ATTRIBUTED,
    INCLUSIVE_KINDS,
    NOT_YET_ATTRIBUTED,
    RESERVED_BASES,
    STATUS_TONES,
    AwardRole,
    BuyerType,
    CompanyKind,
    CompanySize,
    LegalBasis,
    MarketNature,
    MarketStatus,
    QpvLocation,
    Sector,
    TargetPublic,
    Trade,
)

HOURS = {"max_digits": 10, "decimal_places": 2, "validators": [MinValueValidator(0)]}
AMOUNT = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(0)]}
PERCENT = {"max_digits": 5, "decimal_places": 2, "validators": [MinValueValidator(0), MaxValueValidator(100)]}
STRUCTURE = {
    "to": "accounts.Organisation",
    "verbose_name": "structure porteuse",
    "on_delete": models.PROTECT,
    "limit_choices_to": {"kind": OrganisationKind.FACILITATION},
}


def _not_negative(field):
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": 0}),
        name=f"%(class)s_{field}_not_negative",
        violation_error_message="Les montants et les heures ne peuvent pas être négatifs.",
    )


def _in_order(first, second):
    return models.CheckConstraint(
        condition=Q(**{f"{first}__isnull": True})
        | Q(**{f"{second}__isnull": True})
        | Q(**{f"{first}__lte": F(second)}),
        name=f"%(class)s_{first}_before_{second}",
        violation_error_message="Les dates du marché ne sont pas dans l'ordre.",
    )


# --- Buyers ---------------------------------------------------------------------------------------------------


class BuyerQuerySet(ScopedQuerySet):
    pass


class Buyer(models.Model):
    """Donneur d'ordre / maître d'ouvrage."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    structure = models.ForeignKey(**STRUCTURE, related_name="buyers")
    name = models.CharField("nom", max_length=200)
    buyer_type = models.CharField("type d'acheteur", max_length=40, choices=BuyerType.choices)
    siret = models.CharField("SIRET", max_length=14, blank=True, validators=[validate_siret])
    address = models.CharField("adresse", max_length=255, blank=True)
    postcode = models.CharField("code postal", max_length=5, blank=True)
    city = models.CharField("commune", max_length=100, blank=True)
    contact_name = models.CharField("interlocuteur", max_length=150, blank=True)
    contact_role = models.CharField("fonction de l'interlocuteur", max_length=150, blank=True)
    contact_email = models.EmailField("e-mail de l'interlocuteur", blank=True)
    contact_phone = models.CharField("téléphone de l'interlocuteur", max_length=20, blank=True)
    notes = models.TextField("notes", blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    history = HistoricalRecords()

    objects = BuyerQuerySet.as_manager()

    class Meta:
        verbose_name = "donneur d'ordre"
        verbose_name_plural = "donneurs d'ordre"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "siret"], condition=~Q(siret=""), name="buyer_siret_unique_per_structure"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("marches:buyer_detail", args=[self.public_id])

    def clean_fields(self, exclude=None):
        self.siret = normalize_siret(self.siret)
        super().clean_fields(exclude=exclude)


# --- Markets --------------------------------------------------------------------------------------------------


class MarketQuerySet(ScopedQuerySet):
    def not_yet_attributed(self):
        return self.filter(status__in=NOT_YET_ATTRIBUTED)

    def attributed(self):
        return self.filter(status__in=ATTRIBUTED)

    def with_year(self):
        """`year`: of the attribution, or of the expected attribution for a market not yet attributed."""
        return self.annotate(year=ExtractYear(Coalesce("attribution_date", "expected_attribution_date")))

    def with_lot_count(self):
        """`lot_count`, as a subquery: no GROUP BY, so that a page of a long list counts the lots of its rows only
        (and the list's COUNT(*) reads no lot at all)."""
        lots = Lot.objects.filter(market=OuterRef("pk")).order_by().values("market").annotate(n=Count("pk"))
        return self.annotate(lot_count=Coalesce(Subquery(lots.values("n")), 0))


class Market(models.Model):
    """A market (marché) or operation carrying a social clause, split in lots."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    structure = models.ForeignKey(**STRUCTURE, related_name="markets")
    buyer = models.ForeignKey(Buyer, verbose_name="donneur d'ordre", on_delete=models.PROTECT, related_name="markets")
    reference = models.CharField(
        "référence", max_length=60, help_text="La référence de l'acheteur (n° de consultation)."
    )
    title = models.CharField("objet du marché", max_length=300)
    nature = models.CharField("nature", max_length=20, choices=MarketNature.choices)
    sector = models.CharField("secteur", max_length=30, choices=Sector.choices)
    legal_basis = models.CharField("fondement juridique de la clause", max_length=10, choices=LegalBasis.choices)
    estimated_amount_ht = models.DecimalField("montant estimé HT (€)", null=True, blank=True, **AMOUNT)
    status = models.CharField("statut", max_length=20, choices=MarketStatus.choices, default=MarketStatus.PROGRAMME)
    publication_date = models.DateField("date de publication", null=True, blank=True)
    expected_attribution_date = models.DateField(
        "date d'attribution prévue",
        null=True,
        blank=True,
        help_text="Pour la programmation, tant qu'il n'est pas attribué.",
    )
    attribution_date = models.DateField(
        "date d'attribution",
        null=True,
        blank=True,
        help_text="L'éligibilité des participants s'apprécie à cette date (24 mois).",
    )
    notification_date = models.DateField("date de notification", null=True, blank=True)
    start_date = models.DateField("début d'exécution", null=True, blank=True)
    end_date = models.DateField("fin d'exécution prévue", null=True, blank=True)
    city = models.CharField("commune d'exécution", max_length=100, blank=True)
    postcode = models.CharField("code postal", max_length=5, blank=True)
    qpv = models.CharField(
        "quartier prioritaire (QPV)", max_length=10, choices=QpvLocation.choices, default=QpvLocation.HORS
    )
    qpv_name = models.CharField("nom du QPV", max_length=150, blank=True)
    target_publics = models.JSONField(
        "publics visés",
        default=list,
        blank=True,
        help_text="Vide : tous les publics de la clause. Sinon, seuls ceux que le marché retient sont éligibles.",
    )
    notes = models.TextField("notes", blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    history = HistoricalRecords()

    objects = MarketQuerySet.as_manager()

    class Meta:
        verbose_name = "marché"
        verbose_name_plural = "marchés"
        ordering = ["-attribution_date", "-expected_attribution_date", "reference"]
        constraints = [
            _not_negative("estimated_amount_ht"),
            _in_order("publication_date", "attribution_date"),
            _in_order("attribution_date", "notification_date"),
            _in_order("start_date", "end_date"),
            models.UniqueConstraint(
                fields=["structure", "buyer", "reference"], name="market_reference_unique_per_buyer"
            ),
        ]
        indexes = [
            models.Index(fields=["structure", "status"]),
            models.Index(fields=["structure", "attribution_date"]),
        ]

    def __str__(self):
        return f"{self.reference} — {self.title}"

    def get_absolute_url(self):
        return reverse("marches:market_detail", args=[self.public_id])

    def clean(self):
        super().clean()
        errors = {}
        if self.buyer_id and self.structure_id and self.buyer.structure_id != self.structure_id:
            errors["buyer"] = "Ce donneur d'ordre appartient à une autre structure."
        if self.status in ATTRIBUTED and not self.attribution_date:
            errors["attribution_date"] = (
                "Un marché attribué a une date d'attribution : l'éligibilité s'apprécie à cette date."
            )
        unknown = set(self.target_publics or ()) - set(TargetPublic.values)
        if unknown:
            errors["target_publics"] = "Public inconnu : " + ", ".join(sorted(unknown))
        for first, second, message in (
            ("publication_date", "attribution_date", "L'attribution ne peut pas précéder la publication."),
            ("attribution_date", "notification_date", "La notification ne peut pas précéder l'attribution."),
            ("start_date", "end_date", "La fin d'exécution ne peut pas précéder le début."),
        ):
            a, b = getattr(self, first), getattr(self, second)
            if a and b and a > b:
                errors[second] = message
        if errors:
            raise ValidationError(errors)

    @property
    def status_tone(self):
        return STATUS_TONES.get(self.status, "secondary")

    @property
    def is_attributed(self):
        return self.status in ATTRIBUTED

    @property
    def is_reserved(self):
        return self.legal_basis in RESERVED_BASES

    def get_target_publics_display(self):
        return [TargetPublic(code).label for code in self.target_publics or () if code in TargetPublic.values]


# --- Lots -----------------------------------------------------------------------------------------------------


class LotQuerySet(ScopedQuerySet):
    structure_lookup = "market__structure"


class Lot(models.Model):
    """A lot of a market, with its required insertion hours and the assumptions that sized them (R-CAL)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    market = models.ForeignKey(Market, verbose_name="marché", on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField("n° de lot", default=1)
    title = models.CharField("intitulé", max_length=300)
    trade = models.CharField("corps d'état ou prestation", max_length=30, choices=Trade.choices)
    amount_ht = models.DecimalField("montant HT (€)", null=True, blank=True, **AMOUNT)
    required_hours = models.DecimalField("heures d'insertion exigées", default=Decimal(0), **HOURS)
    # R-CAL: the assumptions of the calibration, kept with the lot.
    labour_share = models.DecimalField("part de main-d'œuvre (%)", null=True, blank=True, **PERCENT)
    insertion_rate = models.DecimalField("taux d'insertion (%)", null=True, blank=True, **PERCENT)
    hourly_cost = models.DecimalField(
        "coût horaire chargé (€/h)", max_digits=7, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("1"))],
    )  # fmt: skip
    calibrated_hours = models.DecimalField("heures proposées par le calibrage", null=True, blank=True, **HOURS)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    history = HistoricalRecords()

    objects = LotQuerySet.as_manager()

    class Meta:
        verbose_name = "lot"
        verbose_name_plural = "lots"
        ordering = ["market", "number"]
        constraints = [
            models.UniqueConstraint(fields=["market", "number"], name="lot_number_unique_per_market"),
            _not_negative("amount_ht"),
            _not_negative("required_hours"),
            _not_negative("calibrated_hours"),
        ]

    def __str__(self):
        return f"Lot {self.number} — {self.title}"

    def get_absolute_url(self):
        return reverse("marches:lot_detail", args=[self.public_id])

    @property
    def is_calibrated(self):
        return self.calibrated_hours is not None


# --- Companies ------------------------------------------------------------------------------------------------


class CompanyQuerySet(ScopedQuerySet):
    pass


class Company(models.Model):
    """A company holding (or subcontracting) an insertion obligation, as the structure knows it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    structure = models.ForeignKey(**STRUCTURE, related_name="companies")
    siret = models.CharField("SIRET", max_length=14, validators=[validate_siret])
    name = models.CharField("raison sociale", max_length=200)
    kind = models.CharField(
        "type d'entreprise", max_length=20, choices=CompanyKind.choices, default=CompanyKind.CLASSIQUE
    )
    naf_code = models.CharField("code NAF", max_length=6, blank=True, help_text="Par exemple : 43.34Z.")
    size = models.CharField("effectif", max_length=5, choices=CompanySize.choices, blank=True)
    address = models.CharField("adresse", max_length=255, blank=True)
    postcode = models.CharField("code postal", max_length=5, blank=True)
    city = models.CharField("commune", max_length=100, blank=True)
    contact_name = models.CharField("interlocuteur", max_length=150, blank=True)
    contact_role = models.CharField("fonction de l'interlocuteur", max_length=150, blank=True)
    contact_email = models.EmailField("e-mail de l'interlocuteur", blank=True)
    contact_phone = models.CharField("téléphone de l'interlocuteur", max_length=20, blank=True)
    notes = models.TextField("notes", blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    history = HistoricalRecords()

    objects = CompanyQuerySet.as_manager()

    class Meta:
        verbose_name = "entreprise"
        verbose_name_plural = "entreprises"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["structure", "siret"], name="company_siret_unique_per_structure"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("marches:company_detail", args=[self.public_id])

    def clean_fields(self, exclude=None):
        self.siret = normalize_siret(self.siret)
        self.naf_code = (self.naf_code or "").strip().upper()
        super().clean_fields(exclude=exclude)

    @property
    def siren(self):
        return self.siret[:9]

    @property
    def is_inclusive(self):
        """An SIAE, EA, ESAT, GEIQ or régie: follows its own staff (R-RESERVED)."""
        return self.kind in INCLUSIVE_KINDS


# --- Awards ---------------------------------------------------------------------------------------------------


class AwardQuerySet(ScopedQuerySet):
    structure_lookup = "lot__market__structure"

    def in_role_order(self):
        """Titulaire first, then cotraitants, then sous-traitants."""
        rank = Case(
            When(role=AwardRole.TITULAIRE, then=Value(0)),
            When(role=AwardRole.COTRAITANT, then=Value(1)),
            default=Value(2),
        )
        return self.alias(role_rank=rank).order_by("lot__number", "role_rank", "company__name")


class Award(models.Model):
    """A lot awarded to a company, with the hours that company commits to (its obligation)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    lot = models.ForeignKey(Lot, verbose_name="lot", on_delete=models.CASCADE, related_name="awards")
    company = models.ForeignKey(Company, verbose_name="entreprise", on_delete=models.PROTECT, related_name="awards")
    role = models.CharField("rôle", max_length=20, choices=AwardRole.choices, default=AwardRole.TITULAIRE)
    amount_ht = models.DecimalField("montant HT (€)", null=True, blank=True, **AMOUNT)
    hours_committed = models.DecimalField("heures d'insertion à réaliser", **HOURS)
    notes = models.TextField("notes", blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    history = HistoricalRecords()

    objects = AwardQuerySet.as_manager()

    class Meta:
        verbose_name = "attribution"
        verbose_name_plural = "attributions"
        ordering = ["lot", "role", "company__name"]
        constraints = [
            models.UniqueConstraint(fields=["lot", "company"], name="award_one_per_lot_and_company"),
            _not_negative("amount_ht"),
            _not_negative("hours_committed"),
        ]

    def __str__(self):
        return f"Lot {self.lot.number} — {self.company}"

    def clean(self):
        super().clean()
        if self.lot_id and self.company_id and self.company.structure_id != self.lot.market.structure_id:
            raise ValidationError({"company": "Cette entreprise appartient à une autre structure."})
