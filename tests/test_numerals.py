"""The compiled numeral scan (engine/_numerals.c) finds exactly what the candidate regex and
the refusals of the quantity stage find (Extractor.numerals_python, the reference).

It is compared on the seeds, on random text built from the pieces numerals are made of
(digits of several scripts, 点, 百分之, 第, the grammar's counters, multipliers and vague
words, separators and letters), and on a grammar whose words overlap. The whole
classification with and without the compiled modules is compared in tests/test_hitcore.py.
"""
from __future__ import annotations

import random

import pytest

from engine import core
from engine.normalize import view
from engine.quantities import Extractor, Grammar, compiled_numerals

from conftest import SEED_FILES

needs_scan = pytest.mark.skipif(core.COMPILED_NUMERALS is None,
                                reason="engine/_numerals.c was not compiled here (no C compiler)")


def _compiled(extractor):
    """The compiled scan for the extractor's grammar, even under TIFA_CORE=python."""
    return compiled_numerals(extractor.grammar, core.COMPILED_NUMERALS)


def _pieces(grammar: Grammar) -> list[str]:
    words = list(grammar.units) + list(grammar.inside) + [w for w, _ in grammar.after] + [w for w, _ in grammar.before]
    return words + list("0123456789０１２３٣.,.,零〇一二三四五六七八九两十百千万亿点第") + [
        "百分之", "百分", "万亿", "千万", "a", "Z", "x1", " ", "，", "。", "\n", "的", "人次", "名名", "2,345", "1,23"]


def _random_texts(grammar: Grammar, n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    pieces = _pieces(grammar)
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 30))) for _ in range(n)]


@needs_scan
def test_the_scan_equals_the_regex_on_the_seeds(classifier):
    extractor = classifier.extractor
    scan = _compiled(extractor)
    found = 0
    for path in SEED_FILES:
        text = view(path.read_text(encoding="utf-8"))
        expected = extractor.numerals_python(text)
        found += len(expected)
        assert scan.scan(text) == expected, path.name
    assert found > 100, "the seeds hold numerals"


@needs_scan
def test_the_scan_equals_the_regex_on_random_numeral_text(classifier):
    extractor = classifier.extractor
    scan = _compiled(extractor)
    found = 0
    # numerals at the very end of the text, and separators with too few digits after them
    edges = ["百分之2,345", "百分之1.5", "百分之十", "百分之", "3.", "1,23名", "1,234", "12,345,678人", "第三名", "2.5万"]
    for text in edges + _random_texts(extractor.grammar, 4000, seed=11):
        expected = extractor.numerals_python(text)
        found += len(expected)
        assert scan.scan(text) == expected, text
    assert found > 1000, "the random texts must hold numerals the refusals keep"


@needs_scan
def test_overlapping_words_take_the_longest_as_the_regex_does():
    grammar = Grammar(units={"名": "count", "名次": "count", "次": "count", "万元": "money", "元": "money"},
                      inside={"多": "more_than", "多名": "more_than", "余": "more_than"},
                      after=(("左右", "about"), ("左", "about")), small_units=frozenset({"次"}))
    extractor = Extractor(grammar, backend="portable")
    scan = compiled_numerals(grammar, core.COMPILED_NUMERALS)
    for text in _random_texts(grammar, 3000, seed=5) + ["3多名次左右", "十多名", "一次", "一名", "两万", "三万多元左右"]:
        assert scan.scan(text) == extractor.numerals_python(text), text


@needs_scan
def test_bad_arguments_raise_instead_of_crashing():
    Numerals = core.COMPILED_NUMERALS.Numerals
    chars = {"cn_first": "一", "cn_rest": "一", "cn_behind": "一", "cn_digits": "一", "multiplier_within": "万",
             "point": "点", "percent": "百分之"}
    with pytest.raises(TypeError):
        Numerals(["多", ""], [], [], [], [], chars)
    with pytest.raises(TypeError):
        Numerals([3], [], [], [], [], chars)
    with pytest.raises(KeyError):
        Numerals([], [], [], [], [], {k: v for k, v in chars.items() if k != "cn_rest"})
    with pytest.raises(ValueError):
        Numerals([], [], [], [], [], {**chars, "cn_first": "\U00020000"})
    with pytest.raises(ValueError):
        Numerals([], [], [], [], [], {**chars, "point": "点点"})
    with pytest.raises(TypeError):
        Numerals([], [], [], [], [], chars).scan(b"123")
