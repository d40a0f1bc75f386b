"""The compiled character loops of the normalize stage (engine/_normalize.c) give exactly what
their numpy references give: the view of a text and its script counts.

Compared on the seeds in both scripts and on random text drawn from every range the table
touches (ASCII, full-width forms, quotes, spaces, CJK with traditional characters, non-BMP
characters and lone surrogates, which JSON escapes can bring).
"""
from __future__ import annotations

import random

import numpy as np
import pytest

from engine import core
from engine.normalize import _code_tables, script_counts_numpy, translation_table, view_numpy

from conftest import SEED_FILES

compiled = core.COMPILED_NORMALIZE
needs_module = pytest.mark.skipif(compiled is None, reason="engine/_normalize.c was not compiled here (no C compiler)")


def _texts() -> list[str]:
    seeds = [path.read_text(encoding="utf-8") for path in SEED_FILES]
    traditional = "".join(chr(c) for c in sorted(translation_table()))
    alphabet = (traditional + "".join(chr(c) for c in range(0x20, 0x7F)) + "　“”「」『』‘’\t\u00a0\u200b"
                + "中国共产党组织部干部人才基层" + "\U00020000\U0002A6D6\ud800\udfff" + "".join(chr(c) for c in range(0xFF01, 0xFF5F)))
    rng = random.Random(3)
    randoms = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 400))) for _ in range(300)]
    return seeds + [s.translate({ord(k): v for k, v in {"组": "組", "织": "織", "干": "幹"}.items()}) for s in seeds] + randoms


@needs_module
def test_translate_equals_the_numpy_view():
    mapped, _ = _code_tables()
    changed = 0
    for text in _texts():
        expected = view_numpy(text)
        changed += expected != text
        assert compiled.translate(text, mapped) == expected, text[:50]
    assert changed > 100, "the texts must hold characters the table changes"


@needs_module
def test_script_counts_equal_the_numpy_counts():
    _, traditional = _code_tables()
    counts = [compiled.script_counts(text, traditional) for text in _texts()]
    assert counts == [script_counts_numpy(text) for text in _texts()]
    assert any(hits for hits, _cjk in counts) and any(cjk for _hits, cjk in counts)


@needs_module
def test_bad_tables_raise_instead_of_crashing():
    with pytest.raises(ValueError):
        compiled.translate("abc", np.arange(10, dtype=np.uint32))
    with pytest.raises(ValueError):
        compiled.script_counts("abc", np.zeros(0x110000, dtype=np.uint32))
    beyond = np.arange(0x110000, dtype=np.uint32)
    beyond[ord("a")] = 0x110000
    with pytest.raises(ValueError):
        compiled.translate("abc", beyond)
    with pytest.raises(TypeError):
        compiled.translate(b"abc", np.arange(0x110000, dtype=np.uint32))


@needs_module
def test_identity_is_every_code_point_in_order():
    """The table _code_tables starts from: uint32 code point c at index c, 0 .. U+10FFFF."""
    identity = np.frombuffer(compiled.identity(), dtype=np.uint32)
    assert len(identity) == 0x110000
    assert np.array_equal(identity, np.arange(0x110000, dtype=np.uint32))
