"""cache: a rules directory -> its loaded :class:`engine.rules.RuleSet`, from disk when unchanged.

Input: a rules directory (or None for the default one). Output: the same RuleSet that
:func:`engine.rules.load` returns, and the same quantity grammar (``quantities.yaml``) that
:func:`engine.quantities.load` returns, so a classifier starts without parsing any YAML. Invariants: the cache key is a hash of everything the
result depends on: the name and bytes of every YAML file in the directory, the JSON schemas,
the engine's own source files, the Python and ``regex`` versions, the directory's absolute
path and the working directory (diagnostic paths are shown relative to it). Any change gives
a new key, so a stale entry is never used; an unreadable or corrupt entry is ignored and
rebuilt. Rule sets with errors are never cached (``load`` raises as usual). The cache lives
in ``$TIFA_CACHE_DIR``, else ``$XDG_CACHE_HOME/tifa``, else ``~/.cache/tifa``;
``TIFA_CACHE=0`` turns it off.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
from pathlib import Path

import regex

from . import match_hyperscan, patterns, prefilter, quantities
from .match import Matcher
from .rules import RuleSet, default_rules_dir, load, schema_dir

_ENGINE = Path(__file__).resolve().parent
_KEEP = 8   # entries kept; older ones are removed when a new one is written


def cache_dir() -> Path:
    env = os.environ.get("TIFA_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "tifa"


def enabled() -> bool:
    return os.environ.get("TIFA_CACHE", "1").lower() not in ("0", "no", "false", "off")


def cache_key(directory: Path) -> str:
    """Hash of the rule files and of everything that turns them into a RuleSet."""
    digest = hashlib.sha256()
    digest.update(f"{sys.version}|{regex.__version__}|{directory.resolve()}|{os.getcwd()}".encode())
    groups = [sorted(directory.glob("*.yaml")), sorted(schema_dir().glob("*.json")), sorted(_ENGINE.glob("*.py"))]
    for group in groups:
        for path in group:
            digest.update(path.name.encode() + b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()[:32]


def load_cached(directory: Path | str | None = None) -> RuleSet:
    """:func:`engine.rules.load`, answered from the cache when the inputs are unchanged."""
    return load_cached_parts(directory)[0]


def load_cached_parts(directory: Path | str | None = None):
    """``(rule set, quantity grammar)`` of a rules directory, from the cache when unchanged.

    ``Classifier(*load_cached_parts(d))`` equals ``Classifier(load(d))``; either part raises
    :class:`engine.diagnostics.RuleError` as its loader does."""
    directory = Path(directory) if directory is not None else default_rules_dir()
    if not enabled() or not directory.is_dir():
        return _build(directory)
    try:
        key = cache_key(directory)
    except OSError:
        return _build(directory)
    entry = cache_dir() / f"rules-{key}.pickle"
    try:
        with open(entry, "rb") as fh:
            ruleset, grammar, plans, databases, flags = pickle.load(fh)
        if isinstance(ruleset, RuleSet):
            prefilter.MEMO.update(plans)
            patterns.FLAGS.update(flags)
            match_hyperscan.SERIALIZED.update(databases)
            return ruleset, grammar
    except Exception:  # missing, truncated, written by another version: rebuild
        pass
    ruleset, grammar = _build(directory)
    _store(entry, ruleset, grammar)
    return ruleset, grammar


def _build(directory: Path):
    ruleset = load(directory)
    return ruleset, quantities.load(ruleset.directory, ruleset)


def _store(entry: Path, ruleset: RuleSet, grammar) -> None:
    # the matcher's analysis of each pattern (engine/prefilter.py) is kept beside the rules, and
    # so are the compiled Hyperscan databases (literals, trap prefilter) when Hyperscan is installed
    matcher = Matcher(ruleset)
    # (and of each `unless` pattern: the compiled filter's checks are built from them)
    compiled_patterns = [c for _i, c in matcher.patterns] + [c for checks in matcher.unless.values() for c, _call in checks]
    plans = {(c.pattern, c.flags): prefilter.plan(c.pattern, c.flags) for c in compiled_patterns}
    # and their flags, which a warm start then knows without compiling them (patterns.LazyPattern)
    flags = {c.source: c.flags for c in compiled_patterns}
    # the Hyperscan ones among the literal scanner and the traps' prefilter (~1 s to compile)
    compiled = (matcher._scanner, quantities.Extractor(grammar).trap_regions)
    databases = {c.digest: c.serialized() for c in compiled if getattr(c, "db", None) is not None}
    match_hyperscan.SERIALIZED.update(databases)   # this process's classifier loads it, too
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp = entry.with_name(f".{entry.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump((ruleset, grammar, plans, databases, flags), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, entry)  # atomic: concurrent runs never read half an entry
        old = sorted(entry.parent.glob("rules-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in old[_KEEP:]:
            stale.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only home directory only costs speed
