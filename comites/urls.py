from django.urls import path

from comites import views

app_name = "comites"

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("nouvelle/", views.meeting_create, name="meeting_create"),
    path("actions/", views.action_list, name="action_list"),
    path("<uuid:public_id>/", views.meeting_detail, name="meeting_detail"),
    path("<uuid:public_id>/modifier/", views.meeting_update, name="meeting_update"),
    path("<uuid:public_id>/ordre-du-jour/", views.meeting_prepare, name="meeting_prepare"),
    path("<uuid:public_id>/tenue/", views.meeting_held, name="meeting_held"),
    path("<uuid:public_id>/compte-rendu.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("<uuid:public_id>/decisions/", views.decision_create, name="decision_create"),
    path("decisions/<uuid:public_id>/", views.decision_update, name="decision_update"),
    path("decisions/<uuid:public_id>/statut/", views.decision_status, name="decision_status"),
]
