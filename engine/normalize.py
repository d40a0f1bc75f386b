"""normalize: original text -> matching view of exactly the same length.

Input: decoded text. Output: a *view* string where traditional characters are simplified,
full-width ASCII is half-width, every quote variant is one quote character and odd spaces are
plain spaces. Invariant: ``len(view(text)) == len(text)`` and ``view(text)[i]`` is the
translation of ``text[i]`` alone, so any span found on the view indexes the original text.

Why a character table and not OpenCC's phrase conversion: phrase conversion can change the
length of the text (and is ~100x slower); the few one-to-many characters it resolves by
context (乾/干, 於/于) are irrelevant to our vocabulary, so a 1:1 table built once from the
OpenCC dictionary is both faster and offset-preserving.
"""
from __future__ import annotations

import array
import functools
import os

import opencc

from .core import NORMALIZE

QUOTE = '"'
# Every quote shape seen in reports, single or double, collapses to one character, so
# rule authors never have to guess which quotes a report used.
_QUOTES = "“”„‟«»「」『』〝〞＂‘’‚‛'"
_SPACES = "\u3000\u00a0\u2002\u2003\u2009\u200b\t"
# The plus sign survives in several shapes (＋ ﹢ ➕); the lost plus ("1 5") is the rules' job.
_EXTRA = {"﹢": "+", "➕": "+", "—": "—", "·": "·", "•": "·", "・": "·"}


def _opencc_table() -> dict[int, str]:
    """Single-character traditional->simplified pairs from OpenCC's own dictionary."""
    path = os.path.join(os.path.dirname(opencc.__file__), "dictionary", "TSCharacters.txt")
    table: dict[int, str] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2:
                continue
            source, targets = parts[0], parts[1].split(" ")
            if len(source) == 1 and len(targets[0]) == 1 and source != targets[0]:
                table[ord(source)] = targets[0]
    return table


@functools.cache
def translation_table() -> dict[int, str]:
    """The 1:1 table applied by :func:`view` (built once per process)."""
    table = _opencc_table()
    for code in range(0xFF01, 0xFF5F):  # full-width ASCII block -> ASCII
        table[code] = chr(code - 0xFEE0)
    for ch in _QUOTES:
        table[ord(ch)] = QUOTE
    for ch in _SPACES:
        table[ord(ch)] = " "
    for src, dst in _EXTRA.items():
        table[ord(src)] = dst
    return table


_UINT32 = next(code for code in "IL" if array.array(code).itemsize == 4)


@functools.cache
def _code_tables() -> tuple[array.array, bytearray]:
    """The table of :func:`translation_table` as 32-bit code points indexed by code point, and
    a mask of the traditional-only code points, one byte each (built once per process: ~7 ms
    with the compiled module, ~25 ms without; 5.5 MB). Plain buffers: numpy, which costs more than that to import, is only needed by the
    references below."""
    mapped = array.array(_UINT32)
    if NORMALIZE is not None:
        mapped.frombytes(NORMALIZE.identity())   # the same, without a Python loop over 1.1 M code points
    else:
        mapped.extend(range(0x110000))
    for code, target in translation_table().items():
        mapped[code] = ord(target)
    traditional = bytearray(0x110000)
    for code in _opencc_table():
        traditional[code] = 1
    return mapped, traditional


def _codes(text: str):
    import numpy as np
    # UTF-32 is one 4-byte unit per character, so the array index is the character offset
    # (surrogatepass: a lone surrogate from a JSON escape stays one character, as in the text)
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def view(text: str) -> str:
    """The matching view of ``text``: same length, same offsets.

    One array lookup per character: ~10x faster than ``str.translate`` with a dict, whose
    per-character dictionary lookups dominated the pipeline on traditional text.
    """
    if len(text) < 64:   # a phrase or an example: a dictionary lookup per character is cheaper
        return text.translate(translation_table())
    if NORMALIZE is not None:
        return NORMALIZE.translate(text, _code_tables()[0])
    return view_numpy(text)


def view_numpy(text: str) -> str:
    """:func:`view` with numpy (the reference of the compiled loop, and where it is not built)."""
    import numpy as np
    mapped = np.frombuffer(_code_tables()[0], dtype=np.uint32)
    return mapped[_codes(text)].tobytes().decode("utf-32-le", "surrogatepass")


def detect_script(text: str) -> str:
    """``traditional`` when traditional-only characters are over 5% of the CJK text, else ``simplified``."""
    hits, total = NORMALIZE.script_counts(text, _code_tables()[1]) if NORMALIZE is not None \
        else script_counts_numpy(text)
    return "traditional" if hits / (total or 1) > 0.05 else "simplified"


def script_counts_numpy(text: str) -> tuple[int, int]:
    """(traditional-only characters, characters in U+4E00..U+9FFF), with numpy (the reference)."""
    import numpy as np
    traditional = np.frombuffer(_code_tables()[1], dtype=bool)
    codes = _codes(text)
    return int(np.count_nonzero(traditional[codes])), int(np.count_nonzero((codes >= 0x4E00) & (codes < 0xA000)))


_REGEX_META = set(".^$*+?{}[]\\|()")


def view_pattern(pattern: str) -> str:
    """Normalize a regular expression like text, without changing its syntax.

    Full-width punctuation written by a rule author means the literal character, so when it
    becomes a half-width regex metacharacter ("（" -> "(") it is escaped.
    """
    table = translation_table()
    out = []
    for ch in pattern:
        mapped = table.get(ord(ch), ch)
        if mapped != ch and mapped in _REGEX_META:
            out.append("\\" + mapped)
        else:
            out.append(mapped)
    return "".join(out)
