"""Pinyin of a Chinese name, for search and sort: SQLite has no Chinese collation, so lists sort
on a stored pinyin column instead of on the name (the same column serves PostgreSQL)."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin

# Surnames whose reading differs from the character's common reading (单 is shan, not dan).
# Compound surnames come first so that they win over a single-character match.
SURNAME_READINGS: tuple[tuple[str, list[str]], ...] = (
    ("尉迟", ["yu", "chi"]),
    ("万俟", ["mo", "qi"]),
    ("长孙", ["zhang", "sun"]),
    ("单于", ["chan", "yu"]),
    ("单", ["shan"]),
    ("曾", ["zeng"]),
    ("区", ["ou"]),
    ("解", ["xie"]),
    ("朴", ["piao"]),
    ("仇", ["qiu"]),
    ("查", ["zha"]),
    ("盖", ["ge"]),
    ("缪", ["miao"]),
    ("覃", ["qin"]),
    ("翟", ["zhai"]),
    ("乐", ["yue"]),
    ("尉", ["yu"]),
    ("种", ["chong"]),
    ("繁", ["po"]),
    ("召", ["shao"]),
    ("秘", ["bi"]),
    ("冼", ["xian"]),
)


def syllables(name: str) -> list[str]:
    """Lower-case syllables of the name; letters and digits kept, punctuation (·) dropped."""
    name = name.strip()
    head: list[str] = []
    for surname, reading in SURNAME_READINGS:
        if name.startswith(surname):
            head, name = list(reading), name[len(surname) :]
            break
    parts = head + lazy_pinyin(name, style=Style.NORMAL, errors="default")
    cleaned = (
        "".join(ch for ch in part.lower() if ch.isascii() and ch.isalnum()) for part in parts
    )
    return [part for part in cleaned if part]


def pinyin_and_initials(name: str) -> tuple[str, str]:
    """("zhangsan", "zs") for 张三: the full pinyin for sorting and prefix search, the initials for
    the quick search staff type (zs)."""
    parts = syllables(name)
    return "".join(parts), "".join(part[0] for part in parts)
