import datetime
from decimal import Decimal

import factory

from clauses.accounts.validators import make_valid_siret
from marches.enums import AwardRole, BuyerType, CompanyKind, LegalBasis, MarketNature, MarketStatus, Sector, Trade
from marches.models import Award, Buyer, Company, Lot, Market
from tests.accounts.factories import OrganisationFactory


class BuyerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Buyer

    structure = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Ville de Test n°{n}")
    buyer_type = BuyerType.COMMUNE
    city = "Nantes"


class MarketFactory(factory.django.DjangoModelFactory):
    """An attributed market in execution by default; traits for the other stages."""

    class Meta:
        model = Market

    structure = factory.SubFactory(OrganisationFactory)
    buyer = factory.SubFactory(BuyerFactory, structure=factory.SelfAttribute("..structure"))
    reference = factory.Sequence(lambda n: f"2026-TRX-{n:03d}")
    title = factory.Sequence(lambda n: f"Réhabilitation de logements, tranche {n}")
    nature = MarketNature.TRAVAUX
    sector = Sector.BATIMENT
    legal_basis = LegalBasis.L2112_2
    estimated_amount_ht = Decimal("1000000")
    status = MarketStatus.EXECUTION
    publication_date = datetime.date(2025, 9, 1)
    attribution_date = datetime.date(2025, 12, 1)
    notification_date = datetime.date(2025, 12, 15)
    start_date = datetime.date(2026, 1, 5)
    end_date = datetime.date(2027, 6, 30)
    city = "Nantes"

    class Params:
        programme = factory.Trait(
            status=MarketStatus.PROGRAMME,
            publication_date=None,
            attribution_date=None,
            notification_date=None,
            start_date=None,
            end_date=None,
            expected_attribution_date=datetime.date(2027, 3, 1),
        )


class LotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lot

    market = factory.SubFactory(MarketFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = "Gros œuvre"
    trade = Trade.GROS_OEUVRE
    amount_ht = Decimal("1000000")
    labour_share = Decimal("50")
    insertion_rate = Decimal("5")
    hourly_cost = Decimal("30")
    calibrated_hours = Decimal("833")
    required_hours = Decimal("833")


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    structure = factory.SubFactory(OrganisationFactory)
    siret = factory.Sequence(lambda n: make_valid_siret(f"{30000000 + n}"))
    name = factory.Sequence(lambda n: f"Bâtiments de Test n°{n}")
    kind = CompanyKind.CLASSIQUE


class AwardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Award

    lot = factory.SubFactory(LotFactory)
    company = factory.SubFactory(CompanyFactory, structure=factory.SelfAttribute("..lot.market.structure"))
    role = AwardRole.TITULAIRE
    hours_committed = factory.SelfAttribute("lot.required_hours")
