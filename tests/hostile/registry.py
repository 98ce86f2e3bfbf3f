"""Every URL that accepts POST × what hostile input it gets.

`HOSTILE` lists, for each URL name whose view reads POST data, how to submit its form: by default the URL and the
role come from the first access case (tests/test_access.py) where that role may open it, and the fields are read
from the page's form. `test_every_post_url_has_a_hostile_entry` fails when a view reading POST has no entry here:
a new form cannot ship without being tried with hostile values.
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import URLResolver, get_resolver, reverse

from clauses.accounts.enums import Role

PROJECT_MODULES = ("clauses", "marches", "participants", "suivi", "comites", "reporting")
SUBMITTERS = (Role.FACILITATEUR, Role.ADMIN, Role.PRESCRIPTEUR, Role.COMITE, Role.RESEAU, "anonyme")


@dataclass(frozen=True)
class Hostile:
    """How one URL gets hostile input.

    page: the form is read from the page (GET); otherwise the view is a POST-only action and `params` are the
        names it reads from request.POST.
    valid: world → values that, on top of the page's own, make the form valid (for the markup round trip).
    plain: text fields that must keep a well-formed value for the form to be valid (SIRET, e-mail…), left out of
        the markup round trip.
    shows: world → URLs of pages that display the submitted text, besides the redirect target.
    role/url: override the access cases' choice.
    markup: whether the markup round trip runs (False when the form stores no free text, with the reason).
    """

    page: bool = True
    params: tuple = ()
    valid: Callable | None = None
    plain: tuple = ()
    shows: Callable = lambda w: []
    role: str | None = None
    url: Callable | None = None
    markup: bool | str = True
    form_page: Callable | None = None  # world → the page holding the form, when it is not the URL itself


def action(*params, markup="action sans texte libre", **kwargs):
    """A POST-only action (a button): the hostile values go to the parameters it reads; one that reads none gets
    junk parameters all the same (`next`, a name of markup), which it must ignore."""
    return Hostile(page=False, params=params or ("next", "<b>champ</b>"), markup=markup, **kwargs)


NO_TEXT = "aucun texte libre enregistré"
SAME_FORM = "même formulaire que %s, où l'aller-retour du balisage est vérifié"  # hostile values tried here too


def _new_participant(world):
    """Someone of the structure not yet positioned anywhere."""
    from tests.participants.factories import ParticipantFactory

    return ParticipantFactory(structure=world.structure, referent_organisation=world.prescriber_org)


def _grid_url(name, obj):
    """A month when the world's contracts run (March 2026), so that the grid has rows and its form."""
    return reverse(name, args=[obj.public_id]) + "?mois=2026-03"


def _reset_url(user):
    """A valid password reset link (Django then moves it to its set-password address)."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = type(user).objects.get(pk=user.pk)  # as stored: an earlier login rolled back left its date in memory
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse(
        "accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": default_token_generator.make_token(user)}
    )


HOSTILE = {
    # accounts
    "accounts:login": Hostile(markup="connexion : rien n'est enregistré"),
    "accounts:logout": action(markup="déconnexion : aucun paramètre lu"),
    "accounts:password_reset": Hostile(markup="demande de lien : rien n'est enregistré"),
    "accounts:password_reset_confirm": Hostile(
        role="anonyme",
        url=lambda w: _reset_url(w.facilitateur.user),
        markup="mot de passe : jamais affiché",
    ),
    "accounts:password_change": Hostile(markup="mot de passe : jamais affiché"),
    "accounts:profile": Hostile(),
    "accounts:choose_membership": Hostile(markup=NO_TEXT),
    "accounts:second_factor_setup": Hostile(markup="code à usage unique : jamais enregistré ni affiché"),
    "accounts:second_factor_recovery_codes": action(),
    "accounts:second_factor_disable": action("code", markup="code à usage unique : jamais enregistré ni affiché"),
    "accounts:second_factor_verify": action("code", "next", markup="code à usage unique : jamais enregistré"),
    "accounts:organisation_create": Hostile(markup=SAME_FORM % "accounts:organisation_update"),
    "accounts:organisation_attach": action("siret"),
    "accounts:organisation_update": Hostile(),
    "accounts:member_invite": Hostile(valid=lambda w: {"email": "invitee@exemple.fr"}),
    "accounts:membership_update": Hostile(markup=NO_TEXT),
    "accounts:membership_deactivate": Hostile(markup=NO_TEXT),
    "accounts:membership_reactivate": action(),
    "accounts:membership_resend_invitation": action(),
    # marches
    "marches:market_create": Hostile(markup=SAME_FORM % "marches:market_update"),
    "marches:market_update": Hostile(),
    "marches:market_delete": Hostile(markup="suppression"),
    "marches:lot_create": Hostile(markup=SAME_FORM % "marches:lot_update"),
    "marches:lot_update": Hostile(),
    "marches:lot_delete": Hostile(markup="suppression"),
    "marches:award_create": Hostile(markup=SAME_FORM % "marches:award_update"),
    "marches:award_update": Hostile(markup="les notes d'une attribution ne sont affichées sur aucune page"),
    "marches:award_delete": Hostile(markup="suppression"),
    "marches:buyer_create": Hostile(markup=SAME_FORM % "marches:buyer_update"),
    "marches:buyer_update": Hostile(),
    "marches:buyer_delete": Hostile(markup="suppression"),
    "marches:company_create": Hostile(markup=SAME_FORM % "marches:company_update"),
    "marches:company_update": Hostile(),
    "marches:company_delete": Hostile(markup="suppression"),
    # participants
    "participants:participant_create": Hostile(markup=SAME_FORM % "participants:participant_update"),
    "participants:participant_update": Hostile(),
    "participants:consent_record": Hostile(valid=lambda w: {"information_given": "on"}),
    "participants:consent_withdraw": Hostile(),
    "participants:proof_upload": Hostile(markup="fichier : voir tests/hostile/test_files.py"),
    "participants:diagnosis_create": Hostile(markup=NO_TEXT),
    "participants:proof_verify": action("status", "back"),
    "participants:proof_delete": Hostile(markup="suppression"),
    "participants:referral_create": Hostile(markup=SAME_FORM % "participants:referral_update"),
    "participants:referral_update": Hostile(),
    "participants:referral_proof_upload": Hostile(markup="fichier : voir tests/hostile/test_files.py"),
    "participants:referral_submit": action(),
    "participants:referral_delete": Hostile(markup="suppression"),
    "participants:referral_review": Hostile(),
    # suivi
    "suivi:participant_anonymise": action(
        "confirm",
        markup="confirmation : aucun texte libre",
        url=lambda w: reverse("suivi:participant_anonymise", args=[w.sibling_participant.public_id]),
    ),
    "suivi:offer_create": Hostile(markup=SAME_FORM % "suivi:offer_update"),
    "suivi:offer_update": Hostile(),
    "suivi:offer_status": action("status"),
    "suivi:positioning_create": Hostile(
        valid=lambda w: {"referent_informed_on": "2026-03-02", "candidate": f"p:{_new_participant(w).public_id}"}
    ),
    "suivi:positioning_decide": Hostile(),
    "suivi:contract_create": Hostile(markup=SAME_FORM % "suivi:contract_update"),
    "suivi:contract_update": Hostile(),
    "suivi:contract_delete": Hostile(markup="suppression"),
    "suivi:contract_eligibility": action(),
    "suivi:contract_hours": Hostile(markup="grille d'heures : des nombres"),
    "suivi:assignment_exception": Hostile(markup="réservé à l'alternance : le contrat du monde n'en est pas un"),
    "suivi:company_grid": Hostile(markup=NO_TEXT, url=lambda w: _grid_url("suivi:company_grid", w.company)),
    "suivi:market_grid": Hostile(markup=NO_TEXT, url=lambda w: _grid_url("suivi:market_grid", w.market)),
    "suivi:import_start": Hostile(
        markup="un fichier : fichiers hostiles tirés ici, cellules hostiles dans tests/hostile/test_imports.py"
    ),
    "suivi:import_confirm": action("apercu"),
    "suivi:import_cancel": action(),
    "suivi:skills_review_create": action("moment"),
    "suivi:skills_review_detail": Hostile(),
    "suivi:outcome_create": Hostile(),
    "suivi:check_update": Hostile(),
    "suivi:handoff_create": Hostile(),
    "suivi:handoff_send": Hostile(),
    "suivi:handoff_acknowledge": Hostile(),
    "suivi:handoff_cancel": Hostile(markup="le motif d'annulation n'est affiché sur aucune page"),
    "suivi:event_create": Hostile(),
    "suivi:alert_close": Hostile(),
    # comites
    "comites:meeting_create": Hostile(markup=SAME_FORM % "comites:meeting_update"),
    "comites:meeting_update": Hostile(),
    "comites:meeting_prepare": action(),
    "comites:meeting_held": Hostile(markup=NO_TEXT),
    "comites:decision_create": Hostile(
        markup=SAME_FORM % "comites:decision_update"
    ),  # its GET leads to the meeting page, where the form is
    "comites:decision_update": Hostile(),
    "comites:decision_status": action("status", "next"),
    # reporting
    "reporting:bilan_request": Hostile(form_page=lambda w: reverse("reporting:bilan_list"), markup=NO_TEXT),
    "reporting:bilan_request_year": Hostile(form_page=lambda w: reverse("reporting:bilan_list"), markup=NO_TEXT),
    "reporting:job_retry": action(),
}


def _url_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's own admin, for superusers only
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _url_names(pattern.url_patterns, prefix)
        else:
            yield f"{namespace}{pattern.name}", pattern.callback


def _reads_post(function, seen):
    """Whether a view (or a helper of our apps that it calls, by name) reads the request's POST data."""
    function = inspect.unwrap(function)
    if function in seen or not inspect.isfunction(function) or not function.__module__.startswith(PROJECT_MODULES):
        return False
    seen.add(function)
    source = inspect.getsource(function)
    if any(word in source for word in ("request.POST", "request.FILES", 'request.method == "POST"')):
        return True
    return any(
        inspect.isfunction(helper) and _reads_post(helper, seen)
        for helper in (function.__globals__.get(name) for name in function.__code__.co_names)
    )


def _requires_post(function):
    """Whether one of the view's decorators is `require_POST` (or `require_http_methods` with POST)."""
    while function is not None:
        free = dict(zip(function.__code__.co_freevars, function.__closure__ or (), strict=True))
        if "request_method_list" in free and "POST" in free["request_method_list"].cell_contents:
            return True
        function = getattr(function, "__wrapped__", None)
    return False


def post_url_names():
    """The URL names whose view accepts POST: class views with a `post` method, function views decorated with
    `require_POST` or reading request.POST/FILES themselves or through a helper of our apps."""
    names = set()
    for name, callback in _url_names(get_resolver().url_patterns):
        view_class = getattr(callback, "view_class", None)
        if view_class is not None:
            if hasattr(view_class, "post"):
                names.add(name)
        elif _requires_post(callback) or _reads_post(callback, set()):
            names.add(name)
    return names
