"""R-OUTCOME as plain rules over dates and values: when the checks at 6, 12, 18 and 24 months fall due, when one is
late, and the kind of sortie each situation counts as. No database here."""

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from suivi.enums import CHECK_MONTHS, SITUATION_CATEGORY, CheckStatus, OutcomeCategory

# A check enters the facilitator's to-do list this many days before it falls due.
CHECK_LEAD_DAYS = 15
# A check not done this many days after its due date is late ("en retard").
OVERDUE_AFTER_DAYS = 30
# Checks that fell due longer ago than this are not created any more (a parcours taken over from an older tool):
# the to-do list holds what can still be asked, not years of history.
BACKFILL_DAYS = 365
# Month ends: a start on the 31st falls due on the 28th, three days "early" for the pre-filter below.
MONTH_END_MARGIN = timedelta(days=3)


def check_due_date(first_contract_start: date, months: int) -> date:
    """The day the check at `months` falls due: the same day of the month, `months` later, counted from the start
    of the first clause contract (a 31 August start gives 28 or 29 February; never chained from the last check)."""
    if months not in CHECK_MONTHS:
        raise ValueError(f"Pas de point de situation à {months} mois.")
    return first_contract_start + relativedelta(months=months)


def check_due_dates(first_contract_start: date) -> dict[int, date]:
    return {months: check_due_date(first_contract_start, months) for months in CHECK_MONTHS}


def checks_to_create(first_contract_start: date, on: date) -> dict[int, date]:
    """The checks that are in the to-do list on `on`: due within CHECK_LEAD_DAYS from `on`, or already past."""
    horizon = on + timedelta(days=CHECK_LEAD_DAYS)
    return {months: due for months, due in check_due_dates(first_contract_start).items() if due <= horizon}


def earliest_start_with_a_check_by(on: date) -> date:
    """The latest first-contract start for which at least one check (the 6-month one) is in the list on `on`."""
    return on + timedelta(days=CHECK_LEAD_DAYS) + MONTH_END_MARGIN - relativedelta(months=min(CHECK_MONTHS))


def overdue_since(due_date: date) -> date:
    """The first day a check still not done is late."""
    return due_date + timedelta(days=OVERDUE_AFTER_DAYS)


def overdue_due_dates_before(on: date) -> date:
    """Checks due on or before this day and still to do are late on `on` (for a query: due_date__lte=…)."""
    return on - timedelta(days=OVERDUE_AFTER_DAYS)


def is_overdue(*, due_date: date, status: str, on: date) -> bool:
    """A check is late when it is still to do OVERDUE_AFTER_DAYS days (or more) after its due date."""
    return status == CheckStatus.A_FAIRE and on >= overdue_since(due_date)


@dataclass(frozen=True)
class CheckState:
    code: str  # "fait", "injoignable", "a_venir", "a_faire", "en_retard"
    label: str
    tone: str


def check_state(*, due_date: date, status: str, on: date) -> CheckState:
    """What the to-do list shows for a check on `on`."""
    if status == CheckStatus.FAIT:
        return CheckState("fait", "fait", "success")
    if status == CheckStatus.INJOIGNABLE:
        return CheckState("injoignable", "personne injoignable", "secondary")
    if is_overdue(due_date=due_date, status=status, on=on):
        return CheckState("en_retard", "en retard", "danger")
    if due_date > on:
        return CheckState("a_venir", "à venir", "info")
    return CheckState("a_faire", "à faire", "warning")


def situation_category(situation: str) -> str:
    """The kind of sortie a situation counts as in the bilans (R-OUTCOME); unknown situations are "autre"."""
    return SITUATION_CATEGORY.get(situation, OutcomeCategory.AUTRE)
