"""What the suivi views share: who may open them, and how a service's refusal reaches a form."""

from clauses.accounts.access import role_required
from clauses.accounts.enums import Role

STAFF = (Role.FACILITATEUR, Role.ADMIN)
staff_only = role_required(*STAFF)
staff_or_prescriber = role_required(*STAFF, Role.PRESCRIPTEUR)


def is_staff(request):
    return request.membership.role in STAFF


def form_errors_from(error, form):
    """A service's ValidationError shown on the form (field errors on their field, others on top)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
