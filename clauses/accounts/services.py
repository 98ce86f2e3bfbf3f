"""Writes on users, organisations and memberships. Each function is atomic and validates what it saves."""

import logging

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from clauses.accounts.enums import OrganisationKind, Role
from clauses.accounts.models import Membership, Organisation, User
from clauses.accounts.validators import normalize_siret, validate_siret

# Kinds of organisation a structure registers or attaches as partners (never a structure or a network head).
PARTNER_KINDS = (OrganisationKind.PRESCRIPTEUR, OrganisationKind.FINANCEUR, OrganisationKind.AUTRE)

logger = logging.getLogger(__name__)


@transaction.atomic
def membership_invite(
    *,
    organisation: Organisation,
    email: str,
    first_name: str,
    last_name: str,
    job_title: str = "",
    role: str,
    invited_by,
) -> Membership:
    """Give a person a role in an organisation; create their account if needed and e-mail them a link.

    A person already known (same e-mail) keeps their account and password and gets one more membership.
    The caller queues the e-mail (`tasks.send_invitation_email`): services never import tasks.
    """
    if organisation.kind not in (OrganisationKind.FACILITATION, *PARTNER_KINDS):
        raise ValidationError("On ne peut pas inviter de personne dans ce type d'organisation depuis Clauses.")
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and not user.is_active:
        raise ValidationError(
            {"email": "Ce compte a été désactivé par l'administration technique de Clauses : impossible de l'inviter."}
        )
    if user is None:
        user = User(email=email, first_name=first_name, last_name=last_name, job_title=job_title)
        user.set_unusable_password()
        user.full_clean()
        user.save()
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    if membership is not None and membership.is_active:
        raise ValidationError(
            {"email": f"Cette personne est déjà rattachée à {organisation.name} ({membership.get_role_display()})."}
        )
    if membership is None:
        membership = Membership(user=user, organisation=organisation)
    membership.role = role
    membership.is_active = True
    membership.invited_by = invited_by
    membership.full_clean()
    membership.save()
    logger.info("membership %s invited by user %s", membership.public_id, invited_by.public_id)
    return membership


def invitation_send(*, membership: Membership) -> None:
    """E-mail the invitation: a link to choose a password (or to log in, for a person who already has one)."""
    user = membership.user
    context = {
        "membership": membership,
        "user": user,
        "has_password": user.has_usable_password(),
        "login_url": settings.SITE_URL + reverse("accounts:login"),
        "set_password_url": settings.SITE_URL
        + reverse(
            "accounts:password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        ),
    }
    subject = render_to_string("accounts/emails/invitation_subject.txt", context).strip()
    body = render_to_string("accounts/emails/invitation_body.txt", context)
    send_mail(settings.EMAIL_SUBJECT_PREFIX + subject, body, None, [user.email])


def _check_keeps_an_admin(membership, *, new_role=None, deactivating=False):
    if membership.role != Role.ADMIN or not membership.organisation.is_structure:
        return
    if not deactivating and new_role == Role.ADMIN:
        return
    # Lock the structure's admins so that two admins demoting each other cannot both succeed.
    admins = list(
        Membership.objects.select_for_update()
        .filter(organisation=membership.organisation, role=Role.ADMIN, is_active=True, user__is_active=True)
        .exclude(pk=membership.pk)
        .values_list("pk", flat=True)
    )
    if not admins:
        raise ValidationError("La structure doit garder au moins un administrateur actif.")


@transaction.atomic
def membership_set_role(*, membership: Membership, role: str, by: User) -> Membership:
    if membership.user_id == by.pk and role != membership.role:
        raise ValidationError("Vous ne pouvez pas changer votre propre rôle : demandez-le à un autre administrateur.")
    _check_keeps_an_admin(membership, new_role=role)
    membership.role = role
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def membership_deactivate(*, membership: Membership, by: User) -> Membership:
    if membership.user_id == by.pk:
        raise ValidationError("Vous ne pouvez pas désactiver votre propre accès.")
    _check_keeps_an_admin(membership, deactivating=True)
    membership.is_active = False
    membership.save(update_fields=["is_active", "updated_at"])
    return membership


@transaction.atomic
def membership_reactivate(*, membership: Membership, by: User) -> Membership:
    if not membership.user.is_active:
        raise ValidationError("Ce compte a été désactivé par l'administration technique de Clauses.")
    membership.is_active = True
    membership.full_clean()
    membership.save(update_fields=["is_active", "updated_at"])
    return membership


@transaction.atomic
def organisation_create_partner(*, structure: Organisation, organisation: Organisation) -> Organisation:
    """Register a partner organisation (prescriber, funder…): the structure attaches and manages it."""
    if organisation.kind not in PARTNER_KINDS:
        raise ValidationError(
            {"kind": "Seuls un prescripteur, un financeur ou un autre partenaire peuvent être ajoutés."}
        )
    organisation.registered_by = structure
    organisation.full_clean()
    organisation.save()
    organisation.partner_structures.add(structure)
    return organisation


@transaction.atomic
def organisation_attach_partner(*, structure: Organisation, siret: str) -> Organisation:
    """Attach to the structure a partner registered by another structure, found by its SIRET.

    Attaching lets the structure see the partner and work with it; the partner's record and accounts
    stay managed by the structure that registered it.
    """
    siret = normalize_siret(siret)
    if not siret:
        raise ValidationError("Indiquez le SIRET de l'organisation à rattacher.")
    validate_siret(siret)
    organisation = Organisation.objects.filter(siret=siret, kind__in=PARTNER_KINDS, is_active=True).first()
    if organisation is None:
        raise ValidationError("Aucune organisation partenaire active ne porte ce SIRET.")
    if not organisation.partner_structures.filter(pk=structure.pk).exists():
        organisation.partner_structures.add(structure)
    return organisation
