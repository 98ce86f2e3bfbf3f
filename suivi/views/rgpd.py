"""RGPD pages on one participant: the subject access export (JSON, PDF) and the anonymisation asked for at once
(after a consent withdrawal). They live in `suivi` because they read the whole parcours."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from clauses.accounts.access import get_manageable_or_404, get_visible_or_404, role_required
from clauses.accounts.enums import Role
from clauses.pdf import pdf_response, render_pdf
from participants import services as participant_services
from participants.enums import ViewKind
from participants.models import Participant
from suivi import retention, subject_access
from suivi.views.common import staff_only

admin_only = role_required(Role.ADMIN)
FORMATS = {"json": ViewKind.EXPORT_JSON, "pdf": ViewKind.EXPORT_PDF}


@staff_only
def participant_export(request, public_id, fmt):
    """Everything the structure holds on the person, for their right of access: the structure's facilitators and
    administrators answer it (a prescriber sees only part of the record, and the request goes to the structure)."""
    if fmt not in FORMATS:
        raise Http404("Format inconnu.")
    participant = get_visible_or_404(request, Participant.objects.select_related("structure", "referent_organisation"),
                                     public_id=public_id)  # fmt: skip
    participant_services.view_log(participant_id=participant.pk, user=request.user, what=FORMATS[fmt])
    data = subject_access.collect(participant)
    stem = f"donnees-personnelles-{str(participant.public_id)[:8]}"
    if fmt == "json":
        content = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        response = HttpResponse(content, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stem}.json"'
        response["Cache-Control"] = "private, no-store"
        return response
    context = {"data": data, "participant": participant, "generated": data["établi le"]}
    content = render_pdf("pdf/subject_access.html", context)
    return pdf_response(content, stem)


@admin_only
def participant_anonymise(request, public_id):
    """Anonymise a person now, on an administrator's decision (after a consent withdrawal), when nothing requires
    keeping the record (`retention.can_anonymise_now`)."""
    participant = get_manageable_or_404(request, Participant, public_id=public_id)
    allowed, reason = retention.can_anonymise_now(participant)
    if request.method == "POST" and allowed:
        if request.POST.get("confirm") != "oui":
            messages.error(request, "Cochez la case pour confirmer l'anonymisation.")
        else:
            try:
                retention.participant_anonymise(participant=participant, by=request.user, at_request=True)
            except ValidationError as error:
                messages.error(request, error.messages[0])
            else:
                messages.success(request, "La personne est anonymisée : son identité et ses documents sont effacés.")
            return redirect(participant)
    return render(
        request,
        "suivi/participant_anonymise.html",
        {"participant": participant, "allowed": allowed, "reason": reason},
    )
