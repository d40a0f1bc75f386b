"""The fast matcher finds exactly what the rules say, on every backend.

Reference semantics (Matcher.find_slow): every phrase found with str.find (overlapping
occurrences included), every pattern run with regex finditer over the whole text. The fast
path (engine/prefilter.py: literal expansion, gates, windows, paragraph anchors; scanners
pyahocorasick and Hyperscan) must give the same sorted hits on the seeds, on random
reshuffles of their lines, and on random patterns over a tiny alphabet.
"""
from __future__ import annotations

import dataclasses
import random

import pytest
import regex

from engine import core, prefilter
from engine.match import Matcher, resolve_backend
from engine.match_hyperscan import available as hyperscan_available
from engine.normalize import view
from engine.rules import Example, Rule, RuleSet
from engine.segment import Paragraph

from conftest import SEED_FILES

BACKENDS = ["portable"] + (["hyperscan"] if hyperscan_available() else []) + (["native"] if core.COMPILED is not None else [])
needs_hyperscan = pytest.mark.skipif(not hyperscan_available(), reason="hyperscan not installed (extra `fast`)")


def _views():
    return [view(p.read_text(encoding="utf-8")) for p in SEED_FILES]


def _shuffled(rng: random.Random, views: list[str]) -> str:
    lines = [line for v in views for line in v.split("\n")]
    picked = rng.sample(lines, k=min(len(lines), rng.randint(3, 40)))
    noise = ["", " ", "\u3000\u3000", "\t", "  "]
    out = []
    for line in picked:
        if rng.random() < 0.3 and len(line) > 4:  # cut lines so hits straddle odd places
            a = rng.randrange(len(line))
            line = line[a:] + line[:a]
        out.append(rng.choice(noise) + line + rng.choice(["", "", "。", ";"]))
    return "\n".join(out)


@pytest.mark.parametrize("backend", BACKENDS)
def test_fast_find_equals_reference_on_seeds(ruleset, backend):
    matcher = Matcher(ruleset, backend)
    for v in _views():
        fast, _ = matcher.find(v)
        assert fast == matcher.find_slow(v)
        assert fast, "the shipped rules hit every seed"


@pytest.mark.parametrize("backend", BACKENDS)
def test_fast_find_equals_reference_on_random_inputs(ruleset, backend):
    matcher = Matcher(ruleset, backend)
    rng = random.Random(20240601)
    views = _views()
    for _ in range(60):
        text = _shuffled(rng, views)
        assert matcher.find(text)[0] == matcher.find_slow(text)


@needs_hyperscan
def test_hyperscan_and_portable_give_identical_hits(ruleset):
    portable, fast = Matcher(ruleset, "portable"), Matcher(ruleset, "hyperscan")
    assert fast.backend_name == "hyperscan" and portable.backend_name == "portable"
    rng = random.Random(7)
    views = _views()
    texts = views + [_shuffled(rng, views) for _ in range(40)]
    for text in texts:
        assert fast.find(text) == portable.find(text)


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError):
        resolve_backend("turbo")
    assert resolve_backend("portable") == "portable"


@pytest.mark.skipif(core.COMPILED is None, reason="engine/_hitcore.c not compiled here")
def test_native_scanner_and_portable_give_identical_hits(ruleset):
    portable, native = Matcher(ruleset, "portable"), Matcher(ruleset, "native")
    assert native.backend_name == "native"
    rng = random.Random(11)
    views = _views()
    for text in views + [_shuffled(rng, views) for _ in range(40)]:
        assert native.find(text) == portable.find(text)


# ---------------------------------------------------------- random patterns ---

def _rule(i: int, phrases=(), patterns=()) -> Rule:
    return Rule(id=f"political.r{i}", theme="政治建设", role=None, phrases=tuple(phrases), patterns=tuple(patterns),
                unless=(), where="any", weight=1.0, description="", match_examples=(Example("a"), Example("b")),
                no_match_examples=(Example("c"),), file="x.yaml", line=1, index=i)


def _ruleset(rules, like: RuleSet) -> RuleSet:
    return RuleSet(like.themes, like.settings, tuple(rules), "test", "test")


def _random_pattern(rng: random.Random, depth: int = 0) -> str:
    atoms = ["a", "b", "c", "ab", "ba", "[ab]", "[bc]", ".",
             "(?<!a)b", "a(?!b)", "(?<=c)a", "^a", "b$", "^ *c"]   # anchors, lookarounds: "verify" plans
    kind = rng.random()
    if depth > 2 or kind < 0.35:
        return rng.choice(atoms)
    if kind < 0.55:
        return "(?:" + "|".join(_random_pattern(rng, depth + 1) for _ in range(rng.randint(2, 3))) + ")"
    if kind < 0.7:
        return "(" + _random_pattern(rng, depth + 1) + ")" + rng.choice(["?", "??", "{1,2}", "{0,2}", "{2}", "*?", "+"])
    return "".join(_random_pattern(rng, depth + 1) for _ in range(rng.randint(2, 3)))


@pytest.mark.parametrize("backend", BACKENDS)
def test_random_patterns_behave_like_finditer(ruleset, backend):
    """Expansion priority order, verified expansions, gates and windows against the regex engine itself."""
    rng = random.Random(99)
    patterns = []
    while len(patterns) < 150:
        p = _random_pattern(rng)
        if not regex.compile(p).match(""):  # patterns that can match empty are not interesting here
            patterns.append(p)
    rules = [_rule(i, patterns=[p]) for i, p in enumerate(patterns)]
    rules += [_rule(len(rules) + i, phrases=[ph]) for i, ph in enumerate(["ab", "aba", "bb", "cab"])]
    matcher = Matcher(_ruleset(rules, ruleset), backend)
    kinds = {prefilter.plan(c.pattern, c.flags).kind for _i, c in matcher.patterns}
    assert kinds >= {"expand", "verify", "gate"}, kinds  # the test exercises every fast path
    for _ in range(150):
        text = "".join(rng.choice("aabbc\n。 ") for _ in range(rng.randint(0, 60)))
        assert matcher.find(text)[0] == matcher.find_slow(text), text
    for _ in range(12):  # long sparse texts: gated patterns search only stretches around their literals
        filler = ["z"] * rng.randint(1500, 2500)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(filler))
            filler[at:at] = list("".join(rng.choice("abc") for _ in range(rng.randint(1, 8))))
        text = "".join(filler)
        assert matcher.find(text)[0] == matcher.find_slow(text)


@pytest.mark.parametrize("backend", BACKENDS)
def test_line_start_patterns_behave_like_finditer(ruleset, backend):
    """Patterns anchored at a paragraph start, tried on every line or, when no match can span
    a line break, only on the lines holding a literal of theirs."""
    rng = random.Random(7)
    middles = ["ab", "bca", "cab", "abc", "c", "b.?a"]   # one character: lines found with str.find
    fillers = ["", ".{0,3}", "[^c]{0,2}", r"\s*", "[ab]?", r"\S{0,2}", "(?:a|b )?", ".*"]
    patterns = [f"^{rng.choice(fillers)}{rng.choice(middles)}{rng.choice(fillers)}" for _ in range(60)]
    matcher = Matcher(_ruleset([_rule(i, patterns=[p]) for i, p in enumerate(patterns)], ruleset), backend)
    single = {matcher.patterns[pid][1].pattern for pid in matcher._single_line}
    assert single and len(single) < len(matcher._line_start), "both kinds of line-start pattern are exercised"
    assert matcher._line_literals, "and lines picked by one-character literals"
    for _ in range(300):
        text = "".join(rng.choice("abc\n \u3000") for _ in range(rng.randint(0, 80)))
        assert matcher.find(text)[0] == matcher.find_slow(text), text


def test_joined_unless_patterns_exclude_exactly_what_the_patterns_do_one_by_one(ruleset):
    rng = random.Random(11)
    rules = []
    for i in range(30):
        unless = tuple(_random_pattern(rng) for _ in range(rng.randint(2, 4)))
        rules.append(dataclasses.replace(_rule(i, phrases=["ab"]), unless=unless))
    matcher = Matcher(_ruleset(rules, ruleset), "portable")
    assert len(matcher._unless_any) > 20
    one_by_one = Matcher(_ruleset(rules, ruleset), "portable")
    one_by_one._unless_any = {}
    for _ in range(120):
        text = "".join(rng.choice("aabbc。 ") for _ in range(rng.randint(2, 40)))
        paragraph = Paragraph(0, 0, len(text))
        for start in range(len(text) - 1):
            for i in range(len(rules)):
                assert matcher.excluded_by(i, text, start, start + 2, paragraph) == \
                    one_by_one.excluded_by(i, text, start, start + 2, paragraph), (text, i, start)


def test_first_line_groups_stop_where_a_match_could_hold_a_line_break():
    # a literal after these is still on the line where the match starts ...
    for pattern in (r"(当前位置[::]?.*|.{0,4}分享)", r"\d+版[::]", r"a[\w\d]b", r"[^\n]+", r"(?=\s)a", r"\p{Han}+"):
        assert ("标志词",) in prefilter.first_line_groups(pattern + "[^\n]标志词"), pattern
    # ... and after these it may be on a later one (or the analysis is unsure: a back-reference)
    for pattern in (r"电话[::]\s*\d+", r"[^。;]{0,6}x", "a\nb", "(?s)a.b", r"(a)\1", r"a\Db", r"\P{Han}"):
        assert ("标志词",) not in prefilter.first_line_groups(pattern + "[^\n]标志词"), pattern


def test_expansion_lists_strings_in_the_regex_engines_priority_order():
    # at each position the backtracking engine returns the first string of this order that occurs
    assert prefilter.plan("(a|ab)(c|bcd)?").strings == ("ac", "abcd", "a", "abc", "abbcd", "ab")
    assert prefilter.plan("a??b").strings == ("b", "ab")
    assert prefilter.plan("青年(科技)?(人才|英才)").kind == "expand"
    assert prefilter.plan("x(?:ab){0,2}").strings == ("xabab", "xab", "x")


def test_overlap_free_expansions_are_counted_like_phrases():
    # every occurrence of such strings is a finditer match: no overlap, no string inside another
    assert prefilter.overlap_free(("干部队伍", "干部工作", "领导班子"))
    assert not prefilter.overlap_free(("干部队伍", "执政骨干"))  # 执政骨干部队伍
    assert not prefilter.overlap_free(("干部", "干部队伍"))      # same start: the engine picks one
    assert not prefilter.overlap_free(("党建", "建设"))          # 党建设: the second starts inside the first
    assert not prefilter.overlap_free(("ABA",))                  # ABABA: two occurrences, one match
    assert not prefilter.overlap_free(("", "a"))
    assert sum(prefilter.overlap_free(prefilter.plan(c.pattern, c.flags).strings)
               for c in (regex.compile(p) for p in ("ab|cd", "a(b|c)", "ab|ba"))) == 2


def test_plans_refuse_what_they_do_not_understand():
    assert prefilter.plan("(?i)abc").kind == "always"
    assert prefilter.plan(r"\p{Greek}{2}党建").kind == "always"          # regex-module syntax
    assert prefilter.plan(r"\p{Han}{2}党建").groups == (("党建",),)       # ... read as a one-character class
    assert prefilter.plan(r"\p{Han}{2}党建").width == 4
    assert prefilter.plan("党建.{0,4}引领").groups == (("党建",), ("引领",))
    assert prefilter.plan("党建.{0,4}引领").width == 8
    assert prefilter.plan("人才(?!队伍).{0,2}工作").width is None         # lookahead: no windows
    assert prefilter.plan("(?<!干部).{0,2}人才工作").width == 6          # lookbehinds see before a window
    assert prefilter.plan("a?").kind == "always"                         # can match empty


def test_gate_literals_join_consecutive_finite_items():
    # (引|育)才 holds 引才 or 育才, where each item alone offers no literal of two characters
    assert prefilter.plan("(引|育)才.?(引|育)才").groups == (("引才", "育才"),)
    # optional parts are dropped from the set: every match of 党建"?品牌 holds 党建品牌 or 党建"品牌
    assert prefilter.plan(r'\p{Han}{2}党建"?品牌').groups == (('党建"品牌', "党建品牌"),)
    assert prefilter.plan(r"\[?\(?(来源|作者)\s*x").groups == (("作者", "来源"),)
    # one symbol is rare enough to stand guard; one letter or Han character is not
    assert prefilter.plan(r"版权所有|©|\(c\)\s*\d{4}").groups == (("(c)", "©", "版权所有"),)
    assert prefilter.plan(r"版权所有|a|\(c\)\s*\d{4}").kind == "always"
    # an alternation whose branches each need two sets: both are required, slot by slot
    assert prefilter.plan("(落户|就医).{0,9}人才|人才.{0,9}(落户|就医)").groups == (("人才",), ("就医", "落户"))
    assert prefilter.plan("(落户|就医).{0,9}人才|人才").groups == (("人才",),)


def test_first_line_groups_come_from_what_precedes_any_line_break():
    assert prefilter.first_line_groups(r"\S{0,10}(电话|热线)[:]\s*\d+") == (("热线:", "电话:"),)
    assert prefilter.first_line_groups(r"\s*来源") == ()          # 来源 may be on a later line
    assert prefilter.first_line_groups(r"(来源|作者).*\n.*记者") == (("作者", "来源"),)


def test_conditions_read_negative_lookarounds_around_literals():
    assert prefilter.conditions("(?<!干部)人才") == ((("干部",), ()),)
    assert prefilter.conditions("基层|组织力(?!量)") == (((), ()), ((), ("量",)))
    assert prefilter.conditions("(?<![建选])好干部") == ((("建", "选"), ()),)
    assert prefilter.conditions("(?<=干部)人才") is None        # positive: left to the regex
    assert prefilter.conditions("人才(?!队伍)|人才") is None     # one string, two branches
    assert prefilter.conditions("^人才") is None


@pytest.mark.parametrize("backend", BACKENDS)
def test_literals_with_lookarounds_behave_like_finditer(ruleset, backend):
    """Strings decided by the characters around them (prefilter.conditions), at the ends of
    the text too, beside a pattern whose lookarounds still need the regex."""
    patterns = ["(?<!干部)人才", "基层|组织力(?!量)|(?<!a)b", "(?<!东西|南)(北京|上海)(?!市|路口)", "(?<=干部)人才"]
    matcher = Matcher(_ruleset([_rule(i, patterns=[p]) for i, p in enumerate(patterns)], ruleset), backend)
    assert set(matcher._conditions) == {0, 1, 2} and set(matcher._verify) == {3}
    rng = random.Random(3)
    alphabet = ["干部", "人才", "部", "基层", "组织力", "量", "a", "b", "东西", "南", "北京", "上海", "市", "路口", "路", "x"]
    for _ in range(400):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert matcher.find(text)[0] == matcher.find_slow(text), text


@pytest.mark.parametrize("backend", BACKENDS)
def test_grown_gates_behave_like_finditer(ruleset, backend):
    """Gates from joined finite items, one symbol, and \\p{Han}; in sparse and dense texts."""
    rng = random.Random(5)
    patterns = [r"\p{Han}{1,3}党建\"?(工程|品牌)", r"(引|育|用)才.{0,1}(引|育|用)才", r"版权所有|©|\(c\)\s*\d{4}",
                r"[^\P{Han}]{2}建[a-c]?工程", r"(a|b)(c|d)\s*©\d", r"x[^\p{Han}]{0,3}(党|建)设",
                r"(?<!东西南北)(村|社区)[^。]{0,2}换届", r"(?:(落户|就医).{0,3}人才|人才[^。]{0,3}(落户|就医))"]
    matcher = Matcher(_ruleset([_rule(i, patterns=[p]) for i, p in enumerate(patterns)], ruleset), backend)
    assert {prefilter.plan(c.pattern, c.flags).kind for _i, c in matcher.patterns} == {"gate"}
    alphabet = list("党建工程品牌引育用才设版权所有©(c)2024abcdx \n。\"") + ["党建", "引才", "版权所有", "人才", "落户", "就医", "东西南北", "东西南北社区", "社区", "换届", "ab换届"]
    burst = lambda n: "".join(rng.choice(alphabet) for _ in range(rng.randint(0, n)))  # noqa: E731
    windowed = 0
    for dense in [True] * 200 + [False] * 100:
        # sparse: bursts far apart, so windows around literals are searched (and some dropped)
        text = burst(20) if dense else "".join(rng.choice(["z" * 400, burst(12)]) for _ in range(10))
        found = matcher.find(text)[0]
        assert found == matcher.find_slow(text), text
        windowed += not dense and any(h.rule == len(patterns) - 1 for h in found)
    assert windowed > 10   # the two-set alternation found matches in windows
    assert matcher._window.keys() >= {len(patterns) - 2, len(patterns) - 1}   # the lookbehind too


@pytest.mark.parametrize("backend", BACKENDS)
def test_window_search_keeps_matches_of_full_width(ruleset, backend):
    # the widest match ends at its literal: the stretch searched must reach back that far
    rules = [_rule(0, patterns=[".{0,4}党建"]), _rule(1, patterns=["党建.{0,3}"]), _rule(2, patterns=["[^。]{0,2}党建[^。]{0,2}"])]
    matcher = Matcher(_ruleset(rules, ruleset), backend)
    assert all(w is not None for w in (prefilter.plan(c.pattern, c.flags).width for _i, c in matcher.patterns))
    text = "z" * 2000 + "abcd党建efgh" + "z" * 2000 + "党建" + "z" * 1500
    found = matcher.find(text)[0]
    assert found == matcher.find_slow(text)
    assert (2000, 2006, 0) in {(h.start, h.end, h.rule) for h in found}


def test_caseless_groups_take_the_literals_as_written():
    assert prefilter.caseless_groups(r"(?i)\S{0,40}\.(jpg|png)", regex.I) == ((".jpg", ".png"),)
    assert prefilter.caseless_groups("(?i)ab(?-i:cd)ef", regex.I) == (("ab",), ("ef",))
    assert prefilter.caseless_groups("(?i)a.b", regex.I) == ()                   # no literal of two characters
    assert prefilter.caseless_groups("(?fi)strasse", regex.I | regex.F) == ()   # full folding: ß may stand for ss
    assert prefilter.caseless_groups("(?i)strasse", regex.I | regex.V1) == ()


@pytest.mark.parametrize("backend", BACKENDS)
def test_caseless_patterns_behave_like_finditer(ruleset, backend):
    """Patterns with case folding run only in documents where a search with their own folding
    finds a literal of each set; letters with unusual folds (the Kelvin sign, long s) included."""
    patterns = [r"(?i)^\S{0,6}\.(jpg|png)$", r"(?i)ks[a-c]?|xyz", r"(?i)ab(?-i:cd)ef", r"(?fi)strasse", r"(?i)a.b"]
    matcher = Matcher(_ruleset([_rule(i, patterns=[p]) for i, p in enumerate(patterns)], ruleset), backend)
    assert set(matcher._caseless) == {0, 1, 2}
    rng = random.Random(13)
    alphabet = ["a", "A", "b", "B", "c", "C", "k", "K", "\u212a", "s", "S", "\u017f", "x", "X", "yz", "YZ", "Yz",
                "cd", "CD", "ef", "EF", "aBcdeF", "ß", "straße", "stra", "STRA", ".jpg", ".JPG", ".Png", "img", " ", "\n", "。"]
    found_any = set()
    for _ in range(600):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        found = matcher.find(text)[0]
        assert found == matcher.find_slow(text), text
        found_any.update(h.rule for h in found)
    assert found_any >= {0, 1, 2, 3, 4}   # every pattern matched somewhere
