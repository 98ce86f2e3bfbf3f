from django.urls import path  # noqa: F401 (each area adds its paths below)

app_name = "reporting"

urlpatterns: list = [
    # Bilans (ReportJob, rendered by Celery)
    # Exports
    # Dashboards and national consolidation
]
