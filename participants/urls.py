from django.urls import path

from participants import views

app_name = "participants"

urlpatterns = [
    path("", views.participant_list, name="participant_list"),
    path("nouveau/", views.participant_create, name="participant_create"),
    path("echeances/", views.expiring, name="expiring"),
    path("<uuid:public_id>/", views.participant_detail, name="participant_detail"),
    path("<uuid:public_id>/consultations/", views.participant_views, name="participant_views"),
    path("consultations/", views.view_log_list, name="view_log_list"),
    path("<uuid:public_id>/modifier/", views.participant_update, name="participant_update"),
    path("<uuid:public_id>/consentement/", views.consent_record, name="consent_record"),
    path("consentements/<uuid:public_id>/retrait/", views.consent_withdraw, name="consent_withdraw"),
    path("<uuid:public_id>/justificatifs/ajouter/", views.proof_upload, name="proof_upload"),
    path("<uuid:public_id>/eligibilite/", views.diagnosis_create, name="diagnosis_create"),
    path("justificatifs/<uuid:public_id>/", views.proof_download, name="proof_download"),
    path("justificatifs/<uuid:public_id>/verifier/", views.proof_verify, name="proof_verify"),
    path("justificatifs/<uuid:public_id>/supprimer/", views.proof_delete, name="proof_delete"),
    path("diagnostics/<uuid:public_id>/", views.diagnosis_detail, name="diagnosis_detail"),
    path("fiches-navettes/", views.referral_list, name="referral_list"),
    path("fiches-navettes/nouvelle/", views.referral_create, name="referral_create"),
    path("fiches-navettes/<uuid:public_id>/", views.referral_detail, name="referral_detail"),
    path("fiches-navettes/<uuid:public_id>/modifier/", views.referral_update, name="referral_update"),
    path("fiches-navettes/<uuid:public_id>/justificatifs/", views.referral_proof_upload, name="referral_proof_upload"),
    path("fiches-navettes/<uuid:public_id>/envoyer/", views.referral_submit, name="referral_submit"),
    path("fiches-navettes/<uuid:public_id>/supprimer/", views.referral_delete, name="referral_delete"),
    path("fiches-navettes/<uuid:public_id>/examen/", views.referral_review, name="referral_review"),
]
