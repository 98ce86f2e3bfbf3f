from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from clauses.accounts.models import Membership

SESSION_KEY = "active_membership"


def memberships_of(user):
    """The active memberships a user can work through, with their organisation (one query)."""
    return list(Membership.objects.active().filter(user=user).select_related("organisation"))


class ActiveMembershipMiddleware:
    """Sets `request.membership` (the membership the user works through now) and `request.memberships`.

    A user with one membership works through it; a user with several chooses one, kept in the session:
    until they do, pages that need a membership send them to the choice page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        request.memberships = []
        if request.user.is_authenticated:
            request.memberships = memberships_of(request.user)
            if len(request.memberships) == 1:
                request.membership = request.memberships[0]
            else:
                chosen = request.session.get(SESSION_KEY)
                request.membership = next((m for m in request.memberships if str(m.public_id) == chosen), None)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (
            request.membership is None
            and len(request.memberships) > 1
            and not getattr(view_func, "membership_not_required", False)
            and getattr(view_func, "login_required", True)
            and request.resolver_match.namespace != "admin"
        ):
            return redirect(f"{reverse('accounts:choose_membership')}?{urlencode({'next': request.get_full_path()})}")
        return None
