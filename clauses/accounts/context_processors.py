from clauses.accounts.enums import Role


def active_membership(request):
    """The active membership and role, for the header and the role-aware navigation."""
    membership = getattr(request, "membership", None)
    return {
        "membership": membership,
        "memberships": getattr(request, "memberships", []),
        "Role": Role,
    }
