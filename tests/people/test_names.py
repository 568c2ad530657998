"""Pinyin columns for search and sort (SQLite has no Chinese collation)."""

import pytest

from fazhan.lib.names import pinyin_and_initials


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("张三", ("zhangsan", "zs")),
        ("单田芳", ("shantianfang", "stf")),  # surname 单 reads shan
        ("曾国藩", ("zengguofan", "zgf")),
        ("欧阳娜娜", ("ouyangnana", "oynn")),
        ("尉迟恭", ("yuchigong", "ycg")),
        ("阿依古丽·买买提", ("ayiguli" + "maimaiti", "ayglmmt")),
        ("Tom李", ("tomli", "tl")),
        ("", ("", "")),
    ],
)
def test_it_spells_names_in_pinyin(name, expected):
    assert pinyin_and_initials(name) == expected
