import re

import pytest
from django.urls import reverse

from clauses.accounts.middleware import SESSION_KEY
from tests.accounts.factories import DEFAULT_PASSWORD, MembershipFactory, OrganisationFactory, UserFactory
from tests.html import text

pytestmark = pytest.mark.django_db


def test_login_with_email_in_any_case_lands_on_home(client, world):
    email = world.facilitateur.user.email.upper()
    response = client.post(reverse("accounts:login"), {"username": email, "password": DEFAULT_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert f"Bonjour {world.facilitateur.user.first_name}" in text(response)


def test_wrong_password_gets_a_french_message_and_no_session(client, world):
    response = client.post(
        reverse("accounts:login"), {"username": world.facilitateur.user.email, "password": "mauvais"}
    )
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect" in text(response)
    assert "_auth_user_id" not in client.session


def test_deactivated_user_cannot_log_in(client, world):
    user = world.facilitateur.user
    user.is_active = False
    user.save()
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": DEFAULT_PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "incorrect" in text(response)


def test_logout_is_a_post_and_ends_the_session(client, world):
    client.force_login(world.facilitateur.user)
    response = client.post(reverse("accounts:logout"))
    assert response.url == reverse("accounts:login")
    assert client.get(reverse("home")).status_code == 302


def test_password_reset_sends_a_french_link_that_sets_a_new_password(client, world, mailoutbox):
    user = world.facilitateur.user
    response = client.post(reverse("accounts:password_reset"), {"email": user.email})
    assert response.url == reverse("accounts:password_reset_done")
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [user.email]
    assert "nouveau mot de passe" in mail.subject
    link = re.search(r"https?://[^/\s]+(/compte/mot-de-passe/nouveau/\S+/)", mail.body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choisir votre mot de passe" in text(form_page)
    new_password = "un-nouveau-mot-de-passe-solide"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}, follow=True
    )
    assert "Mot de passe enregistré" in text(done)
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_password_reset_for_unknown_address_says_nothing_more(client, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": "inconnu@exemple.test"})
    assert response.url == reverse("accounts:password_reset_done")
    assert mailoutbox == []


def test_invited_user_without_password_can_ask_for_a_new_link(client, mailoutbox):
    user = UserFactory()
    user.set_unusable_password()
    user.save()
    client.post(reverse("accounts:password_reset"), {"email": user.email})
    assert len(mailoutbox) == 1


def test_profile_update(client, world):
    client.force_login(world.facilitateur.user)
    response = client.post(
        reverse("accounts:profile"),
        {"first_name": "Camille", "last_name": "Martin", "job_title": "Facilitatrice", "phone": "02 40 00 00 00"},
    )
    assert response.url == reverse("accounts:profile")
    world.facilitateur.user.refresh_from_db()
    assert world.facilitateur.user.job_title == "Facilitatrice"


def test_profile_without_last_name_is_refused_and_not_saved(client, world):
    user = world.facilitateur.user
    client.force_login(user)
    response = client.post(reverse("accounts:profile"), {"first_name": "Nouveau", "last_name": ""})
    assert "Ce champ est obligatoire" in text(response)
    user.refresh_from_db()
    assert user.first_name != "Nouveau"


# --- Several memberships ----------------------------------------------------------------------------------------


@pytest.fixture
def multi_user(world):
    """A facilitator working for two structures."""
    user = world.facilitateur.user
    MembershipFactory(user=user, organisation=world.other_structure)
    return user


def test_user_with_several_memberships_chooses_before_working(client, world, multi_user):
    client.force_login(multi_user)
    target = reverse("accounts:organisation_list")
    response = client.get(target)
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:choose_membership')}?next=%2Forganisations%2F"
    page = client.get(response.url)
    assert world.structure.name in text(page) and world.other_structure.name in text(page)


def test_choosing_a_membership_sets_the_scope(client, world, multi_user):
    client.force_login(multi_user)
    other = multi_user.memberships.get(organisation=world.other_structure)
    response = client.post(
        reverse("accounts:choose_membership"), {"membership": str(other.public_id), "next": "/organisations/"}
    )
    assert response.url == "/organisations/"
    assert client.session[SESSION_KEY] == str(other.public_id)
    detail = reverse("accounts:organisation_detail", args=[world.other_structure.public_id])
    assert client.get(detail).status_code == 200
    own_before = reverse("accounts:organisation_detail", args=[world.structure.public_id])
    assert client.get(own_before).status_code == 404


def test_choice_cannot_be_a_membership_of_someone_else(client, world, multi_user):
    client.force_login(multi_user)
    response = client.post(reverse("accounts:choose_membership"), {"membership": str(world.admin.public_id)})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in text(response)
    assert SESSION_KEY not in client.session


def test_choice_ignores_a_next_url_to_another_site(client, world, multi_user):
    client.force_login(multi_user)
    membership = multi_user.memberships.first()
    response = client.post(
        reverse("accounts:choose_membership"),
        {"membership": str(membership.public_id), "next": "https://ailleurs.example/"},
    )
    assert response.url == reverse("home")


def test_user_without_membership_is_told_so(client):
    user = UserFactory()
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 403
    assert "Accès refusé" in text(response)
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_deactivated_membership_no_longer_opens_the_structure(client, world):
    world.facilitateur.is_active = False
    world.facilitateur.save()
    client.force_login(world.facilitateur.user)
    assert client.get(reverse("home")).status_code == 403


def test_inactive_organisation_closes_its_memberships(client, world):
    OrganisationFactory()  # unrelated
    world.structure.is_active = False
    world.structure.save()
    client.force_login(world.facilitateur.user)
    assert client.get(reverse("home")).status_code == 403
