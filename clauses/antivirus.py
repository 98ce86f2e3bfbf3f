"""Uploads scanned by ClamAV's daemon (clamd) when one is configured: `CLAMD_ADDRESS`.

The file is streamed with clamd's INSTREAM command (no dependency: a socket): `zINSTREAM\\0`, then chunks each
preceded by their length as 4 bytes big-endian, then a zero length. clamd answers `stream: OK`, or
`stream: <signature> FOUND`, or an error (`INSTREAM size limit exceeded. ERROR`).

Fail closed by default: when clamd is configured but cannot be reached or answers an error, the upload is
refused with a French message ("analyse antivirus indisponible, réessayez"), never accepted unscanned.
`CLAMD_FAIL_OPEN=true` accepts it instead (and logs a warning), for a deployment that prefers availability.

Addresses: `tcp://host:3310` or `unix:///run/clamav/clamd.ctl`. Without `CLAMD_ADDRESS`, nothing is scanned.
"""

import logging
import socket
import struct
from urllib.parse import urlparse

from django.conf import settings
from django.core.exceptions import ValidationError

logger = logging.getLogger(__name__)

CHUNK_SIZE = 64 * 1024
UNAVAILABLE = "Analyse antivirus indisponible : le fichier n'a pas été enregistré, réessayez dans quelques minutes."
INFECTED = "Ce fichier contient un virus ou un programme malveillant : il est refusé."


class ScanUnavailable(Exception):
    """clamd could not say whether the file is clean (unreachable, timeout, error answer)."""


def _connect(address, timeout):
    target = urlparse(address)
    if target.scheme == "unix":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(target.path)
        return sock
    if target.scheme == "tcp" and target.hostname:
        return socket.create_connection((target.hostname, target.port or 3310), timeout=timeout)
    raise ScanUnavailable(f"adresse clamd non reconnue : {address!r}")


def scan(stream, *, address, timeout=10.0):
    """The name of the signature clamd found in `stream` (a binary file object), or None when it is clean.
    Raises ScanUnavailable when clamd cannot answer."""
    try:
        with _connect(address, timeout) as sock:
            sock.sendall(b"zINSTREAM\0")
            while chunk := stream.read(CHUNK_SIZE):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0") and (received := sock.recv(4096)):
                reply += received
    except OSError as error:
        raise ScanUnavailable(str(error)) from error
    answer = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if answer.endswith(" FOUND"):
        return answer.removeprefix("stream:").removesuffix(" FOUND").strip() or "inconnu"
    if answer == "stream: OK":
        return None
    raise ScanUnavailable(f"réponse de clamd : {answer!r}")


def check_upload(uploaded):
    """Refuse an uploaded file (any file object with read/seek) that clamd finds infected, with a French
    ValidationError; do nothing when no clamd is configured. The file is rewound afterwards."""
    address = getattr(settings, "CLAMD_ADDRESS", "")
    if not address:
        return
    uploaded.seek(0)
    try:
        found = scan(uploaded, address=address, timeout=settings.CLAMD_TIMEOUT)
    except ScanUnavailable as error:
        if settings.CLAMD_FAIL_OPEN:
            logger.warning("antivirus unavailable, upload accepted unscanned (CLAMD_FAIL_OPEN): %s", error)
            return
        logger.error("antivirus unavailable, upload refused: %s", error)
        raise ValidationError(UNAVAILABLE, code="antivirus_unavailable") from error
    finally:
        uploaded.seek(0)
    if found:
        logger.warning("upload refused by the antivirus: %s", found)
        raise ValidationError(INFECTED, code="infected")
