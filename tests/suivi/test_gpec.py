"""R-GPEC: expected hours of upcoming markets by trade, against the candidates available by trade."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marches.enums import MarketStatus, Trade
from participants.enums import ReferralStatus
from participants.forms import ParticipantForm
from suivi.gpec import gpec
from tests.accounts.factories import OrganisationFactory
from tests.marches.factories import LotFactory
from tests.participants.factories import ParticipantFactory, ReferralFactory, give_distinctive_names
from tests.suivi.factories import WorkContractFactory

ON = datetime.date(2026, 11, 21)
pytestmark = pytest.mark.django_db


def programmed(structure, trade, hours, expected=datetime.date(2027, 3, 1)):
    lot = LotFactory(market__structure=structure, market__programme=True, trade=trade, required_hours=hours)
    lot.market.expected_attribution_date = expected
    lot.market.save()
    return lot


@pytest.fixture
def structure():
    structure = OrganisationFactory()
    programmed(structure, Trade.GROS_OEUVRE, 1200)  # 3 candidates at ~400 h each
    programmed(structure, Trade.GROS_OEUVRE, 300, expected=datetime.date(2027, 9, 1))  # same trade, another market
    programmed(structure, Trade.PEINTURE, 400)
    programmed(structure, Trade.ELECTRICITE, 5000, expected=datetime.date(2028, 6, 1))  # beyond twelve months
    # Attributed, not started yet: counts. Attributed and running: does not.
    LotFactory(
        market__structure=structure, market__status=MarketStatus.ATTRIBUE,
        market__start_date=datetime.date(2027, 2, 1), market__end_date=datetime.date(2027, 12, 31),
        trade=Trade.NETTOYAGE, required_hours=800,
    )  # fmt: skip
    LotFactory(market__structure=structure, trade=Trade.SOLS, required_hours=900)  # in execution since 2026
    # Another structure's market never counts.
    programmed(OrganisationFactory(), Trade.PEINTURE, 4000)
    return structure


def line(result, trade):
    return next(item for item in result.lines if item.trade == trade)


def test_r_gpec_expected_hours_by_trade_of_upcoming_markets(structure):
    result = gpec(structure, ON)
    assert {item.trade for item in result.lines} == {Trade.GROS_OEUVRE, Trade.PEINTURE, Trade.NETTOYAGE}
    gros_oeuvre = line(result, Trade.GROS_OEUVRE)
    assert gros_oeuvre.hours == 1500 and gros_oeuvre.markets == 2 and gros_oeuvre.posts == 4
    assert gros_oeuvre.first_date == datetime.date(2027, 3, 1)
    assert f"{gros_oeuvre.fte:.2f}" == "0.93"  # 1 500 h / 1 607 h
    assert line(result, Trade.NETTOYAGE).first_date == datetime.date(2027, 2, 1)


def test_r_gpec_candidates_available_by_trade(structure):
    # Available, looking for gros œuvre, with an accepted fiche navette for the same trade: counted once.
    available = ParticipantFactory(structure=structure, target_trades=[Trade.GROS_OEUVRE])
    ReferralFactory(
        structure=structure, participant=available, status=ReferralStatus.ACCEPTEE, target_trade=Trade.GROS_OEUVRE
    )
    # Available through an accepted fiche navette only, for painting.
    painter = ParticipantFactory(structure=structure)
    ReferralFactory(
        structure=structure, participant=painter, status=ReferralStatus.ACCEPTEE, target_trade=Trade.PEINTURE
    )
    # A fiche navette still under review does not count.
    ReferralFactory(structure=structure, status=ReferralStatus.SOUMISE, target_trade=Trade.PEINTURE)
    # Someone with a contract running today is not available.
    busy = WorkContractFactory(
        award__lot__market__structure=structure, start_date=datetime.date(2026, 10, 1), planned_end_date=None
    ).participant
    busy.target_trades = [Trade.GROS_OEUVRE]
    busy.save()
    result = gpec(structure, ON)
    assert line(result, Trade.GROS_OEUVRE).candidates == 1
    assert line(result, Trade.PEINTURE).candidates == 1
    assert line(result, Trade.NETTOYAGE).candidates == 0


def test_r_gpec_gaps_show_where_training_is_needed(structure):
    ParticipantFactory(structure=structure, target_trades=[Trade.PEINTURE])
    ParticipantFactory(structure=structure, target_trades=[Trade.COUVERTURE])  # no hours expected in this trade
    result = gpec(structure, ON)
    assert line(result, Trade.PEINTURE).short is False  # 400 h: one candidate, one available
    assert line(result, Trade.GROS_OEUVRE).gap == 4
    assert [item.trade for item in result.short_lines] == [Trade.GROS_OEUVRE, Trade.NETTOYAGE]
    couverture = line(result, Trade.COUVERTURE)
    assert couverture.hours == 0 and couverture.candidates == 1 and not couverture.short


def test_r_gpec_page_highlights_gaps_and_states_the_assumption(client, world):
    give_distinctive_names(world.participant)
    programmed(world.structure, Trade.GROS_OEUVRE, 1200)
    client.force_login(world.facilitateur.user)
    page = client.get(reverse("suivi:gpec")).content.decode()
    assert "Où former avant de recruter" in page
    assert "il en manque 3" in page
    assert "un candidat pour 400 heures" in page
    assert "1 607 heures" in page or "1\u202f607 heures" in page or "1\xa0607 heures" in page
    assert world.participant.last_name not in page


def test_r_gpec_page_open_to_committee_members_without_names(client, world):
    give_distinctive_names(world.participant)
    world.participant.target_trades = [Trade.GROS_OEUVRE]
    world.participant.save()
    client.force_login(world.comite.user)
    response = client.get(reverse("suivi:gpec"))
    assert response.status_code == 200
    assert world.participant.last_name not in response.content.decode()


def test_r_gpec_query_count_does_not_grow(client, world):
    client.force_login(world.facilitateur.user)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("suivi:gpec")).status_code == 200
        return len(queries)

    def rows(n):
        for _ in range(n):
            programmed(world.structure, Trade.PEINTURE, 400)
            person = ParticipantFactory(structure=world.structure, target_trades=[Trade.PEINTURE])
            ReferralFactory(
                structure=world.structure, participant=person, status=ReferralStatus.ACCEPTEE,
                target_trade=Trade.VRD,
            )  # fmt: skip

    rows(2)
    few = count()
    rows(6)
    assert count() == few


def test_participant_target_trades_must_be_known_codes(world):
    world.participant.target_trades = ["astronaute"]
    with pytest.raises(ValidationError) as error:
        world.participant.full_clean()
    assert error.value.message_dict["target_trades"] == ["Métier inconnu : astronaute"]


def test_participant_form_records_target_trades_and_refuses_unknown_ones(world):
    def form(trades):
        data = {
            "last_name": "Durand", "first_name": "Léa", "birth_date": "1990-05-04", "sex": "F",
            "referent_organisation": world.prescriber_org.pk, "target_trades": trades,
        }  # fmt: skip
        return ParticipantForm(
            data=data,
            instance=world.participant,
            structure=world.structure,
            referent_organisations=world.structure.partners.all(),
        )

    bad = form(["astronaute"])
    assert not bad.is_valid()
    assert bad.errors["target_trades"] == ["« astronaute » n'est pas un métier de la liste."]
    good = form([Trade.PEINTURE, Trade.VRD])
    assert good.is_valid(), good.errors
    assert good.save().target_trades == [Trade.PEINTURE, Trade.VRD]
