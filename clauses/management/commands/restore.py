import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from clauses import backups


class Command(BaseCommand):
    help = (
        "Restaure une sauvegarde (make backup) dans la base configurée et les fichiers privés, après confirmation. "
        "Arrêtez l'application (gunicorn, workers Celery) avant."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="le dossier de la sauvegarde, par exemple var/backups/2026-12-04_231000")
        parser.add_argument("--confirm", default="", help="« oui » pour ne pas poser la question (scripts)")
        parser.add_argument("--database-url", default=None, help="une autre base que DATABASE_URL")
        parser.add_argument("--private-root", default=None, help="un autre dossier que PRIVATE_MEDIA_ROOT")

    def handle(self, *args, **options):
        try:
            manifest = backups.read_manifest(options["folder"])
            database = (
                backups.Database.from_url(options["database_url"])
                if options["database_url"]
                else backups.Database.from_settings(settings.DATABASES["default"])
            )
            backups.check_engine(manifest, database)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        private_root = options["private_root"] or settings.PRIVATE_MEDIA_ROOT
        self.stdout.write(f"Sauvegarde : {backups.describe(manifest)}.")
        self.stdout.write(
            f"La base « {database.name} » et les fichiers privés de {private_root} seront remplacés par cette "
            "sauvegarde (les fichiers actuels sont mis de côté, pas effacés)."
        )
        self._confirm(options["confirm"])
        connections.close_all()  # this process's own connection must not hold the tables pg_restore drops
        try:
            done = backups.restore(folder=options["folder"], database=database, private_root=private_root)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Restauration faite : {done['tables']} tables ({done['rows']} lignes) et {done['files']} fichiers "
                "privés, vérifiés contre le manifeste."
            )
        )
        if done["aside"]:
            self.stdout.write(f"Les fichiers privés d'avant la restauration sont dans {done['aside']}.")

    def _confirm(self, answer):
        if answer:
            if answer.strip().lower() != "oui":
                raise CommandError("Restauration annulée : la confirmation doit valoir « oui ».")
            return
        if not sys.stdin.isatty():
            raise CommandError("Restauration annulée : confirmez avec --confirm oui (make restore … CONFIRM=oui).")
        if input("Tapez « oui » pour restaurer : ").strip().lower() != "oui":
            raise CommandError("Restauration annulée : rien n'a été modifié.")
