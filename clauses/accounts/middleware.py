import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
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


# --- Session lifetime and second factor --------------------------------------------------------------------------

LOGGED_IN_AT_KEY = "logged_in_at"
LAST_SEEN_KEY = "last_seen_at"
SECOND_FACTOR_KEY = "second_factor_required"
POLL_HEADER = "X-Clauses-Poll"  # sent by pages that refresh themselves (hx-trigger="every …")


def start_session_clock(request, user):
    """At login: when the session began and was last used, and whether the account asks for a second factor."""
    from clauses.accounts.second_factor import has_second_factor

    now = int(time.time())
    request.session[LOGGED_IN_AT_KEY] = now
    request.session[LAST_SEEN_KEY] = now
    request.session[SECOND_FACTOR_KEY] = has_second_factor(user)


class SessionTimeoutMiddleware:
    """Ends a session after SESSION_IDLE_TIMEOUT seconds without a request, and SESSION_COOKIE_AGE seconds after the
    login whatever the activity. The last request's time is written at most every few minutes (one session write,
    not one per request)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            idle_limit = settings.SESSION_IDLE_TIMEOUT
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            logged_in_at = request.session.get(LOGGED_IN_AT_KEY, now)
            if now - last_seen > idle_limit or now - logged_in_at > settings.SESSION_COOKIE_AGE:
                idle = now - last_seen > idle_limit
                logout(request)
                messages.info(
                    request,
                    f"Votre session a pris fin après {idle_limit // 60} minutes sans activité : reconnectez-vous."
                    if idle
                    else "Votre session a atteint sa durée maximale : reconnectez-vous.",
                )
                return self._to_login(request)
            if LOGGED_IN_AT_KEY not in request.session:  # a session opened before this check existed
                request.session[LOGGED_IN_AT_KEY] = now
            # A page polling on its own (a bilan's progress) is not the user's activity.
            polling = request.headers.get(POLL_HEADER) == "1"
            if not polling and (LAST_SEEN_KEY not in request.session or now - last_seen >= min(300, idle_limit // 10)):
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)

    @staticmethod
    def _to_login(request):
        response = redirect_to_login(request.get_full_path())
        if getattr(request, "htmx", False):  # htmx would swap the login page into a fragment: reload the page
            login_url, response = response["Location"], HttpResponse(status=204)
            response["HX-Redirect"] = login_url
        return response


def second_factor_pending_allowed(view_func):
    """Let a user who has given their password but not yet their second factor open the view (code, logout)."""
    view_func.second_factor_pending_allowed = True
    return view_func


class SecondFactorMiddleware:
    """Keeps every page closed to a session whose account has a second factor, until its code is given."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (
            not request.session.get(SECOND_FACTOR_KEY)
            or not getattr(view_func, "login_required", True)
            or getattr(view_func, "second_factor_pending_allowed", False)
            or not request.user.is_authenticated
            or request.user.is_verified()
        ):
            return None
        return redirect(f"{reverse('accounts:second_factor_verify')}?{urlencode({'next': request.get_full_path()})}")
