"""The antivirus hook (clauses/antivirus.py) against a stand-in for clamd.

clamd itself cannot be installed here (its signatures are downloaded from the internet, which this machine does
not reach), so these tests run a small TCP (and Unix socket) server in the test that speaks clamd's INSTREAM
protocol as documented — `zINSTREAM\\0`, chunks each preceded by a 4-byte big-endian length, a zero length to
end, answer `stream: OK` or `stream: <name> FOUND` — and flags the EICAR test string wherever it appears in the
stream (the real clamd flags EICAR only at the start of a file or in some containers). What is tested is our
client and the refusal in the upload paths, not ClamAV's detection.
"""

import os
import socket
import struct
import threading
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clauses.antivirus import ScanUnavailable, scan
from participants.models import Proof
from suivi.models import HourImport
from tests.html import text

# The EICAR test file: harmless, recognised by every antivirus as a test virus. Written in two halves so that an
# antivirus scanning this repository does not flag the test itself.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-" + b"ANTIVIRUS-TEST-FILE!$H+H*"
PDF_WITH_EICAR = b"%PDF-1.4\n" + EICAR + b"\n%%EOF\n"
CLEAN_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class FakeClamd:
    """clamd's INSTREAM, on a socket of this machine; keeps what it received for the tests to check."""

    def __init__(self, family=socket.AF_INET, path=None, reply=None):
        self.server = socket.socket(family, socket.SOCK_STREAM)
        self.server.bind(path if family == socket.AF_UNIX else ("127.0.0.1", 0))
        self.server.listen()
        port = None if family == socket.AF_UNIX else self.server.getsockname()[1]
        self.address = f"unix://{path}" if port is None else f"tcp://127.0.0.1:{port}"
        self.reply = reply
        self.received = []
        self.chunks = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _read(self, conn, size):
        data = b""
        while len(data) < size:
            part = conn.recv(size - len(data))
            if not part:
                raise ConnectionError("flux interrompu")
            data += part
        return data

    def _serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                assert self._read(conn, 10) == b"zINSTREAM\0"
                stream = b""
                while length := struct.unpack("!L", self._read(conn, 4))[0]:
                    self.chunks.append(length)
                    stream += self._read(conn, length)
                self.received.append(stream)
                answer = self.reply or (b"stream: Eicar-Test-Signature FOUND" if EICAR in stream else b"stream: OK")
                conn.sendall(answer + b"\0")

    def close(self):
        self.server.close()


@pytest.fixture
def clamd(settings):
    server = FakeClamd()
    settings.CLAMD_ADDRESS = server.address
    yield server
    server.close()


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once closed


def test_a_clean_stream_is_ok_and_sent_in_chunks(clamd):
    content = os.urandom(150 * 1024)
    assert scan(BytesIO(content), address=clamd.address) is None
    assert clamd.received == [content]
    assert clamd.chunks == [65536, 65536, 150 * 1024 - 131072]


def test_the_eicar_string_is_found(clamd):
    assert scan(BytesIO(b"avant " + EICAR), address=clamd.address) == "Eicar-Test-Signature"


def test_a_unix_socket_address_works(tmp_path):
    server = FakeClamd(socket.AF_UNIX, path=str(tmp_path / "clamd.ctl"))
    try:
        assert scan(BytesIO(EICAR), address=server.address) == "Eicar-Test-Signature"
    finally:
        server.close()


def test_an_error_answer_or_no_server_is_unavailable():
    server = FakeClamd(reply=b"INSTREAM size limit exceeded. ERROR")
    try:
        with pytest.raises(ScanUnavailable):
            scan(BytesIO(b"x" * 10), address=server.address)
    finally:
        server.close()
    with pytest.raises(ScanUnavailable):
        scan(BytesIO(b"x"), address=f"tcp://127.0.0.1:{_closed_port()}", timeout=2)


def _upload(client, world, content, name="attestation.pdf"):
    return client.post(
        reverse("participants:proof_upload", args=[world.participant.public_id]),
        {"kind": "france_travail", "issue_date": "2026-10-01", "file": SimpleUploadedFile(name, content)},
    )


def test_an_infected_proof_is_refused_in_french_and_nothing_is_kept(db, client, world, clamd, settings):
    client.force_login(world.facilitateur.user)
    count, files = Proof.objects.count(), _stored_files(settings)
    response = _upload(client, world, PDF_WITH_EICAR)
    assert response.status_code == 200
    assert "contient un virus" in text(response)
    assert Proof.objects.count() == count and _stored_files(settings) == files
    assert _upload(client, world, CLEAN_PDF).status_code == 302  # a clean one goes through the same scanner
    assert clamd.received[-1] == CLEAN_PDF


def test_clamd_unreachable_refuses_the_upload_unless_configured_to_fail_open(db, client, world, settings):
    client.force_login(world.facilitateur.user)
    settings.CLAMD_ADDRESS, settings.CLAMD_TIMEOUT = f"tcp://127.0.0.1:{_closed_port()}", 2
    count = Proof.objects.count()
    response = _upload(client, world, CLEAN_PDF)
    assert response.status_code == 200
    assert "Analyse antivirus indisponible" in text(response) and "réessayez" in text(response)
    assert Proof.objects.count() == count
    settings.CLAMD_FAIL_OPEN = True
    assert _upload(client, world, CLEAN_PDF).status_code == 302
    assert Proof.objects.count() == count + 1


def test_an_infected_import_is_refused(db, client, world, clamd):
    client.force_login(world.facilitateur.user)
    person, award = world.contract.participant, world.award
    content = (
        "Mois;Nom;Prénom;Date de naissance;SIRET entreprise;Marché;Lot;Heures travaillées\r\n"
        f"03/2026;{person.last_name};{person.first_name};{person.birth_date:%d/%m/%Y};{award.company.siret};"
        f"{award.lot.market.reference};{award.lot.number};35\r\n"
    ).encode() + EICAR
    count = HourImport.objects.count()
    response = client.post(reverse("suivi:import_start"), {"file": SimpleUploadedFile("heures.csv", content)})
    assert response.status_code == 200
    assert "contient un virus" in text(response)
    assert HourImport.objects.count() == count


def test_without_clamd_configured_nothing_is_scanned(db, client, world, settings):
    assert settings.CLAMD_ADDRESS == ""
    client.force_login(world.facilitateur.user)
    assert _upload(client, world, CLEAN_PDF).status_code == 302


def _stored_files(settings):
    location = settings.STORAGES["default"]["OPTIONS"]["location"]
    return sorted(str(p) for p in Path(location).rglob("*") if p.is_file())
