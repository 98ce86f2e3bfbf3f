"""Database constraints and model rules of the marches app."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from marches.enums import MarketStatus
from marches.models import Award, Lot, Market
from tests.marches.factories import AwardFactory, BuyerFactory, CompanyFactory, LotFactory, MarketFactory

pytestmark = pytest.mark.django_db


def refused_by_database(update):
    with pytest.raises(IntegrityError), transaction.atomic():
        update()


def test_amounts_and_hours_cannot_be_negative():
    award = AwardFactory()
    refused_by_database(lambda: Lot.objects.filter(pk=award.lot.pk).update(required_hours=Decimal("-1")))
    refused_by_database(lambda: Lot.objects.filter(pk=award.lot.pk).update(amount_ht=Decimal("-1")))
    refused_by_database(lambda: Award.objects.filter(pk=award.pk).update(hours_committed=Decimal("-5")))
    refused_by_database(lambda: Market.objects.filter(pk=award.lot.market.pk).update(estimated_amount_ht=-1))


@pytest.mark.parametrize(
    ("first", "second"),
    [("publication_date", "attribution_date"), ("attribution_date", "notification_date"), ("start_date", "end_date")],
)
def test_market_dates_are_in_order(first, second):
    market = MarketFactory()
    later = getattr(market, second) + datetime.timedelta(days=30)
    refused_by_database(lambda: Market.objects.filter(pk=market.pk).update(**{first: later}))
    setattr(market, first, later)
    with pytest.raises(ValidationError) as error:
        market.full_clean()
    assert second in error.value.message_dict


def test_one_award_per_lot_and_company():
    award = AwardFactory()
    refused_by_database(
        lambda: Award.objects.create(lot=award.lot, company=award.company, hours_committed=Decimal(10))
    )


def test_one_lot_number_per_market():
    lot = LotFactory()
    refused_by_database(lambda: Lot.objects.create(market=lot.market, number=lot.number, title="x", trade="autre"))


def test_company_siret_is_unique_within_a_structure_only():
    company = CompanyFactory()
    refused_by_database(lambda: CompanyFactory(structure=company.structure, siret=company.siret))
    elsewhere = CompanyFactory(siret=company.siret)  # another structure knows the same company
    assert elsewhere.siret == company.siret


def test_attributed_market_needs_its_attribution_date():
    market = MarketFactory.build(structure=BuyerFactory().structure, attribution_date=None, notification_date=None)
    market.buyer = BuyerFactory(structure=market.structure)
    with pytest.raises(ValidationError) as error:
        market.full_clean()
    assert "l'éligibilité s'apprécie à cette date" in error.value.message_dict["attribution_date"][0]


def test_market_and_buyer_of_different_structures_are_refused():
    market = MarketFactory()
    market.buyer = BuyerFactory()
    with pytest.raises(ValidationError) as error:
        market.full_clean()
    assert error.value.message_dict["buyer"] == ["Ce donneur d'ordre appartient à une autre structure."]


def test_award_to_a_company_of_another_structure_is_refused():
    award = AwardFactory.build(lot=LotFactory(), company=CompanyFactory(), hours_committed=10)
    with pytest.raises(ValidationError) as error:
        award.full_clean()
    assert "autre structure" in error.value.message_dict["company"][0]


def test_unknown_public_is_refused():
    market = MarketFactory(target_publics=["deld"])
    market.target_publics = ["deld", "martiens"]
    with pytest.raises(ValidationError) as error:
        market.full_clean()
    assert "martiens" in error.value.message_dict["target_publics"][0]


def test_history_is_kept_on_every_marches_model():
    award = AwardFactory()
    award.hours_committed = Decimal(400)
    award.save()
    lot = award.lot
    lot.required_hours = Decimal(400)
    lot.save()
    assert award.history.count() == 2 and lot.history.count() == 2
    for obj in (lot.market, lot.market.buyer, award.company):
        assert obj.history.exists()


def test_str_carries_no_personal_data():
    buyer = BuyerFactory(contact_name="Marie Curie", contact_email="marie@ville.test")
    award = AwardFactory(company__contact_name="Jean Valjean")
    assert "Marie" not in str(buyer) and "Jean" not in str(award.company) and "Jean" not in str(award)


def test_markets_group_by_stage():
    attributed = MarketFactory(status=MarketStatus.TERMINE)
    planned = MarketFactory(programme=True)
    consulting = MarketFactory(programme=True, status=MarketStatus.CONSULTATION)
    dropped = MarketFactory(programme=True, status=MarketStatus.ABANDONNE)
    assert set(Market.objects.attributed()) == {attributed}
    assert set(Market.objects.not_yet_attributed()) == {planned, consulting}
    assert dropped not in set(Market.objects.attributed()) | set(Market.objects.not_yet_attributed())
