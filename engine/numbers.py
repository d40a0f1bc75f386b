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


def exact(value: Decimal) -> int | float:
    """A Decimal as ``int`` when whole, else ``float``."""
    return int(value) if value == value.to_integral_value() else float(value)


def _decimal(text: str) -> Decimal:
    """Numeral without multiplier suffix -> Decimal (Arabic directly, Chinese via cn2an)."""
    plain = text.replace(",", "")
    try:
        return Decimal(plain)
    except InvalidOperation:
        pass
    if not plain or any(ch not in CN_CHARS and not ch.isdigit() and ch != "." for ch in plain):
        raise NotANumber(text)
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
