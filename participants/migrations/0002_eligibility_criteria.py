"""Reference data: the criteria of the clause's publics (R-ELIG-2) and the proofs each needs (R-ELIG-3).

Facilitators can adjust them in the admin; this migration only creates the missing ones.
"""

from django.db import migrations

THREE_MONTHS = 92

CRITERIA = [
    # code, label, public, computed, proofs, description
    ("deld", "Demandeur d'emploi de longue durée (12 mois et plus)", "deld", True,
     [{"kinds": ["france_travail"], "max_age_days": THREE_MONTHS}],
     "Inscrit à France Travail depuis au moins 12 mois à la date d'attribution du marché."),
    ("detld", "Demandeur d'emploi de très longue durée (24 mois et plus)", "detld", True,
     [{"kinds": ["france_travail"], "max_age_days": THREE_MONTHS}],
     "Inscrit à France Travail depuis au moins 24 mois à la date d'attribution du marché."),
    ("rsa", "Bénéficiaire du RSA", "minima_sociaux", False,
     [{"kinds": ["caf"], "max_age_days": THREE_MONTHS}],
     "Attestation de la CAF ou de la MSA de moins de trois mois."),
    ("ass", "Bénéficiaire de l'ASS", "minima_sociaux", False,
     [{"kinds": ["ass", "france_travail"], "max_age_days": THREE_MONTHS}],
     "Attestation de paiement de l'allocation de solidarité spécifique de moins de trois mois."),
    ("aah", "Bénéficiaire de l'AAH", "minima_sociaux", False,
     [{"kinds": ["aah"], "max_age_days": None}],
     "Notification d'attribution de l'AAH en cours de validité."),
    ("rqth", "Travailleur handicapé (RQTH)", "rqth", False,
     [{"kinds": ["rqth"], "max_age_days": None}],
     "Notification de la MDPH en cours de validité. Aucun autre renseignement de santé n'est demandé."),
    ("jeune", "Jeune de moins de 26 ans peu qualifié ou sans expérience", "jeunes", True,
     [{"kinds": ["identite", "titre_sejour"], "max_age_days": None}],
     "Moins de 26 ans à la date d'attribution ; au plus un CAP ou BEP, ou sans expérience et inactif depuis "
     "6 mois après l'école."),
    ("senior", "Demandeur d'emploi de 50 ans et plus", "seniors", True,
     [{"kinds": ["identite", "titre_sejour"], "max_age_days": None},
      {"kinds": ["france_travail"], "max_age_days": THREE_MONTHS}],
     "50 ans ou plus à la date d'attribution, et inscrit à France Travail."),
    ("justice", "Personne placée sous main de justice", "justice", False,
     [{"kinds": ["justice"], "max_age_days": THREE_MONTHS}],
     "Attestation du SPIP ou de la PJJ de moins de trois mois."),
    ("refugie", "Réfugié ou bénéficiaire de la protection subsidiaire", "refugies", False,
     [{"kinds": ["titre_sejour"], "max_age_days": None}],
     "Titre de séjour ou décision de l'OFPRA en cours de validité."),
    ("siae", "Salarié d'une structure d'insertion par l'activité économique", "siae", False,
     [{"kinds": ["siae"], "max_age_days": THREE_MONTHS}],
     "Attestation de l'employeur ou PASS IAE de moins de trois mois. La fiche n°2 seule ne suffit pas."),
    ("qpv", "Résident d'un quartier prioritaire (QPV)", "", False,
     [{"kinds": ["domicile"], "max_age_days": THREE_MONTHS}],
     "Priorité sur les marchés exécutés dans un QPV ou à proximité ; ne rend pas éligible à elle seule."),
]  # fmt: skip


def create_criteria(apps, schema_editor):
    EligibilityCriterion = apps.get_model("participants", "EligibilityCriterion")
    for order, (code, label, public, computed, proofs, description) in enumerate(CRITERIA, start=1):
        EligibilityCriterion.objects.get_or_create(
            code=code,
            defaults={
                "label": label,
                "public": public,
                "computed": computed,
                "proofs": proofs,
                "description": description,
                "order": order * 10,
            },
        )


def remove_criteria(apps, schema_editor):
    apps.get_model("participants", "EligibilityCriterion").objects.filter(code__in=[c[0] for c in CRITERIA]).delete()


class Migration(migrations.Migration):
    dependencies = [("participants", "0001_initial")]

    operations = [migrations.RunPython(create_criteria, remove_criteria)]
