from axes.utils import reset as axes_reset
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from clauses.accounts import second_factor, services
from clauses.accounts.access import (
    any_role,
    get_manageable_or_404,
    get_visible_or_404,
    manageable,
    membership_not_required,
    role_required,
    visible,
)
from clauses.accounts.enums import ROLES_BY_ORGANISATION_KIND, OrganisationKind, Role
from clauses.accounts.filters import OrganisationFilter
from clauses.accounts.forms import (
    ChooseMembershipForm,
    EmailAuthenticationForm,
    InviteMemberForm,
    MembershipRoleForm,
    OrganisationForm,
    PasswordResetForm,
    ProfileForm,
    SecondFactorCodeForm,
)
from clauses.accounts.middleware import SECOND_FACTOR_KEY, SESSION_KEY, second_factor_pending_allowed
from clauses.accounts.models import Membership, Organisation
from clauses.accounts.services import PARTNER_KINDS
from clauses.accounts.tasks import send_invitation_email
from clauses.pagination import paginate
from clauses.queueing import queue_after_commit
from clauses.redirects import safe_path

# --- Authentication -------------------------------------------------------------------------------------------

login = membership_not_required(
    auth_views.LoginView.as_view(
        form_class=EmailAuthenticationForm, template_name="accounts/login.html", redirect_authenticated_user=True
    )
)
logout = membership_not_required(second_factor_pending_allowed(auth_views.LogoutView.as_view()))
password_reset = membership_not_required(
    auth_views.PasswordResetView.as_view(
        form_class=PasswordResetForm,
        template_name="accounts/password_reset_form.html",
        subject_template_name="accounts/emails/password_reset_subject.txt",
        email_template_name="accounts/emails/password_reset_body.txt",
        success_url=reverse_lazy("accounts:password_reset_done"),
    )
)
password_reset_done = membership_not_required(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        # Whoever proved they read the account's mailbox is no longer locked out of it.
        axes_reset(username=form.user.email.lower())
        return super().form_valid(form)


password_reset_confirm = membership_not_required(PasswordResetConfirmView.as_view())
password_reset_complete = membership_not_required(
    auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html")
)
password_change = membership_not_required(
    auth_views.PasswordChangeView.as_view(
        template_name="accounts/password_change.html", success_url=reverse_lazy("accounts:password_change_done")
    )
)
password_change_done = membership_not_required(
    auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html")
)


def _next_url(request):
    return safe_path(request, request.POST.get("next") or request.GET.get("next"))


@membership_not_required
def choose_membership(request):
    form = ChooseMembershipForm(data=request.POST or None, memberships=request.memberships)
    next_url = _next_url(request)
    if request.method == "POST" and form.is_valid():
        membership = form.cleaned_data["membership"]
        request.session[SESSION_KEY] = str(membership.public_id)
        messages.success(
            request,
            f"Vous travaillez maintenant pour {membership.organisation.name} ({membership.get_role_display()}).",
        )
        return redirect(next_url or "home")
    return render(request, "accounts/choose_membership.html", {"form": form, "next": next_url})


@membership_not_required
def profile(request):
    form = ProfileForm(data=request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Vos informations ont été enregistrées.")
        return redirect("accounts:profile")
    offered = second_factor.offered_to(request.memberships)
    context = {
        "form": form,
        "second_factor_offered": offered,
        "second_factor_enabled": offered and second_factor.has_second_factor(request.user),
    }
    return render(request, "accounts/profile.html", context)


# --- Second factor ------------------------------------------------------------------------------------------


@membership_not_required
@second_factor_pending_allowed
def second_factor_verify(request):
    """After the password, the code of the application (or a recovery code), for accounts that have one."""
    next_url = _next_url(request)
    if not request.session.get(SECOND_FACTOR_KEY) or request.user.is_verified():
        return redirect(next_url or "home")
    form = SecondFactorCodeForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = second_factor.verify(request.user, form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = StaticToken.objects.filter(device=device).count()
                messages.warning(
                    request,
                    f"Vous vous êtes connecté avec un code de secours : il vous en reste {left}. "
                    "Générez-en de nouveaux depuis « Mon compte » si besoin.",
                )
            return redirect(next_url or "home")
    # No navigation until the code is given (every link would lead back here).
    context = {"form": form, "next": next_url, "membership": None, "memberships": []}
    return render(request, "accounts/second_factor_verify.html", context)


def _second_factor_offered(request):
    if not second_factor.offered_to(request.memberships):
        raise PermissionDenied


@membership_not_required
def second_factor_setup(request):
    """Turn the second factor on: scan the QR code (or type the key), then give a first code."""
    _second_factor_offered(request)
    if second_factor.has_second_factor(request.user):
        return render(request, "accounts/second_factor.html", {"enabled": True, "form": SecondFactorCodeForm()})
    device = second_factor.pending_device(request.user)
    form = SecondFactorCodeForm(data=request.POST or None)
    form.fields["code"].help_text = "Les 6 chiffres affichés par votre application."
    if request.method == "POST" and form.is_valid():
        try:
            codes = second_factor.confirm(device, form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            otp_login(request, device)
            request.session[SECOND_FACTOR_KEY] = True
            messages.success(request, "La double authentification est activée pour votre compte.")
            return render(request, "accounts/second_factor_codes.html", {"codes": codes})
    context = {
        "enabled": False,
        "form": form,
        "qr_code": second_factor.qr_code_svg(device),
        "secret": second_factor.secret_of(device),
    }
    return render(request, "accounts/second_factor.html", context)


@membership_not_required
@require_POST
def second_factor_recovery_codes(request):
    """New recovery codes (the previous ones stop working), for a session that gave its code."""
    _second_factor_offered(request)
    if not second_factor.has_second_factor(request.user):
        return redirect("accounts:second_factor_setup")
    return render(
        request, "accounts/second_factor_codes.html", {"codes": second_factor.new_recovery_codes(request.user)}
    )


@membership_not_required
@require_POST
def second_factor_disable(request):
    """Turn the second factor off, on a current code: a session left open must not be enough."""
    _second_factor_offered(request)
    form = SecondFactorCodeForm(data=request.POST)
    if form.is_valid():
        try:
            second_factor.verify(request.user, form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            second_factor.disable(request.user)
            request.session[SECOND_FACTOR_KEY] = False
            messages.success(request, "La double authentification est désactivée pour votre compte.")
            return redirect("accounts:profile")
    return render(request, "accounts/second_factor.html", {"enabled": True, "form": form}, status=200)


# --- Organisations --------------------------------------------------------------------------------------------


@role_required(Role.FACILITATEUR, Role.ADMIN, Role.PRESCRIPTEUR)
def organisation_list(request):
    organisations = (
        visible(request, Organisation)
        .active()
        .annotate(member_count=Count("memberships", filter=Q(memberships__is_active=True)))
        .order_by("name")
    )
    filterset = OrganisationFilter(request.GET or None, queryset=organisations)
    page = paginate(request, filterset.qs)
    return render(
        request,
        "accounts/organisation_list.html",
        {"filter": filterset, "page": page, "can_manage": request.membership.role == Role.ADMIN},
    )


@any_role
def organisation_detail(request, public_id):
    organisation = get_visible_or_404(request, Organisation, public_id=public_id)
    can_manage = (
        request.membership.role == Role.ADMIN and manageable(request, Organisation).filter(pk=organisation.pk).exists()
    )
    members = visible(request, Membership).filter(organisation=organisation).select_related("user")
    if not can_manage:
        members = members.active()
    members = members.order_by("-is_active", "user__last_name", "user__first_name")
    if organisation.is_structure:
        related = visible(request, Organisation).active().filter(partner_structures=organisation)
    else:
        related = visible(request, Organisation).active().filter(partners=organisation)
    return render(
        request,
        "accounts/organisation_detail.html",
        {
            "organisation": organisation,
            "members": paginate(request, members),
            "related": related.order_by("name"),
            "can_manage": can_manage,
            "can_invite": can_manage and bool(ROLES_BY_ORGANISATION_KIND[organisation.kind]),
            "managed_elsewhere": organisation.registered_by
            if organisation.registered_by_id and organisation.registered_by_id != request.membership.organisation_id
            else None,
        },
    )


@role_required(Role.ADMIN)
def organisation_create(request):
    structure = request.membership.organisation
    form = OrganisationForm(data=request.POST or None, kinds=PARTNER_KINDS, request=request)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create_partner(structure=structure, organisation=form.instance)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"« {organisation.name} » est enregistrée comme partenaire de {structure.name}.")
            return redirect("accounts:organisation_detail", public_id=organisation.public_id)
    return render(request, "accounts/organisation_form.html", {"form": form, "duplicate": form.duplicate})


@require_POST
@role_required(Role.ADMIN)
def organisation_attach(request):
    structure = request.membership.organisation
    try:
        organisation = services.organisation_attach_partner(structure=structure, siret=request.POST.get("siret", ""))
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("accounts:organisation_create")
    messages.success(request, f"« {organisation.name} » est maintenant partenaire de {structure.name}.")
    return redirect("accounts:organisation_detail", public_id=organisation.public_id)


@role_required(Role.ADMIN)
def organisation_update(request, public_id):
    organisation = get_manageable_or_404(request, Organisation, public_id=public_id)
    kinds = [OrganisationKind.FACILITATION] if organisation.is_structure else PARTNER_KINDS
    form = OrganisationForm(data=request.POST or None, instance=organisation, kinds=kinds, request=request)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Les informations de l'organisation ont été enregistrées.")
        return redirect("accounts:organisation_detail", public_id=organisation.public_id)
    return render(request, "accounts/organisation_form.html", {"form": form, "organisation": organisation})


# --- Memberships ----------------------------------------------------------------------------------------------


@role_required(Role.ADMIN)
def member_invite(request, public_id):
    organisation = get_manageable_or_404(request, Organisation, public_id=public_id)
    if not ROLES_BY_ORGANISATION_KIND[organisation.kind]:
        raise Http404("Aucun rôle ne peut être donné dans ce type d'organisation.")
    form = InviteMemberForm(data=request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.membership_invite(
                organisation=organisation, invited_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            queue_after_commit(send_invitation_email, membership.pk)
            messages.success(request, f"Invitation envoyée à {membership.user.email}.")
            return redirect("accounts:organisation_detail", public_id=organisation.public_id)
    return render(request, "accounts/member_invite.html", {"form": form, "organisation": organisation})


def _membership_or_404(request, public_id):
    return get_manageable_or_404(
        request, Membership.objects.select_related("user", "organisation"), public_id=public_id
    )


@role_required(Role.ADMIN)
def membership_update(request, public_id):
    membership = _membership_or_404(request, public_id)
    form = MembershipRoleForm(
        data=request.POST or None, initial={"role": membership.role}, organisation=membership.organisation
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_set_role(membership=membership, role=form.cleaned_data["role"], by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, f"Le rôle de {membership.user.full_name} est maintenant « {membership.get_role_display()} »."
            )
            return redirect("accounts:organisation_detail", public_id=membership.organisation.public_id)
    return render(request, "accounts/membership_form.html", {"form": form, "membership": membership})


@role_required(Role.ADMIN)
def membership_deactivate(request, public_id):
    """GET asks for confirmation, POST deactivates."""
    membership = _membership_or_404(request, public_id)
    back = reverse("accounts:organisation_detail", args=[membership.organisation.public_id])
    if request.method == "POST":
        try:
            services.membership_deactivate(membership=membership, by=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(
                request, f"L'accès de {membership.user.full_name} à {membership.organisation.name} est désactivé."
            )
        return redirect(back)
    return render(request, "accounts/membership_deactivate.html", {"membership": membership, "back": back})


@require_POST
@role_required(Role.ADMIN)
def membership_reactivate(request, public_id):
    membership = _membership_or_404(request, public_id)
    try:
        services.membership_reactivate(membership=membership, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request, f"L'accès de {membership.user.full_name} à {membership.organisation.name} est rétabli."
        )
    return redirect("accounts:organisation_detail", public_id=membership.organisation.public_id)


@require_POST
@role_required(Role.ADMIN)
def membership_resend_invitation(request, public_id):
    membership = _membership_or_404(request, public_id)
    if not membership.is_active:
        messages.error(request, "Rétablissez d'abord l'accès de cette personne.")
    else:
        queue_after_commit(send_invitation_email, membership.pk)
        messages.success(request, f"L'invitation a été renvoyée à {membership.user.email}.")
    return redirect("accounts:organisation_detail", public_id=membership.organisation.public_id)
