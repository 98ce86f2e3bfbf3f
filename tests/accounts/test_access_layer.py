"""The scoping layer itself (clauses.accounts.access): what each role sees of organisations and people."""

import pytest
from django.http import Http404
from django.test import RequestFactory

from clauses.accounts.access import get_visible_or_404, structures_for_aggregates, visible
from clauses.accounts.enums import Region, Role
from clauses.accounts.models import Membership, Organisation
from tests.accounts.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def request_for(membership):
    request = RequestFactory().get("/")
    request.user = membership.user if membership else None
    request.membership = membership
    return request


def test_facilitator_sees_own_structure_and_its_partners_only(world):
    names = set(Organisation.objects.visible_to(world.facilitateur).values_list("name", flat=True))
    assert names == {
        world.structure.name,
        world.prescriber_org.name,
        world.sibling_prescriber_org.name,
        world.financeur.name,
        world.shared_partner.name,
    }


def test_prescriber_sees_own_organisation_and_partner_structures_only(world):
    visible_orgs = set(Organisation.objects.visible_to(world.prescripteur))
    assert visible_orgs == {world.prescriber_org, world.structure}


def test_committee_member_sees_only_the_structure(world):
    assert list(Organisation.objects.visible_to(world.comite)) == [world.structure]


def test_network_admin_sees_no_rows(world):
    assert not Organisation.objects.visible_to(world.reseau).exists()
    assert not Membership.objects.visible_to(world.reseau).exists()


def test_inactive_or_missing_membership_sees_nothing(world):
    world.facilitateur.is_active = False
    assert not Organisation.objects.visible_to(world.facilitateur).exists()
    assert not Organisation.objects.visible_to(None).exists()


def test_prescriber_sees_colleagues_and_facilitators_of_partner_structures_not_committee(world):
    colleague = MembershipFactory(organisation=world.prescriber_org, prescripteur=True)
    seen = set(Membership.objects.visible_to(world.prescripteur))
    assert seen == {world.prescripteur, colleague, world.facilitateur, world.admin}
    assert world.sibling_prescripteur not in seen and world.comite not in seen


def test_committee_member_sees_the_staff_only(world):
    assert set(Membership.objects.visible_to(world.comite)) == {world.facilitateur, world.admin}


def test_lookup_outside_scope_is_404_like_a_missing_object(world):
    request = request_for(world.prescripteur)
    assert get_visible_or_404(request, Organisation, public_id=world.structure.public_id) == world.structure
    with pytest.raises(Http404):
        get_visible_or_404(request, Organisation, public_id=world.sibling_prescriber_org.public_id)
    with pytest.raises(Http404):
        get_visible_or_404(request, Organisation, public_id=world.other_structure.public_id)


def test_visible_narrows_a_given_queryset(world):
    request = request_for(world.facilitateur)
    narrowed = visible(request, Organisation.objects.filter(name__startswith="Mission"))
    assert list(narrowed) == [world.prescriber_org]


def test_structure_manages_itself_and_the_partners_it_registered_only(world):
    managed = set(Organisation.objects.manageable_by(world.admin))
    assert managed == {world.structure, world.prescriber_org, world.sibling_prescriber_org, world.financeur}
    assert world.shared_partner in set(Organisation.objects.visible_to(world.admin))
    people = set(Membership.objects.manageable_by(world.admin))
    assert world.prescripteur in people and world.shared_prescripteur not in people
    assert world.other_admin not in people


def test_only_staff_manage_anything(world):
    for membership in (world.prescripteur, world.comite, world.reseau, None):
        assert not Organisation.objects.manageable_by(membership).exists()
        assert not Membership.objects.manageable_by(membership).exists()


def test_role_at_odds_with_its_organisation_gives_nothing(world):
    """A membership edited around the model's validation (e.g. in SQL) opens no door."""
    Membership.objects.filter(pk=world.prescripteur.pk).update(role=Role.ADMIN)
    world.prescripteur.refresh_from_db()
    assert not Organisation.objects.visible_to(world.prescripteur).exists()
    assert not Organisation.objects.manageable_by(world.prescripteur).exists()


def test_aggregates_cover_own_structure_or_the_network_perimeter(world):
    assert list(structures_for_aggregates(world.comite)) == [world.structure]
    assert not structures_for_aggregates(world.prescripteur).exists()
    national = set(structures_for_aggregates(world.reseau))
    assert {world.structure, world.other_structure} <= national
    elsewhere = OrganisationFactory(region=Region.BRETAGNE)
    regional = MembershipFactory(
        role=Role.RESEAU, organisation=OrganisationFactory(network=True, region=Region.PAYS_DE_LA_LOIRE)
    )
    regional_scope = set(structures_for_aggregates(regional))
    assert world.structure in regional_scope and elsewhere not in regional_scope
