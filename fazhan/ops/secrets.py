"""Which secrets are not secret: missing (the settings then fall back to the public values in the
source), equal to a value in the source, or malformed (issue 11, finding H3).

The settings read each secret from the environment or from the file `NAME_FILE` names; this module
only judges the values they ended up with, so it works on any settings object.
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet

BLIND_INDEX_MIN = 32


def weak_secrets(conf: Any) -> list[str]:
    """One Chinese sentence per secret that must not protect real people's data."""
    problems: list[str] = []
    builtin_keys = {conf.BUILTIN_FIELD_ENCRYPTION_KEY}
    if not conf.SECRET_KEY or conf.SECRET_KEY == conf.BUILTIN_SECRET_KEY:
        problems.append("SECRET_KEY 未设置或等于源代码中的公开值")
    keys = list(conf.FIELD_ENCRYPTION_KEYS)
    if not keys or builtin_keys & set(keys):
        problems.append("FIELD_ENCRYPTION_KEYS 未设置或含有源代码中的公开密钥")
    else:
        for index, key in enumerate(keys, start=1):
            try:
                Fernet(key)
            except (ValueError, TypeError):
                problems.append(
                    f"FIELD_ENCRYPTION_KEYS 第 {index} 个密钥不是有效的 Fernet 密钥"
                    "（32 字节的 URL 安全 base64）"
                )
    blind = conf.BLIND_INDEX_KEY or ""
    if not blind or blind == conf.BUILTIN_BLIND_INDEX_KEY:
        problems.append("BLIND_INDEX_KEY 未设置或等于源代码中的公开值")
    elif len(blind) < BLIND_INDEX_MIN:
        problems.append(f"BLIND_INDEX_KEY 太短：至少 {BLIND_INDEX_MIN} 个字符")
    return problems
