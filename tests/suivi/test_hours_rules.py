"""Rules on hours (R-HRS-2, R-HRS-3) and on whether a contract's hours count for a market (R-HRS-1, R-ELIG-1,
R-ELIG-4): plain functions, no database."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from suivi import hours as rules
from suivi.hours import Period, assignment_verdict, hours_problems, monthly_ceiling, parse_month, split_total

TODAY = date(2026, 11, 22)


# --- Months ---------------------------------------------------------------------------------------------------


def test_month_helpers_at_year_and_february_edges():
    assert rules.month_start(date(2026, 3, 31)) == date(2026, 3, 1)
    assert rules.month_end(date(2026, 2, 1)) == date(2026, 2, 28)
    assert rules.month_end(date(2028, 2, 1)) == date(2028, 2, 29)  # leap year
    assert rules.month_end(date(2026, 12, 1)) == date(2026, 12, 31)
    assert rules.add_months(date(2026, 12, 1), 1) == date(2027, 1, 1)
    assert rules.add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert rules.add_months(date(2026, 5, 1), 24) == date(2028, 5, 1)


def test_months_between_includes_both_ends_and_crosses_the_year():
    assert rules.months_between(date(2026, 11, 15), date(2027, 2, 3)) == [
        date(2026, 11, 1),
        date(2026, 12, 1),
        date(2027, 1, 1),
        date(2027, 2, 1),
    ]
    assert rules.months_between(date(2026, 5, 31), date(2026, 5, 1)) == [date(2026, 5, 1)]
    assert rules.months_between(date(2026, 6, 1), date(2026, 5, 31)) == []


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2150, 12, 31)), st.integers(-600, 600))
def test_add_months_always_lands_on_a_first_day_and_is_reversible(day, count):
    month = rules.month_start(day)
    later = rules.add_months(month, count)
    assert later.day == 1
    assert rules.add_months(later, -count) == month
    assert (later.year - month.year) * 12 + later.month - month.month == count


@pytest.mark.parametrize(
    "text",
    [
        "2026-10",
        "2026/10",
        "10/2026",
        "10-2026",
        "10.2026",
        " 10/2026 ",
        "01/10/2026",
        "31/10/2026",
        "31.10.2026",
        "2026-10-01",
        "2026-10-31",
        "octobre 2026",
        "Octobre 2026",
        "oct. 2026",
        "OCT 2026",
        date(2026, 10, 17),
        datetime(2026, 10, 17, 0, 0),  # what a spreadsheet's date cell gives
        "2026-10-17 00:00:00",  # the same cell read as text
    ],
)
def test_parse_month_reads_the_french_ways_of_writing_a_month(text):
    month = parse_month(text)
    assert month == date(2026, 10, 1)
    assert type(month) is date  # never a datetime: it is compared with dates


def test_parse_month_reads_accented_and_unaccented_month_names():
    assert parse_month("février 2027") == date(2027, 2, 1)
    assert parse_month("fevrier 2027") == date(2027, 2, 1)
    assert parse_month("févr. 2027") == date(2027, 2, 1)
    assert parse_month("août 2026") == date(2026, 8, 1)
    assert parse_month("aout 2026") == date(2026, 8, 1)
    assert parse_month("décembre 2026") == date(2026, 12, 1)
    assert parse_month("juil. 2026") == date(2026, 7, 1)
    assert parse_month("juin 2026") == date(2026, 6, 1)
    assert parse_month("1/2027") == date(2027, 1, 1)


def test_month_label_reads_back_through_parse_month():
    for month in rules.months_between(date(2026, 1, 1), date(2026, 12, 1)):
        assert parse_month(rules.month_label(month)) == month
    assert rules.month_label(date(2026, 8, 1)) == "août 2026"


def test_of_month_elides_before_a_vowel():
    assert rules.of_month(date(2026, 5, 1)) == "de mai 2026"
    assert rules.of_month(date(2026, 10, 1)) == "d'octobre 2026"
    assert rules.of_month(date(2026, 4, 1)) == "d'avril 2026"
    assert rules.of_month(date(2026, 8, 1)) == "d'août 2026"


@pytest.mark.parametrize(
    "text",
    ["", None, "2026", "13/2026", "00/2026", "10/26", "2026-13", "32/10/2026", "30/02/2026", "ju 2026", "jui 2026",
     "octobre", "abc", "10/2026/1/1", "2026-10-01-02"],
)  # fmt: skip
def test_parse_month_returns_none_for_what_it_cannot_read(text):
    assert parse_month(text) is None


# --- Periods and the monthly ceiling (R-HRS-3) ----------------------------------------------------------------


def test_period_days_in_at_month_edges():
    period = Period(date(2026, 2, 2), date(2026, 7, 31))
    assert period.days_in(date(2026, 1, 1)) == 0
    assert period.days_in(date(2026, 2, 1)) == 27  # from the 2nd to the 28th
    assert period.days_in(date(2026, 3, 1)) == 31
    assert period.days_in(date(2026, 7, 1)) == 31  # ends on the last day
    assert period.days_in(date(2026, 8, 1)) == 0
    assert Period(date(2026, 3, 31), date(2026, 4, 1)).days_in(date(2026, 3, 1)) == 1
    assert Period(date(2026, 3, 31), date(2026, 4, 1)).days_in(date(2026, 4, 1)) == 1
    assert Period(date(2026, 5, 10), date(2026, 5, 10)).days_in(date(2026, 5, 1)) == 1
    assert Period(date(2028, 2, 1)).days_in(date(2028, 2, 1)) == 29  # leap year, open-ended


def test_period_without_end_covers_every_month_from_its_start():
    cdi = Period(date(2026, 9, 15))
    assert not cdi.covers(date(2026, 8, 1))
    assert cdi.days_in(date(2026, 9, 1)) == 16
    assert cdi.days_in(date(2040, 1, 1)) == 31


def test_r_hrs_3_ceiling_is_48_hours_a_week_over_the_days_covered():
    period = Period(date(2026, 2, 2), date(2026, 7, 31))
    assert monthly_ceiling(period, date(2026, 3, 1)) == Decimal("212.57")  # 48 × 31 / 7, rounded down
    assert monthly_ceiling(period, date(2026, 4, 1)) == Decimal("205.71")  # 30 days
    assert monthly_ceiling(period, date(2026, 2, 1)) == Decimal("185.14")  # 27 days: partial first month
    assert monthly_ceiling(Period(date(2026, 1, 1), date(2026, 1, 14)), date(2026, 1, 1)) == Decimal("96")
    assert monthly_ceiling(Period(date(2025, 3, 1), date(2026, 2, 28)), date(2026, 2, 1)) == Decimal("192")
    assert monthly_ceiling(period, date(2026, 8, 1)) == 0


def test_r_hrs_3_ceiling_of_a_cdi_without_end():
    cdi = Period(date(2026, 10, 20))
    assert monthly_ceiling(cdi, date(2026, 10, 1)) == Decimal("82.28")  # 12 days
    assert monthly_ceiling(cdi, date(2031, 12, 1)) == Decimal("212.57")


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(0, 400),
    st.integers(-2, 14),
)
def test_r_hrs_3_ceiling_never_exceeds_a_whole_month_nor_goes_negative(start, length, offset):
    period = Period(start, start + timedelta(days=length))
    month = rules.add_months(rules.month_start(start), offset)
    ceiling = monthly_ceiling(period, month)
    days = rules.month_end(month).day
    assert 0 <= ceiling <= rules.MAX_WEEKLY_HOURS * days / 7
    assert (ceiling == 0) == (not period.covers(month))


# --- hours_problems (R-HRS-3) ---------------------------------------------------------------------------------

CDD = Period(date(2026, 2, 2), date(2026, 7, 31))


def test_r_hrs_3_plausible_hours_have_no_problem():
    assert (
        hours_problems(period=CDD, month=date(2026, 3, 1), hours_by_kind={"travail": Decimal("151.67")}, today=TODAY)
        == []
    )
    exactly = {"travail": Decimal("200"), "formation": Decimal("12.57")}
    assert hours_problems(period=CDD, month=date(2026, 3, 1), hours_by_kind=exactly, today=TODAY) == []


def test_r_hrs_3_negative_hours_are_a_problem():
    problems = hours_problems(period=CDD, month=date(2026, 3, 1), hours_by_kind={"travail": Decimal(-1)}, today=TODAY)
    assert problems == ["Les heures ne peuvent pas être négatives."]


def test_r_hrs_3_a_month_not_yet_begun_is_a_problem():
    cdi = Period(date(2026, 2, 2))
    problems = hours_problems(period=cdi, month=date(2026, 12, 1), hours_by_kind={"travail": Decimal(10)}, today=TODAY)
    assert problems == ["Décembre 2026 n'a pas encore commencé."]
    # The current month may be entered as it goes.
    assert (
        hours_problems(period=cdi, month=date(2026, 11, 1), hours_by_kind={"travail": Decimal(10)}, today=TODAY) == []
    )


def test_r_hrs_3_a_month_outside_the_contract_is_a_problem_and_names_the_month():
    for month in (date(2026, 1, 1), date(2026, 8, 1)):
        problems = hours_problems(period=CDD, month=month, hours_by_kind={"travail": Decimal(5)}, today=TODAY)
        assert problems == [f"Le contrat ne couvre pas {rules.month_label(month)} : vérifiez ses dates."]


def test_r_hrs_3_over_the_ceiling_summed_over_kinds_says_how_much_and_why():
    hours = {"travail": Decimal("180"), "formation": Decimal("20")}  # 200 h, ceiling 185,14 h for 27 days
    problems = hours_problems(period=CDD, month=date(2026, 2, 1), hours_by_kind=hours, today=TODAY)
    assert problems == [
        "200 h en février 2026 dépassent la durée maximale du travail (185,14 h pour les 27 jours couverts par "
        "le contrat)."
    ]


def test_format_hours_in_french():
    assert rules.format_hours(Decimal("1234.5")) == "1\u202f234,5"
    assert rules.format_hours(Decimal("200.00")) == "200"
    assert rules.format_hours(Decimal("0")) == "0"


# --- split_total (R-HRS-2) ------------------------------------------------------------------------------------


def test_r_hrs_2_split_total_by_shares():
    assert split_total(Decimal("100"), [1, 1, 1]) == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert split_total(Decimal("151.67"), [2, 1]) == [Decimal("101.11"), Decimal("50.56")]
    assert split_total(Decimal("10"), [0, 1]) == [Decimal("0"), Decimal("10")]


def test_r_hrs_2_split_total_gives_nothing_to_a_zero_share():
    assert split_total(Decimal("0.01"), [0, 1, 1]) == [Decimal("0"), Decimal("0.01"), Decimal("0")]
    assert split_total(Decimal("0.02"), [1, 0, 1]) == [Decimal("0.01"), Decimal("0"), Decimal("0.01")]


@pytest.mark.parametrize(
    ("total", "shares"),
    [(Decimal(10), []), (Decimal(10), [0, 0]), (Decimal(10), [-1, 2]), (Decimal(-10), [1, 1])],
)
def test_r_hrs_2_split_total_refuses_what_cannot_be_split(total, shares):
    with pytest.raises(ValueError):
        split_total(total, shares)


def test_r_hrs_2_split_total_gives_the_lost_hundredths_to_the_largest_remainders():
    # 14.63 h over 456/52/1000/1000: the first share is exactly 2.66 h and must not receive the lost hundredth.
    assert split_total(Decimal("14.63"), [456, 52, 1000, 1000]) == [
        Decimal("2.66"),
        Decimal("0.31"),
        Decimal("5.83"),
        Decimal("5.83"),
    ]


@given(
    st.decimals(min_value=0, max_value=Decimal("9999.99"), places=2),
    st.lists(st.integers(0, 1000), min_size=1, max_size=6).filter(lambda shares: sum(shares) > 0),
)
def test_r_hrs_2_split_total_parts_add_up_exactly_and_are_never_negative(total, shares):
    parts = split_total(total, shares)
    assert sum(parts) == total
    assert all(part >= 0 for part in parts)
    assert all(part == part.quantize(Decimal("0.01")) for part in parts)
    # Each part is its share, within a hundredth; a zero share gets nothing.
    for part, share in zip(parts, shares, strict=True):
        assert abs(part - total * share / sum(shares)) < Decimal("0.01")
        if share == 0:
            assert part == 0


# --- assignment_verdict (R-HRS-1, R-ELIG-1, R-ELIG-4) ---------------------------------------------------------

ATTRIBUTION = date(2025, 12, 1)


@dataclass(frozen=True)
class Diagnosis:
    eligible: bool = True
    provisional: bool = False
    valid_until: date = date(2027, 12, 1)


def verdict(diagnosis=Diagnosis(), hired_on=date(2026, 2, 2), work_study=False, **kwargs):  # noqa: B008
    arguments = {"attributed": True, "attribution_date": ATTRIBUTION}
    arguments.update(kwargs)
    return assignment_verdict(diagnosis=diagnosis, hired_on=hired_on, work_study=work_study, **arguments)


def test_r_elig_1_an_eligible_person_hired_while_the_eligibility_holds_counts():
    result = verdict(criteria_labels=["DELD", "RSA"])
    assert result.counts
    assert result.reason == "éligible à la date d'attribution (DELD, RSA)"
    assert verdict().reason == "éligible à la date d'attribution"


def test_r_elig_1_a_market_not_attributed_does_not_count_yet():
    assert not verdict(attributed=False).counts
    assert verdict(attributed=False).reason == "marché pas encore attribué"
    assert not verdict(attribution_date=None).counts


def test_r_elig_1_without_a_diagnosis_for_the_market_nothing_counts():
    result = verdict(diagnosis=None)
    assert not result.counts and result.reason == "éligibilité à établir pour ce marché"


def test_r_elig_1_a_provisional_diagnosis_does_not_count():
    result = verdict(diagnosis=Diagnosis(provisional=True))
    assert not result.counts and result.reason.startswith("diagnostic provisoire")


def test_r_elig_1_a_person_not_eligible_at_the_attribution_does_not_count():
    result = verdict(diagnosis=Diagnosis(eligible=False))
    assert not result.counts and "ne relève pas des publics" in result.reason


def test_r_elig_1_hired_on_the_last_day_of_validity_counts_the_day_after_does_not():
    valid_until = date(2027, 12, 1)
    assert verdict(diagnosis=Diagnosis(valid_until=valid_until), hired_on=valid_until).counts
    late = verdict(diagnosis=Diagnosis(valid_until=valid_until), hired_on=valid_until + timedelta(days=1))
    assert not late.counts
    assert late.reason == "embauché après la fin de validité de l'éligibilité (01/12/2027)"


@pytest.mark.parametrize("work_study", [True, False], ids=["alternance", "autre contrat"])
def test_r_elig_4_hired_on_the_attribution_day_counts(work_study):
    assert verdict(hired_on=ATTRIBUTION, work_study=work_study).counts


def test_r_elig_4_work_study_signed_the_day_before_the_attribution_does_not_count():
    result = verdict(hired_on=ATTRIBUTION - timedelta(days=1), work_study=True)
    assert not result.counts
    assert result.reason == "contrat en alternance signé avant l'attribution du marché : exception à justifier"


def test_r_elig_4_work_study_signed_before_the_attribution_counts_with_a_justified_exception():
    result = verdict(hired_on=ATTRIBUTION - timedelta(days=1), work_study=True, exception=True)
    assert result.counts
    assert result.reason == "compté par exception justifiée (alternance signée avant l'attribution)"


def test_r_elig_4_an_exception_does_not_make_an_ineligible_person_count():
    result = verdict(diagnosis=Diagnosis(eligible=False), hired_on=date(2025, 6, 1), work_study=True, exception=True)
    assert not result.counts
    assert not verdict(diagnosis=None, hired_on=date(2025, 6, 1), work_study=True, exception=True).counts


def test_r_elig_4_an_exception_after_the_attribution_changes_nothing():
    result = verdict(hired_on=ATTRIBUTION, work_study=True, exception=True)
    assert result.counts and result.reason == "éligible à la date d'attribution"


def test_r_elig_4_a_cdd_signed_before_the_attribution_counts():
    result = verdict(hired_on=ATTRIBUTION - timedelta(days=1), work_study=False)
    assert result.counts and result.reason == "éligible à la date d'attribution"


@given(
    hired_on=st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31)),
    work_study=st.booleans(),
    exception=st.booleans(),
    eligible=st.booleans(),
)
def test_r_elig_4_work_study_before_attribution_counts_only_with_exception(hired_on, work_study, exception, eligible):
    result = verdict(
        diagnosis=Diagnosis(eligible=eligible), hired_on=hired_on, work_study=work_study, exception=exception
    )
    expected = eligible and hired_on <= date(2027, 12, 1)
    if work_study and hired_on < ATTRIBUTION:
        expected = expected and exception
    assert result.counts == expected
