"""Factories of the reporting app: bilans asked for, in any state."""

import factory
from django.core.files.base import ContentFile

from reporting.models import JobStatus, ReportJob, ReportKind

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


class ReportJobFactory(factory.django.DjangoModelFactory):
    """A buyer's bilan waiting for the worker. Traits: `done` (with its PDF), `failed`."""

    class Meta:
        model = ReportJob

    kind = ReportKind.BILAN_ACHETEUR
    key = factory.Sequence(lambda n: f"bilan_acheteur:test-{n}")
    title = "Bilan de la Ville de Rezé du 01/01/2026 au 31/10/2026"
    filename = "bilan-ville-de-reze-20260101-20261031.pdf"
    parameters = factory.LazyFunction(dict)

    class Params:
        done = factory.Trait(
            status=JobStatus.TERMINE,
            progress=100,
            file=factory.LazyFunction(lambda: ContentFile(MINIMAL_PDF, name="bilan.pdf")),
        )
        failed = factory.Trait(status=JobStatus.ECHEC, error="Le bilan n'a pas pu être préparé.")
