"""Numerals: Arabic, Chinese (两/兩, 萬/億, 点), 万/亿 multipliers, 百分之, and vague ranges."""
from __future__ import annotations

import pytest

from engine import numbers


@pytest.mark.parametrize("text,value", [
    ("6147", 6147),
    ("1,234", 1234),
    ("88.3", 88.3),
    ("406.7万", 4_067_000),
    ("2.2万", 22_000),
    ("1.68亿", 168_000_000),        # exact: not 168000000.00000003
    ("171.59万", 1_715_900),
    ("三", 3),
    ("十", 10),
    ("十三", 13),
    ("两万", 20_000),
    ("兩萬", 20_000),               # traditional forms as written
    ("一千二百", 1200),
    ("三万五千", 35_000),
    ("一点六八亿", 168_000_000),    # cn2an alone rejects a multiplier after a Chinese decimal
    ("零点五", 0.5),
    ("百分之六十", 60),
    ("百分之九十五点五", 95.5),
    ("3万亿", 3_000_000_000_000),
])
def test_parse(text, value):
    got = numbers.parse(text)
    assert got == value
    assert isinstance(got, int) == isinstance(value, int)


@pytest.mark.parametrize("text", ["十三五", "三高", "两委", "", "百分之", "abc", "1+5"])
def test_not_a_number(text):
    with pytest.raises(numbers.NotANumber):
        numbers.parse(text)


@pytest.mark.parametrize("head,factor,after,expected", [
    ("230", 10_000, False, (2_300_000, 2_400_000)),    # 230多万
    ("2.2", 10_000, True, (22_000, 23_000)),           # 2.2万多
    ("10", 10_000, True, (100_000, 110_000)),          # 10万多: the 万 digit stays open, not the ten
    ("40", 10_000, False, (400_000, 500_000)),         # 40多万
    ("8", 10_000, True, (80_000, 90_000)),             # 8万多
    ("1600", 1, False, (1600, 1700)),                  # 1600多
    ("8000", 1, False, (8000, 9000)),                  # 8000余
    ("40", 1, False, (40, 50)),                        # 40多
    ("三十", 1, False, (30, 40)),                      # 三十余
    ("十", 1, False, (10, 20)),                        # 十余
])
def test_vague_range(head, factor, after, expected):
    assert numbers.vague_range(head, factor, after_multiplier=after) == expected


def test_split_multiplier():
    assert numbers.split_multiplier("2.2万") == ("2.2", 10_000)
    assert numbers.split_multiplier("1.68亿") == ("1.68", 100_000_000)
    assert numbers.split_multiplier("230") == ("230", 1)
    assert numbers.split_multiplier("万") == ("万", 1)   # a bare multiplier is no numeral with a suffix


def test_cn2an_transform_is_never_used():
    """cn2an.transform rewrites running text (两个维护 -> 2个维护); no engine code may call it."""
    import ast
    from pathlib import Path
    for path in (Path(numbers.__file__).parent).glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "transform"]
        assert not calls, f"{path.name} uses .transform"


def _cn2an_smart(text):
    import logging

    import cn2an
    logging.getLogger("cn2an").setLevel(logging.ERROR)
    try:
        return cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def test_fast_chinese_integers_agree_with_cn2an():
    """The one-pass reader either gives cn2an's value or defers to cn2an; it never disagrees."""
    import random

    import cn2an
    rng = random.Random(11)
    written = set()
    for value in list(range(0, 3000)) + [rng.randrange(10**8) for _ in range(3000)]:
        s = cn2an.an2cn(value, "low")
        written.update({s, s.replace("二", "两"), s[1:] if s.startswith("一十") else s})
    spoken = {"一千二", "三万五", "两万三千五", "一百零五", "二〇二三", "十万", "一万零三百", "七百一万", "一十零"}
    chars = "零〇一二三四五六七八九两十百千万亿"
    noise = {"".join(rng.choice(chars) for _ in range(rng.randint(1, 6))) for _ in range(4000)}
    fast = 0
    for text in sorted(written | spoken | noise):
        mine = numbers._chinese_integer(text)
        if mine is None:
            continue
        fast += 1
        assert mine == _cn2an_smart(text), text
    assert all(numbers._chinese_integer(s) is not None for s in written)   # what reports write goes fast
    assert fast > len(written)
