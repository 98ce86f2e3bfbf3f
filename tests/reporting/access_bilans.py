"""Access cases of the bilans: the structure's staff; committee members for the bilans shared with them."""

from django.urls import reverse

from tests.access import Case, expect, url
from tests.reporting.factories import ReportJobFactory

STAFF_OR_COMMITTEE = expect(403, facilitateur=200, admin=200, comite=200)


def job_url(name, **traits):
    def make(w, structure="structure"):
        return reverse(name, args=[ReportJobFactory(structure=getattr(w, structure), **traits).public_id])

    return make


def other_job_url(name, **traits):
    return lambda w: job_url(name, **traits)(w, structure="other_structure")


CASES = {
    "reporting:bilan_list": [Case("liste", url("reporting:bilan_list"), STAFF_OR_COMMITTEE)],
    "reporting:bilan_request": [
        Case("formulaire vide", url("reporting:bilan_request"), expect(403, facilitateur=400, admin=400), "post"),
    ],
    "reporting:bilan_request_year": [
        Case("année manquante", url("reporting:bilan_request_year"), expect(403, facilitateur=400, admin=400), "post"),
    ],
    "reporting:job_detail": [
        Case("non partagé", job_url("reporting:job_detail", done=True), expect(403, facilitateur=200, admin=200,
             comite=404)),
        Case("partagé avec le comité", job_url("reporting:job_detail", done=True, shared_with_committee=True),
             STAFF_OR_COMMITTEE),
        Case("autre structure", other_job_url("reporting:job_detail", done=True, shared_with_committee=True),
             expect(403, facilitateur=404, admin=404, comite=404)),
    ],
    "reporting:job_download": [
        Case("non partagé", job_url("reporting:job_download", done=True), expect(403, facilitateur=200, admin=200,
             comite=404)),
        Case("partagé avec le comité", job_url("reporting:job_download", done=True, shared_with_committee=True),
             STAFF_OR_COMMITTEE),
        Case("pas encore prêt", job_url("reporting:job_download"), expect(403, facilitateur=404, admin=404,
             comite=404)),
        Case("autre structure", other_job_url("reporting:job_download", done=True),
             expect(403, facilitateur=404, admin=404, comite=404)),
    ],
    "reporting:job_retry": [
        Case("en échec", job_url("reporting:job_retry", failed=True), expect(403, facilitateur=302, admin=302),
             "post"),
        Case("autre structure", other_job_url("reporting:job_retry", failed=True),
             expect(403, facilitateur=404, admin=404), "post"),
    ],
}  # fmt: skip
