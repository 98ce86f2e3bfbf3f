import datetime
import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from participants.enums import ConsentMethod, ProofKind, ProofStatus, QualificationLevel, ReferralStatus, Sex
from participants.models import Consent, Participant, Proof, Referral
from tests.accounts.factories import OrganisationFactory

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf_upload(name="attestation.pdf", content=MINIMAL_PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png_bytes():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant
        skip_postgeneration_save = True

    structure = factory.SubFactory(OrganisationFactory)
    last_name = factory.Faker("last_name", locale="fr_FR")
    first_name = factory.Faker("first_name", locale="fr_FR")
    birth_date = datetime.date(1985, 4, 12)
    sex = Sex.HOMME
    city = "Rezé"
    postcode = "44400"
    qualification_level = QualificationLevel.NIVEAU_3
    registration_date = datetime.date(2024, 1, 15)

    @factory.post_generation
    def consent(self, create, value, **kwargs):
        """A consent on record, unless ParticipantFactory(consent=False)."""
        if create and value is not False:
            Consent.objects.create(participant=self, given_on=datetime.date(2026, 1, 5), method=ConsentMethod.ECRIT)


class ReferralFactory(factory.django.DjangoModelFactory):
    """A fiche navette sent by a prescriber to a structure; a submitted one by default."""

    class Meta:
        model = Referral

    structure = factory.SubFactory(OrganisationFactory)
    prescriber_organisation = factory.SubFactory(OrganisationFactory, prescriber=True)
    status = ReferralStatus.SOUMISE
    last_name = factory.Faker("last_name", locale="fr_FR")
    first_name = factory.Faker("first_name", locale="fr_FR")
    birth_date = datetime.date(1990, 6, 1)
    sex = Sex.FEMME
    city = "Nantes"
    registration_date = datetime.date(2024, 3, 1)
    motivation = "Expérience en peinture, souhaite reprendre sur chantier."
    consent_confirmed = True
    consent_method = ConsentMethod.ECRIT
    consent_date = datetime.date(2026, 10, 1)
    submitted_at = factory.LazyFunction(lambda: datetime.datetime(2026, 10, 2, 9, 0, tzinfo=datetime.UTC))


class ProofFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proof

    structure = factory.SelfAttribute("participant.structure")
    participant = factory.SubFactory(ParticipantFactory)
    kind = ProofKind.ATTESTATION_FRANCE_TRAVAIL
    file = factory.LazyFunction(lambda: pdf_upload())
    original_name = "attestation.pdf"
    content_type = "application/pdf"
    size = len(MINIMAL_PDF)
    issue_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=20))  # fresh
    status = ProofStatus.VERIFIE


DISTINCTIVE_NAMES = [("Ondine", "Quarterolle"), ("Aurèle", "Vintabrac"), ("Sidonie", "Klervanec")]


def give_distinctive_names(*people):
    """Names found nowhere else on a page, in a PDF or an e-mail (a random name may be a facilitator's, or part of
    a company's name): for tests asserting that a name is *not* shown."""
    for person, (first_name, last_name) in zip(people, DISTINCTIVE_NAMES, strict=False):
        person.first_name, person.last_name = first_name, last_name
        person.save()
