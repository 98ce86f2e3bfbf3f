"""Kept figures (`reporting.kept`): a structure's dashboard and consolidation of a year, computed ahead, add up to
the figures computed from the hours, whatever was changed and by which way of writing."""

import dataclasses
import datetime
import io
import random
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clauses.accounts.models import Organisation
from marches.enums import MarketStatus
from participants.enums import Sex
from participants.models import EligibilityCriterion, Participant
from reporting import kept
from reporting.consolidation import consolidate
from reporting.dashboard import dashboard
from reporting.models import KeptFigures
from suivi.enums import HourKind, Situation
from suivi.models import Assignment, HourEntry, Outcome
from tests.reporting.test_bilans import scenario
from tests.suivi.factories import hours

pytestmark = pytest.mark.django_db

YEAR = 2026


def figures_of(board):
    """Everything a dashboard shows, but its drawings."""
    return {**dataclasses.asdict(board.bilan), "by_buyer_type": board.by_buyer_type, "by_sector": board.by_sector,
            "by_year": board.by_year}  # fmt: skip


def tables_of(tables):
    return [(table.key, table.rows) for table in tables]


def both(world):
    return Organisation.objects.filter(pk__in=[world.structure.pk, world.other_structure.pk])


def held(world):
    ids = [world.structure.pk, world.other_structure.pk]
    return set(kept.holding(ids, YEAR, timezone.localdate()).values_list("structure", flat=True))


def assert_kept_equals_computed(world):
    on = timezone.localdate()
    for structures in (both(world), Organisation.objects.filter(pk=world.structure.pk)):
        assert figures_of(kept.dashboard(structures, YEAR, on=on)) == figures_of(dashboard(structures, YEAR, on=on))
        assert tables_of(kept.consolidate(structures, YEAR, on)) == tables_of(consolidate(structures, YEAR, on))


def edits(world):
    """Changes of the data the figures read, each by another way of writing: a save, a queryset update or
    deletion, a bulk creation."""
    mine, sibling, other = (
        world.contract.assignments.get(),
        world.sibling_contract.assignments.get(),
        world.other_contract.assignments.get(),
    )

    def add_hours(rng):
        assignment = rng.choice([mine, sibling, other])
        month = datetime.date(YEAR, rng.randint(1, 11), 1)
        HourEntry.objects.filter(assignment=assignment, month=month, kind=HourKind.TRAVAIL).delete()
        hours(assignment, month, str(rng.randint(1, 150)))

    def update_hours(rng):
        HourEntry.objects.filter(award=world.award, month__month=rng.randint(1, 12)).update(hours=F("hours") + 7)

    def delete_hours(rng):
        entry = HourEntry.objects.filter(award=world.award).order_by("?").first()
        if entry:
            HourEntry.objects.filter(pk=entry.pk).delete()

    def bulk_hours(rng):
        month = datetime.date(YEAR, 12, 1) if rng.random() < 0.5 else datetime.date(YEAR, 1, 1)
        HourEntry.objects.filter(assignment__in=[mine, sibling], month=month).delete()
        HourEntry.objects.bulk_create(
            HourEntry(award=a.award, assignment=a, month=month, hours=Decimal(rng.randint(1, 80)))
            for a in (mine, sibling)
        )

    def person(rng):
        people = [world.participant, world.sibling_participant, world.other_contract.participant]
        participant = rng.choice(people)
        participant.sex = rng.choice([Sex.FEMME, Sex.HOMME])
        participant.birth_date = datetime.date(rng.randint(1960, 2004), 5, 17)
        participant.qpv_resident = not participant.qpv_resident
        participant.save()

    def counts(rng):
        Assignment.objects.filter(pk=rng.choice([mine, sibling]).pk).update(counts=rng.random() < 0.6)

    def market(rng):
        world.market.status = rng.choice([MarketStatus.EXECUTION, MarketStatus.ABANDONNE])
        world.market.save()

    def committed(rng):
        world.award.hours_committed = Decimal(rng.randint(500, 3000))
        world.award.save()

    def outcome(rng):
        Outcome.objects.filter(participant=world.sibling_participant).delete()
        Outcome.objects.create(
            participant=world.sibling_participant, date=datetime.date(YEAR, rng.randint(1, 11), 15),
            situation=rng.choice([Situation.CDI, Situation.FORMATION, Situation.RECHERCHE]),
        )  # fmt: skip

    return [add_hours, update_hours, delete_hours, bulk_hours, person, counts, market, committed, outcome]


def test_kept_figures_add_up_to_the_computed_ones_after_random_edits(world, django_capture_on_commit_callbacks):
    scenario(world)
    hours(world.other_contract.assignments.get(), datetime.date(YEAR, 3, 1), "77")
    assert kept.refresh() == Organisation.objects.filter(kind="facilitation").count() * kept.YEARS
    assert held(world) == {world.structure.pk, world.other_structure.pk}
    assert_kept_equals_computed(world)
    rng = random.Random(2026)
    changes = edits(world)
    order = [*changes, *rng.choices(changes, k=3)]  # every way of writing, in a random order
    rng.shuffle(order)
    changed, on = 0, timezone.localdate()
    for step, change in enumerate(order):
        before = figures_of(dashboard(both(world), YEAR, on=on))
        with django_capture_on_commit_callbacks(execute=True):
            change(rng)
        changed += figures_of(dashboard(both(world), YEAR, on=on)) != before
        # Computed live where the kept part no longer holds...
        assert_kept_equals_computed(world)
        # ...and, once refreshed, added up from kept parts alone.
        kept.refresh(years=[YEAR])
        assert held(world) == {world.structure.pk, world.other_structure.pk}, (step, change.__name__)
        assert_kept_equals_computed(world)
    assert changed >= len(order) // 2  # most edits did change the figures (8 of 12 with this seed)
    assert KeptFigures.objects.get(structure=world.structure, year=YEAR).version > 0


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda w: hours(w.contract.assignments.get(), datetime.date(YEAR, 5, 1), "12"), id="save"),
        pytest.param(lambda w: HourEntry.objects.filter(award=w.award).update(hours=1), id="update"),
        pytest.param(lambda w: HourEntry.objects.filter(award=w.award).delete(), id="delete"),
        pytest.param(lambda w: w.participant.save(), id="person"),
        pytest.param(
            lambda w: HourEntry.objects.bulk_create(
                [
                    HourEntry(
                        award=w.award,
                        assignment=w.contract.assignments.get(),
                        month=datetime.date(YEAR, 9, 1),
                        hours=Decimal(3),
                    )
                ]
            ),  # fmt: skip
            id="bulk_create",
        ),
    ],
)
def test_a_write_of_a_structure_marks_its_kept_figures_only(world, write, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the world's writes told, as if committed
        scenario(world)
    kept.refresh()
    assert held(world) == {world.structure.pk, world.other_structure.pk}
    with django_capture_on_commit_callbacks(execute=True):
        write(world)
    assert held(world) == {world.other_structure.pk}
    assert kept.refresh() == kept.YEARS  # the structure's years, not the other's
    assert held(world) == {world.structure.pk, world.other_structure.pk}


def test_a_change_rolled_back_marks_nothing(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        scenario(world)
    kept.refresh()
    with pytest.raises(RuntimeError), transaction.atomic():
        hours(world.contract.assignments.get(), datetime.date(YEAR, 5, 1), "12")
        raise RuntimeError
    with django_capture_on_commit_callbacks(execute=True):
        world.other_participant.save()
    assert held(world) == {world.structure.pk}


def test_kept_figures_follow_the_day_of_the_current_year(world):
    scenario(world)
    today = timezone.localdate()
    kept.refresh(on=today - datetime.timedelta(days=1), years=[today.year])
    row = KeptFigures.objects.get(structure=world.structure, year=today.year)
    assert row.end == today - datetime.timedelta(days=1)
    assert not kept.holding([world.structure.pk], today.year, today).exists()
    kept.refresh(years=[today.year])
    assert kept.holding([world.structure.pk], today.year, today).get().structure == world.structure


def test_with_a_worker_a_change_refreshes_the_kept_figures_at_commit(
    world, settings, django_capture_on_commit_callbacks
):
    """In-process here (eager tasks): the refresh queued by the change runs when the change commits."""
    settings.KEPT_FIGURES_REFRESH = True
    with django_capture_on_commit_callbacks(execute=True):
        scenario(world)
    kept.refresh()
    with django_capture_on_commit_callbacks(execute=True):
        hours(world.contract.assignments.get(), datetime.date(YEAR, 5, 1), "12")
    assert held(world) == {world.structure.pk, world.other_structure.pk}
    part = KeptFigures.objects.get(structure=world.structure, year=YEAR).dashboard
    assert Decimal(part["done_period"]) == Decimal("411.67") + 12


def test_the_network_dashboard_adds_kept_parts_without_reading_hours(client, world):
    scenario(world)
    kept.refresh()
    client.force_login(world.reseau.user)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reporting:dashboard"))
        tables = client.get(reverse("reporting:consolidation")).context["tables"]
    assert response.status_code == 200
    assert response.context["bilan"].total.done_period == Decimal("411.67")
    assert sum(row[1] for row in tables[0].rows) == Decimal("411.67")
    assert not [q["sql"] for q in queries.captured_queries if "suivi_hourentry" in q["sql"]]
    # A filter is computed from the hours.
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("reporting:dashboard") + "?year=2026&buyer_type=commune")
    assert [q["sql"] for q in queries.captured_queries if "suivi_hourentry" in q["sql"]]


def test_the_command_computes_what_a_bulk_load_left(world):
    scenario(world)
    out = io.StringIO()
    call_command("kept_figures", stdout=out)
    structures = Organisation.objects.filter(kind="facilitation").count()
    assert f"{structures * kept.YEARS} années de structures calculées" in out.getvalue()
    assert held(world) == {world.structure.pk, world.other_structure.pk}
    call_command("kept_figures", stdout=out)
    assert "0 années de structures calculées" in out.getvalue()


def test_the_command_computes_the_years_asked_for(world):
    out = io.StringIO()
    call_command("kept_figures", "--years", "1", stdout=out)
    assert set(KeptFigures.objects.values_list("year", flat=True)) == {timezone.localdate().year}
    with pytest.raises(CommandError, match="--years est compris entre 1 et 6"):
        call_command("kept_figures", "--years", "0", stdout=out)


def test_shared_labels_mark_the_structures_that_show_them(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        scenario(world)
    prescriber = world.participant.referent_organisation
    referred = set(Participant.objects.filter(referent_organisation=prescriber).values_list("structure", flat=True))
    assert world.structure.pk in referred
    kept.refresh()
    with django_capture_on_commit_callbacks(execute=True):
        prescriber.save()
    assert held(world) == {world.structure.pk, world.other_structure.pk} - referred
    kept.refresh()
    with django_capture_on_commit_callbacks(execute=True):
        EligibilityCriterion.objects.first().save()
    assert held(world) == set()


def test_figures_kept_in_an_older_format_or_long_ago_are_computed_again(world, monkeypatch):
    scenario(world)
    kept.refresh(years=[YEAR])
    monkeypatch.setattr(kept, "FORMAT", kept.FORMAT + 1)
    assert held(world) == set()
    assert kept.refresh(years=[YEAR]) == Organisation.objects.filter(kind="facilitation").count()
    assert held(world) == {world.structure.pk, world.other_structure.pk}
    KeptFigures.objects.update(computed_at=timezone.now() - kept.SWEEP_AFTER - datetime.timedelta(hours=1))
    assert kept.refresh(years=[YEAR]) == 0  # marks alone: they hold
    assert kept.refresh(years=[YEAR], sweep=True) == Organisation.objects.filter(kind="facilitation").count()


def test_a_refresh_for_an_earlier_day_leaves_figures_of_a_later_one(world):
    scenario(world)
    today = timezone.localdate()
    kept.refresh(years=[today.year])
    assert kept.refresh(on=today - datetime.timedelta(days=1), years=[today.year]) == 0
    assert KeptFigures.objects.get(structure=world.structure, year=today.year).end == today
