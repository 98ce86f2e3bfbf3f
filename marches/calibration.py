"""R-CAL: proposing the insertion hours of a lot. Pure functions over plain values, no database.

required hours = amount HT × labour share × insertion rate ÷ loaded hourly cost
e.g. 1 000 000 € × 50 % × 5 % ÷ 30 €/h = 833 h. Shown in hours and in full-time equivalents (1 607 h).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from marches.enums import MarketNature, Trade

FTE_HOURS = Decimal("1607")  # legal yearly working time of one full-time job
MIN_RUNNABLE_HOURS = Decimal("150")  # below this a clause is hard to run (no real parcours)
DEFAULT_INSERTION_RATE = Decimal("5")  # percent
DEFAULT_HOURLY_COST = {MarketNature.TRAVAUX: Decimal("30"), MarketNature.SERVICES: Decimal("25"),
                       MarketNature.FOURNITURES: Decimal("28")}  # fmt: skip


@dataclass(frozen=True)
class Preset:
    trade: Trade
    nature: MarketNature
    labour_share: Decimal  # percent of the amount paid as labour


# Indicative labour shares by trade, as facilitators use them to open the discussion with a buyer;
# the buyer's own figures (DPGF, previous markets) always take precedence.
PRESETS = {
    preset.trade: preset
    for preset in [
        Preset(Trade.GROS_OEUVRE, MarketNature.TRAVAUX, Decimal("50")),
        Preset(Trade.DEMOLITION, MarketNature.TRAVAUX, Decimal("50")),
        Preset(Trade.VRD, MarketNature.TRAVAUX, Decimal("35")),
        Preset(Trade.CHARPENTE_METALLIQUE, MarketNature.TRAVAUX, Decimal("20")),
        Preset(Trade.CHARPENTE_BOIS, MarketNature.TRAVAUX, Decimal("35")),
        Preset(Trade.COUVERTURE, MarketNature.TRAVAUX, Decimal("45")),
        Preset(Trade.FACADES, MarketNature.TRAVAUX, Decimal("55")),
        Preset(Trade.MENUISERIE, MarketNature.TRAVAUX, Decimal("35")),
        Preset(Trade.SERRURERIE, MarketNature.TRAVAUX, Decimal("30")),
        Preset(Trade.PLATRERIE, MarketNature.TRAVAUX, Decimal("60")),
        Preset(Trade.PEINTURE, MarketNature.TRAVAUX, Decimal("70")),
        Preset(Trade.SOLS, MarketNature.TRAVAUX, Decimal("55")),
        Preset(Trade.ELECTRICITE, MarketNature.TRAVAUX, Decimal("45")),
        Preset(Trade.PLOMBERIE_CVC, MarketNature.TRAVAUX, Decimal("40")),
        Preset(Trade.ESPACES_VERTS_TRAVAUX, MarketNature.TRAVAUX, Decimal("55")),
        Preset(Trade.NETTOYAGE, MarketNature.SERVICES, Decimal("80")),
        Preset(Trade.ENTRETIEN_ESPACES_VERTS, MarketNature.SERVICES, Decimal("70")),
        Preset(Trade.COLLECTE_DECHETS, MarketNature.SERVICES, Decimal("55")),
        Preset(Trade.RESTAURATION, MarketNature.SERVICES, Decimal("45")),
        Preset(Trade.GARDIENNAGE, MarketNature.SERVICES, Decimal("85")),
        Preset(Trade.TRANSPORT, MarketNature.SERVICES, Decimal("50")),
        Preset(Trade.INTELLECTUEL, MarketNature.SERVICES, Decimal("30")),
        Preset(Trade.FOURNITURE_POSE, MarketNature.FOURNITURES, Decimal("20")),
        Preset(Trade.FOURNITURE, MarketNature.FOURNITURES, Decimal("5")),
    ]
}


@dataclass(frozen=True)
class Calibration:
    amount_ht: Decimal
    labour_share: Decimal  # percent
    insertion_rate: Decimal  # percent
    hourly_cost: Decimal  # euros per hour, loaded

    @property
    def hours(self) -> Decimal:
        """Proposed hours, rounded to the nearest whole hour."""
        return proposed_hours(self.amount_ht, self.labour_share, self.insertion_rate, self.hourly_cost)

    @property
    def fte(self) -> Decimal:
        return full_time_equivalents(self.hours)

    @property
    def too_small(self) -> bool:
        return self.hours < MIN_RUNNABLE_HOURS


def proposed_hours(amount_ht, labour_share, insertion_rate, hourly_cost) -> Decimal:
    """amount × labour share % × insertion rate % ÷ hourly cost, to the nearest hour (never negative)."""
    amount_ht, labour_share, insertion_rate, hourly_cost = (
        Decimal(str(v)) for v in (amount_ht, labour_share, insertion_rate, hourly_cost)
    )
    if hourly_cost <= 0:
        raise ValueError("Le coût horaire doit être positif.")
    raw = amount_ht * labour_share / 100 * insertion_rate / 100 / hourly_cost
    return max(raw, Decimal(0)).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def full_time_equivalents(hours) -> Decimal:
    """Hours in full-time jobs over a year (1 607 h = 1 ETP), to two decimals."""
    return (Decimal(str(hours)) / FTE_HOURS).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def amount_for_hours(hours, labour_share, insertion_rate, hourly_cost) -> Decimal:
    """The reverse question a buyer asks: what amount yields `hours`? (to the euro)."""
    hours, labour_share, insertion_rate, hourly_cost = (
        Decimal(str(v)) for v in (hours, labour_share, insertion_rate, hourly_cost)
    )
    if labour_share <= 0 or insertion_rate <= 0:
        raise ValueError("La part de main-d'œuvre et le taux d'insertion doivent être positifs.")
    return (hours * hourly_cost * 10000 / (labour_share * insertion_rate)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
