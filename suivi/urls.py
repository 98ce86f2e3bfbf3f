from django.urls import path

from suivi.views import contracts, followup, gpec, handoffs, hours, imports, offers, outcomes, rgpd, skills, timeline

app_name = "suivi"

urlpatterns = [
    # RGPD: a person's data (right of access), anonymisation on request
    path("participants/<uuid:public_id>/donnees.<str:fmt>", rgpd.participant_export, name="participant_export"),
    path("participants/<uuid:public_id>/anonymiser/", rgpd.participant_anonymise, name="participant_anonymise"),
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
    # A participant's parcours in date order
    path("participants/<uuid:public_id>/parcours/", timeline.participant_timeline, name="participant_timeline"),
    # Skills and outcomes
    path("contrats/<uuid:public_id>/competences/", skills.skills_review_create, name="skills_review_create"),
    path("competences/<uuid:public_id>/", skills.skills_review_detail, name="skills_review_detail"),
    path("competences/<uuid:public_id>/pdf/", skills.skills_review_pdf, name="skills_review_pdf"),
    path("participants/<uuid:public_id>/competences/", skills.skills_synthesis, name="skills_synthesis"),
    path("participants/<uuid:public_id>/competences/pdf/", skills.skills_synthesis_pdf, name="skills_synthesis_pdf"),
    path("participants/<uuid:public_id>/sortie/", outcomes.participant_outcomes, name="participant_outcomes"),
    path("participants/<uuid:public_id>/sortie/nouvelle/", outcomes.outcome_create, name="outcome_create"),
    path("points-de-situation/", outcomes.check_list, name="check_list"),
    path("points-de-situation/<uuid:public_id>/", outcomes.check_update, name="check_update"),
    # Follow-up: passages de relais (R-SEQ, R-RECONTACT), follow-up events and incident alerts (R-INCIDENT)
    path("relais/", handoffs.handoff_list, name="handoff_list"),
    path("relais/nouveau/", handoffs.handoff_create, name="handoff_create"),
    path("relais/<uuid:public_id>/", handoffs.handoff_detail, name="handoff_detail"),
    path("relais/<uuid:public_id>/envoyer/", handoffs.handoff_send, name="handoff_send"),
    path("relais/<uuid:public_id>/accuser-reception/", handoffs.handoff_acknowledge, name="handoff_acknowledge"),
    path("relais/<uuid:public_id>/annuler/", handoffs.handoff_cancel, name="handoff_cancel"),
    path("contrats/<uuid:public_id>/suivi/nouveau/", followup.event_create, name="event_create"),
    path("suivis/<uuid:public_id>/", followup.event_detail, name="event_detail"),
    path("alertes/", followup.alert_list, name="alert_list"),
    path("alertes/<uuid:public_id>/clore/", followup.alert_close, name="alert_close"),
]
