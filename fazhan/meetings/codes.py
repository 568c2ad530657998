"""One-time ballot codes: generated, printed once, kept only as keyed hashes.

12 characters from a 32-letter alphabet without 0/O and 1/I (60 bits), shown as XXXX-XXXX-XXXX.
A forger guessing at random hits one of n live codes with probability n / 2^60 per try. The stored
value is an HMAC under the installation's SECRET_KEY, so that reading the database does not give
the unused codes of a vote in progress (and a copied database cannot be brute-forced offline
without the key).
"""

from __future__ import annotations

import secrets

from django.utils.crypto import salted_hmac

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
LENGTH = 12
_SALT = "fazhan.meetings.ballot-code"


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def pretty(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise(raw: str) -> str | None:
    """The code as typed (any case, spaces, dashes) in canonical form; None if it cannot be one."""
    cleaned = "".join(ch for ch in raw.upper() if ch not in " -_\t")
    if len(cleaned) != LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def code_hash(code: str) -> str:
    return salted_hmac(_SALT, code, algorithm="sha256").hexdigest()
