from django.contrib import admin
from django.urls import include, path

from clauses import views

admin.site.site_header = "Clauses — administration technique"
admin.site.site_title = "Clauses"
admin.site.index_title = "Administration technique"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("donnees-personnelles/", views.privacy, name="privacy"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("", include("clauses.accounts.urls")),
    path("marches/", include("marches.urls")),
    path("participants/", include("participants.urls")),
    path("suivi/", include("suivi.urls")),
    path("comites/", include("comites.urls")),
    path("reporting/", include("reporting.urls")),
    path("admin/", admin.site.urls),
]
