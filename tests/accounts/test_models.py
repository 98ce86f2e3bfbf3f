import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from clauses.accounts.enums import OrganisationKind, PrescriberType, Role
from clauses.accounts.models import Membership, Organisation, User
from clauses.accounts.validators import make_valid_siret, validate_siret
from tests.accounts.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_user_logs_in_by_email_normalised_to_lower_case():
    user = User.objects.create_user("Camille.Martin@Exemple.TEST", "x" * 12, first_name="Camille", last_name="Martin")
    assert user.email == "camille.martin@exemple.test"
    assert User.objects.get_by_natural_key("CAMILLE.MARTIN@exemple.test") == user


def test_two_users_cannot_share_an_email_whatever_its_case():
    UserFactory(email="karim@exemple.test")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="KARIM@exemple.test", first_name="K", last_name="B")


def test_user_str_carries_no_personal_data():
    user = UserFactory(email="nadia.haddad@exemple.test", first_name="Nadia", last_name="Haddad")
    text = str(user)
    assert "nadia" not in text.lower() and "haddad" not in text.lower() and "@" not in text


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1234", "14 chiffres"),
        ("1234567890123A", "que des chiffres"),
        ("12345678901234", "clé de contrôle"),
    ],
)
def test_invalid_siret_gets_a_french_message(value, message):
    with pytest.raises(ValidationError) as error:
        validate_siret(value)
    assert message in error.value.messages[0]


def test_make_valid_siret_gives_valid_siren_and_siret():
    validate_siret(make_valid_siret("41235678", "0042"))


def test_organisation_siret_is_compacted_and_unique():
    structure = OrganisationFactory.build(siret="", name="PLIE")
    structure.siret = " ".join([make_valid_siret("41235678")[i : i + 3] for i in range(0, 14, 3)])
    structure.full_clean()
    structure.save()
    assert len(structure.siret) == 14
    duplicate = OrganisationFactory.build(siret=structure.siret)
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "siret" in str(error.value.message_dict).lower()


def test_prescriber_needs_its_sub_type_in_form_and_database():
    organisation = Organisation(name="Mission Locale", kind=OrganisationKind.PRESCRIPTEUR)
    with pytest.raises(ValidationError) as error:
        organisation.full_clean()
    assert error.value.message_dict["prescriber_type"] == ["Précisez le type de prescripteur."]
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="Mission Locale", kind=OrganisationKind.PRESCRIPTEUR)


def test_clean_drops_sub_types_that_do_not_fit_the_kind():
    organisation = Organisation(
        name="DDETS", kind=OrganisationKind.FINANCEUR, prescriber_type=PrescriberType.SPIP, structure_type="plie"
    )
    organisation.full_clean()
    assert organisation.prescriber_type == "" and organisation.structure_type == ""


@pytest.mark.parametrize(
    ("organisation_kind", "role", "allowed"),
    [
        ("facilitation", Role.FACILITATEUR, True),
        ("facilitation", Role.ADMIN, True),
        ("facilitation", Role.COMITE, True),
        ("facilitation", Role.PRESCRIPTEUR, False),
        ("prescriber", Role.PRESCRIPTEUR, True),
        ("prescriber", Role.FACILITATEUR, False),
        ("prescriber", Role.ADMIN, False),
        ("network", Role.RESEAU, True),
        ("network", Role.ADMIN, False),
        ("financeur", Role.COMITE, False),
    ],
)
def test_roles_fit_the_kind_of_organisation(organisation_kind, role, allowed):
    traits = {} if organisation_kind == "facilitation" else {organisation_kind: True}
    membership = Membership(user=UserFactory(), organisation=OrganisationFactory(**traits), role=role)
    if allowed:
        membership.full_clean()
    else:
        with pytest.raises(ValidationError) as error:
            membership.full_clean()
        assert "les rôles possibles sont" in error.value.message_dict["role"][0]


def test_one_membership_per_user_and_organisation():
    membership = MembershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=membership.user, organisation=membership.organisation, role=Role.ADMIN)


def test_history_is_kept_on_organisations_and_memberships():
    membership = MembershipFactory()
    membership.role = Role.ADMIN
    membership.save()
    organisation = membership.organisation
    organisation.name = "PLIE renommé"
    organisation.save()
    assert [h.role for h in membership.history.order_by("history_date")] == [Role.FACILITATEUR, Role.ADMIN]
    assert organisation.history.first().name == "PLIE renommé"
    assert organisation.history.count() == 2
