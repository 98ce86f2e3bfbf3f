import factory
from django.contrib.auth.hashers import make_password

from clauses.accounts.enums import OrganisationKind, PrescriberType, Region, Role, StructureType
from clauses.accounts.models import Membership, Organisation, User
from clauses.accounts.validators import make_valid_siret

DEFAULT_PASSWORD = "mot-de-passe-de-test"
_HASHED_PASSWORD = make_password(DEFAULT_PASSWORD)  # hashed once: hashing per user would slow every test


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"utilisateur{n}@exemple.test")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    job_title = "Chargé de mission"
    password = _HASHED_PASSWORD


class OrganisationFactory(factory.django.DjangoModelFactory):
    """A structure porteuse by default; traits give the other kinds."""

    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"PLIE de test n°{n}")
    kind = OrganisationKind.FACILITATION
    structure_type = StructureType.PLIE
    siret = factory.Sequence(lambda n: make_valid_siret(f"{10000000 + n}"))
    city = "Nantes"
    postcode = "44000"
    region = Region.PAYS_DE_LA_LOIRE

    class Params:
        prescriber = factory.Trait(
            name=factory.Sequence(lambda n: f"Mission Locale de test n°{n}"),
            kind=OrganisationKind.PRESCRIPTEUR,
            structure_type="",
            prescriber_type=PrescriberType.MISSION_LOCALE,
            region="",
        )
        financeur = factory.Trait(
            name=factory.Sequence(lambda n: f"Financeur de test n°{n}"),
            kind=OrganisationKind.FINANCEUR,
            structure_type="",
            region="",
        )
        network = factory.Trait(
            name=factory.Sequence(lambda n: f"Réseau de test n°{n}"),
            kind=OrganisationKind.RESEAU,
            structure_type="",
            region="",
        )

    @factory.post_generation
    def partner_of(self, create, structures, **kwargs):
        """OrganisationFactory(prescriber=True, partner_of=[structure])."""
        if create and structures:
            self.partner_structures.add(*structures)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.FACILITATEUR

    class Params:
        admin = factory.Trait(role=Role.ADMIN)
        comite = factory.Trait(role=Role.COMITE)
        prescripteur = factory.Trait(
            role=Role.PRESCRIPTEUR, organisation=factory.SubFactory(OrganisationFactory, prescriber=True)
        )
        reseau = factory.Trait(role=Role.RESEAU, organisation=factory.SubFactory(OrganisationFactory, network=True))
