import re
import traceback

import pytest
from celery.exceptions import Retry
from django.core.exceptions import ValidationError
from django.urls import reverse

from clauses.accounts import services
from clauses.accounts.enums import Role
from clauses.accounts.models import Membership, User
from clauses.accounts.tasks import EmailDeliveryError, send_invitation_email
from tests.accounts.factories import DEFAULT_PASSWORD, MembershipFactory, UserFactory
from tests.html import text

pytestmark = pytest.mark.django_db


def invite(client, organisation, **data):
    return client.post(
        reverse("accounts:member_invite", args=[organisation.public_id]),
        {
            "email": "sophie.legall@exemple.test",
            "first_name": "Sophie",
            "last_name": "Le Gall",
            "role": Role.FACILITATEUR,
        }
        | data,
    )


def test_invitation_creates_the_account_and_mails_a_link_to_choose_a_password(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(world.admin.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, world.structure)
    assert response.url == reverse("accounts:organisation_detail", args=[world.structure.public_id])
    user = User.objects.get(email="sophie.legall@exemple.test")
    membership = user.memberships.get()
    assert membership.role == Role.FACILITATEUR and membership.invited_by == world.admin.user
    assert not user.has_usable_password()
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.subject == f"[Clauses] Votre accès à Clauses pour {world.structure.name}"
    assert "choisissez votre mot de passe" in mail.body
    link = re.search(r"http://127\.0\.0\.1:8000(/compte/mot-de-passe/nouveau/\S+/)", mail.body).group(1)
    client.logout()
    form_page = client.get(link, follow=True)
    password = "mon-premier-mot-de-passe"
    client.post(form_page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})
    login = client.post(reverse("accounts:login"), {"username": "sophie.legall@exemple.test", "password": password})
    assert login.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_invitation_of_a_known_person_adds_a_membership_and_keeps_the_account(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    known = world.other_admin.user
    client.force_login(world.admin.user)
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, world.structure, email=known.email.upper(), role=Role.COMITE)
    assert set(known.memberships.values_list("organisation", flat=True)) == {
        world.other_structure.pk,
        world.structure.pk,
    }
    assert known.has_usable_password()
    assert "Vous avez déjà un compte" in mailoutbox[0].body


def test_inviting_someone_already_in_the_structure_is_refused_in_french(client, world):
    client.force_login(world.admin.user)
    response = invite(client, world.structure, email=world.facilitateur.user.email)
    assert response.status_code == 200
    assert "déjà rattachée" in text(response)
    assert world.facilitateur.user.memberships.count() == 1


def test_invitation_offers_only_the_roles_of_the_organisation(client, world):
    client.force_login(world.admin.user)
    response = invite(client, world.prescriber_org, role=Role.FACILITATEUR)
    assert "Sélectionnez un choix valide" in text(response)
    assert not User.objects.filter(email="sophie.legall@exemple.test").exists()
    ok = invite(client, world.prescriber_org, role=Role.PRESCRIPTEUR)
    assert ok.status_code == 302


def test_invitation_with_bad_email_saves_nothing(client, world):
    client.force_login(world.admin.user)
    count = User.objects.count()
    response = invite(client, world.structure, email="sophie@")
    assert "Saisissez une adresse de courriel valide" in text(response)
    assert User.objects.count() == count


def test_inviting_back_a_deactivated_member_reactivates_them(client, world, django_capture_on_commit_callbacks):
    world.facilitateur.is_active = False
    world.facilitateur.save()
    client.force_login(world.admin.user)
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, world.structure, email=world.facilitateur.user.email, role=Role.ADMIN)
    world.facilitateur.refresh_from_db()
    assert world.facilitateur.is_active and world.facilitateur.role == Role.ADMIN


def test_admin_changes_a_role_and_history_records_who(client, world):
    client.force_login(world.admin.user)
    url = reverse("accounts:membership_update", args=[world.facilitateur.public_id])
    response = client.post(url, {"role": Role.COMITE})
    assert response.status_code == 302
    world.facilitateur.refresh_from_db()
    assert world.facilitateur.role == Role.COMITE
    assert world.facilitateur.history.first().history_user == world.admin.user


def test_admin_cannot_change_own_role(client, world):
    MembershipFactory(organisation=world.structure, admin=True)
    client.force_login(world.admin.user)
    response = client.post(
        reverse("accounts:membership_update", args=[world.admin.public_id]), {"role": Role.FACILITATEUR}
    )
    assert "propre rôle" in text(response)
    world.admin.refresh_from_db()
    assert world.admin.role == Role.ADMIN


def test_structure_always_keeps_an_active_admin():
    """Reachable through the services only (an admin cannot act on their own access in the pages)."""
    only_admin = MembershipFactory(admin=True)
    operator = UserFactory(is_staff=True)
    with pytest.raises(ValidationError, match="au moins un administrateur"):
        services.membership_set_role(membership=only_admin, role=Role.FACILITATEUR, by=operator)
    with pytest.raises(ValidationError, match="au moins un administrateur"):
        services.membership_deactivate(membership=only_admin, by=operator)
    MembershipFactory(organisation=only_admin.organisation, admin=True)
    services.membership_deactivate(membership=only_admin, by=operator)
    only_admin.refresh_from_db()
    assert not only_admin.is_active


def test_deactivation_asks_for_confirmation_then_closes_access(client, world):
    client.force_login(world.admin.user)
    url = reverse("accounts:membership_deactivate", args=[world.facilitateur.public_id])
    confirm = client.get(url)
    assert "Oui, désactiver l'accès" in text(confirm)
    world.facilitateur.refresh_from_db()
    assert world.facilitateur.is_active
    client.post(url)
    world.facilitateur.refresh_from_db()
    assert not world.facilitateur.is_active
    client.force_login(world.facilitateur.user)
    assert client.get(reverse("accounts:organisation_list")).status_code == 403


def test_admin_cannot_deactivate_themself(client, world):
    client.force_login(world.admin.user)
    response = client.post(reverse("accounts:membership_deactivate", args=[world.admin.public_id]), follow=True)
    assert "propre accès" in text(response)
    world.admin.refresh_from_db()
    assert world.admin.is_active


def test_reactivation_and_resent_invitation(client, world, mailoutbox, django_capture_on_commit_callbacks):
    world.facilitateur.is_active = False
    world.facilitateur.save()
    client.force_login(world.admin.user)
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(
            reverse("accounts:membership_resend_invitation", args=[world.facilitateur.public_id]), follow=True
        )
    assert "Rétablissez d'abord" in text(refused) and mailoutbox == []
    client.post(reverse("accounts:membership_reactivate", args=[world.facilitateur.public_id]))
    world.facilitateur.refresh_from_db()
    assert world.facilitateur.is_active
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:membership_resend_invitation", args=[world.facilitateur.public_id]))
    assert [mail.to for mail in mailoutbox] == [[world.facilitateur.user.email]]


def test_membership_of_another_structure_is_not_found(client, world):
    client.force_login(world.admin.user)
    count = Membership.objects.filter(is_active=True).count()
    response = client.post(reverse("accounts:membership_deactivate", args=[world.other_admin.public_id]))
    assert response.status_code == 404
    assert Membership.objects.filter(is_active=True).count() == count


def test_account_closed_by_the_technical_admin_cannot_be_invited_nor_reactivated(client, world):
    closed = world.facilitateur
    closed.user.is_active = False
    closed.user.save()
    closed.is_active = False
    closed.save()
    client.force_login(world.admin.user)
    response = invite(client, world.structure, email=closed.user.email)
    assert "désactivé par l'administration technique" in text(response)
    reactivated = client.post(reverse("accounts:membership_reactivate", args=[closed.public_id]), follow=True)
    assert reactivated.status_code == 200
    assert "désactivé par l'administration technique" in text(reactivated)
    closed.refresh_from_db()
    assert not closed.is_active


def test_nobody_is_invited_into_a_network_head():
    network = MembershipFactory(reseau=True).organisation
    with pytest.raises(ValidationError, match="ce type d'organisation"):
        services.membership_invite(
            organisation=network,
            email="x@exemple.test",
            first_name="X",
            last_name="Y",
            role=Role.RESEAU,
            invited_by=UserFactory(),
        )
    assert not User.objects.filter(email="x@exemple.test").exists()


def test_admin_home_lists_pending_invitations_it_manages_only(client, world):
    client.force_login(world.admin.user)
    pending = client.get(reverse("home")).context["pending_invitations"]
    people = {m.pk for m in pending}
    assert world.facilitateur.pk in people and world.prescripteur.pk in people
    assert world.shared_prescripteur.pk not in people


def test_a_login_adds_no_history_row(client, world):
    user = world.facilitateur.user
    before = user.history.count()
    assert (
        client.post(reverse("accounts:login"), {"username": user.email, "password": DEFAULT_PASSWORD}).status_code
        == 302
    )
    user.refresh_from_db()
    assert user.last_login is not None
    assert user.history.count() == before


def test_mail_server_failure_keeps_addresses_out_of_the_task_error(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with pytest.raises(Retry) as raised:  # a worker would try again later, with backoff
        send_invitation_email.apply(args=[world.facilitateur.pk])
    assert isinstance(raised.value.exc, EmailDeliveryError)
    report = "".join(traceback.format_exception(raised.value))
    assert str(world.facilitateur.public_id) in report
    assert world.facilitateur.user.email not in report
