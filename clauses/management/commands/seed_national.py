import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from clauses import national
from marches.models import Market


class Command(BaseCommand):
    help = (
        "Charge un jeu de données à l'échelle nationale (5 années de l'activité 2021 du réseau) pour les mesures "
        "de performance : PostgreSQL seulement, dans une base vide."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2021, help="graine du tirage (défaut : 2021)")
        parser.add_argument("--years", type=int, default=5, help="nombre d'années (défaut : 5)")
        parser.add_argument(
            "--fraction", type=float, default=1.0, help="part du volume national (défaut : 1, soit tout)"
        )

    def handle(self, *args, seed, years, fraction, **options):
        if settings.IS_PRODUCTION or settings.SECRET_KEY != settings.DEVELOPMENT_SECRET_KEY:
            raise CommandError(
                "seed_national est refusé en production : il créerait des comptes au mot de passe connu."
            )
        if connection.vendor != "postgresql":
            raise CommandError(
                "seed_national demande PostgreSQL : définissez DATABASE_URL (par exemple `make national`)."
            )
        if not 0 < fraction <= 1 or not 1 <= years <= 10:
            raise CommandError("--fraction est compris entre 0 et 1, --years entre 1 et 10.")
        if Market.objects.exists():
            raise CommandError("La base contient déjà des marchés : seed_national remplit une base vide.")
        started = time.monotonic()
        totals = national.generate(seed=seed, years=years, fraction=fraction, log=self.stdout.write)
        minutes, seconds = divmod(round(time.monotonic() - started), 60)
        self.stdout.write(self.style.SUCCESS(f"Jeu national chargé en {minutes} min {seconds:02d} s."))
        counts = [
            (totals.structures, "structures"), (totals.buyers, "donneurs d'ordre"), (totals.markets, "marchés"),
            (totals.lots, "lots"), (totals.companies, "entreprises"), (totals.awards, "attributions"),
            (totals.participants, "participants"), (totals.contracts, "contrats"),
            (totals.hour_entries, "lignes d'heures"), (round(totals.hours), "heures"),
        ]  # fmt: skip
        self.stdout.write(", ".join(f"{number:_} {label}".replace("_", "\u202f") for number, label in counts) + ".")
        self.stdout.write(
            f"Comptes (mot de passe {national.PASSWORD}) : reseau@{national.DOMAIN}, "
            f"admin.001@{national.DOMAIN} et facilitateur.001.1@{national.DOMAIN} (la plus grande structure)."
        )
