"""R-CAL: the calibration of the insertion hours of a lot."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marches import calibration
from marches.calibration import Calibration, amount_for_hours, full_time_equivalents, proposed_hours


def test_r_cal_reference_example():
    # 1 000 000 € × 50 % × 5 % ÷ 30 €/h = 833 h
    assert proposed_hours(1_000_000, 50, 5, 30) == Decimal(833)


@pytest.mark.parametrize(
    ("amount", "share", "rate", "cost", "hours"),
    [
        (1_000_000, 70, 5, 30, 1167),  # indoor painting
        (1_000_000, 20, 5, 30, 333),  # steel frame
        (2_400_000, 80, 10, 25, 7680),  # cleaning on an urban-renewal market
        (60_000, 50, 5, 30, 50),
        (0, 50, 5, 30, 0),
    ],
)
def test_r_cal_examples(amount, share, rate, cost, hours):
    assert proposed_hours(amount, share, rate, cost) == Decimal(hours)


def test_r_cal_full_time_equivalents_and_small_clause_warning():
    result = Calibration(Decimal(1_000_000), Decimal(50), Decimal(5), Decimal(30))
    assert result.fte == Decimal("0.52")  # 833 / 1 607
    assert not result.too_small
    assert Calibration(Decimal(100_000), Decimal(50), Decimal(5), Decimal(30)).too_small  # 83 h < 150 h
    assert full_time_equivalents(1607) == Decimal("1.00")


def test_r_cal_amount_needed_for_the_minimum():
    amount = amount_for_hours(150, 50, 5, 30)
    assert amount == Decimal(180_000)
    assert proposed_hours(amount, 50, 5, 30) == Decimal(150)


def test_r_cal_refuses_a_zero_hourly_cost():
    with pytest.raises(ValueError):
        proposed_hours(1000, 50, 5, 0)


def test_presets_cover_every_trade_but_other():
    from marches.enums import Trade

    assert set(calibration.PRESETS) == set(Trade) - {Trade.AUTRE}
    assert calibration.PRESETS[Trade.PEINTURE].labour_share == 70
    assert calibration.PRESETS[Trade.GROS_OEUVRE].labour_share == 50
    assert calibration.PRESETS[Trade.CHARPENTE_METALLIQUE].labour_share == 20


amounts = st.decimals(min_value=0, max_value=100_000_000, places=2, allow_nan=False)
percents = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False)
costs = st.decimals(min_value=1, max_value=200, places=2, allow_nan=False)


@given(amounts, percents, percents, costs)
def test_r_cal_hours_are_whole_and_never_negative(amount, share, rate, cost):
    hours = proposed_hours(amount, share, rate, cost)
    assert hours >= 0 and hours == hours.to_integral_value()


@given(amounts, amounts, percents, percents, costs)
def test_r_cal_more_money_never_means_fewer_hours(a, b, share, rate, cost):
    low, high = sorted((a, b))
    assert proposed_hours(low, share, rate, cost) <= proposed_hours(high, share, rate, cost)


@given(amounts, percents, percents, costs)
def test_r_cal_rounding_stays_within_half_an_hour(amount, share, rate, cost):
    exact = amount * share / 100 * rate / 100 / cost
    assert abs(proposed_hours(amount, share, rate, cost) - exact) <= Decimal("0.5")


@given(st.integers(min_value=1, max_value=100_000), st.decimals(min_value=1, max_value=100, places=1),
       st.decimals(min_value=1, max_value=100, places=1), costs)  # fmt: skip
def test_r_cal_amount_for_hours_gives_back_at_least_those_hours(hours, share, rate, cost):
    amount = amount_for_hours(hours, share, rate, cost)
    assert abs(proposed_hours(amount, share, rate, cost) - hours) <= 1
