"""Encryption at rest: AES-256-GCM for a data file or a model checkpoint.

The key comes from the environment (``MEDAI_KEY``, 64 hex digits) or from a key file, never from
the repository. Each file gets a fresh random 96-bit nonce; a record identifier is bound to the
ciphertext as associated data, so an encrypted file put in the place of another record fails to
decrypt. The identifier is the caller's name for the record, unique across the whole store (such as
``cleveland/patients/2024-03``); without one, the file's name is used, which tells apart only the
files of one folder: two ``patients.csv.enc`` from different hospitals would swap unnoticed. GCM authenticates: a flipped byte or a wrong key raises ``DecryptionError``, never
returns garbage. Output is written to a temporary file in the target folder and moved into place,
so no partial file (and no plaintext copy) is left behind.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

from ..core.errors import InputError, MedaiError

MAGIC = b"MEDAIAES1"  # format marker and version
NONCE_BYTES, KEY_BYTES = 12, 32
KEY_VARIABLE = "MEDAI_KEY"


class DecryptionError(MedaiError):
    """The file is not ours, was changed, was renamed, or the key is wrong."""


def new_key() -> bytes:
    """A random 256-bit key (store it outside the repository, e.g. in a secrets manager)."""
    return secrets.token_bytes(KEY_BYTES)


def load_key(key_file: str | Path | None = None) -> bytes:
    """The key from ``key_file`` (64 hex digits) or else from the ``MEDAI_KEY`` environment variable."""
    if key_file is not None:
        try:
            text = Path(key_file).read_text(encoding="ascii").strip()
        except OSError as error:
            raise InputError(f"cannot read the key file {key_file}: {error.strerror or error}") from None
        except UnicodeDecodeError:
            raise InputError(f"the key file {key_file} is not text: it must hold 64 hex digits") from None
        source = f"key file {key_file}"
    else:
        text = os.environ.get(KEY_VARIABLE, "").strip()
        if not text:
            raise InputError(f"no key: set {KEY_VARIABLE} to 64 hex digits or pass a key file")
        source = KEY_VARIABLE
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise InputError(f"the key in {source} is not hexadecimal") from None
    if len(key) != KEY_BYTES:
        raise InputError(f"the key in {source} has {len(key)} bytes; AES-256 needs {KEY_BYTES} (64 hex digits)")
    return key


def _aead(key: bytes):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not isinstance(key, bytes) or len(key) != KEY_BYTES:
        raise InputError(f"the key must be {KEY_BYTES} bytes")
    return AESGCM(key)


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def encrypt_bytes(data: bytes, key: bytes, name: str) -> bytes:
    """``MAGIC + nonce + ciphertext`` of ``data``, bound to ``name``."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return MAGIC + nonce + _aead(key).encrypt(nonce, bytes(data), name.encode())


def decrypt_bytes(blob: bytes, key: bytes, name: str) -> bytes:
    """The plaintext of ``encrypt_bytes(data, key, name)``; ``DecryptionError`` if anything differs."""
    from cryptography.exceptions import InvalidTag

    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + NONCE_BYTES + 16:
        raise DecryptionError(f"{name}: not a file encrypted by medai (no {MAGIC.decode()} header)")
    nonce = blob[len(MAGIC) : len(MAGIC) + NONCE_BYTES]
    try:
        return _aead(key).decrypt(nonce, blob[len(MAGIC) + NONCE_BYTES :], name.encode())
    except InvalidTag:
        raise DecryptionError(f"{name}: wrong key, or the file was changed, renamed or put in another record's place") from None


def _bound(path: Path, record_id: str | None) -> str:
    if record_id is None:
        return path.name
    if not isinstance(record_id, str) or not record_id.strip():
        raise InputError(f"a record identifier must be a non-empty string, got {record_id!r}")
    return "record:" + record_id  # never equal to a bare file name


def encrypt_file(source: str | Path, target: str | Path, key: bytes, record_id: str | None = None) -> Path:
    """Encrypt ``source`` into ``target``, bound to ``record_id`` (else ``target``'s file name);
    refuses to overwrite ``source``."""
    source, target = Path(source), Path(target)
    if source.resolve() == target.resolve():
        raise InputError(f"{target} would overwrite its own plaintext; choose another name")
    _write_atomically(target, encrypt_bytes(source.read_bytes(), key, _bound(target, record_id)))
    return target


def decrypt_file(source: str | Path, key: bytes, target: str | Path | None = None, record_id: str | None = None) -> bytes:
    """The plaintext of an encrypted file, which must be bound to ``record_id`` (else its file
    name); also written to ``target`` if given."""
    source = Path(source)
    data = decrypt_bytes(source.read_bytes(), key, _bound(source, record_id))
    if target is not None:
        _write_atomically(Path(target), data)
    return data
