"""The national-scale dataset (`seed_national`, issue 8), drawn here at a tiny fraction: same seed, same data;
what it writes holds together (the rows are loaded with COPY, past the foreign key triggers); the figures
follow the national report's proportions; the app works on it."""

import hashlib
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse

from clauses import national
from clauses.accounts.models import Organisation, User
from marches.models import Buyer, Market
from participants.models import Participant
from suivi.models import Assignment, HourEntry, WorkContract
from tests.marches.factories import MarketFactory

TODAY = date(2026, 11, 15)
FRACTION = 0.002  # 117 markets a year, 15 structures


def draw(seed=2021):
    return national.generate(seed=seed, years=5, fraction=FRACTION, today=TODAY)


def digest():
    """Everything drawn, through the rows' public identifiers (drawn from the seed too)."""
    rows = [
        *Market.objects.order_by("public_id").values_list("public_id", "reference", "title", "buyer__public_id"),
        *Participant.objects.order_by("public_id").values_list("public_id", "last_name", "birth_date"),
        *HourEntry.objects.order_by("public_id").values_list("public_id", "month", "kind", "hours"),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest(), len(rows)


@pytest.mark.django_db
def test_the_same_seed_draws_the_same_data_and_another_seed_other_data():
    digests = []
    for seed in (2021, 2021, 7):
        with transaction.atomic():
            national.generate(seed=seed, years=2, fraction=FRACTION, today=TODAY)
            digests.append(digest())
            transaction.set_rollback(True)
    assert digests[0] == digests[1]
    assert digests[0][1] > 400
    assert digests[2][0] != digests[0][0]


@pytest.mark.django_db
def test_the_dataset_holds_together_and_follows_the_national_proportions():
    totals = draw()

    # What the command reports is what is in the database.
    assert Market.objects.count() == totals.markets
    assert WorkContract.objects.count() == totals.contracts
    assert HourEntry.objects.aggregate(total=Sum("hours"))["total"] == totals.hours
    # Proportions of one year of the national report, five times, within a sixth.
    years = 5
    assert totals.markets == pytest.approx(national.PER_YEAR["markets"] * FRACTION * years, rel=0.05)
    assert float(totals.hours) == pytest.approx(national.PER_YEAR["hours"] * FRACTION * years, rel=0.17)
    assert totals.contracts == pytest.approx(national.PER_YEAR["contracts"] * FRACTION * years, rel=0.3)
    assert totals.participants == pytest.approx(national.PER_YEAR["participants"] * FRACTION * years, rel=0.3)

    # Loaded past the foreign key triggers: every reference points at a row of the same structure.
    assert not HourEntry.objects.exclude(assignment=None).exclude(assignment__award=F("award")).exists()
    assert (
        not HourEntry.objects.exclude(award__lot__market__structure=F("assignment__contract__structure"))
        .exclude(assignment=None)
        .exists()
    )
    assert not WorkContract.objects.exclude(company__structure=F("structure")).exists()
    assert not WorkContract.objects.exclude(participant__structure=F("structure")).exists()
    assert not Assignment.objects.exclude(award__company=F("contract__company")).exists()
    assert not Market.objects.exclude(buyer__structure=F("structure")).exists()
    assert not HourEntry.objects.filter(
        Q(kind="sous_traitance", subcontractor=None) | Q(assignment=None, subcontractor=None)
    ).exists()
    assert not HourEntry.objects.filter(month__gt=TODAY).exists()
    assert not HourEntry.objects.filter(month__lt=TruncMonth("assignment__contract__start_date")).exists()

    # One very large structure, and in it one very large buyer.
    sizes = list(
        Organisation.objects.filter(kind="facilitation")
        .annotate(n=Count("markets"))
        .order_by("-n")
        .values_list("n", "public_id")
    )
    assert sizes[0][1] == totals.largest["structure"] and sizes[0][0] > 1.5 * sizes[1][0]
    largest_buyer = Buyer.objects.get(public_id=totals.largest["buyer"])
    share = largest_buyer.markets.count() / sizes[0][0]
    assert 0.15 < share < 0.35

    # New rows after the load take the next identifiers (the sequences were moved past the loaded rows).
    MarketFactory()


@pytest.mark.django_db
def test_the_app_works_on_the_drawn_data(client):
    draw()
    facilitator = User.objects.get(email=f"facilitateur.001.1@{national.DOMAIN}")
    client.force_login(facilitator)
    market = Market.objects.filter(structure__memberships__user=facilitator).annotate(n=Count("lots")).latest("n")

    for url in (reverse("home"), reverse("marches:market_list"), market.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 200, url
    assert market.reference.encode() in client.get(reverse("marches:market_list") + f"?q={market.reference}").content
    assert facilitator.check_password(national.PASSWORD)


@pytest.mark.django_db
def test_the_command_fills_only_an_empty_database():
    MarketFactory()
    with pytest.raises(CommandError, match="déjà des marchés"):
        call_command("seed_national", "--fraction", "0.001")
    with pytest.raises(CommandError, match="--fraction"):
        call_command("seed_national", "--fraction", "2")


@pytest.mark.django_db
def test_the_benchmarked_pages_issue_as_many_queries_on_a_larger_dataset(tmp_path):
    """Issue 8, point 4: the query count of each measured page does not follow the volume (here, about 4 times
    more markets, contracts and hours in the largest structure)."""
    pages = ["home", "market_list", "market_detail", "company_detail", "participants", "grid", "dashboard",
             "consolidation"]  # fmt: skip
    counts = []
    for fraction in (0.0005, 0.002):
        with transaction.atomic():
            national.generate(seed=2021, years=3, fraction=fraction, today=TODAY)
            output = tmp_path / f"bench-{fraction}.json"
            call_command("bench", "--repeat", "1", "--output", str(output), "--only", *pages)
            transaction.set_rollback(True)
        report = json.loads(output.read_text())
        assert report["failures"] == []
        counts.append({m["name"]: m["queries"] for m in report["measures"] if not m["name"].endswith("_sql")})
    assert len(counts[0]) >= 12
    # Saving a grid reads and locks the subcontracted hours' awards once when the month has any (three queries,
    # whatever their number): the one branch that depends on the data's shape rather than its volume.
    saves = counts[0].pop("grid_save"), counts[1].pop("grid_save")
    assert saves[1] - saves[0] in (-3, 0, 3)
    assert counts[1] == counts[0]
