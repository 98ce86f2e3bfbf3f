from django.urls import path

from clauses.accounts import views

app_name = "accounts"

urlpatterns = [
    path("compte/connexion/", views.login, name="login"),
    path("compte/deconnexion/", views.logout, name="logout"),
    path("compte/mot-de-passe/oublie/", views.password_reset, name="password_reset"),
    path("compte/mot-de-passe/oublie/envoye/", views.password_reset_done, name="password_reset_done"),
    path("compte/mot-de-passe/nouveau/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("compte/mot-de-passe/nouveau/termine/", views.password_reset_complete, name="password_reset_complete"),
    path("compte/mot-de-passe/modifier/", views.password_change, name="password_change"),
    path("compte/mot-de-passe/modifie/", views.password_change_done, name="password_change_done"),
    path("compte/", views.profile, name="profile"),
    path("compte/double-authentification/", views.second_factor_setup, name="second_factor_setup"),
    path(
        "compte/double-authentification/codes-de-secours/",
        views.second_factor_recovery_codes,
        name="second_factor_recovery_codes",
    ),
    path("compte/double-authentification/desactiver/", views.second_factor_disable, name="second_factor_disable"),
    path("compte/verification/", views.second_factor_verify, name="second_factor_verify"),
    path("compte/structure/", views.choose_membership, name="choose_membership"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/nouvelle/", views.organisation_create, name="organisation_create"),
    path("organisations/rattacher/", views.organisation_attach, name="organisation_attach"),
    path("organisations/<uuid:public_id>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<uuid:public_id>/modifier/", views.organisation_update, name="organisation_update"),
    path("organisations/<uuid:public_id>/inviter/", views.member_invite, name="member_invite"),
    path("rattachements/<uuid:public_id>/modifier/", views.membership_update, name="membership_update"),
    path("rattachements/<uuid:public_id>/desactiver/", views.membership_deactivate, name="membership_deactivate"),
    path("rattachements/<uuid:public_id>/reactiver/", views.membership_reactivate, name="membership_reactivate"),
    path(
        "rattachements/<uuid:public_id>/renvoyer-invitation/",
        views.membership_resend_invitation,
        name="membership_resend_invitation",
    ),
]
