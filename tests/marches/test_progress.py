"""R-HRS-4: required, done, remaining, % done and projection at the current pace."""

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from marches.enums import MarketStatus
from marches.progress import Pace, Progress

START, END = date(2026, 1, 1), date(2026, 12, 31)


def test_r_hrs_4_halfway_at_half_the_hours_is_on_track():
    progress = Progress.of(1000, 500, START, END, date(2026, 7, 2))
    assert progress.remaining == 500
    assert progress.percent == 50
    assert progress.projected == Decimal(1000)  # 500 h × 364 days of the period ÷ 182 days elapsed
    assert progress.pace == Pace.ON_TRACK
    assert Progress.of(1000, 490, START, END, date(2026, 7, 2)).pace == Pace.WATCH  # just under: watch


def test_r_hrs_4_behind_is_visible_early():
    progress = Progress.of(1000, 100, START, END, date(2026, 4, 1))  # a quarter elapsed, a tenth done
    assert progress.projected < 500
    assert progress.pace == Pace.BEHIND and progress.is_behind


def test_r_hrs_4_watch_band():
    progress = Progress.of(1000, 425, START, END, date(2026, 7, 2))  # ~850 h projected
    assert progress.pace == Pace.WATCH


def test_r_hrs_4_first_weeks_of_execution_are_a_start_not_a_delay():
    assert Progress.of(1000, 0, START, END, START).pace == Pace.STARTING
    assert Progress.of(1000, 0, START, END, date(2026, 1, 20)).pace == Pace.STARTING
    assert Progress.of(1000, 0, START, END, date(2026, 2, 15)).pace == Pace.BEHIND


def test_r_hrs_4_other_states():
    assert Progress.of(0, 0, START, END, date(2026, 6, 1)).pace == Pace.NO_REQUIREMENT
    assert Progress.of(1000, 1200, START, END, date(2026, 6, 1)).pace == Pace.MET
    assert Progress.of(1000, 1200, START, END, date(2026, 6, 1)).remaining == 0
    assert Progress.of(1000, 0, START, END, date(2025, 12, 1)).pace == Pace.NOT_STARTED
    assert Progress.of(1000, 600, START, END, date(2027, 2, 1)).pace == Pace.MISSED
    assert Progress.of(1000, 100, None, None, date(2026, 6, 1)).pace == Pace.UNKNOWN
    assert Progress.of(1000, 0, START, END, START).projected is None


def test_r_hrs_4_an_obligation_runs_only_once_the_market_is_attributed():
    planned = Progress.of(1000, 0, START, END, date(2026, 6, 1), MarketStatus.PROGRAMME)
    dropped = Progress.of(1000, 0, START, END, date(2026, 6, 1), MarketStatus.ABANDONNE)
    running = Progress.of(1000, 0, START, END, date(2026, 6, 1), MarketStatus.EXECUTION)
    assert (planned.pace, dropped.pace, running.pace) == (Pace.NOT_ATTRIBUTED, Pace.ABANDONED, Pace.BEHIND)
    assert planned.projected is None and not planned.is_behind


def test_r_hrs_4_combined_obligations_add_up_and_take_the_worst_running_pace():
    on = date(2026, 7, 2)
    on_track = Progress.of(1000, 600, START, END, on)
    not_started = Progress.of(600, 0, date(2027, 1, 1), date(2027, 6, 30), on)
    combined = Progress.combine([on_track, not_started], on)
    assert combined.required == 1600 and combined.done == 600
    assert combined.projected == on_track.projected + 600  # the part to come is expected to deliver its share
    assert combined.pace == Pace.ON_TRACK
    assert combined.start == START and combined.end == date(2027, 6, 30)
    late = Progress.of(800, 50, START, END, on)
    assert Progress.combine([on_track, not_started, late], on).pace == Pace.BEHIND  # never hidden by the others
    assert Progress.combine([not_started], on).pace == Pace.NOT_STARTED
    assert Progress.combine([], on).pace == Pace.NO_REQUIREMENT


@given(
    required=st.integers(min_value=1, max_value=100_000),
    done=st.integers(min_value=0, max_value=200_000),
    elapsed=st.integers(min_value=1, max_value=364),
)
def test_r_hrs_4_properties(required, done, elapsed):
    today = date.fromordinal(START.toordinal() + elapsed)
    progress = Progress.of(required, done, START, END, today)
    assert progress.remaining == max(required - done, 0)
    assert progress.remaining + min(Decimal(done), Decimal(required)) == required
    assert progress.projected >= done  # the pace can only add hours by the end
    assert (progress.pace == Pace.MET) == (done >= required)
