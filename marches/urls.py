from django.urls import path

from marches import views

app_name = "marches"

urlpatterns = [
    path("", views.market_list, name="market_list"),
    path("export/<str:fmt>/", views.market_export, name="market_export"),
    path("nouveau/", views.market_create, name="market_create"),
    path("calibrage/", views.calibration_page, name="calibration"),
    path("programmation/", views.programmation, name="programmation"),
    path("<uuid:public_id>/", views.market_detail, name="market_detail"),
    path("<uuid:public_id>/modifier/", views.market_update, name="market_update"),
    path("<uuid:public_id>/supprimer/", views.market_delete, name="market_delete"),
    path("<uuid:public_id>/lots/nouveau/", views.lot_create, name="lot_create"),
    path("lots/<uuid:public_id>/", views.lot_detail, name="lot_detail"),
    path("lots/<uuid:public_id>/modifier/", views.lot_update, name="lot_update"),
    path("lots/<uuid:public_id>/supprimer/", views.lot_delete, name="lot_delete"),
    path("lots/<uuid:public_id>/attributions/nouvelle/", views.award_create, name="award_create"),
    path("attributions/<uuid:public_id>/modifier/", views.award_update, name="award_update"),
    path("attributions/<uuid:public_id>/supprimer/", views.award_delete, name="award_delete"),
    path("donneurs-ordre/", views.buyer_list, name="buyer_list"),
    path("donneurs-ordre/nouveau/", views.buyer_create, name="buyer_create"),
    path("donneurs-ordre/<uuid:public_id>/", views.buyer_detail, name="buyer_detail"),
    path("donneurs-ordre/<uuid:public_id>/modifier/", views.buyer_update, name="buyer_update"),
    path("donneurs-ordre/<uuid:public_id>/supprimer/", views.buyer_delete, name="buyer_delete"),
    path("entreprises/", views.company_list, name="company_list"),
    path("entreprises/nouvelle/", views.company_create, name="company_create"),
    path("entreprises/<uuid:public_id>/", views.company_detail, name="company_detail"),
    path("entreprises/<uuid:public_id>/modifier/", views.company_update, name="company_update"),
    path("entreprises/<uuid:public_id>/supprimer/", views.company_delete, name="company_delete"),
]
