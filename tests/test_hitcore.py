"""The compiled per-hit loops (engine/_hitcore.c) do exactly what their Python references do.

Each function of _hitcore is run beside the Python code it stands for, on the seeds and on
random inputs; the whole classification of the seeds is compared between the two in separate
processes (TIFA_CORE=python turns the compiled loops off). Where no C compiler was there at
install time, these tests are skipped, except the one that says a compiler was there and the
module is missing anyway (a C error that the optional build swallowed).
"""
from __future__ import annotations

import dataclasses
import math
import os
import pickle
import random
import shutil
import struct
import subprocess
import sys
import types

import ahocorasick
import orjson
import pytest

from engine import core
from engine.classify import Labelled, own_scores_python
from engine.match import (_MISS_REASONS, KINDS, _ends_with_any, _starts_with_any, Hit, Matcher, Miss, RawHit, by_paragraph_python, filter_hits, filter_python,
                          role_hits_python)
from engine.normalize import view
from engine.pipeline import Classifier, evidence_fields, evidence_python, rule_table
from engine.quantities import slogan_bounds
from engine.render import RawJSON, to_jsonl_line
from engine import match, segment

from conftest import ROOT, SEED_FILES

needs_core = pytest.mark.skipif(core.COMPILED is None, reason="engine/_hitcore.c was not compiled here (no C compiler)")


def test_the_compiled_core_is_built_where_there_is_a_compiler():
    """The build is optional so that tifa installs without a compiler; with one, a missing module
    means the C code did not compile, which must not pass unnoticed."""
    if not (shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")):
        pytest.skip("no C compiler on this machine: tifa runs its Python code")
    assert core.built(), "a C compiler is here but engine/_hitcore.c or engine/_quantities.c was not built: see the pip install log"


# ------------------------------------------------------------------ automaton ---

def _reference_scan(keys, owners, expands, gates, text):
    """What Automaton.scan gives, from pyahocorasick: owned triples, expansions, gate places."""
    automaton = ahocorasick.Automaton()
    for k, key in enumerate(keys):
        automaton.add_word(key, k)
    automaton.make_automaton()
    owned, expanded, places = [], {}, {}
    for end, k in automaton.iter(text):
        start = end - len(keys[k]) + 1
        owned += [(start, end + 1, o) for o in owners[k]]
        for pid, priority in expands[k]:
            expanded.setdefault(pid, []).append((start, priority, len(keys[k])))
        if gates[k]:
            places.setdefault(k, []).append(start)
    return owned, expanded, places


def _unpacked(owned: bytes):
    values = struct.unpack(f"{len(owned) // 4}i", owned)
    return [values[i:i + 3] for i in range(0, len(values), 3)]


def _offsets(packed: bytes) -> list[int]:
    return list(struct.unpack(f"{len(packed) // 4}i", packed))


@needs_core
def test_automaton_scan_equals_pyahocorasick_on_random_keys():
    rng = random.Random(5)
    # a tiny alphabet (overlaps, shared prefixes and suffixes), a CJK pair, and characters outside
    # the BMP, which take the automaton's slow path at its root
    alphabet = "ab" + "中文" + "\U00020000\U0001F600"
    for _ in range(200):
        keys = sorted({"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 12))})
        owners = [sorted(rng.sample(range(6), rng.randint(0, 2))) for _ in keys]
        expands = [[(rng.randrange(4), rng.randrange(3))] if rng.random() < 0.3 else [] for _ in keys]
        gates = [rng.random() < 0.4 for _ in keys]
        automaton = core.COMPILED.Automaton(keys, owners, expands, gates)
        for _ in range(5):
            text = "".join(rng.choice(alphabet + "x\n") for _ in range(rng.randint(0, 40)))
            owned, expanded, places = automaton.scan(text)
            want_owned, want_expanded, want_places = _reference_scan(keys, owners, expands, gates, text)
            assert sorted(_unpacked(owned)) == sorted(want_owned), (keys, text)
            assert {p: sorted(v) for p, v in expanded.items()} == {p: sorted(v) for p, v in want_expanded.items()}
            assert {k: sorted(v) for k, v in places.items()} == {k: sorted(v) for k, v in want_places.items()}


def _resolved(expanded, resolve, text):
    """Matcher.find's loop over `expanded` (the reference of the scan's resolve table): the hits of
    each resolved pattern, and the expansions of the others."""
    hits, rest = [], {}
    for pid, found in expanded.items():
        entry = resolve[pid] if pid < len(resolve) else None
        if entry is None:
            rest[pid] = found
            continue
        owner, conditions = entry
        if conditions is not None:
            for start, priority, length in found:
                before, after = conditions[priority]
                if not _ends_with_any(text, start, before) and not _starts_with_any(text, start + length, after):
                    hits.append((start, start + length, owner))
            continue
        pos = -1
        for start, _priority, length in sorted(found):
            if start >= pos:
                hits.append((start, start + length, owner))
                pos = start + length
    return hits, rest


@needs_core
def test_automaton_resolves_expansions_as_the_find_loop_does():
    """With a resolve table the scan picks the hits of finite patterns itself (conditions around
    each string, or finditer's choice among overlapping ones); the others still come back."""
    rng = random.Random(11)
    alphabet = "ab中文\U00020000"
    resolved_any = conditioned_any = 0
    for _ in range(300):
        keys = sorted({"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(1, 10))})
        n_patterns = 4
        expands = [[(pid, rng.randrange(3)) for pid in rng.sample(range(n_patterns), rng.randint(0, 2))] for _ in keys]
        owners = [[] for _ in keys]
        gates = [False for _ in keys]
        resolve = []
        for pid in range(n_patterns):
            roll = rng.random()
            if roll < 0.25:
                resolve.append(None)
            elif roll < 0.6:
                resolve.append((rng.randrange(9), None))
            else:
                strings = lambda: tuple(rng.sample(["a", "b", "ab", "中", "\U00020000", "文中"], rng.randint(0, 2)))
                resolve.append((rng.randrange(9), tuple((strings(), strings()) for _ in range(3))))
        automaton = core.COMPILED.Automaton(keys, owners, expands, gates, resolve)
        for _ in range(5):
            text = "".join(rng.choice(alphabet + "x") for _ in range(rng.randint(0, 30)))
            owned, expanded, _places = automaton.scan(text)
            _owned, want_expanded, _ = _reference_scan(keys, owners, expands, gates, text)
            want_hits, want_rest = _resolved(want_expanded, resolve, text)
            assert sorted(_unpacked(owned)) == sorted(want_hits), (keys, expands, resolve, text)
            assert {p: sorted(v) for p, v in expanded.items()} == {p: sorted(v) for p, v in want_rest.items()}
            resolved_any += bool(want_hits)
            conditioned_any += any(resolve[p] and resolve[p][1] for p in want_expanded)
    assert resolved_any > 200 and conditioned_any > 100
    again = pickle.loads(pickle.dumps(automaton))
    assert again.scan(text)[0] == automaton.scan(text)[0]
    with pytest.raises(TypeError):
        core.COMPILED.Automaton(["ab"], [[]], [[(0, 0)]], [False], [(0, ((("a",), "b"),))])   # not a tuple of str


@needs_core
def test_automaton_pickles_and_refuses_bad_keys():
    automaton = core.COMPILED.Automaton(["干部", "部"], [[0], [1]], [[], []], [False, True])
    again = pickle.loads(pickle.dumps(automaton))
    assert _unpacked(again.scan("党员干部")[0]) == _unpacked(automaton.scan("党员干部")[0]) == [(2, 4, 0), (3, 4, 1)]
    with pytest.raises(TypeError):
        core.COMPILED.Automaton([""], [[0]], [[]], [False])
    with pytest.raises(ValueError):
        core.COMPILED.Automaton(["干部", "干部"], [[0], [1]], [[], []], [False, False])
    with pytest.raises(ValueError):
        core.COMPILED.Automaton(["干部"], [], [], [])


@needs_core
def test_merge_sorts_and_drops_repeats_like_a_set():
    rng = random.Random(3)
    for _ in range(100):
        owned = [(rng.randrange(20), rng.randrange(20), rng.randrange(5)) for _ in range(rng.randint(0, 30))]
        extra = [(rng.randrange(20), rng.randrange(20), rng.randrange(5)) for _ in range(rng.randint(0, 30))]
        packed = struct.pack(f"{3 * len(owned)}i", *[x for t in owned for x in t])
        merged = core.COMPILED.merge(packed, extra, RawHit)
        assert merged == sorted(set(owned) | set(extra))
        assert all(type(h) is RawHit for h in merged)


@needs_core
def test_enabled_patterns_equal_the_python_reference(ruleset):
    """The gated patterns a document may match: every literal group of the pattern has a key
    among those found. Random subsets of the shipped rules' keys, and the seeds' own scans."""
    matcher = Matcher(ruleset, "native")
    rng = random.Random(4)
    gate_keys = [k for k, gates in enumerate(matcher._key_gates) if gates]
    sizes = []
    for _ in range(400):
        places = {k: [0] for k in rng.sample(gate_keys, k=rng.randint(0, min(60, len(gate_keys))))}
        want = matcher._enabled_python(places)
        assert core.COMPILED.enabled(places, matcher._key_gates, matcher._groups_needed) == want
        sizes.append(len(want))
    assert max(sizes) > 10 and min(sizes) == 0
    assert any(n > 1 for n in matcher._gate_groups.values())   # patterns needing several groups are among them
    for path in SEED_FILES:
        _owned, _expanded, places = matcher._scanner.scan(view(path.read_text(encoding="utf-8")))
        assert matcher._enabled(places) == matcher._enabled_python(places)
    with pytest.raises(IndexError):
        core.COMPILED.enabled({5: [0]}, [()], [0])
    with pytest.raises(TypeError):
        core.COMPILED.enabled({0: [0]}, [((0,),)], [1])
    with pytest.raises(IndexError):
        core.COMPILED.enabled({0: [0]}, [((3, 0),)], [1])
    with pytest.raises(TypeError):
        core.COMPILED.enabled({0.0: [0]}, [((0, 0),)], [1])
    with pytest.raises(TypeError):
        core.COMPILED.enabled({0: [0]}, [((0, 0.0),)], [1])


@needs_core
def test_windows_equal_the_python_reference(ruleset):
    """Where windowed patterns are searched: stretches around the rarest group's places
    (overlapping, touching and apart, clipped at both ends, ties to the first group), kept
    when they hold a whole occurrence of some key of each other group."""
    matcher = Matcher(ruleset)
    rng = random.Random(9)
    kept = dropped = 0
    for _ in range(1500):
        n = rng.randint(1, 300)
        lengths = [rng.randint(1, 6) for _ in range(12)]
        matcher._key_length = lengths
        kids = rng.sample(range(12), k=rng.randint(1, 9))
        cuts = sorted(rng.sample(range(1, len(kids)), k=min(len(kids) - 1, rng.randint(0, 2))))
        groups = tuple(tuple(kids[a:b]) for a, b in zip([0, *cuts], [*cuts, len(kids)]))
        places = {k: sorted(rng.sample(range(n), k=min(rng.randint(0, 5), n))) for k in kids if rng.random() < 0.9}
        width = rng.randint(0, 30)
        want = matcher._windows_python(groups, places, width, n)
        assert core.COMPILED.windows(groups, places, lengths, width, n) == want, (groups, places, width, n)
        kept += len(want)
        dropped += len(groups) > 1 and not want
    assert kept > 500 and dropped > 50   # stretches found, and dropped for another group
    assert core.COMPILED.windows(((0,), (1,)), {0: [3], 1: [5]}, [2, 1], 1, 10) == [[2, 6]]
    assert core.COMPILED.windows(((0,), (1,)), {0: [3], 1: [8]}, [2, 1], 1, 10) == []
    with pytest.raises(TypeError):
        core.COMPILED.windows(((0,),), {0: [1.5]}, [2], 1, 10)
    with pytest.raises(IndexError):
        core.COMPILED.windows(((3,),), {3: [1]}, [2], 1, 10)
    with pytest.raises(ValueError):
        core.COMPILED.windows((), {}, [2], 1, 10)
    with pytest.raises(TypeError):
        core.COMPILED.windows((("0",),), {"0": [1]}, [2], 1, 10)
    with pytest.raises(TypeError):
        core.COMPILED.windows(((0,),), {0: [1]}, [2.0], 1, 10)


# ----------------------------------------------------------- per-stage loops ---

def _documents(rng: random.Random) -> list[str]:
    """The seeds, and random reshuffles of their lines (hits across line breaks, odd places)."""
    texts = [p.read_text(encoding="utf-8") for p in SEED_FILES]
    lines = [line for t in texts for line in t.split("\n")]
    for _ in range(25):
        picked = rng.sample(lines, k=rng.randint(3, 40))
        texts.append("\n".join(line[rng.randrange(len(line)):] + line if line and rng.random() < 0.3 else line
                               for line in picked))
    return texts


def _table(classifier: Classifier):
    """The classifier's rule table, also where TIFA_CORE=python leaves it without one."""
    return rule_table(core.COMPILED, classifier.matcher.rules, classifier.ruleset.theme_names)


def _filtered_in_python(matcher: Matcher, text_view: str, paragraphs, groups):
    """filter_python, each `unless` pattern a regex search of the hit's sentence (Matcher.excluded_by)."""
    kinds = bytes([KINDS.index(p.kind) for p in paragraphs])
    return filter_python(groups, kinds, matcher.filter_codes, matcher.rules,
                         lambda h, pi: matcher.excluded_by(h[2], text_view, h[0], h[1], paragraphs[pi]))


def _stages(classifier: Classifier, text: str):
    text_view = view(text)
    lines = segment.split_lines(text)
    raw, _warnings = classifier.matcher.find(text_view)
    return text_view, lines, raw


@needs_core
def test_by_paragraph_filter_scores_and_evidence_equal_their_python_references(classifier, monkeypatch):
    native = core.COMPILED
    table = _table(classifier)
    rng = random.Random(17)
    excluded = with_roles = 0
    for text in _documents(rng):
        analysis = classifier.analyse(text)
        text_view, lines, raw = _stages(classifier, text)
        groups = native.by_paragraph(raw, [p.start for p in lines], [p.end for p in lines])
        assert groups == by_paragraph_python(raw, lines)
        structure = native.role_hits(groups, classifier.matcher.filter_codes)
        assert structure == role_hits_python(groups, classifier.matcher.filter_codes)
        with_roles += sum(map(len, structure))
        paragraphs = analysis.paragraphs
        kept, missed = filter_hits(classifier.matcher, text_view, paragraphs, groups)
        assert (kept, missed) == _filtered_in_python(classifier.matcher, text_view, paragraphs, groups)
        # the pipeline's packed path: the same groups, roles and filtered hits without an object per raw hit
        packed_raw, _warnings = classifier.matcher.find(text_view, packed=True)
        if match.NATIVE is None or classifier.matcher.backend_name != "native":
            assert packed_raw == raw     # packed only where the compiled stages read it
            packed_raw = b"".join(struct.pack("3i", *h) for h in raw)
        assert isinstance(packed_raw, bytes) and _unpacked(packed_raw) == [tuple(h) for h in raw]
        packed = native.by_paragraph(packed_raw, [p.start for p in lines], [p.end for p in lines])
        hits, offsets = packed
        assert [[RawHit(*t) for t in _unpacked(hits)[a:b]] for a, b in zip(_offsets(offsets), _offsets(offsets)[1:])] == groups
        assert native.role_hits(packed, classifier.matcher.filter_codes, RawHit) == structure
        with monkeypatch.context() as compiled:
            compiled.setattr(match, "NATIVE", native)   # also under TIFA_CORE=python
            assert filter_hits(classifier.matcher, text_view, paragraphs, packed) == (kept, missed)
        excluded += sum(miss.reason.startswith("unless: ") for misses in missed for miss in misses)
        for i, hits in enumerate(kept):
            assert native.own_scores(hits) == own_scores_python(hits)
            assert list(native.own_scores(hits)) == list(own_scores_python(hits)), "themes in the same order"
            assert table.evidence(hits, text) == evidence_python(hits, text, classifier._hit_fields)
            assert table.own_scores(hits) == own_scores_python(hits)
            assert list(table.own_scores(hits)) == list(own_scores_python(hits)), "themes in the same order"
            assert table.evidence_json(hits, text) == orjson.dumps(evidence_python(hits, text, classifier._hit_fields))
            assert table.slogans(hits) == slogan_bounds(hits)
    assert excluded > 20, "unless patterns exclude hits in these texts"
    assert with_roles > 20, "structure rules hit these texts"


@needs_core
def test_kept_hits_are_the_filtered_lists_and_the_rule_table_reads_them_as_it_reads_those(classifier, monkeypatch):
    """filter(..., packed=True) (the pipeline's call): a KeptHits that is, as a sequence, the
    list of Hit lists of the list path (indexing, equality, pickling), and from which the rule
    table's label, paragraphs_json and slogans give what they give from those lists: with the
    table's own rules tuple (rule index = table entry), another tuple of the same rules (found
    by address), and rules the table does not hold."""
    from engine import quantities as quantity_stage
    from engine.classify import label
    native, table = core.COMPILED, _table(classifier)
    monkeypatch.setattr(match, "NATIVE", native)   # also under TIFA_CORE=python
    m, ruleset = classifier.matcher, classifier.ruleset
    other_table = rule_table(native, list(m.rules), ruleset.theme_names)   # a new tuple of the same rules
    assert other_table is not table
    settings = ruleset.settings
    order = {name: i for i, name in enumerate(ruleset.theme_names)}
    rng = random.Random(29)
    compared = 0
    for text in _documents(rng):
        analysis = classifier.analyse(text)
        assert type(analysis.hits) is native.KeptHits   # the pipeline keeps them packed
        text_view, lines, raw = _stages(classifier, text)
        groups = native.by_paragraph(raw, [p.start for p in lines], [p.end for p in lines])
        paragraphs = analysis.paragraphs
        kept, missed = filter_hits(m, text_view, paragraphs, groups)
        packed, packed_missed = filter_hits(m, text_view, paragraphs, groups, packed=True)
        assert type(packed) is native.KeptHits and type(kept) is list
        assert packed_missed == missed
        assert len(packed) == len(kept) and list(packed) == kept and packed == kept and kept == packed
        assert not (packed != kept) and packed == analysis.hits
        assert [type(h) for hs in packed for h in hs] == [Hit] * sum(map(len, kept))
        assert pickle.loads(pickle.dumps(packed)) == kept and type(pickle.loads(pickle.dumps(packed))) is list
        with pytest.raises(IndexError):
            packed[len(kept)]
        extra = quantity_stage.evidence(analysis.quantities, paragraphs, classifier.grammar.evidence_weight)
        for t in (table, other_table):
            for more in (None, extra):
                got = t.label(paragraphs, packed, more, order, settings.threshold, settings.heading_threshold,
                              settings.summary_min_score, settings.summary_themes, Labelled)
                want = t.label(paragraphs, kept, more, order, settings.threshold, settings.heading_threshold,
                               settings.summary_min_score, settings.summary_themes, Labelled)
                assert got == want and [list(x.scores) for x in got] == [list(x.scores) for x in want]
            labelled = label(paragraphs, kept, ruleset, extra, t)
            assert t.paragraphs_json(labelled, packed, text) == t.paragraphs_json(labelled, kept, text)
            for pi in range(len(kept) + 2):   # none beyond the last paragraph
                want = slogan_bounds(kept[pi] if pi < len(kept) else [])
                assert t.slogans(packed, pi) == want and t.slogans(kept, pi) == want
        compared += sum(map(len, kept))
    assert compared > 3000
    # a table without some of the rules: scores read the rule objects; evidence and slogans refuse
    text = SEED_FILES[0].read_text(encoding="utf-8")
    text_view, lines, raw = _stages(classifier, text)
    groups = native.by_paragraph(raw, [p.start for p in lines], [p.end for p in lines])
    paragraphs = classifier.analyse(text).paragraphs
    kept, _ = filter_hits(m, text_view, paragraphs, groups)
    packed, _ = filter_hits(m, text_view, paragraphs, groups, packed=True)
    hit_rules = {h.rule.id for hs in kept for h in hs}
    partial = rule_table(native, [r for r in m.rules if r.id != min(hit_rules)], ruleset.theme_names)
    args = (None, order, settings.threshold, settings.heading_threshold, settings.summary_min_score,
            settings.summary_themes, Labelled)
    assert partial.label(paragraphs, packed, *args) == partial.label(paragraphs, kept, *args)
    labelled = label(paragraphs, kept, ruleset, None, table)
    with pytest.raises(KeyError):
        partial.paragraphs_json(labelled, packed, text)
    with pytest.raises(KeyError):
        next(partial.slogans(packed, pi) for pi, hs in enumerate(kept) if any(h.rule.id == min(hit_rules) for h in hs))
    with pytest.raises(ValueError):
        table.label(paragraphs[:-1], packed, *args)                     # one row of hits per paragraph
    with pytest.raises(ValueError):
        table.paragraphs_json(labelled[:-1], packed, text)
    with pytest.raises(ValueError):   # a kept hit's span must fit the packed triples
        native.filter([[RawHit(-1, 1, 0)]], b"\0", m.filter_codes, m.rules, Hit, Miss, _MISS_REASONS, "ab",
                      [segment.Paragraph(0, 0, 2)], segment.SENTENCE_END, m.unless_checks, True)


@needs_core
def test_by_paragraph_groups_packed_hits_as_the_python_reference_groups_raw_hits():
    """Random sorted hits over random paragraphs, hits across a paragraph's end among them
    (dropped, as a hit across a line break belongs to no paragraph)."""
    rng = random.Random(23)
    crossing = 0
    for _ in range(300):
        paragraphs, pos = [], rng.randint(0, 3)
        for i in range(rng.randint(0, 6)):
            length = rng.randint(0, 8)
            paragraphs.append(segment.Paragraph(i, pos, pos + length))
            pos += length + rng.randint(1, 3)
        raw = sorted({RawHit(s, s + rng.randint(1, 5), rng.randrange(4)) for s in
                      (rng.randint(0, pos + 2) for _ in range(rng.randint(0, 25)))})
        want = by_paragraph_python(raw, paragraphs)
        packed = b"".join(struct.pack("3i", *h) for h in raw)
        hits, offsets = core.COMPILED.by_paragraph(packed, [p.start for p in paragraphs], [p.end for p in paragraphs])
        bounds = _offsets(offsets)
        assert [[RawHit(*t) for t in _unpacked(hits)[a:b]] for a, b in zip(bounds, bounds[1:])] == want
        crossing += sum(p.start <= h.start < p.end < h.end for h in raw for p in paragraphs)
    assert crossing > 100


# unless patterns of every kind _hitcore.filter tells apart: strings (one with a sentence mark,
# which belongs to the sentence it ends), a regex gated by its literals, a finite set with a
# lookahead, and a regex with no literal at all
_CRAFTED_UNLESS = ("组工干部|干部。", "村.{0,2}(书记|干部)", "人才(?=。)", r"\d{2}")


@needs_core
def test_unless_checks_exclude_what_a_regex_search_of_the_sentence_excludes(classifier):
    """The compiled filter looks for an `unless` pattern that is a finite set of strings as
    those strings, and searches the others only when their literals are in the sentence. On
    random sentences made of a rule's examples, the strings of its unless patterns and their
    literals, sentence marks and filler, it keeps and misses exactly the hits that the regex
    search of each hit's sentence (the Python reference) does: with the shipped rules, and with
    rules given the crafted patterns above."""
    rules = list(classifier.ruleset.rules)
    for i in range(0, 40, 4):
        rules[i] = dataclasses.replace(rules[i], phrases=rules[i].phrases + ("干部", "人才"), unless=_CRAFTED_UNLESS)
    crafted = Matcher(dataclasses.replace(classifier.ruleset, rules=tuple(rules)))
    assert [c[1] is not None for c in crafted.unless_checks[0]] == [True, False, False, False]
    rng = random.Random(23)
    for m in (classifier.matcher, crafted):
        checks = {i: c for i, c in enumerate(m.unless_checks) if c is not None}
        assert any(c[1] is not None for cs in checks.values() for c in cs), "some unless patterns are string sets"
        assert any(c[1] is None and c[2] for cs in checks.values() for c in cs), "some are regexes gated by literals"
        excluded = kept_with_unless = 0
        for _ in range(400):
            index = rng.choice(list(checks))
            rule = m.rules[index]
            words = [e.text for e in rule.match_examples + rule.no_match_examples] + list(rule.phrases)
            for _reason, strings, groups, _search in checks[index]:
                words += strings or [w for group in groups for w in group]
            words += list(segment.SENTENCE_END) + ["的", "，", "村里", "12", "\n"]
            text = "".join(rng.choice(words) for _ in range(rng.randint(2, 14)))
            text_view, paragraphs = view(text), classifier.analyse(text).paragraphs
            groups = by_paragraph_python(m.find(text_view)[0], paragraphs)
            kept, missed = filter_hits(m, text_view, paragraphs, groups)
            assert (kept, missed) == _filtered_in_python(m, text_view, paragraphs, groups), text
            excluded += sum(miss.rule is rule and miss.reason.startswith("unless: ") for ms in missed for miss in ms)
            kept_with_unless += sum(hit.rule is rule for hs in kept for hit in hs)
        assert excluded > 50 and kept_with_unless > 50, (excluded, kept_with_unless)


# every character class the JSON writer treats apart: ASCII controls and the two escaped
# characters, DEL, 2- 3- and 4-byte UTF-8, the line separators JavaScript minds, a BOM
_AWKWARD = [chr(c) for c in range(0x20)] + ['"', "\\", "/", "\x7f", "é", "\u0800", "\u2028", "\u2029", "\ufeff",
                                            "党", "黨", "\U00020000", "\U0010ffff", "a", "1", " "]


@needs_core
def test_evidence_json_is_the_text_orjson_writes_for_the_evidence_objects(classifier):
    """Random texts of awkward characters and random spans, against orjson.dumps of the objects;
    a span holding a lone surrogate (not UTF-8) gives None, for the caller to fall back."""
    table = _table(classifier)
    rng = random.Random(5)
    rules = [r for r in classifier.matcher.rules if r.theme][:20] + [r for r in classifier.matcher.rules if r.role][:3]
    for _ in range(2000):
        text = "".join(rng.choice(_AWKWARD) for _ in range(rng.randint(0, 40)))
        hits = []
        for _ in range(rng.randint(0, 8)):
            a = rng.randint(0, len(text))
            hits.append(Hit(a, rng.randint(a, len(text)), rng.choice(rules), 0))
        assert table.evidence_json(hits, text) == orjson.dumps(evidence_python(hits, text, classifier._hit_fields)), \
            (text, hits)
    lone = "党\ud800建"
    assert table.evidence_json([Hit(0, 3, rules[0], 0)], lone) is None
    assert table.evidence_json([Hit(2, 3, rules[0], 0)], lone) is not None


@needs_core
def test_a_json_line_is_the_same_with_evidence_written_by_the_core(classifier):
    """classify(..., as_json_line=True) gives the same JSON line as the evidence objects,
    also where orjson cannot write the line (a lone surrogate, in a hit or in the id) and
    json.dumps writes it from the evidence text."""
    texts = [p.read_text(encoding="utf-8") for p in SEED_FILES]
    odd = texts[0].replace("党", "党\ud800", 3).replace("。", '。"\\\t\x01', 5)
    # a lone surrogate inside a phrase's hit: the whole list falls back, each paragraph's evidence not
    broken = texts[2] + "\n深入学习\ud800习近平总书记重要讲话精神\n"
    whole = per_paragraph = 0
    for text, doc_id in [(t, "seed") for t in texts] + [(odd, "odd"), (broken, "broken"), (texts[1], "id-\udc80"),
                                                        ("", "empty")]:
        with_objects = classifier.classify(text, doc_id)
        written = classifier.classify(text, doc_id, as_json_line=True)
        assert to_jsonl_line(written) == to_jsonl_line(with_objects)
        if type(written["paragraphs"]) is RawJSON:
            whole += 1
        else:
            per_paragraph += sum(type(p["hits"]) is RawJSON for p in written["paragraphs"])
    if core.NATIVE is not None:
        assert whole >= len(texts) + 2, "the core wrote the paragraphs of the seeds, the odd id's and the empty text"
        assert per_paragraph >= 5, "where it could not write them all, it wrote each paragraph's evidence"
    else:
        assert whole == per_paragraph == 0, "TIFA_CORE=python: the objects, always"


_SCORES = [0.0, -0.0, 1.0, 2.5, 1 / 3, 14 / 3, 0.0004, 0.00012345, 0.00005, 1e14 + 0.5, 999999999999999.9, 1e15, 1e16,
           1e22, float("nan"), float("inf"), -1.5, -0.0001, 7, True, 2 ** 70]


def _falls_back(score) -> bool:
    """Scores paragraphs_json leaves to the objects: not a float, or rounded to a value repr
    writes with an exponent or a name (orjson writes 0.00005 and null), or to a negative zero."""
    if type(score) is not float:
        return True
    r = repr(round(score, 3))
    return "e" in r or "n" in r or r == "-0.0"


@needs_core
def test_paragraphs_json_is_the_text_orjson_writes_for_the_paragraph_objects(classifier):
    """Random labels, hits and texts of awkward characters, against orjson.dumps of the objects
    Classifier._paragraph builds; None exactly where a value would be written otherwise (a lone
    surrogate, a score that is no float or rounds to an exponent form, an int beyond 64 bits)."""
    table = _table(classifier)
    rng = random.Random(8)
    rules = [r for r in classifier.matcher.rules if r.theme][:20] + [r for r in classifier.matcher.rules if r.role][:3]
    names = list(classifier.ruleset.theme_names) + ["a\"b", "é\n", "\U00020000"]
    written = fallen = 0
    for _ in range(1500):
        text = "".join(rng.choice(_AWKWARD) for _ in range(rng.randint(0, 40)))
        if rng.random() < 0.05:
            text += "\ud800"
        labelled, hits, expect_none = [], [], False
        for index in range(rng.randint(0, 4)):
            strings = rng.sample(names, rng.randint(0, 3))
            inherited = tuple(rng.sample(names, rng.randint(0, 2)))
            scores = {t: rng.choice(_SCORES) if rng.random() < 0.15 else round(rng.uniform(0, 30), rng.randint(0, 6))
                      for t in rng.sample(names, rng.randint(0, 4))}
            kind = rng.choice(["body", "heading", "boilerplate", "closing", "x\ud800"])
            big = rng.random() < 0.02
            p = segment.Paragraph(2 ** 70 if big else index, rng.randint(0, 9), rng.randint(0, 99), kind,
                                  rng.choice([None, 0, 3]))
            labelled.append(Labelled(p, tuple(strings), scores, inherited, rng.random() < 0.3))
            these = []
            for _h in range(rng.randint(0, 3)):
                a = rng.randint(0, len(text))
                these.append(Hit(a, rng.randint(a, len(text)), rng.choice(rules), index))
            hits.append(these)
            expect_none |= big or "\ud800" in kind or any(_falls_back(v) for v in scores.values()) \
                or any("\ud800" in text[h.start:h.end] for h in these)
        analysis = types.SimpleNamespace(labelled=labelled, hits=hits, text=text)
        got = table.paragraphs_json(labelled, hits, text)
        assert (got is None) == expect_none, (labelled, hits, text)
        if got is None:
            fallen += 1
        else:
            written += 1
            assert got == orjson.dumps([classifier._paragraph(analysis, i) for i in range(len(labelled))]), \
                (labelled, hits, text)
    assert written > 500 and fallen > 100   # both sides are exercised
    with pytest.raises(ValueError):
        table.paragraphs_json([], [[]], "")   # one list of hits per paragraph


@needs_core
def test_label_in_c_is_the_python_loop(classifier):
    """RuleTable.label against classify.label_python: on the seeds (headings, sections, overviews,
    quantity evidence), then on random paragraphs, hits, extra scores and settings; None (the
    Python loop runs) exactly where a theme has no place in the taxonomy."""
    from engine.classify import label, label_python
    from engine import quantities as quantity_stage
    ruleset, table = classifier.ruleset, _table(classifier)
    for path in SEED_FILES:
        analysis = classifier.analyse(path.read_text(encoding="utf-8"))
        extra = quantity_stage.evidence(analysis.quantities, analysis.paragraphs, classifier.grammar.evidence_weight)
        for more in (None, extra):
            got = label(analysis.paragraphs, analysis.hits, ruleset, more, table)
            want = label_python(analysis.paragraphs, analysis.hits, ruleset, more, table)
            assert got == want and [list(x.scores) for x in got] == [list(x.scores) for x in want]
            assert all(type(x) is Labelled for x in got)
    rng = random.Random(21)
    names = list(ruleset.theme_names)
    rules = [r for name in names for r in [r for r in classifier.matcher.rules if r.theme == name][:6]]
    rules += [r for r in classifier.matcher.rules if r.role][:3]
    order = {name: i for i, name in enumerate(names)}
    kinds = ["body", "heading", "boilerplate", "closing", "furniture"]
    written = fallen = overviews = inherited = 0
    for _ in range(1500):
        settings = dataclasses.replace(ruleset.settings, threshold=rng.choice([0.5, 2, 3.0, 4.5]),
                                       heading_threshold=rng.choice([1, 2.0, 3.5]),
                                       summary_min_score=rng.choice([1, 2.0, 2.5]), summary_themes=rng.choice([2, 3, 4]))
        rs = dataclasses.replace(ruleset, settings=settings)
        paragraphs, hits, extra, stranger = [], [], [], False
        headings = []
        for index in range(rng.randint(0, 8)):
            kind = rng.choice(kinds)
            section = rng.choice(headings + [None, 99]) if kind != "heading" else None
            paragraphs.append(segment.Paragraph(index, index * 10, index * 10 + 9, kind, section))
            if kind == "heading":
                headings.append(index)
            hits.append([Hit(index * 10, index * 10 + 2, rng.choice(rules), index) for _h in range(rng.randint(0, 6))])
            more = {rng.choice(names): rng.choice([0.5, 1, 1.5, 2.0]) for _e in range(rng.randint(0, 2))}
            if rng.random() < 0.03:
                more["没有的主题"] = 5.0
                stranger = True
            extra.append(more)
        use_extra = extra if rng.random() < 0.8 else None
        got = table.label(paragraphs, hits, use_extra, order, settings.threshold, settings.heading_threshold,
                          settings.summary_min_score, settings.summary_themes, Labelled)
        if got is None:
            fallen += 1
            assert stranger and use_extra is not None
            continue   # the Python loop's answer, an error included (a theme it cannot sort)
        written += 1
        want = label_python(paragraphs, hits, rs, use_extra, table)
        assert got == want, (paragraphs, hits, use_extra)
        assert [list(x.scores) for x in got] == [list(x.scores) for x in want], "scores in the same order"
        assert label(paragraphs, hits, rs, use_extra, table) == want
        overviews += sum(x.summary for x in got)
        inherited += sum(bool(x.inherited) for x in got)
    assert written > 1000 and fallen > 0 and overviews > 50 and inherited > 50
    with pytest.raises(ValueError):
        table.label([], [[]], None, order, 1, 1, 1, 1, Labelled)
    with pytest.raises(TypeError):
        table.label([(0, 1)], [[]], None, order, 1, 1, 1, 1, Labelled)


@needs_core
def test_own_scores_counts_a_rule_id_once_even_from_two_objects(classifier):
    rules = [r for r in classifier.matcher.rules if r.theme][:3]
    twin = dataclasses.replace(rules[0], weight=5.0)        # another object with the same id
    role = next(r for r in classifier.matcher.rules if r.theme is None)
    hits = [Hit(0, 2, rules[0], 0), Hit(3, 4, role, 0), Hit(5, 6, twin, 0), Hit(1, 2, rules[1], 0),
            Hit(7, 9, rules[0], 0), Hit(8, 9, rules[2], 0)]
    for n in range(len(hits) + 1):
        assert core.COMPILED.own_scores(hits[:n]) == own_scores_python(hits[:n])
        # the twin is no rule of the table: the table hands the call to the object-reading loop
        assert _table(classifier).own_scores(hits[:n]) == own_scores_python(hits[:n])
    with pytest.raises(TypeError):
        core.COMPILED.own_scores((1, 2))
    with pytest.raises(TypeError):
        _table(classifier).own_scores((1, 2))


@needs_core
def test_rule_table_counts_each_id_once_and_sums_weights_in_first_hit_order():
    """Rules that share an id count once, with the weight of the first one hit; a structure rule
    counts for no theme; the sums are the Python float sums, themes in the order they came."""
    from engine.rules import Rule
    make = lambda i, rid, theme, w: Rule(id=rid, theme=theme, role=None if theme else "closing", phrases=("x",),
                                         patterns=(), unless=(), where="any", weight=w, description="",
                                         match_examples=(), no_match_examples=(), file="t.yaml", line=i)
    rules = [make(0, "a", "甲", 0.1), make(1, "b", "乙", 0.2), make(2, "a", "甲", 7.0), make(3, "c", "甲", 0.7),
             make(4, "d", None, 3.0), make(5, "e", "丙", 2)]
    fields = tuple(evidence_fields(r) for r in rules)
    table = core.COMPILED.RuleTable(tuple(rules), (0, 1, 0, 3, 4, 5), (0, 1, 0, 0, -1, 2), (0.1, 0.2, 7.0, 0.7, 3.0, 2.0),
                                    ("甲", "乙", "丙"), fields, (None,) * 6, (None,) * 6)
    rng = random.Random(3)
    for _ in range(500):
        hits = [Hit(0, 1, rng.choice(rules), 0) for _ in range(rng.randint(0, 12))]
        got, want = table.own_scores(hits), own_scores_python(hits)
        assert got == want and list(got) == list(want)
        spans = [Hit(a, a + rng.randint(1, 9), h.rule, 0) for a, h in zip(sorted(rng.sample(range(60), len(hits))), hits)]
        assert table.slogans(spans) == slogan_bounds(spans)
    assert table.evidence_json([Hit(0, 1, rules[0], 0)], "x") is None, "no head: the caller builds the objects"
    with pytest.raises(ValueError):
        core.COMPILED.RuleTable((rules[0],), (1,), (0,), (1.0,), ("甲",), fields[:1], (None,), (None,))   # group out of range
    with pytest.raises(ValueError):
        core.COMPILED.RuleTable((rules[0],), (0,), (0, 1), (1.0,), ("甲",), fields[:1], (None,), (None,))
    with pytest.raises(TypeError):
        core.COMPILED.RuleTable((rules[0],), (0,), (0,), (1.0,), ("甲",), (("a", "theme"),), (None,), (None,))
    with pytest.raises(TypeError):
        pickle.dumps(table)


@needs_core
def test_bad_arguments_raise_instead_of_crashing(classifier):
    native = core.COMPILED
    with pytest.raises(TypeError):
        native.merge(b"", [(1, 2)], RawHit)
    with pytest.raises(TypeError):
        native.merge(b"", [], dict)
    m, one = classifier.matcher, [segment.Paragraph(0, 0, 2)]

    def run_filter(groups, kinds=b"\0", paragraphs=one, codes=m.filter_codes, unless=m.unless_checks):
        return native.filter(groups, kinds, codes, m.rules, Hit, Miss, _MISS_REASONS, "ab", paragraphs,
                             segment.SENTENCE_END, unless)

    with pytest.raises(IndexError):
        run_filter([[RawHit(0, 1, 10 ** 6)]])
    with pytest.raises(IndexError):
        native.role_hits([[RawHit(0, 1, 10 ** 6)]], m.filter_codes)
    with pytest.raises(TypeError):
        native.role_hits([(RawHit(0, 1, 0),)], m.filter_codes)
    with pytest.raises(ValueError):
        run_filter([[]], kinds=b"")
    with pytest.raises(ValueError):
        run_filter([[]], kinds=b"\x09")
    with pytest.raises(ValueError):
        run_filter([[]], unless=())
    with pytest.raises(ValueError):
        run_filter([[RawHit(0, 1, 0)]], codes=bytes(len(m.rules)))               # no `where` code
    with_unless = next(i for i, c in enumerate(m.unless_checks) if c is not None)
    with pytest.raises(IndexError):
        run_filter([[RawHit(1, 5, with_unless)]])                                 # a hit beyond its paragraph
    with pytest.raises(IndexError):
        run_filter([[RawHit(0, 1, with_unless)]], paragraphs=[segment.Paragraph(0, -1, 2)])   # a paragraph before the text
    with pytest.raises(TypeError):
        run_filter([[RawHit(0, 1, with_unless)]], unless=(("no check",),) * len(m.rules))
    with pytest.raises(TypeError):
        run_filter([[RawHit(0, 1, with_unless)]], paragraphs=[(0,)])
    rule, table = classifier.matcher.rules[0], _table(classifier)
    with pytest.raises(KeyError):
        table.evidence([Hit(0, 1, dataclasses.replace(rule), 0)], "ab")                # no rule of the table
    with pytest.raises(KeyError):
        table.evidence_json([Hit(0, 1, dataclasses.replace(rule), 0)], "ab")           # no rule of the table
    with pytest.raises(IndexError):
        table.evidence_json([Hit(1, 5, rule, 0)], "ab")                                # a span beyond the text
    with pytest.raises(TypeError):
        table.evidence_json([(0, 1)], "ab")
    with pytest.raises(KeyError):
        table.slogans([Hit(0, 1, dataclasses.replace(rule), 0)])
    with pytest.raises(TypeError):
        table.slogans(((0, 1, rule),))
    with pytest.raises(TypeError):
        native.by_paragraph([RawHit(0, 1, 0), [2, 3, 0]], [0], [9])   # a list where a hit should be
    with pytest.raises(ValueError):
        native.by_paragraph(b"\0" * 8, [0], [9])                        # packed hits that are not triples
    triple = struct.pack("3i", 0, 1, 0)
    for bad in ((triple, struct.pack("2i", 0, 2)), (triple, struct.pack("2i", 1, 1)), (triple, b"")):
        with pytest.raises(ValueError):   # offsets beyond the hits, not from 0, none at all
            run_filter(bad)
        with pytest.raises(ValueError):
            native.role_hits(bad, m.filter_codes, RawHit)
    with pytest.raises(TypeError):
        run_filter((triple,))                                            # not (hits, offsets)
    with pytest.raises(IndexError):
        run_filter((struct.pack("3i", 0, 1, 10 ** 6), struct.pack("2i", 0, 1)))
    with pytest.raises(TypeError):
        native.role_hits((triple, struct.pack("2i", 0, 1)), m.filter_codes)   # packed needs the hit class
    with pytest.raises(ValueError):
        native.by_paragraph([], [0, 5], [4])
    with pytest.raises(TypeError):
        core.COMPILED.Automaton(["干部"], [[0]], [[0]], [False])      # an expansion that is not a pair


@needs_core
def test_classify_output_is_identical_with_and_without_the_compiled_core(tmp_path):
    """The whole result, byte for byte, on the seeds and on their traditional-script copies."""
    outputs = {}
    for mode in ("auto", "python"):
        env = dict(os.environ, TIFA_CORE=mode, TIFA_CACHE_DIR=str(tmp_path / "cache"))
        env.pop("TIFA_MATCHER", None)
        done = subprocess.run([sys.executable, "-m", "engine.cli", "classify", str(ROOT / "seeds"), "--format", "jsonl",
                               "--jobs", "1", "--quiet"], cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        outputs[mode] = done.stdout
    assert outputs["auto"] == outputs["python"]
    assert outputs["auto"].count("\n") == len(SEED_FILES)


@needs_core
def test_filter_treats_every_kind_of_rule_in_every_kind_of_paragraph_as_python_does(classifier, monkeypatch):
    """Every rule of the shipped set hits every kind of paragraph: `where` codes, `unless`
    patterns, structure rules and page furniture, compiled and in Python."""
    from engine import match
    from engine.segment import Paragraph
    rules = list(classifier.ruleset.rules)
    plain = [i for i, code in enumerate(classifier.matcher.filter_codes) if code == match.FILTER_PLAIN]
    rules[plain[0]] = dataclasses.replace(rules[plain[0]], where="body")   # the shipped rules have none
    with_unless = next(i for i, rule in enumerate(rules) if rule.unless and rule.where == "any" and rule.role is None)
    rules[with_unless] = dataclasses.replace(rules[with_unless], where="heading")
    m = Matcher(dataclasses.replace(classifier.ruleset, rules=tuple(rules)))
    codes = set(m.filter_codes)
    assert {match.FILTER_PLAIN, match.FILTER_HEADING_ONLY, match.FILTER_BODY_ONLY} <= {c & match.FILTER_WHERE for c in codes}
    assert any(c & match.FILTER_ROLE for c in codes) and match.FILTER_HEADING_ONLY | match.FILTER_UNLESS in codes
    line = "全省组工干部两委村级人才党员学习。"   # the sentence of every hit holds many unless strings
    text = (line + "\n") * len(match.KINDS)
    n = len(line) + 1
    paragraphs = [Paragraph(i, n * i, n * i + len(line), kind) for i, kind in enumerate(match.KINDS)]
    groups = [[RawHit(p.start + 1, p.start + 3, r) for r in range(len(m.rules))] for p in paragraphs]
    compiled = filter_hits(m, view(text), paragraphs, groups)
    monkeypatch.setattr(match, "NATIVE", None)
    assert compiled == filter_hits(m, view(text), paragraphs, groups)
    body_only = next(i for i, code in enumerate(m.filter_codes) if code & match.FILTER_WHERE == match.FILTER_BODY_ONLY)
    closing = match.KINDS.index("closing")
    assert any(h.rule is m.rules[body_only] for h in compiled[0][closing]), "body-only rules count in closing paragraphs"
    reasons = {miss.reason.split(":")[0] for misses in compiled[1] for miss in misses}
    assert reasons == {"where", "unless"}


@needs_core
def test_search_windowed_is_windows_then_search_windows_when_they_are_few():
    """_hitcore.search_windowed: the stretches of windows(...) searched as search_windows does,
    True, when 300 x their number is under the text's length; False with nothing searched
    otherwise (Matcher.find then searches the whole text); a search's error propagates."""
    import regex
    from engine.patterns import SHORT_SPAN, TIMEOUT_CALL
    native = core.COMPILED
    rng = random.Random(31)
    pattern = regex.compile(r"ab.{0,6}c|a|(?<=c)b+", regex.MULTILINE)
    searched = skipped = 0
    for _ in range(600):
        n = rng.choice([rng.randint(1, 400), rng.randint(600, 3000)])
        text = "".join(rng.choice("abc\nxyz") for _ in range(n))
        lengths = [1, 2, 1, 3]
        kids = [0, 1, 2, 3][:rng.randint(1, 4)]
        groups = tuple((k,) for k in kids)
        places = {k: sorted(rng.sample(range(n), k=min(rng.randint(0, 6), n))) for k in kids}
        width = rng.randint(0, 12)
        stretches = native.windows(groups, places, lengths, width, n)
        want = []
        native.search_windows(pattern.finditer, text, stretches, {}, TIMEOUT_CALL, SHORT_SPAN, 7, want)
        got = []
        done = native.search_windowed(pattern.finditer, groups, places, lengths, width, text, {}, TIMEOUT_CALL,
                                      SHORT_SPAN, 7, got)
        assert done is (len(stretches) * 300 < n)
        assert got == (want if done else []), (text, groups, places, width)
        searched += done and bool(want)
        skipped += not done and bool(stretches)
    assert searched > 50 and skipped > 50
    calls = []

    def finditer(text, a, b, **kwargs):
        calls.append((a, b, kwargs))
        if a == 0:
            raise TimeoutError("regex timed out")
        return iter([regex.compile("b+c").match("bbc")])

    hits = []
    text = "x" * 10000
    assert native.search_windowed(finditer, ((0,),), {0: [5000, 9990]}, [4], 3, text, {"timeout": 1}, {"timeout": 2},
                                  2000, 5, hits) is True
    assert calls == [(4997, 5007, {"timeout": 1}), (9987, 9997, {"timeout": 1})] and hits == [(0, 3, 5)] * 2
    calls.clear()   # a stretch of exactly short_span characters takes the short call, one more the long one
    native.search_windowed(finditer, ((0,), (1,)), {0: [5000], 1: [5000]}, [4, 5], 998, text, {"timeout": 1},
                           {"timeout": 2}, 2000, 5, hits)
    native.search_windowed(finditer, ((1,),), {1: [5000]}, [4, 5], 998, text, {"timeout": 1}, {"timeout": 2}, 2000, 5,
                           hits)
    assert calls == [(4002, 6002, {"timeout": 1}), (4002, 6003, {"timeout": 2})]
    # searched while 300 x the stretches stay under the text's length
    assert native.search_windowed(finditer, ((0,),), {0: [100]}, [4], 3, "x" * 300, {}, {}, 2000, 5, []) is False
    assert native.search_windowed(finditer, ((0,),), {0: [100]}, [4], 3, "x" * 301, {}, {}, 2000, 5, []) is True
    with pytest.raises(TimeoutError):
        native.search_windowed(finditer, ((0,),), {0: [1, 500]}, [4], 3, text, {}, {}, 2000, 5, hits)
    assert hits == [(0, 3, 5)] * 4   # the error came first
    with pytest.raises(TypeError):
        native.search_windowed(finditer, ((0,),), {0: [1.5]}, [4], 3, text, {}, {}, 2000, 5, hits)


@needs_core
def test_search_windows_is_the_python_loop_over_stretches():
    """_hitcore.search_windows: finditer on each stretch with the short call or, past short_span,
    the long one; empty matches left out; a search's error propagates with the hits before it."""
    import regex
    from engine.patterns import SHORT_SPAN, TIMEOUT_CALL, call_for
    rng = random.Random(29)
    pattern = regex.compile(r"a*|b+c|(?<=c)d", regex.MULTILINE)
    empty_seen = 0
    for _ in range(300):
        text = "".join(rng.choice("abcd\n") for _ in range(rng.randint(0, 60)))
        cuts = sorted(rng.sample(range(len(text) + 1), min(len(text) + 1, 2 * rng.randint(0, 4))))
        stretches = [[cuts[i], cuts[i + 1]] for i in range(0, len(cuts) - 1, 2)]
        want = [(m.start(), m.end(), "rule") for a, b in stretches
                for m in pattern.finditer(text, a, b, **call_for({}, b - a)) if m.end() > m.start()]
        empty_seen += any(m.end() == m.start() for a, b in stretches for m in pattern.finditer(text, a, b))
        got = []
        core.COMPILED.search_windows(pattern.finditer, text, stretches, {}, TIMEOUT_CALL, SHORT_SPAN, "rule", got)
        assert got == want, (text, stretches)
    assert empty_seen > 100
    calls = []

    def finditer(text, a, b, **kwargs):
        calls.append((b - a, kwargs))
        if b - a == 7:
            raise TimeoutError("regex timed out")
        return iter([regex.compile("b+c").match("bbc")])

    hits = []
    with pytest.raises(TimeoutError):
        core.COMPILED.search_windows(finditer, "x", [[0, 10], [10, 4000], [0, 7], [20, 30]], {"timeout": 1},
                                     {"timeout": 2}, 2000, 5, hits)
    assert calls == [(10, {"timeout": 1}), (3990, {"timeout": 2}), (7, {"timeout": 1})]
    assert hits == [(0, 3, 5), (0, 3, 5)]
