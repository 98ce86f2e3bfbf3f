from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from clauses.accounts import demo as accounts_demo
from comites import demo as comites_demo
from marches import demo as marches_demo
from participants import demo as participants_demo
from suivi import demo as suivi_demo
from suivi import demo_followup as followup_demo


class Command(BaseCommand):
    help = "Charge les données de démonstration (idempotent ; refusé en production)."

    def handle(self, *args, **options):
        # A production configuration: declared (CLAUSES_ENV=production) or recognisable by a secret key of its own.
        if settings.IS_PRODUCTION or settings.SECRET_KEY != settings.DEVELOPMENT_SECRET_KEY:
            raise CommandError(
                "seed_demo est refusé en production (CLAUSES_ENV=production ou SECRET_KEY définie) : "
                "il créerait des comptes au mot de passe connu."
            )
        with transaction.atomic():
            accounts = accounts_demo.seed()
            seeded = marches_demo.seed(accounts["structures"])
            participants_demo.seed(accounts, seeded)
            followed = suivi_demo.seed(accounts, seeded)
            followup = followup_demo.seed(accounts)
            meetings = comites_demo.seed(accounts)
            # Counted once everything is written: the suivi demo adds the diagnoses of its contracts.
            people = participants_demo.summary(accounts["structures"].values())
        self.stdout.write(self.style.SUCCESS("Données de démonstration chargées."))
        self.stdout.write(
            f"Marchés : {len(seeded['buyers'])} donneurs d'ordre, {len(seeded['markets'])} marchés, "
            f"{len(seeded['lots'])} lots, {len(seeded['companies'])} entreprises, "
            f"{len(seeded['awards'])} attributions."
        )
        self.stdout.write(participants_demo.summary_line(people))
        self.stdout.write(suivi_demo.summary_line(followed))
        self.stdout.write(followup_demo.summary_line(followup))
        self.stdout.write(comites_demo.summary_line(meetings))
        self.stdout.write("")
        self.stdout.write(f"Comptes de démonstration (mot de passe pour tous : {accounts_demo.DEMO_PASSWORD}) :")
        for role, email in accounts_demo.DEMO_LOGINS.items():
            self.stdout.write(f"  {role.label:<22} {email}")
        self.stdout.write(f"  {'plusieurs structures':<22} multi@{accounts_demo.DEMO_DOMAIN}")
        self.stdout.write(f"  {'tête de réseau':<22} reseau@{accounts_demo.DEMO_DOMAIN}")
