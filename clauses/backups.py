"""Backups of Clauses: the database and the private files (proofs, imports, generated bilans), restored together.

A backup is a folder holding
- `database.dump` (PostgreSQL: `pg_dump -Fc`) or `database.sqlite3` (the embedded mode: SQLite's backup API);
- `private.tar.gz`, the private files;
- `manifest.json`: date, engine and name of the database, the row count of every table (read in the same snapshot
  as the dump), the number, size and SHA-256 of every private file, and the SHA-256 of both archives.

A restore checks the manifest and the archives' checksums before touching anything, restores the database
(`pg_restore --clean --if-exists --no-owner`, in one transaction), puts the private files back (the current ones
are moved aside, never deleted), then checks the row counts and every file's checksum against the manifest.
Messages are in French: they are what the operator reads.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import environ
import psycopg
from psycopg import sql

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
FILES = "private.tar.gz"


class BackupError(Exception):
    """A refusal or a failure, told in French."""


@dataclass(frozen=True)
class Database:
    engine: str  # "postgresql" or "sqlite"
    name: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""

    @classmethod
    def from_settings(cls, settings_dict):
        engine = settings_dict["ENGINE"].rsplit(".", 1)[-1]
        if engine not in ("postgresql", "sqlite3"):
            raise BackupError(f"Base de données non prise en charge par la sauvegarde : {settings_dict['ENGINE']}.")
        return cls(
            engine="sqlite" if engine == "sqlite3" else engine,
            name=str(settings_dict["NAME"]),
            host=settings_dict.get("HOST") or "",
            port=str(settings_dict.get("PORT") or ""),
            user=settings_dict.get("USER") or "",
            password=settings_dict.get("PASSWORD") or "",
        )

    @classmethod
    def from_url(cls, url):
        return cls.from_settings(environ.Env.db_url_config(url))

    # PostgreSQL: the client tools' arguments and a psycopg connection.
    def pg_arguments(self):
        arguments = ["--dbname", self.name]
        for option, value in (("--host", self.host), ("--port", self.port), ("--username", self.user)):
            if value:
                arguments += [option, value]
        return arguments

    def pg_environment(self):
        return {**os.environ, "PGPASSWORD": self.password} if self.password else dict(os.environ)

    def connect(self, **kwargs):
        options = {"dbname": self.name, "host": self.host, "port": self.port, "user": self.user}
        options = {key: value for key, value in options.items() if value}
        if self.password:
            options["password"] = self.password
        return psycopg.connect(**options, **kwargs)


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _private_files(root):
    """{relative path: absolute path} of every regular file under `root`, sorted."""
    root = Path(root)
    if not root.exists():
        return {}
    return {
        path.relative_to(root).as_posix(): path
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


# --- Backup ---------------------------------------------------------------------------------------------------


def _new_folder(parent, now):
    parent = Path(parent)
    parent.mkdir(parents=True, exist_ok=True)
    stem = now.strftime("%Y-%m-%d_%H%M%S")
    for suffix in ["", *(f"-{n}" for n in range(2, 100))]:
        folder = parent / f"{stem}{suffix}"
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            continue
        return folder
    raise BackupError(f"Impossible de créer un dossier de sauvegarde dans {parent}.")


def _count_rows(cursor, tables, quote):
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _pg_tables(cursor):
    cursor.execute(
        "SELECT schemaname, tablename FROM pg_tables "
        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
    )
    return [f"{schema}.{table}" for schema, table in cursor.fetchall()]


def _pg_quote(qualified):
    schema, table = qualified.split(".", 1)
    return sql.Identifier(schema, table)


def _pg_counts(cursor):
    counts = {}
    for table in _pg_tables(cursor):
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(_pg_quote(table)))
        counts[table] = cursor.fetchone()[0]
    return counts


def _backup_postgresql(database, folder):
    """pg_dump of a snapshot, and the row counts of that same snapshot."""
    target = folder / PG_DUMP
    with database.connect(autocommit=False) as connection, connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = _pg_counts(cursor)
        result = subprocess.run(
            ["pg_dump", "--format", "custom", "--snapshot", snapshot, "--file", str(target), *database.pg_arguments()],
            env=database.pg_environment(),
            capture_output=True,
            text=True,
        )
        connection.rollback()
    if result.returncode != 0:
        raise BackupError(f"pg_dump a échoué : {result.stderr.strip()}")
    return target, counts


def _sqlite_tables(connection):
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    return [name for (name,) in rows]


def _sqlite_counts(path):
    connection = sqlite3.connect(path)
    try:
        return _count_rows(connection.cursor(), _sqlite_tables(connection), lambda t: '"' + t.replace('"', '""') + '"')
    finally:
        connection.close()


def _backup_sqlite(database, folder):
    if not Path(database.name).exists():
        raise BackupError(f"La base SQLite {database.name} n'existe pas : rien à sauvegarder.")
    target = folder / SQLITE_COPY
    source, copy = sqlite3.connect(database.name), sqlite3.connect(target)
    try:
        source.backup(copy)  # a consistent copy, even while the application writes
    finally:
        copy.close()
        source.close()
    return target, _sqlite_counts(target)


def _archive_files(root, target):
    files = _private_files(root)
    listed = {}
    with tarfile.open(target, "w:gz") as archive:
        for relative, path in files.items():
            archive.add(path, arcname=relative, recursive=False)
            listed[relative] = {"bytes": path.stat().st_size, "sha256": sha256(path)}
    return listed


def backup(*, database, private_root, into, now=None):
    """Write a backup folder under `into`; its path and manifest."""
    now = now or datetime.now().astimezone()
    folder = _new_folder(into, now)
    try:
        if database.engine == "postgresql":
            dump, counts = _backup_postgresql(database, folder)
        else:
            dump, counts = _backup_sqlite(database, folder)
        files = _archive_files(private_root, folder / FILES)
        manifest = {
            "format": FORMAT,
            "created": now.isoformat(timespec="seconds"),
            "engine": database.engine,
            "database": Path(database.name).name if database.engine == "sqlite" else database.name,
            "tables": counts,
            "rows": sum(counts.values()),
            "private_files": {"count": len(files), "bytes": sum(f["bytes"] for f in files.values()), "files": files},
            "archives": {
                name: {"bytes": (folder / name).stat().st_size, "sha256": sha256(folder / name)}
                for name in (dump.name, FILES)
            },
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
        for path in folder.iterdir():
            path.chmod(0o600)  # personal data: readable by the operator only
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # never leave a half-made backup that looks complete
        raise
    return folder, manifest


# --- Restore --------------------------------------------------------------------------------------------------


def read_manifest(folder):
    """The manifest of a complete, intact backup; a French BackupError otherwise."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BackupError(f"La sauvegarde {folder} n'existe pas.")
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise BackupError(f"Sauvegarde incomplète : {MANIFEST} manque dans {folder}.") from error
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError(f"Sauvegarde illisible : {MANIFEST} est abîmé.") from error
    keys = {"format", "created", "engine", "database", "tables", "rows", "private_files", "archives"}
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not keys <= set(manifest):
        raise BackupError(f"Sauvegarde illisible : {MANIFEST} n'est pas un manifeste de sauvegarde de Clauses.")
    expected = {PG_DUMP if manifest.get("engine") == "postgresql" else SQLITE_COPY, FILES}
    if set(manifest["archives"]) != expected:
        raise BackupError("Sauvegarde incomplète : le manifeste ne liste pas la base et les fichiers privés.")
    for name, facts in sorted(manifest["archives"].items()):
        path = folder / name
        if not path.is_file():
            raise BackupError(f"Sauvegarde incomplète : {name} manque dans {folder}.")
        if sha256(path) != facts["sha256"]:
            raise BackupError(
                f"Sauvegarde refusée : la somme de contrôle de {name} ne correspond pas au manifeste "
                "(fichier abîmé ou modifié depuis la sauvegarde)."
            )
    return manifest


def check_engine(manifest, database):
    if manifest["engine"] != database.engine:
        raise BackupError(
            f"Cette sauvegarde vient d'une base {manifest['engine']} ; la base configurée est {database.engine}."
        )


def _restore_postgresql(database, folder):
    result = subprocess.run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
         *database.pg_arguments(), str(folder / PG_DUMP)],
        env=database.pg_environment(),
        capture_output=True,
        text=True,
    )  # fmt: skip
    if result.returncode != 0:
        raise BackupError(f"pg_restore a échoué, la base est restée comme avant : {result.stderr.strip()}")
    with database.connect(autocommit=True) as connection, connection.cursor() as cursor:
        return _pg_counts(cursor)


def _restore_sqlite(database, folder):
    Path(database.name).parent.mkdir(parents=True, exist_ok=True)
    source, target = sqlite3.connect(folder / SQLITE_COPY), sqlite3.connect(database.name)
    try:
        source.backup(target)  # replaces the whole content, in one step
    finally:
        target.close()
        source.close()
    return _sqlite_counts(database.name)


def _restore_files(folder, private_root, manifest, now):
    """Extract next to the private files, move the current ones aside, put the backup's in place; check them."""
    root = Path(private_root)
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}-restauration-", dir=root.parent))
    try:
        with tarfile.open(folder / FILES, "r:gz") as archive:
            archive.extractall(staging, filter="data")  # no absolute paths, links outside or devices
        aside = None
        current = list(root.iterdir())
        if current:
            aside = root.parent / f"{root.name}.avant-restauration-{now:%Y-%m-%d_%H%M%S}"
            aside.mkdir()
            for entry in current:
                shutil.move(str(entry), aside / entry.name)
        for entry in staging.iterdir():
            shutil.move(str(entry), root / entry.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    restored = _private_files(root)
    expected = manifest["private_files"]["files"]
    wrong = sorted(
        name for name in set(expected) | set(restored)
        if name not in restored or name not in expected or sha256(restored[name]) != expected[name]["sha256"]
    )  # fmt: skip
    if wrong:
        raise BackupError(f"Fichiers privés restaurés différents de la sauvegarde : {', '.join(wrong[:5])}.")
    return aside, len(restored)


def restore(*, folder, database, private_root, now=None):
    """Restore a backup checked by `read_manifest`; what was done, for the operator."""
    now = now or datetime.now()
    folder = Path(folder)
    manifest = read_manifest(folder)
    check_engine(manifest, database)
    counts = (_restore_postgresql if database.engine == "postgresql" else _restore_sqlite)(database, folder)
    different = sorted(table for table, rows in manifest["tables"].items() if counts.get(table) != rows)
    if different:
        raise BackupError(f"Base restaurée, mais des tables diffèrent de la sauvegarde : {', '.join(different[:5])}.")
    aside, files = _restore_files(folder, private_root, manifest, now)
    return {"tables": len(manifest["tables"]), "rows": manifest["rows"], "files": files, "aside": aside}


def describe(manifest):
    """One French line about a backup's content."""
    files = manifest["private_files"]
    megabytes = f"{files['bytes'] / 1024 / 1024:.1f}".replace(".", ",")
    return (
        f"base {manifest['database']} ({manifest['engine']}) : {len(manifest['tables'])} tables, "
        f"{manifest['rows']} lignes ; {files['count']} fichiers privés ({megabytes} Mo) ; "
        f"sauvegarde du {datetime.fromisoformat(manifest['created']):%d/%m/%Y à %H:%M:%S}"
    )
