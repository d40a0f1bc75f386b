"""The compiled numeral scan (engine/_quantities.c) finds exactly what the candidate regex and
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
from engine.segment import Paragraph
from engine.quantities import (Extractor, Grammar, Quantity, compiled_numerals, compiled_readings, compiled_rules,
                               compiled_subjects)

from conftest import SEED_FILES

needs_scan = pytest.mark.skipif(core.COMPILED_QUANTITIES is None,
                                reason="engine/_quantities.c was not compiled here (no C compiler)")


def _compiled(extractor):
    """The compiled scan for the extractor's grammar, even under TIFA_CORE=python."""
    return compiled_numerals(extractor.grammar, core.COMPILED_QUANTITIES)


def _pieces(grammar: Grammar) -> list[str]:
    words = list(grammar.units) + list(grammar.inside) + [w for w, _ in grammar.after] + [w for w, _ in grammar.before]
    return words + list("0123456789０１２３٣߃.,.,零〇一二三四五六七八九两十百千万亿点第") + [
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
def test_text_beyond_the_bmp_is_read_by_the_regex(classifier):
    """regex's \\d follows a newer Unicode than Python's tables (U+10D40 is a digit to one, not
    to the other): the compiled scan hands such texts back, and numerals() reads them with the
    regex, so results stay those of the reference."""
    extractor = classifier.extractor
    scan = _compiled(extractor)
    for text in ("培训干部\U00010D40\U00010D41名", "培训干部𝟐𝟑名和30名", "𠀀选派24万名干部"):
        assert scan.scan(text) is None
        assert extractor.numerals(text) == extractor.numerals_python(text)
    assert scan.scan("选派24万名干部") is not None


@needs_scan
def test_overlapping_words_take_the_longest_as_the_regex_does():
    grammar = Grammar(units={"名": "count", "名次": "count", "次": "count", "万元": "money", "元": "money"},
                      inside={"多": "more_than", "多名": "more_than", "余": "more_than"},
                      after=(("左右", "about"), ("左", "about")), small_units=frozenset({"次"}))
    extractor = Extractor(grammar, backend="portable")
    scan = compiled_numerals(grammar, core.COMPILED_QUANTITIES)
    for text in _random_texts(grammar, 3000, seed=5) + ["3多名次左右", "十多名", "一次", "一名", "两万", "三万多元左右"]:
        assert scan.scan(text) == extractor.numerals_python(text), text


@needs_scan
def test_bad_arguments_raise_instead_of_crashing():
    Numerals = core.COMPILED_QUANTITIES.Numerals
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


# ------------------------------------------------------------------- subjects ---

needs_subjects = pytest.mark.skipif(core.COMPILED_QUANTITIES is None,
                                    reason="engine/_quantities.c was not compiled here (no C compiler)")


def _seed_calls(classifier, monkeypatch, method: str) -> list[tuple]:
    """The arguments of every call of an Extractor method while the seeds are classified."""
    calls = []
    original = getattr(Extractor, method)

    def recording(self, *args):
        calls.append(args)
        return original(self, *args)

    monkeypatch.setattr(Extractor, method, recording)
    if method in ("_subject", "_rule"):   # called from _paragraph's Python loop, not from Readings.quantities
        monkeypatch.setattr(classifier.extractor, "_rule_fields", None)
    for path in SEED_FILES:
        classifier.classify(path.read_text(encoding="utf-8"), path.stem)
    monkeypatch.undo()
    return calls


@needs_subjects
def test_subjects_equal_the_python_reference_on_the_seeds(classifier, monkeypatch):
    extractor = classifier.extractor
    subjects = compiled_subjects(extractor.grammar, core.COMPILED_QUANTITIES)
    calls = _seed_calls(classifier, monkeypatch, "_subject")
    assert len(calls) > 100
    for text_view, p, *rest in calls:
        assert subjects.subject(text_view, p.end, *rest) == extractor._subject_python(text_view, p, *rest)


@needs_subjects
def test_subjects_equal_the_python_reference_on_random_clauses(classifier):
    """Random clauses made of skip words, stop words, trimmed characters, spaces, quotes and
    delimiters, with random numbers in them, random claimed spans and every order of positions
    the quantity stage can produce (a rate cue may move the start before the subject's end)."""
    extractor = classifier.extractor
    g = extractor.grammar
    subjects = compiled_subjects(g, core.COMPILED_QUANTITIES)
    pieces = list(g.subject_skip) + list(g.subject_stops) + list("的为是和及与并、等 \u3000，。；\n\"(（组织干部人才培训") \
        + ["3万名", "2020年底", "选派", "党员", "a1"]
    rng = random.Random(9)
    seen_subjects = 0
    for _ in range(4000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 25)))
        n = len(text)
        p = Paragraph(0, 0, rng.randint(0, n))
        start = rng.randint(0, n)
        end = rng.randint(start, n)
        clause_start = rng.randint(0, start)
        pre_end = rng.randint(clause_start, n)
        prev_end = rng.randint(0, start)
        next_start = rng.randint(0, n + 2)
        claimed = [(s, s + rng.randint(1, 6)) for s in sorted(rng.sample(range(n + 1), min(n + 1, rng.randint(0, 4))))]
        expected = extractor._subject_python(text, p, start, end, pre_end, clause_start, prev_end, next_start, claimed)
        seen_subjects += expected[0] is not None
        assert subjects.subject(text, p.end, start, end, pre_end, clause_start, prev_end, next_start, claimed) == expected, \
            (text, p.end, start, end, pre_end, clause_start, prev_end, next_start, claimed)
    assert seen_subjects > 1000


@needs_subjects
def test_subject_max_chars_is_sliced_as_python_slices_it():
    """pre[-0:] is the whole of pre and pre[-(-k):] drops k characters: the C code follows."""
    for max_chars in (-2, 0, 1, 3, 50):
        grammar = Grammar(units={"名": "count"}, subject_max_chars=max_chars, subject_skip=("其中",), subject_stops=("开展",))
        extractor = Extractor(grammar, backend="portable")
        subjects = compiled_subjects(grammar, core.COMPILED_QUANTITIES)
        for text in ("其中选派优秀干部30名", "选派30名年轻干部开展培训", "30名", "其中 的干部为30"):
            p = Paragraph(0, 0, len(text))
            start = next(i for i, ch in enumerate(text) if ch.isdigit())
            args = (start, min(start + 3, len(text)), start, 0, 0, len(text), [])
            assert subjects.subject(text, p.end, *args) == extractor._subject_python(text, p, *args), (max_chars, text)


@needs_subjects
def test_subjects_refuse_bad_arguments_instead_of_crashing():
    Subjects = core.COMPILED_QUANTITIES.Subjects
    subjects = Subjects(["其中"], ["开展"], "的", "和", 24, "，。")
    with pytest.raises(TypeError):
        subjects.subject("abc", 3, 0, 1, 0, 0, 0, 3)
    with pytest.raises(ValueError):
        subjects.subject("abc", 3, 2, 9, 0, 0, 0, 3, [])
    with pytest.raises(TypeError):
        subjects.subject("abc", 3, 2, 3, 2, 0, 0, 3, [(0,)])
    with pytest.raises(ValueError):
        subjects.subject("abcdef", 6, 4, 5, 4, 0, 0, 6, [(0, -3)])
    with pytest.raises(TypeError):
        Subjects(["其中", ""], [], "", "", 24, "")


# ------------------------------------------------------------------- readings ---

needs_readings = pytest.mark.skipif(core.COMPILED_QUANTITIES is None,
                                    reason="engine/_quantities.c was not compiled here (no C compiler)")


def _readings(extractor):
    """The compiled readings for the extractor's grammar, even under TIFA_CORE=python."""
    return compiled_readings(extractor, core.COMPILED_QUANTITIES)


def _reference(extractor, text, p, claimed, slogans, numerals) -> list[tuple]:
    out = []
    for spans, groups in numerals:
        q = extractor._candidate(text, spans, groups, p, claimed, slogans)
        if q is not None:
            out.append(q)
    return out


@needs_readings
def test_readings_equal_the_python_reference_on_the_seeds(classifier, monkeypatch):
    extractor = classifier.extractor
    readings = _readings(extractor)
    calls = _seed_calls(classifier, monkeypatch, "_paragraph")
    read = 0
    for _text, text_view, p, claimed, slogans, numerals in calls:
        expected = _reference(extractor, text_view, p, claimed, slogans, numerals)
        read += len(expected)
        assert readings.paragraph(text_view, p.start, claimed, list(slogans[0]), list(slogans[1]), numerals) \
            == expected, text_view[p.start:p.end]
    assert read > 100, "the seeds hold quantities"
    assert any(claimed for _t, _v, _p, claimed, _s, _n in calls), "some paragraphs have claimed spans"


def _reading_pieces(grammar: Grammar) -> list[str]:
    before = [w for w, _ in grammar.before]
    not_after = [w for words in grammar.not_after.values() for w in words]
    return _pieces(grammar) + before + not_after + [
        "平均每期", "每万名", "人均", "每个村", "就业人员中", "第", "近3年", "一年来", "两万多", "十万余", "230多万",
        "1.68亿", "一点六八亿", "百分之六十", "一名名", "下达", "超过", "达到", "约", "签约", "3a", "培训干部", "选派"]


def _random_paragraph(rng: random.Random, pieces: list[str], slogans: int = 3, index: int = 0):
    """A random paragraph of ``pieces`` (starting after a random head) with random claimed spans
    and up to ``slogans`` slogans: (text, paragraph, claimed, (slogan starts, their reach))."""
    head = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 3)))
    text = head + "".join(rng.choice(pieces) for _ in range(rng.randint(1, 25)))
    p = Paragraph(index, len(head), len(text))
    n = len(text)
    claimed = [(s, s + rng.randint(1, 6)) for s in sorted(rng.sample(range(n + 1), min(n + 1, rng.randint(0, 3))))]
    starts = sorted(rng.sample(range(n + 1), min(n + 1, rng.randint(0, slogans))))
    reach = []
    for s in starts:
        reach.append(max([s + rng.randint(1, 8)] + reach[-1:]))
    return text, p, claimed, (starts, reach)


@needs_readings
def test_readings_equal_the_python_reference_on_random_paragraphs(classifier):
    """Random paragraphs made of numerals, counters, vague words, qualifiers and the words that
    cancel them, rate cues, 第, letters and delimiters; with random claimed spans and slogans,
    and paragraphs that start inside the text."""
    extractor = classifier.extractor
    readings = _readings(extractor)
    pieces = _reading_pieces(extractor.grammar)
    rng = random.Random(17)
    read = kinds = 0
    seen = set()
    for _ in range(3000):
        text, p, claimed, (starts, reach) = _random_paragraph(rng, pieces)
        numerals = [(spans, groups) for spans, groups in extractor.numerals_python(text) if spans[2] >= p.start]
        expected = _reference(extractor, text, p, claimed, (starts, reach), numerals)
        read += len(expected)
        seen.update((q[4], q[6]) for q in expected)
        assert readings.paragraph(text, p.start, claimed, starts, reach, numerals) == expected, (text, p, claimed, starts)
    kinds = {kind for _q, kind in seen}
    qualifiers = {q for q, _kind in seen}
    assert read > 1000
    assert {"count", "rate", "percent", "duration", "money"} <= kinds, kinds
    assert {"exact", "more_than", "at_least", "about"} <= qualifiers, qualifiers


def _compiled_whole(extractor, monkeypatch):
    """The extractor with every compiled part of its quantity stage, even under TIFA_CORE=python."""
    module = core.COMPILED_QUANTITIES
    monkeypatch.setattr(extractor, "_readings", compiled_readings(extractor, module))
    monkeypatch.setattr(extractor, "_subjects", compiled_subjects(extractor.grammar, module))
    monkeypatch.setattr(extractor, "_rule_picker", compiled_rules(extractor, module))
    rules = extractor.grammar.rules
    monkeypatch.setattr(extractor, "_rule_fields", (tuple(r.theme for r in rules), tuple(r.id for r in rules)))
    return extractor


@needs_readings
def test_a_paragraph_s_quantities_in_one_call_are_those_of_the_python_loop(classifier, monkeypatch):
    """Readings.quantities (Extractor._paragraph where all of engine/_quantities.c is built)
    against _paragraph's loop over the compiled readings, subjects and rule choice: on the
    paragraphs of the seeds, then on random paragraphs with random claimed spans and slogans."""
    calls = _seed_calls(classifier, monkeypatch, "_paragraph")   # (its monkeypatch.undo() comes first)
    extractor = _compiled_whole(classifier.extractor, monkeypatch)
    assert extractor._rule_fields is not None

    def both(text, text_view, p, claimed, slogans, numerals):
        one_call = extractor._paragraph(text, text_view, p, claimed, slogans, numerals)
        with monkeypatch.context() as loop:
            loop.setattr(extractor, "_rule_fields", None)
            looped = extractor._paragraph(text, text_view, p, claimed, slogans, numerals)
        assert one_call == looped, text_view[p.start:p.end]
        assert all(type(q) is Quantity for q in one_call)
        return one_call

    found = []
    for call in calls:
        found += both(*call)
    assert len(found) > 100 and sum(q.rule is not None for q in found) > 20 and any(q.subject for q in found)
    pieces = _reading_pieces(extractor.grammar) + ["引进", "培训", "党员", "人才", "干部", "村", "万名", "亿元"]
    rng = random.Random(23)
    themed = 0
    for _ in range(2000):
        text, p, claimed, slogans = _random_paragraph(rng, pieces, slogans=2, index=rng.randint(0, 9))
        text_view = view(text)
        numerals = [(spans, groups) for spans, groups in extractor.numerals_python(text_view) if spans[2] >= p.start]
        themed += sum(q.rule is not None for q in both(text, text_view, p, claimed, slogans, numerals))
    assert themed > 30   # quantity rules picked (51 with this seed)


@needs_readings
def test_quantities_in_one_call_refuse_bad_arguments(classifier, monkeypatch):
    extractor = _compiled_whole(classifier.extractor, monkeypatch)
    text = "引进高层次人才1200名"
    numerals = extractor.numerals_python(text)
    fields = extractor._rule_fields

    def call(*changes, **named):
        args = dict(view=text, text=text, p_start=0, p_end=len(text), p_index=0, claimed=[], starts=[], reach=[],
                    numerals=numerals, subjects=extractor._subjects, rules=extractor._rule_picker,
                    kinds=frozenset(["count"]), themes=fields[0], ids=fields[1], cls=Quantity)
        args.update(named)
        return extractor._readings.quantities(*args.values())

    (q,) = call()
    assert (q.value, q.subject, q.rule, q.theme, q.paragraph) == (1200, "引进高层次人才", "quantity.talent", "人才高地", 0)
    assert call(kinds=frozenset())[0].rule is None      # no achievement kind: no quantity rule
    with pytest.raises(TypeError):
        call(subjects=None)
    with pytest.raises(TypeError):
        call(kinds=("count",))                    # a set of kinds
    with pytest.raises(TypeError):
        call(themes=fields[0][:-1])               # a theme and an id per rule
    with pytest.raises(TypeError):
        call(cls=dict)                            # a tuple class
    with pytest.raises(ValueError):
        call(text=text + "x")                     # the text and its view are the same length
    with pytest.raises(IndexError):
        call(themes=(), ids=())                   # a picked rule needs its theme and id


@needs_readings
def test_readings_refuse_bad_arguments_instead_of_crashing(classifier):
    extractor = classifier.extractor
    readings = _readings(extractor)
    text = "选派24万名干部"
    numerals = extractor.numerals_python(text)
    assert readings.paragraph(text, 0, [], [], [], numerals)[0][2] == 240000
    with pytest.raises(TypeError):
        readings.paragraph(text, 0, (), [], [], numerals)               # lists only
    with pytest.raises(TypeError):
        readings.paragraph(text, 0, [(0,)], [], [], numerals)           # a claimed span is a pair
    with pytest.raises(TypeError):
        readings.paragraph(text, 0, [(0, 1.5)], [], [], numerals)       # of ints
    with pytest.raises(ValueError):
        readings.paragraph(text, 0, [], [1], [], numerals)              # starts and reaches pair up
    with pytest.raises(TypeError):
        readings.paragraph(text, 0, [], [], [], [(numerals[0][0],)])    # a numeral is (spans, groups)
    with pytest.raises(ValueError):
        readings.paragraph(text, 5, [], [], [], numerals)               # a numeral before its paragraph
    with pytest.raises(ValueError):
        readings.paragraph("选派", 0, [], [], [], numerals)             # or beyond the text
    with pytest.raises(KeyError):
        core.COMPILED_QUANTITIES.Readings({}, {}, {}, {}, {}, {}, [], "，", {})


@needs_readings
def test_a_helper_error_other_than_not_a_number_propagates(classifier):
    """NotANumber refuses a numeral, as in the reference; any other error is not swallowed."""
    extractor = classifier.extractor
    g = extractor.grammar

    def broken(_num):
        raise RuntimeError("broken helper")

    readings = core.COMPILED_QUANTITIES.Readings(
        dict(g.units), dict(extractor._before), {}, dict(extractor._after), dict(g.inside), dict(extractor._factors),
        [], "，。", {"to_decimal": broken, "parse": broken, "vague_range": broken, "exact": broken,
                    "rate": broken, "not_a_number": ValueError})
    text = "选派两万名干部"
    with pytest.raises(RuntimeError):
        readings.paragraph(text, 0, [], [], [], extractor.numerals_python(text))


# ------------------------------------------------------------- quantity rules ---

@needs_readings
def test_quantity_rules_pick_as_the_reference_with_overlapping_cues_units_and_gates():
    """Cues that overlap and share first characters, rules limited to units, patterns with and
    without a literal gate, ahead of and behind the first cued rule."""
    rules = [
        ("r0", {"units": ["名"], "cues": ["干部", "干部培训"], "patterns": []}),
        ("r1", {"units": [], "cues": ["培训"], "patterns": [r"党员.{0,3}教育"]}),
        ("r2", {"units": ["个"], "cues": ["村", "村级"], "patterns": [r"(?<!党)组织$"]}),
        ("r3", {"units": [], "cues": ["人才", "干"], "patterns": []}),
        ("r4", {"units": ["名", "个"], "cues": [], "patterns": [r"^选派", r"引进\w+"]}),
    ]
    from engine.quantities import Entry, QuantityRule
    grammar = Grammar(units={"名": "count", "个": "count", "%": "percent"}, rules=tuple(
        QuantityRule(Entry(rid, "", (), (), i, "rules"), "干部队伍", tuple(r["cues"]), tuple(r["patterns"]),
                     frozenset(r["units"])) for i, (rid, r) in enumerate(rules)))
    extractor = Extractor(grammar, backend="portable")
    picker = compiled_rules(extractor, core.COMPILED_QUANTITIES)
    words = ["干部", "干", "部", "培训", "村", "村级", "党", "组织", "人才", "选派", "引进", "专家", "党员", "教育", "的"]
    rng = random.Random(3)
    picked = set()
    for _ in range(4000):
        subject = "".join(rng.choice(words) for _ in range(rng.randrange(0, 5))) or None
        clause = "".join(rng.choice(words) for _ in range(rng.randrange(0, 7)))
        unit = rng.choice(["", "名", "个", "个/万名", "%", "名/人"])
        expected = extractor._rule_python(subject, clause, unit)
        i = picker.pick(subject, clause, unit)
        assert (None if i is None else grammar.rules[i]) == expected, (subject, clause, unit)
        picked.add(i)
    assert picked == {None, 0, 1, 2, 3, 4}


@needs_readings
def test_quantity_rules_refuse_bad_arguments_instead_of_crashing():
    QuantityRules = core.COMPILED_QUANTITIES.QuantityRules
    with pytest.raises(TypeError):
        QuantityRules([("名", (), None, ())])             # units are a set
    with pytest.raises(TypeError):
        QuantityRules([(frozenset(), ("",), None, ())])   # cues are non-empty
    picker = QuantityRules([(frozenset(), ("干部",), None, ())])
    assert picker.pick("干部", "", "名") == 0
    assert picker.pick(None, "培训", "名") is None
    with pytest.raises(TypeError):
        picker.pick("干部", None, "名")
    with pytest.raises(TypeError):
        picker.pick("干部", "", 3)
