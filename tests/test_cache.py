"""The compiled-rule cache returns what loading returns, and never a stale rule set."""
from __future__ import annotations

import shutil

import pytest

from engine import cache
from engine.diagnostics import RuleError
from engine.rules import load

from conftest import RULES


@pytest.fixture
def rules_copy(tmp_path, monkeypatch):
    monkeypatch.setenv("TIFA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("TIFA_CACHE", raising=False)
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    return target


def _entries(tmp_path):
    return sorted((tmp_path / "cache").glob("rules-*.pickle"))


def test_cached_rule_set_equals_loaded(rules_copy, tmp_path):
    first = cache.load_cached(rules_copy)
    assert len(_entries(tmp_path)) == 1
    second = cache.load_cached(rules_copy)
    assert first == second == load(rules_copy)
    assert second.positions == load(rules_copy).positions


def test_a_changed_rule_file_is_never_served_from_the_cache(rules_copy, tmp_path):
    before = cache.load_cached(rules_copy)
    theme_file = sorted(p for p in rules_copy.glob("*.yaml") if p.name not in ("taxonomy.yaml", "quantities.yaml",
                                                                                  "boilerplate.yaml"))[0]
    with open(theme_file, "a", encoding="utf-8") as fh:
        fh.write("# an edit: even a comment changes the rule files' hash\n")
    after = cache.load_cached(rules_copy)
    assert after == load(rules_copy)
    assert after.version != before.version
    assert len(_entries(tmp_path)) == 2


def test_broken_rules_still_raise_and_are_not_cached(rules_copy, tmp_path):
    (rules_copy / "political.yaml").write_text("rules: [", encoding="utf-8")
    with pytest.raises(RuleError):
        cache.load_cached(rules_copy)
    assert _entries(tmp_path) == []


def test_a_corrupt_entry_is_rebuilt(rules_copy, tmp_path):
    cache.load_cached(rules_copy)
    (entry,) = _entries(tmp_path)
    entry.write_bytes(b"garbage")
    assert cache.load_cached(rules_copy) == load(rules_copy)


def test_cache_can_be_turned_off(rules_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("TIFA_CACHE", "0")
    assert cache.load_cached(rules_copy) == load(rules_copy)
    assert _entries(tmp_path) == []


def test_the_hyperscan_databases_come_back_from_the_cache(rules_copy, tmp_path, monkeypatch):
    """A warm cache restores the compiled databases (the literals, the traps' prefilter) instead
    of compiling them; same hits, same trap spans."""
    from engine import match_hyperscan
    from engine.match import Matcher
    from engine.normalize import view
    from engine.quantities import Extractor
    from engine.segment import split_lines
    from conftest import SEED_FILES
    if not match_hyperscan.available():
        pytest.skip("hyperscan is not installed on this machine")
    monkeypatch.setenv("TIFA_MATCHER", "hyperscan")         # the literals in Hyperscan too (not the compiled core)
    monkeypatch.setattr(match_hyperscan, "SERIALIZED", {})
    cache.load_cached_parts(rules_copy)                     # cold: compiles once, stores the databases
    assert len(match_hyperscan.SERIALIZED) == 2             # ... and keeps them for this process
    monkeypatch.setattr(match_hyperscan, "SERIALIZED", {})  # a new process
    ruleset, grammar = cache.load_cached_parts(rules_copy)  # warm: the databases come back
    assert len(match_hyperscan.SERIALIZED) == 2
    def no_compiling(*_args, **_kwargs):
        raise AssertionError("a new database was compiled although the cache had one")

    with monkeypatch.context() as patched:
        patched.setattr(match_hyperscan.hyperscan, "Database", no_compiling)
        restored = Matcher(ruleset, "hyperscan")
        extractor = Extractor(grammar, "hyperscan")
    assert extractor.trap_regions.gated            # the prefilter came back, not an empty one
    raw = SEED_FILES[0].read_text(encoding="utf-8")
    text = view(raw)
    assert restored.find(text) == Matcher(ruleset, "portable").find(text)
    paragraphs = split_lines(raw)
    assert extractor.trap_spans(text, paragraphs) == Extractor(grammar, "portable").trap_spans(text, paragraphs)


def test_a_warm_start_compiles_rule_patterns_only_when_they_run(rules_copy, monkeypatch):
    """The cache keeps each pattern's compiled flags, so a matcher built from a warm entry has
    its plans, gates and flags without compiling a pattern; find compiles the ones it runs, once,
    and the hits are those of the compiled patterns."""
    from engine import patterns
    from engine.match import Matcher
    from engine.normalize import view
    from conftest import SEED_FILES
    cache.load_cached_parts(rules_copy)                       # cold: writes the entry
    monkeypatch.setattr(patterns, "FLAGS", {})                # a new process
    compiled = []
    real = patterns.compile_pattern.__wrapped__
    monkeypatch.setattr(patterns, "compile_pattern", lambda p: compiled.append(p) or real(p))
    ruleset, _grammar = cache.load_cached_parts(rules_copy)   # warm
    assert patterns.FLAGS, "the flags came back from the cache"
    matcher = Matcher(ruleset)
    lazy = [p for _owner, p in matcher.patterns]
    assert lazy and all(type(p) is patterns.LazyPattern for p in lazy)
    # only the patterns anchored at a paragraph start are compiled to build the matcher (one
    # match of the empty string tells whether the anchor holds in every branch)
    anchored = {p.source for p in lazy if p.pattern.startswith(patterns.PARAGRAPH_START)}
    assert set(compiled) <= anchored and len(compiled) < len(lazy) / 4
    assert all(p.flags == real(p.source).flags for p in lazy)
    text = view(SEED_FILES[0].read_text(encoding="utf-8"))
    hits, _warnings = matcher.find(text)
    ran = [pid for pid, (_owner, p) in enumerate(matcher.patterns) if type(p) is not patterns.LazyPattern]
    assert len(ran) > 20, "find swaps in the compiled patterns it runs"
    before = len(compiled)
    assert hits == matcher.find(text)[0]
    assert len(compiled) == before, "a pattern is compiled once"
    assert hits == matcher.find_slow(text)
