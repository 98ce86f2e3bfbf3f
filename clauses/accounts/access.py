"""The one access layer of Clauses.

Every view reaches data through this module:
- `visible(request, Model)` gives the queryset of what the active membership may see;
- `get_visible_or_404(request, Model, public_id=…)` looks one object up and answers 404 when it is
  missing *or* outside the user's scope (the two are indistinguishable on purpose);
- `manageable(request, Model)` / `get_manageable_or_404(...)` do the same for what the membership may
  change, which can be narrower than what it sees (a partner registered by another structure);
- `role_required(...)` says which roles may open a view at all (403 for the others).

What a role sees and changes of a model is declared once, on the model's QuerySet, by subclassing
`ScopedQuerySet` and overriding the `for_*` methods. Views never filter by structure by hand.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import get_object_or_404

from clauses.accounts.enums import OrganisationKind, Role
from clauses.changes import SignalledQuerySet

# The kind of organisation each role works in: a membership that does not fit is treated as no membership.
ORGANISATION_KIND_OF_ROLE = {
    Role.FACILITATEUR: OrganisationKind.FACILITATION,
    Role.ADMIN: OrganisationKind.FACILITATION,
    Role.COMITE: OrganisationKind.FACILITATION,
    Role.PRESCRIPTEUR: OrganisationKind.PRESCRIPTEUR,
    Role.RESEAU: OrganisationKind.RESEAU,
}


def effective_role(membership):
    """The role a membership gives, or None when it gives nothing (inactive, or role and organisation at odds)."""
    if membership is None or not membership.is_active:
        return None
    if ORGANISATION_KIND_OF_ROLE.get(membership.role) != membership.organisation.kind:
        return None
    return membership.role


class ScopedQuerySet(SignalledQuerySet, models.QuerySet):
    """Base of every QuerySet of data belonging to a structure porteuse (its bulk writes are told: `clauses.changes`).

    `structure_lookup` is the ORM path from the model to its structure porteuse (an Organisation
    of kind facilitation). By default, facilitators and admins of a structure see and change its data,
    prescribers and committee members see nothing: models open more by overriding `for_prescriber` /
    `for_committee`, and restrict changes by overriding `managed_by_structure`.
    """

    structure_lookup = "structure"

    def visible_to(self, membership):
        match effective_role(membership):
            case Role.FACILITATEUR | Role.ADMIN:
                return self.for_structure(membership.organisation)
            case Role.PRESCRIPTEUR:
                return self.for_prescriber(membership.organisation)
            case Role.COMITE:
                return self.for_committee(membership.organisation)
        # Network admins (national or regional) see aggregates only, never rows.
        return self.none()

    def manageable_by(self, membership):
        """What the membership may change: only facilitators and admins, within their structure."""
        if effective_role(membership) in (Role.FACILITATEUR, Role.ADMIN):
            return self.managed_by_structure(membership.organisation)
        return self.none()

    def for_structure(self, structure):
        return self.filter(**{self.structure_lookup: structure})

    def managed_by_structure(self, structure):
        return self.for_structure(structure)

    def for_prescriber(self, organisation):
        return self.none()

    def for_committee(self, structure):
        return self.none()


def _queryset(model_or_queryset):
    if isinstance(model_or_queryset, models.QuerySet):
        return model_or_queryset
    return model_or_queryset._default_manager.all()


def visible(request, model_or_queryset):
    """What the active membership of `request` may see of a model (or of a narrower queryset)."""
    return _queryset(model_or_queryset).visible_to(request.membership)


def get_visible_or_404(request, model_or_queryset, **lookup):
    """One object the active membership may see, else 404 (also when it exists elsewhere)."""
    return get_object_or_404(visible(request, model_or_queryset), **lookup)


def manageable(request, model_or_queryset):
    """What the active membership of `request` may change."""
    return _queryset(model_or_queryset).manageable_by(request.membership)


def get_manageable_or_404(request, model_or_queryset, **lookup):
    """One object the active membership may change, else 404."""
    return get_object_or_404(manageable(request, model_or_queryset), **lookup)


def role_required(*roles):
    """Open a view to the active memberships having one of `roles`; 403 for every other one."""
    allowed = frozenset(roles)

    def decorator(view_func):
        @wraps(view_func)
        def wrapper(request, *args, **kwargs):
            if effective_role(request.membership) not in allowed:
                if request.membership is None:
                    raise PermissionDenied(
                        "Votre compte n'est rattaché à aucune structure active. "
                        "Demandez à l'administrateur de votre structure de vous inviter."
                    )
                raise PermissionDenied("Votre rôle ne donne pas accès à cette page.")
            return view_func(request, *args, **kwargs)

        wrapper.allowed_roles = allowed
        return wrapper

    return decorator


def any_role(view_func):
    """Open a view to every active membership, whatever its role (the view scopes its data itself)."""
    return role_required(*Role.values)(view_func)


def membership_not_required(view_func):
    """Let a logged-in user without an active membership open the view (choice of membership, account)."""
    view_func.membership_not_required = True
    return view_func


def structures_for_aggregates(membership):
    """The structures porteuses whose figures the membership may see as aggregates (dashboards)."""
    from clauses.accounts.models import Organisation

    structures = Organisation.objects.filter(kind=OrganisationKind.FACILITATION, is_active=True)
    organisation = membership.organisation if membership else None
    match effective_role(membership):
        case Role.FACILITATEUR | Role.ADMIN | Role.COMITE:
            return structures.filter(pk=organisation.pk)
        case Role.RESEAU:
            return structures.filter(region=organisation.region) if organisation.region else structures
    return structures.none()
