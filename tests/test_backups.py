"""`manage.py backup` / `manage.py restore` (make backup / make restore): a round trip on a PostgreSQL database of
its own (a copy of the test database: every table of the application, its reference data, and rows of our own),
the embedded SQLite mode, and the refusals, which must leave everything as it was."""

import json
import sqlite3
import subprocess
import uuid
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from clauses import backups

ROUND_TRIP_ROWS = [
    (1, "Élodie Lefèvre — justificatif n°1", Decimal("151.67"), b"\x00\x01\xffbinaire"),
    (2, "Ça marche : « guillemets » et 'apostrophes'", Decimal("0.25"), b""),
    (3, "", Decimal("9999.99"), None),
]


def _files(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(Path(root).rglob("*")) if p.is_file()}


def _put_files(root):
    (root / "justificatifs" / "2026" / "12").mkdir(parents=True)
    (root / "bilans").mkdir()
    (root / "justificatifs" / "2026" / "12" / "piece-é.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) + b"%%EOF")
    (root / "justificatifs" / "2026" / "12" / "scan.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 5000)
    (root / "bilans" / "bilan.pdf").write_bytes(b"%PDF-1.7 bilan\n%%EOF")
    return _files(root)


def _counts(cursor):
    return backups._pg_counts(cursor)


@pytest.fixture
def scratch_database(django_db_setup, django_db_blocker):
    """A PostgreSQL database of the test's own (never the shared test database): a copy of the test database."""
    name = f"clauses_backup_{uuid.uuid4().hex[:10]}"
    test_database = backups.Database.from_settings(connection.settings_dict)
    source, target = test_database, replace(test_database, name=name)
    with test_database.connect(autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        dump = subprocess.run(
            ["pg_dump", "--format", "custom", *source.pg_arguments()],
            env=source.pg_environment(),
            capture_output=True,
            check=True,
        ).stdout
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", *target.pg_arguments()],
            input=dump,
            env=target.pg_environment(),
            capture_output=True,
            check=True,
        )
        yield target
    finally:
        with test_database.connect(autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_round_trip_on_postgresql(scratch_database, tmp_path):
    url = f"postgres:///{scratch_database.name}"
    private = tmp_path / "private"
    original_files = _put_files(private)
    with scratch_database.connect(autocommit=True) as db, db.cursor() as cursor:
        # Rows of our own in a table of the application, and a table with awkward values of every kind.
        cursor.execute("INSERT INTO auth_group (name) VALUES ('Équipe A'), ('Équipe B'), ('Équipe C')")
        cursor.execute(
            "CREATE TABLE essai_sauvegarde (id integer PRIMARY KEY, texte text NOT NULL, heures numeric(6, 2), "
            "contenu bytea, cree timestamptz DEFAULT now())"
        )
        cursor.executemany(
            "INSERT INTO essai_sauvegarde (id, texte, heures, contenu) VALUES (%s, %s, %s, %s)", ROUND_TRIP_ROWS
        )
        before = _counts(cursor)
        cursor.execute("SELECT id, texte, heures, contenu, cree FROM essai_sauvegarde ORDER BY id")
        values_before = cursor.fetchall()
        # Rows the framework always holds (a flush by an earlier test empties the reference data, never these).
        cursor.execute("SELECT id, app_label, model FROM django_content_type ORDER BY id")
        content_types_before = cursor.fetchall()
    assert content_types_before, "the copy holds the application's content types"
    assert before["public.auth_group"] == 3 and before["public.essai_sauvegarde"] == 3

    call_command("backup", dir=str(tmp_path / "backups"), database_url=url, private_root=str(private))
    (folder,) = (tmp_path / "backups").iterdir()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["tables"] == before and manifest["private_files"]["count"] == 3
    assert {p.name for p in folder.iterdir()} == {"manifest.json", "database.dump", "private.tar.gz"}

    # Everything changes after the backup: rows deleted, changed, added; a table truncated, another dropped;
    # files changed, deleted and added.
    with scratch_database.connect(autocommit=True) as db, db.cursor() as cursor:
        cursor.execute("DELETE FROM auth_group WHERE name = 'Équipe A'")
        cursor.execute("UPDATE auth_group SET name = 'changé' WHERE name = 'Équipe B'")
        cursor.execute("INSERT INTO auth_group (name) VALUES ('ajouté après')")
        cursor.execute("TRUNCATE participants_eligibilitycriterion, django_content_type CASCADE")
        cursor.execute("DROP TABLE essai_sauvegarde")
        assert _counts(cursor) != before
    (private / "bilans" / "bilan.pdf").write_bytes(b"autre contenu")
    (private / "justificatifs" / "2026" / "12" / "scan.png").unlink()
    (private / "nouveau.txt").write_text("ajouté après la sauvegarde")

    call_command("restore", str(folder), confirm="oui", database_url=url, private_root=str(private))

    with scratch_database.connect(autocommit=True) as db, db.cursor() as cursor:
        assert _counts(cursor) == before  # every table, row for row
        cursor.execute("SELECT name FROM auth_group ORDER BY name")
        assert [name for (name,) in cursor.fetchall()] == ["Équipe A", "Équipe B", "Équipe C"]
        cursor.execute("SELECT id, texte, heures, contenu, cree FROM essai_sauvegarde ORDER BY id")
        assert cursor.fetchall() == values_before
        cursor.execute("SELECT id, app_label, model FROM django_content_type ORDER BY id")
        assert cursor.fetchall() == content_types_before
    assert _files(private) == original_files  # byte for byte, and nothing more
    (aside,) = tmp_path.glob("private.avant-restauration-*")  # the files of before the restore are kept aside
    assert _files(aside)["nouveau.txt"] == "ajouté après la sauvegarde".encode()


def _sqlite_database(path, rows):
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE IF NOT EXISTS heures (id INTEGER PRIMARY KEY, texte TEXT, valeur REAL)")
    db.executemany("INSERT INTO heures (texte, valeur) VALUES (?, ?)", rows)
    db.commit()
    db.close()


def _sqlite_rows(path):
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT id, texte, valeur FROM heures ORDER BY id").fetchall()
    finally:
        db.close()


@pytest.fixture
def sqlite_backup(tmp_path):
    """The embedded mode (make run): a SQLite file and private files, backed up."""
    database, private = tmp_path / "clauses.sqlite3", tmp_path / "private"
    _sqlite_database(database, [("Élodie", 35.5), ("Karim", 151.67)])
    files = _put_files(private)
    url = f"sqlite:///{database}"
    call_command("backup", dir=str(tmp_path / "backups"), database_url=url, private_root=str(private))
    (folder,) = (tmp_path / "backups").iterdir()
    return {"folder": folder, "database": database, "private": private, "url": url, "files": files}


def test_round_trip_in_the_embedded_sqlite_mode(sqlite_backup):
    b = sqlite_backup
    rows = _sqlite_rows(b["database"])
    _sqlite_database(b["database"], [("ajouté", 1.0)])
    (b["private"] / "bilans" / "bilan.pdf").unlink()
    call_command("restore", str(b["folder"]), confirm="oui", database_url=b["url"], private_root=str(b["private"]))
    assert _sqlite_rows(b["database"]) == rows
    assert _files(b["private"]) == b["files"]


def _refused(backup, message, **options):
    """The restore is refused with `message`, and neither the database nor the files changed."""
    _sqlite_database(backup["database"], [("après la sauvegarde", 2.0)])
    (backup["private"] / "nouveau.txt").write_text("après")
    rows, files = _sqlite_rows(backup["database"]), _files(backup["private"])
    with pytest.raises(CommandError, match=message):
        call_command(
            "restore",
            str(backup["folder"]),
            database_url=backup["url"],
            private_root=str(backup["private"]),
            **options,
        )
    assert _sqlite_rows(backup["database"]) == rows
    assert _files(backup["private"]) == files


def test_restore_asks_for_confirmation(sqlite_backup):
    _refused(sqlite_backup, "confirmez avec --confirm oui")  # no terminal to ask on: refused
    _refused(sqlite_backup, "la confirmation doit valoir « oui »", confirm="non")


def test_restore_refuses_a_damaged_backup(sqlite_backup):
    archive = sqlite_backup["folder"] / "private.tar.gz"
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))
    _refused(sqlite_backup, "la somme de contrôle de private.tar.gz ne correspond pas", confirm="oui")


def test_restore_refuses_an_incomplete_backup(sqlite_backup):
    (sqlite_backup["folder"] / "database.sqlite3").unlink()
    _refused(sqlite_backup, "Sauvegarde incomplète : database.sqlite3 manque", confirm="oui")
    manifest = sqlite_backup["folder"] / "manifest.json"
    manifest.write_text(json.dumps({"format": 1, "archives": {}}))
    _refused(sqlite_backup, "n'est pas un manifeste de sauvegarde de Clauses", confirm="oui")
    manifest.unlink()
    _refused(sqlite_backup, "Sauvegarde incomplète : manifest.json manque", confirm="oui")


def test_restore_refuses_a_backup_of_another_engine(sqlite_backup, tmp_path):
    with pytest.raises(CommandError, match="vient d'une base sqlite ; la base configurée est postgresql"):
        call_command(
            "restore",
            str(sqlite_backup["folder"]),
            confirm="oui",
            database_url="postgres:///clauses_backup_never_created",
            private_root=str(tmp_path / "other"),
        )
    assert not (tmp_path / "other").exists()


def test_backup_of_a_missing_sqlite_database_is_refused(tmp_path):
    with pytest.raises(CommandError, match="n'existe pas : rien à sauvegarder"):
        call_command("backup", dir=str(tmp_path), database_url=f"sqlite:///{tmp_path / 'absente.sqlite3'}")
    assert list(tmp_path.iterdir()) == []  # no half-made backup left behind
