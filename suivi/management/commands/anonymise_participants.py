from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from suivi import retention


class Command(BaseCommand):
    help = (
        "Anonymise les participants dont le dernier suivi a pris fin il y a plus de RETENTION_MONTHS mois "
        f"(actuellement {settings.RETENTION_MONTHS}), les fiches navettes restées sans suite depuis "
        f"REFERRAL_RETENTION_MONTHS mois ({settings.REFERRAL_RETENTION_MONTHS}) et efface les fichiers d'import "
        f"d'heures après IMPORT_FILE_RETENTION_DAYS jours ({settings.IMPORT_FILE_RETENTION_DAYS}). "
        "Sans --wet-run, affiche seulement ce qui serait fait."
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
    wet = not report.dry_run
    yield from _section(
        f"Conservation : {settings.RETENTION_MONTHS} mois après la fin du dernier suivi, "
        f"soit un suivi terminé au plus tard le {report.limit:%d/%m/%Y}.",
        report.due,
        what=("Aucune personne à anonymiser.", "personne(s) à anonymiser"),
        per_structure=report.per_structure(),
        line=lambda due: f"{due.participant.public_id} (fin du suivi : {due.end:%d/%m/%Y})",
        outcome=wet
        and (
            f"{report.anonymised} anonymisée(s), {report.skipped} plus à anonymiser (suivi repris), "
            f"{report.failed} échec(s) (voir le journal)."
        ),
    )
    yield from _section(
        f"Fiches navettes sans suite : anonymisées {settings.REFERRAL_RETENTION_MONTHS} mois après leur dernier "
        f"événement, soit au plus tard le {report.referral_limit:%d/%m/%Y}.",
        report.referrals,
        what=("Aucune fiche navette à anonymiser.", "fiche(s) navette(s) à anonymiser"),
        per_structure=report.referrals_per_structure(),
        line=lambda item: (
            f"{item[0].public_id} ({item[0].get_status_display()}, dernier événement : {item[1]:%d/%m/%Y})"
        ),
        outcome=wet and f"{report.referrals_anonymised} anonymisée(s), {report.referrals_failed} échec(s).",
    )
    yield from _section(
        f"Fichiers d'import d'heures : effacés {settings.IMPORT_FILE_RETENTION_DAYS} jours après l'import, "
        f"soit importés au plus tard le {timezone.localtime(report.import_limit):%d/%m/%Y}.",
        report.imports,
        what=("Aucun fichier d'import à effacer.", "fichier(s) d'import à effacer"),
        per_structure=report.imports_per_structure(),
        line=lambda hour_import: f"import {hour_import.public_id} ({hour_import.get_status_display()})",
        outcome=wet and f"{report.import_files_deleted} effacé(s), {report.import_files_failed} échec(s).",
    )


def _section(rule, items, *, what, per_structure, line, outcome):
    """One kind of data: its rule, then how many are due by structure and each one's public id, then what was done."""
    none, kind = what
    yield rule
    if not items:
        yield none
        return
    yield f"{len(items)} {kind} :"
    for structure, count in per_structure:
        yield f"  {structure} : {count}"
    for item in items:
        yield f"  - {line(item)}"
    if outcome:
        yield outcome
