"""The question a sender answers while a notice is flooded (Step 8 item 5: a challenge instead of
a block). Works without JavaScript and without any outside service: a sum of two small numbers,
signed with its answer and a one-time nonce so that a solved question is spent once."""

from __future__ import annotations

import secrets

from django.core import signing

from fazhan.public import ratelimit

SALT = "fazhan.public.challenge"
MAX_AGE = 1800


def new_challenge() -> tuple[str, str]:
    """(the question in Chinese, the signed token the form carries)."""
    a, b = secrets.randbelow(40) + 10, secrets.randbelow(9) + 1
    token = signing.dumps({"s": a + b, "n": secrets.token_hex(16)}, salt=SALT)
    return f"{a} + {b} = ?", token


def passes(token: str, answer: str) -> bool:
    try:
        signed = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return False
    if not isinstance(signed, dict) or str(signed.get("s")) != answer.strip():
        return False
    return ratelimit.hit(ratelimit.CHALLENGE_USED, str(signed.get("n", "")))
