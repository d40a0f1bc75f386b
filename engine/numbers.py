"""numbers: numeral text -> value, and the honest range a vague numeral allows.

Input: the numeral part of a quantity as it appears in the normalized view (simplified
characters, half-width digits): Arabic (``406.7``, ``1,234``), Chinese (``三``, ``两万``,
``一点六八``, ``一千二百``), either followed by the multipliers 万/亿 (``2.2万``, ``1.68亿``),
and percentages written out (``百分之六十``). Output: :func:`parse` gives the value as an
``int`` when it is whole, else a ``float``; :func:`vague_range` gives ``[low, high)`` for a
numeral followed by 多/余 (``230多万`` -> ``[2300000, 2400000)``, as JioNLP does).

Invariants: conversion of Chinese numerals is left to ``cn2an.cn2an(x, "smart")`` (never
``cn2an.transform``, which rewrites running text: 两个维护 -> 2个维护); this module only adds
what cn2an does not do: a multiplier after a Chinese decimal (一点六八亿), thousands
separators, 百分之, and exact decimal arithmetic so 1.68亿 is 168000000, not 168000000.00000003.
Every function is pure; a text that is not a numeral raises :class:`NotANumber`.
"""
from __future__ import annotations

import functools
import logging
from decimal import Decimal, InvalidOperation

# Chinese numeral characters in the normalized view (兩/萬/億 are simplified by then; the
# traditional forms are accepted too so the functions also work on original text).
CN_DIGITS = "零〇一二三四五六七八九两兩"
CN_UNITS = "十百千"
CN_MULTIPLIERS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
CN_CHARS = CN_DIGITS + CN_UNITS + "".join(CN_MULTIPLIERS) + "点點"


class NotANumber(ValueError):
    """The text is not a numeral tifa understands."""


@functools.cache
def _cn2an():
    # cn2an logs a warning per call in some releases; numbers are parsed by the thousand.
    logging.getLogger("cn2an").setLevel(logging.ERROR)
    import cn2an
    return cn2an


def exact(value: Decimal | int) -> int | float:
    """A Decimal as ``int`` when whole, else ``float``; an ``int`` as it is."""
    if type(value) is int:
        return value
    return int(value) if value == value.to_integral_value() else float(value)


_DIGIT_VALUE = {"零": 0, "〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
                "九": 9, "两": 2, "兩": 2}
_UNIT_VALUE = {"十": 10, "百": 100, "千": 1000}


def _chinese_integer(text: str) -> int | None:
    """A well-formed Chinese integer numeral, read as cn2an's "smart" mode reads it, else None.

    Covers the forms reports use (三, 十二, 两万三千, 一千零五, 三万亿, 二〇二三, and the
    spoken 一千二 = 1200, 三万五 = 35000) in one strict left-to-right pass; cn2an costs ~100 µs
    a call and numbers are parsed by the thousand, so only what this refuses goes to cn2an.
    """
    if not text or text[0] in "零〇":
        return 0 if text in ("零", "〇") else None
    if all(ch in _DIGIT_VALUE for ch in text):
        if len(text) > 1 and any(ch == "零" for ch in text):
            return None
        return int("".join(str(_DIGIT_VALUE[ch]) for ch in text))   # 二〇二三: digit by digit
    total = section = 0
    digit = None              # a digit waiting for its unit
    unit_cap = 10_000         # units within a section fall: 千 > 百 > 十
    last_place = 1            # place value of the last unit or multiplier
    seen_wan = False
    zero = False              # 零 seen since the last unit
    prev = ""
    for ch in text:
        if ch in _DIGIT_VALUE:
            if digit is not None or ch == "〇":
                return None
            if ch == "零":
                if zero or prev in _DIGIT_VALUE or last_place < 100:
                    return None
                zero = True
            else:
                digit = _DIGIT_VALUE[ch]
        elif ch in _UNIT_VALUE:
            unit = _UNIT_VALUE[ch]
            if unit >= unit_cap:
                return None
            if digit is None:
                if ch != "十" or section or total:
                    return None
                digit = 1     # 十二, 十万: a leading bare 十 is one ten
            section += digit * unit
            digit, unit_cap, last_place, zero = None, unit, unit, False
        elif ch in "万萬":
            if seen_wan or prev in "零" or (digit is not None and unit_cap in (100, 1000) and not zero):
                return None   # 七百一万: cn2an refuses a spoken digit before 万
            section += digit or 0
            if not section:
                return None
            total += section * 10_000
            section, digit, unit_cap, last_place, zero, seen_wan = 0, None, 10_000, 10_000, False, True
        else:                 # 亿 (rare, and with more spellings cn2an refuses) and anything else

            return None
        prev = ch
    if zero and digit is None:
        return None
    if digit is not None:
        # 一千二 = 1200, 三万五 = 35000: a last digit right after 百 or more counts one place down
        section += digit * (last_place // 10 if last_place >= 100 and not zero else 1)
    return total + section


def _decimal(text: str) -> Decimal:
    """Numeral without multiplier suffix -> Decimal (Arabic directly, Chinese by
    :func:`_chinese_integer` or, for the unusual, cn2an)."""
    plain = text.replace(",", "")
    if plain[:1] not in CN_CHARS:   # Decimal() refuses a leading Chinese character anyway, by a costly exception
        try:
            return Decimal(plain)
        except InvalidOperation:
            pass
    if not plain or any(ch not in CN_CHARS and not ch.isdigit() and ch != "." for ch in plain):
        raise NotANumber(text)
    whole, point, fraction = plain.replace("點", "点").partition("点")
    value = _chinese_integer(whole) if whole else None
    if value is not None and not point:
        return Decimal(value)
    if value is not None and fraction and all(ch in _DIGIT_VALUE for ch in fraction):
        return Decimal(f"{value}.{''.join(str(_DIGIT_VALUE[ch]) for ch in fraction)}")
    try:
        value = _cn2an().cn2an(plain.replace("點", "点").replace("兩", "两"), "smart")
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise NotANumber(text) from exc
    return Decimal(str(value))


def split_multiplier(text: str) -> tuple[str, int]:
    """``2.2万`` -> (``2.2``, 10000); ``3万亿`` -> (``3``, 10**12); no suffix -> (text, 1)."""
    factor = 1
    head = text
    while head and head[-1] in CN_MULTIPLIERS and len(head) > 1:
        factor *= CN_MULTIPLIERS[head[-1]]
        head = head[:-1]
    return head, factor


# Pure functions called per numeral, on a small vocabulary (一, 三, 230多...): cached.
@functools.lru_cache(maxsize=4096)
def to_decimal(text: str) -> Decimal:
    """A numeral (with optional 万/亿 suffix) as an exact Decimal."""
    text = text.strip()
    if text.startswith("百分之"):
        return to_decimal(text[3:])
    if not text:
        raise NotANumber(text)
    try:
        return _decimal(text)  # cn2an copes with inner multipliers: 两万三千, 2万3千
    except NotANumber:
        head, factor = split_multiplier(text)
        if factor == 1:
            raise
        return _decimal(head) * factor  # 一点六八亿, which cn2an rejects


def parse(text: str) -> int | float:
    """Value of a numeral: ``230万`` -> 2300000, ``一点六八亿`` -> 168000000, ``88.3`` -> 88.3."""
    return exact(to_decimal(text))


def step(text: str) -> Decimal:
    """Place value of the last significant digit of a numeral without multiplier.

    ``230`` -> 10, ``2.2`` -> 0.1, ``8`` -> 1, ``1600`` -> 100, ``三十`` -> 10.
    """
    value = _decimal(text).normalize()
    exponent = value.as_tuple().exponent
    return Decimal(1).scaleb(exponent if isinstance(exponent, int) else 0)


@functools.lru_cache(maxsize=4096, typed=True)
def vague_range(head: str, factor: int = 1, after_multiplier: bool = False) -> tuple[int | float, int | float]:
    """``[low, high)`` of ``<head>多`` (or 余) times ``factor``, as JioNLP reads them.

    多 right after the digits leaves the last significant digit open: 230多万 is [230, 240)
    x 10000, 1600多 is [1600, 1700), 8000余 is [8000, 9000). 多 after the multiplier leaves
    open what is below the last written digit: 10万多 is [10, 11) x 10000, 2.2万多 is
    [2.2, 2.3) x 10000.
    """
    low = _decimal(head)
    if after_multiplier:
        exponent = low.as_tuple().exponent
        unit = Decimal(1).scaleb(min(exponent, 0) if isinstance(exponent, int) else 0)
    else:
        unit = step(head)
    return exact(low * factor), exact((low + unit) * factor)
