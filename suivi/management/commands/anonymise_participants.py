from django.conf import settings
from django.core.management.base import BaseCommand

from suivi import retention


class Command(BaseCommand):
    help = (
        "Anonymise les participants dont le dernier suivi a pris fin il y a plus de RETENTION_MONTHS mois "
        f"(actuellement {settings.RETENTION_MONTHS}). Sans --wet-run, affiche seulement ce qui serait fait."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wet-run", action="store_true", help="anonymise vraiment (sinon : simulation)")

    def handle(self, *args, wet_run=False, **options):
        report = retention.anonymise_due(dry_run=not wet_run)
        for line in report_lines(report):
            self.stdout.write(line)


def report_lines(report):
    """The report in French: counts per structure and public ids, never a name."""
    mode = "ANONYMISATION" if not report.dry_run else "SIMULATION (rien n'est modifié ; --wet-run pour agir)"
    yield f"{mode} au {report.on:%d/%m/%Y}"
    yield (
        f"Conservation : {settings.RETENTION_MONTHS} mois après la fin du dernier suivi, "
        f"soit un suivi terminé au plus tard le {report.limit:%d/%m/%Y}."
    )
    if not report.due:
        yield "Aucune personne à anonymiser."
        return
    yield f"{len(report.due)} personne(s) à anonymiser :"
    for structure, count in report.per_structure():
        yield f"  {structure} : {count}"
    for due in report.due:
        yield f"  - {due.participant.public_id} (fin du suivi : {due.end:%d/%m/%Y})"
    if not report.dry_run:
        yield f"{report.anonymised} anonymisée(s), {report.failed} échec(s) (voir le journal)."
