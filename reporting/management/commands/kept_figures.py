import time

from django.core.management.base import BaseCommand, CommandError

from marches.progress import today
from reporting import kept


class Command(BaseCommand):
    help = (
        "Calcule les chiffres tenus à jour des tableaux de bord et de la consolidation (chaque structure, chacune "
        "des six dernières années) qui ne sont plus à jour. Un worker Celery le fait après chaque saisie et chaque "
        "nuit ; cette commande sert après un chargement en masse."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--years", type=int, default=kept.YEARS,
            help=f"années calculées, de l'année en cours vers le passé (défaut : {kept.YEARS})",
        )  # fmt: skip

    def handle(self, *args, years, **options):
        if not 1 <= years <= kept.YEARS:
            raise CommandError(f"--years est compris entre 1 et {kept.YEARS}.")
        started = time.monotonic()
        on = today()
        written = kept.refresh(on=on, years=range(on.year, on.year - years, -1))
        self.stdout.write(
            self.style.SUCCESS(f"{written} années de structures calculées en {time.monotonic() - started:.0f} s.")
        )
