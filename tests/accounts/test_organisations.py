import pytest
from django.urls import reverse

from clauses.accounts.enums import OrganisationKind, PrescriberType
from clauses.accounts.models import Organisation
from clauses.accounts.validators import make_valid_siret
from tests.accounts.factories import MembershipFactory, OrganisationFactory
from tests.html import text

pytestmark = pytest.mark.django_db


def partner_data(**overrides):
    return {
        "name": "Mission Locale du Vignoble",
        "kind": OrganisationKind.PRESCRIPTEUR,
        "prescriber_type": PrescriberType.MISSION_LOCALE,
        "siret": make_valid_siret("44556677"),
        "address": "5 rue des Vignes",
        "postcode": "44190",
        "city": "Clisson",
        "region": "52",
        "email": "contact@ml-vignoble.test",
        "phone": "02 40 11 22 33",
    } | overrides


def test_list_filters_and_searches(client, world):
    client.force_login(world.facilitateur.user)
    response = client.get(reverse("accounts:organisation_list"), {"kind": OrganisationKind.PRESCRIPTEUR})
    names = [o.name for o in response.context["page"].object_list]
    assert names == sorted([world.prescriber_org.name, world.sibling_prescriber_org.name, world.shared_partner.name])
    response = client.get(reverse("accounts:organisation_list"), {"q": "france"})
    assert [o.name for o in response.context["page"].object_list] == [world.sibling_prescriber_org.name]


def test_list_search_without_result_shows_an_empty_state(client, world):
    client.force_login(world.facilitateur.user)
    response = client.get(reverse("accounts:organisation_list"), {"q": "introuvable"})
    assert "Aucune organisation ne correspond" in text(response)


def test_list_is_paginated(client, world, settings):
    settings.PAGINATE_BY = 2
    client.force_login(world.facilitateur.user)
    first = client.get(reverse("accounts:organisation_list"))
    assert len(first.context["page"].object_list) == 2
    assert first.context["page"].paginator.count == 5
    assert "1 à 2 sur 5" in text(first)
    beyond = client.get(reverse("accounts:organisation_list"), {"page": "99"})
    assert beyond.context["page"].number == 3


def test_admin_registers_a_partner_linked_to_the_structure(client, world):
    client.force_login(world.admin.user)
    response = client.post(reverse("accounts:organisation_create"), partner_data())
    organisation = Organisation.objects.get(name="Mission Locale du Vignoble")
    assert response.url == reverse("accounts:organisation_detail", args=[organisation.public_id])
    assert list(organisation.partner_structures.all()) == [world.structure]
    assert organisation.history.exists()


def test_partner_cannot_be_declared_a_structure_porteuse(client, world):
    client.force_login(world.admin.user)
    response = client.post(reverse("accounts:organisation_create"), partner_data(kind=OrganisationKind.FACILITATION))
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in text(response)
    assert not Organisation.objects.filter(name="Mission Locale du Vignoble").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("siret", "12345678901234", "clé de contrôle est fausse"),
        ("siret", "123", "Un SIRET compte 14 chiffres"),
        ("postcode", "4419", "Un code postal compte 5 chiffres"),
        ("prescriber_type", "", "Précisez le type de prescripteur"),
        ("name", "", "Ce champ est obligatoire"),
        ("email", "pas-une-adresse", "Saisissez une adresse de courriel valide"),
    ],
)
def test_bad_partner_input_gets_a_french_message_and_saves_nothing(client, world, field, value, message):
    client.force_login(world.admin.user)
    count = Organisation.objects.count()
    response = client.post(reverse("accounts:organisation_create"), partner_data(**{field: value}))
    assert response.status_code == 200
    assert message in text(response)
    assert Organisation.objects.count() == count


def test_duplicate_siret_of_a_known_partner_links_to_it(client, world):
    client.force_login(world.admin.user)
    response = client.post(reverse("accounts:organisation_create"), partner_data(siret=world.prescriber_org.siret))
    page = text(response)
    assert "Ce SIRET est déjà celui de" in page
    assert reverse("accounts:organisation_detail", args=[world.prescriber_org.public_id]) in page


def test_duplicate_siret_registered_elsewhere_offers_to_attach_it(client, world):
    client.force_login(world.admin.user)
    response = client.post(
        reverse("accounts:organisation_create"), partner_data(siret=world.other_prescriber_org.siret)
    )
    page = text(response)
    assert "est déjà inscrite dans Clauses par une autre structure porteuse" in page
    assert reverse("accounts:organisation_attach") in page
    attached = client.post(reverse("accounts:organisation_attach"), {"siret": world.other_prescriber_org.siret})
    assert attached.url == reverse("accounts:organisation_detail", args=[world.other_prescriber_org.public_id])
    assert world.structure in world.other_prescriber_org.partner_structures.all()
    assert client.get(attached.url).status_code == 200


def test_a_structure_cannot_be_attached_as_a_partner(client, world):
    client.force_login(world.admin.user)
    response = client.post(
        reverse("accounts:organisation_attach"), {"siret": world.other_structure.siret}, follow=True
    )
    assert "Aucune organisation partenaire active ne porte ce SIRET" in text(response)
    assert not world.other_structure.partner_structures.exists()


def test_admin_edits_the_structure_but_cannot_change_its_kind(client, world):
    client.force_login(world.admin.user)
    url = reverse("accounts:organisation_update", args=[world.structure.public_id])
    data = partner_data(name="PLIE Métropole renommé", kind=OrganisationKind.PRESCRIPTEUR, siret=world.structure.siret)
    response = client.post(url, data)
    assert response.status_code == 302
    world.structure.refresh_from_db()
    assert world.structure.name == "PLIE Métropole renommé"
    assert world.structure.kind == OrganisationKind.FACILITATION
    assert world.structure.prescriber_type == ""


def test_detail_shows_members_to_admin_with_their_state(client, world):
    MembershipFactory(organisation=world.structure, is_active=False, user__last_name="Désactivé")
    client.force_login(world.admin.user)
    page = text(client.get(reverse("accounts:organisation_detail", args=[world.structure.public_id])))
    assert "Désactivé" in page and "Rétablir l'accès" in page


def test_detail_hides_deactivated_members_from_facilitators(client, world):
    MembershipFactory(organisation=world.structure, is_active=False, user__last_name="Démissionnaire")
    client.force_login(world.facilitateur.user)
    page = text(client.get(reverse("accounts:organisation_detail", args=[world.structure.public_id])))
    assert "Démissionnaire" not in page
    assert "Désactiver" not in page


def test_prescriber_sees_facilitators_of_the_structure_but_not_its_committee(client, world):
    client.force_login(world.prescripteur.user)
    page = text(client.get(reverse("accounts:organisation_detail", args=[world.structure.public_id])))
    assert world.facilitateur.user.last_name in page
    assert world.comite.user.email not in page


def test_unrelated_organisation_is_not_listed(client, world):
    OrganisationFactory(prescriber=True, name="Organisation sans lien")
    client.force_login(world.facilitateur.user)
    page = text(client.get(reverse("accounts:organisation_list")))
    assert "Organisation sans lien" not in page


def test_siret_typed_with_spaces_is_accepted_and_compacted(client, world):
    client.force_login(world.admin.user)
    siret = make_valid_siret("44556677")
    spaced = f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"
    client.post(reverse("accounts:organisation_create"), partner_data(siret=spaced))
    assert Organisation.objects.get(name="Mission Locale du Vignoble").siret == siret


def test_registered_partner_is_managed_by_the_structure_that_registered_it(client, world):
    client.force_login(world.admin.user)
    client.post(reverse("accounts:organisation_create"), partner_data())
    assert Organisation.objects.get(name="Mission Locale du Vignoble").registered_by == world.structure


@pytest.mark.parametrize("siret", ["", "   ", "123"])
def test_attach_without_a_valid_siret_attaches_nothing(client, world, siret):
    client.force_login(world.admin.user)
    partners = set(world.structure.partners.all())
    response = client.post(reverse("accounts:organisation_attach"), {"siret": siret}, follow=True)
    assert "SIRET" in text(response)
    assert set(world.structure.partners.all()) == partners


def test_a_network_head_cannot_be_attached(client, world):
    network = world.reseau.organisation
    client.force_login(world.admin.user)
    response = client.post(reverse("accounts:organisation_attach"), {"siret": network.siret}, follow=True)
    assert "Aucune organisation partenaire active ne porte ce SIRET" in text(response)
    assert not network.partner_structures.exists()


def test_attached_partner_is_seen_but_not_managed(client, world):
    client.force_login(world.admin.user)
    client.post(reverse("accounts:organisation_attach"), {"siret": world.other_prescriber_org.siret})
    page = text(client.get(reverse("accounts:organisation_detail", args=[world.other_prescriber_org.public_id])))
    assert f"Fiche et comptes gérés par {world.other_structure.name}" in page
    assert "Inviter une personne" not in page and "Modifier" not in page
    url = reverse("accounts:organisation_update", args=[world.other_prescriber_org.public_id])
    assert client.post(url, partner_data(kind=OrganisationKind.FINANCEUR)).status_code == 404
    world.other_prescriber_org.refresh_from_db()
    assert world.other_prescriber_org.kind == OrganisationKind.PRESCRIPTEUR


def test_kind_change_that_would_strand_people_is_refused(client, world):
    client.force_login(world.admin.user)
    url = reverse("accounts:organisation_update", args=[world.prescriber_org.public_id])
    response = client.post(url, partner_data(kind=OrganisationKind.FINANCEUR, siret=world.prescriber_org.siret))
    assert "désactivez leur accès avant de changer le type" in text(response)
    world.prescriber_org.refresh_from_db()
    assert world.prescriber_org.kind == OrganisationKind.PRESCRIPTEUR


def test_unknown_or_malformed_identifiers_get_the_french_404_page(client, world):
    client.force_login(world.facilitateur.user)
    unknown = client.get(reverse("accounts:organisation_detail", args=["3f1c2b9e-0000-4000-8000-000000000000"]))
    assert unknown.status_code == 404
    assert "Page introuvable" in text(unknown)
    assert client.get("/organisations/pas-un-identifiant/").status_code == 404
