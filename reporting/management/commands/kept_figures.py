import time

from django.core.management.base import BaseCommand

from reporting import kept


class Command(BaseCommand):
    help = (
        "Calcule les chiffres tenus à jour des tableaux de bord et de la consolidation (chaque structure, chacune "
        "des six dernières années) qui ne sont plus à jour. Un worker Celery le fait après chaque saisie et chaque "
        "nuit ; cette commande sert après un chargement en masse."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        written = kept.refresh()
        self.stdout.write(
            self.style.SUCCESS(f"{written} années de structures calculées en {time.monotonic() - started:.0f} s.")
        )
