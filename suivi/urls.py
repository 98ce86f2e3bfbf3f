from django.urls import path

from suivi.views import contracts, gpec, hours, imports, offers

app_name = "suivi"

urlpatterns = [
    # Job offers and positionings
    path("offres/", offers.offer_list, name="offer_list"),
    path("offres/nouvelle/", offers.offer_create, name="offer_create"),
    path("offres/<uuid:public_id>/", offers.offer_detail, name="offer_detail"),
    path("offres/<uuid:public_id>/modifier/", offers.offer_update, name="offer_update"),
    path("offres/<uuid:public_id>/statut/", offers.offer_status, name="offer_status"),
    path("offres/<uuid:public_id>/positionner/", offers.positioning_create, name="positioning_create"),
    path("positionnements/", offers.positioning_list, name="positioning_list"),
    path("positionnements/<uuid:public_id>/", offers.positioning_detail, name="positioning_detail"),
    path("positionnements/<uuid:public_id>/decision/", offers.positioning_decide, name="positioning_decide"),
    # Work contracts
    path("contrats/", contracts.contract_list, name="contract_list"),
    path("contrats/nouveau/", contracts.contract_create, name="contract_create"),
    path("contrats/<uuid:public_id>/", contracts.contract_detail, name="contract_detail"),
    path("contrats/<uuid:public_id>/modifier/", contracts.contract_update, name="contract_update"),
    path("contrats/<uuid:public_id>/supprimer/", contracts.contract_delete, name="contract_delete"),
    path("contrats/<uuid:public_id>/eligibilite/", contracts.contract_eligibility, name="contract_eligibility"),
    path("contrats/<uuid:public_id>/heures/", hours.contract_hours, name="contract_hours"),
    path("affectations/<uuid:public_id>/exception/", contracts.assignment_exception, name="assignment_exception"),
    # Hours
    path("heures/", hours.hours_index, name="hours_index"),
    path("heures/entreprises/<uuid:public_id>/", hours.company_grid, name="company_grid"),
    path("heures/marches/<uuid:public_id>/", hours.market_grid, name="market_grid"),
    path("heures/retards/", hours.behind, name="behind"),
    path("heures/marches/<uuid:public_id>/contrats/", hours.market_contracts, name="market_contracts"),
    path("heures/entreprises/<uuid:public_id>/contrats/", hours.company_contracts, name="company_contracts"),
    # Import of tracking spreadsheets
    path("heures/import/", imports.import_start, name="import_start"),
    path("heures/import/modele.<str:fmt>", imports.import_template, name="import_template"),
    path("heures/import/<uuid:public_id>/", imports.import_detail, name="import_detail"),
    path("heures/import/<uuid:public_id>/confirmer/", imports.import_confirm, name="import_confirm"),
    path("heures/import/<uuid:public_id>/abandonner/", imports.import_cancel, name="import_cancel"),
    # Anticipation (R-GPEC)
    path("gpec/", gpec.gpec, name="gpec"),
]
