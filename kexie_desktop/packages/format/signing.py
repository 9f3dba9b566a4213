"""Canonical serialisation, HMAC-SHA256 signatures, and the activation code of init packages.

The signature covers the *content* — every manifest field but the signature, and every cell of every
data row in canonical form (codec.canon_table) — not the file's bytes, so that a spreadsheet program
may re-save the file and it still verifies, while any edited value does not.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets

KEY_BYTES = 32
PBKDF2_ITERATIONS = 200_000
MAX_ITERATIONS = 5_000_000  # refuse files that would make us spin for minutes
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud on the phone
CODE_LENGTH = 12


_SEP, _END = "\x1f", "\x1e"  # unit and record separators


def canonical(manifest_fields: dict[str, str], sheets: list[tuple[str, list[list]]]) -> bytes:
    """The bytes the signature covers. ``sheets``: (sheet name, canonical columns) in package order.

    A JSON head (manifest fields; each sheet's name, column count and row count), then one record per
    column. A column whose cells hold neither separator is its cells joined by the unit separator
    (marked "T"): with the row count known, that splits back one way only. Any other column is
    written as a JSON array (marked "J"), which never holds a raw control character. So different
    contents never give the same bytes, and a 100,000-row sheet costs a few joins instead of a
    JSON encoding of every cell.
    """
    head = {
        "manifest": sorted((k, v) for k, v in manifest_fields.items() if k != "signature"),
        "sheets": [[name, len(columns), len(columns[0]) if columns else 0] for name, columns in sheets],
    }
    records = [json.dumps(head, ensure_ascii=False, separators=(",", ":"))]
    for _name, columns in sheets:
        for column in columns:
            joined = _SEP.join(column)
            if _END in joined or joined.count(_SEP) != len(column) - 1:
                records.append("J" + json.dumps(list(column), ensure_ascii=False, separators=(",", ":")))
            else:
                records.append("T" + joined)
    return _END.join(records).encode("utf-8")


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sign(key: bytes, data: bytes) -> str:
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def verify(key: bytes, data: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(key, data), signature)


def key_id(key: bytes) -> str:
    """A public fingerprint of a key: tells "wrong key" apart from "edited content" in messages."""
    return hmac.new(key, b"kexie-key-id", hashlib.sha256).hexdigest()[:16]


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def new_salt() -> str:
    return secrets.token_hex(16)


def activation_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def show_code(code: str) -> str:
    """ABCDEFGHJKMN -> ABCD-EFGH-JKMN (easier to read out on the phone)."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def normalise_code(text: str) -> str:
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def derive(code: str, salt_hex: str, iterations: int) -> tuple[bytes, bytes]:
    """(pad for the two keys carried in the file, HMAC key of the init package)."""
    material = hashlib.pbkdf2_hmac(
        "sha256", normalise_code(code).encode("ascii", "ignore"), bytes.fromhex(salt_hex), iterations,
        dklen=2 * KEY_BYTES + KEY_BYTES,
    )
    return material[: 2 * KEY_BYTES], material[2 * KEY_BYTES:]


def xor(data: bytes, pad: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, pad, strict=True))
