from django.core.management.base import BaseCommand, CommandError

from clauses import bench


class Command(BaseCommand):
    help = (
        "Mesure les pages, le bilan du plus grand donneur d'ordre et l'import d'heures sur la base configurée "
        "(p50, p95, requêtes SQL), compare aux cibles et écrit le résultat en JSON. Les mesures écrivent dans la "
        "base : à lancer sur une base de mesure, jamais en production."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=20, help="Requêtes mesurées par page (20 par défaut).")
        parser.add_argument("--output", default="var/bench.json", help="Fichier JSON du résultat.")
        parser.add_argument(
            "--only", nargs="+", choices=list(bench.ITEMS), metavar="NOM",
            help=f"Seulement ces mesures, parmi : {', '.join(bench.ITEMS)}.",
        )  # fmt: skip

    def handle(self, *args, repeat, output, only, **options):
        if repeat < 1:
            raise CommandError("--repeat vaut au moins 1.")
        try:
            report = bench.run(
                repeat=repeat,
                only=only,
                progress=lambda text: self.stderr.write(text),
                measured=lambda partial: bench.write_json(partial, output),
            )
        except bench.BenchFailure as error:
            raise CommandError(str(error)) from error
        bench.write_json(report, output)
        self.stdout.write(bench.table(report))
        self.stdout.write(f"\nRésultat écrit dans {output}.")
        if report.failures:
            raise CommandError(f"{len(report.failures)} mesure(s) en échec : une requête n'a pas répondu comme prévu.")
