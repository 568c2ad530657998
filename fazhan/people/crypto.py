"""Field encryption and the blind index for ID numbers (DESIGN.md principle 8).

Ciphertext: Fernet (AES-128-CBC + HMAC-SHA256) under a MultiFernet built from
settings.FIELD_ENCRYPTION_KEYS, newest first: the first key encrypts, every key decrypts, so a key
is rotated by prepending a new one, re-encrypting (`rotate`, `fazhan keys rotate`), then dropping
the old one.

Blind index: HMAC-SHA256 of the normalized number under settings.BLIND_INDEX_KEY, a key apart from
the encryption keys, so exact lookup and duplicate detection never decrypt, and the index does not
change when the encryption keys rotate; it changes only with its own key, when `fazhan keys rotate`
recomputes it (BLIND_INDEX_KEY_OLD names the previous key until then).
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["InvalidToken", "blind_index", "blind_indexes", "decrypt", "encrypt", "rotate"]

# Domain separation: the same index key may later serve other fields without equal values of
# different fields producing equal digests.
_INDEX_DOMAIN = b"fazhan.person.id_number\x00"


@lru_cache(maxsize=8)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must hold url-safe base64 32-byte keys."
        ) from error


def _fernet() -> MultiFernet:
    # Keyed on the current setting so that override_settings in tests takes effect.
    return _fernet_for(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """Raises cryptography's InvalidToken when no configured key opens the token."""
    return _fernet().decrypt(token.encode("ascii")).decode("utf-8")


def rotate(token: str) -> str:
    """Re-encrypt under the newest key (MultiFernet.rotate)."""
    return _fernet().rotate(token.encode("ascii")).decode("ascii")


def _index_under(key: str, normalized: str) -> str:
    message = _INDEX_DOMAIN + normalized.encode("utf-8")
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def blind_index(normalized: str) -> str:
    key = settings.BLIND_INDEX_KEY
    if not key:
        raise ImproperlyConfigured("BLIND_INDEX_KEY is empty.")
    return _index_under(key, normalized)


def blind_indexes(normalized: str) -> list[str]:
    """The index under the current key and, while `fazhan keys rotate` re-indexes, under
    BLIND_INDEX_KEY_OLD: lookups and duplicate checks try both."""
    current = blind_index(normalized)
    old = getattr(settings, "BLIND_INDEX_KEY_OLD", "")
    return [current, _index_under(old, normalized)] if old else [current]
