from django.urls import path

from reporting.views import bilans, consolidation, dashboard, exports

app_name = "reporting"

urlpatterns: list = [
    # Bilans (ReportJob, rendered by Celery)
    path("bilans/", bilans.bilan_list, name="bilan_list"),
    path("bilans/demander/", bilans.bilan_request, name="bilan_request"),
    path("bilans/demander-annee/", bilans.bilan_request_year, name="bilan_request_year"),
    path("bilans/<uuid:public_id>/", bilans.job_detail, name="job_detail"),
    path("bilans/<uuid:public_id>/telecharger/", bilans.job_download, name="job_download"),
    path("bilans/<uuid:public_id>/relancer/", bilans.job_retry, name="job_retry"),
    # Exports
    path("exports/", exports.export_list, name="exports"),
    path("exports/<str:name>.<str:fmt>", exports.export_download, name="export"),
    # Dashboards and national consolidation
    path("tableau-de-bord/", dashboard.dashboard_view, name="dashboard"),
    path("consolidation/", consolidation.consolidation, name="consolidation"),
]
