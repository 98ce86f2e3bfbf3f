from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from clauses import backups


class Command(BaseCommand):
    help = (
        "Sauvegarde la base (pg_dump, ou copie SQLite) et les fichiers privés dans un dossier daté, "
        "avec un manifeste (nombre de lignes de chaque table, sommes de contrôle)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir", default=None, help="dossier des sauvegardes (par défaut BACKUP_DIR, sinon var/backups)"
        )
        parser.add_argument("--database-url", default=None, help="une autre base que DATABASE_URL")
        parser.add_argument("--private-root", default=None, help="un autre dossier que PRIVATE_MEDIA_ROOT")

    def handle(self, *args, **options):
        try:
            database = (
                backups.Database.from_url(options["database_url"])
                if options["database_url"]
                else backups.Database.from_settings(settings.DATABASES["default"])
            )
            folder, manifest = backups.backup(
                database=database,
                private_root=options["private_root"] or settings.PRIVATE_MEDIA_ROOT,
                into=options["dir"] or settings.BACKUP_DIR,
            )
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Sauvegarde écrite dans {folder}"))
        self.stdout.write(backups.describe(manifest))
