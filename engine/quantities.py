"""quantities: a document's paragraphs -> its achievements (数字成绩) as structured records.

Input: the original text, its normalized view (same length), the paragraphs from
:mod:`engine.segment` and the theme-rule hits of each paragraph; the grammar of
``rules/quantities.yaml`` (:class:`Grammar`, loaded and checked by :func:`collect`).
Output: :class:`Quantity` values (span into the original text, value, range, qualifier, unit,
kind, subject, theme, rule, paragraph line index).

Stages, all driven by the YAML grammar: candidate numerals (Arabic or Chinese, 万/亿, 多/余)
with their counter, found in one scan of the document, most refused on their own shape -> traps
dropped (trap patterns, searched paragraph by paragraph, only where a live numeral is and, with
Hyperscan, only where the trap's prefilter matches; short
quoted names; theme-rule slogan hits such as 四个意识 claim their spans first) -> qualifier, unit, kind, range, rate cues ->
subject (the verb phrase before the number plus the noun after the counter: 选派24万名干部 ->
选派干部) -> theme from the first quantity rule whose cue is in the subject (then in the
clause). :func:`evidence` turns rule themes into a small score for the paragraph before it
is labelled; :func:`with_fallback` then gives unthemed quantities their paragraph's theme.
The numeral scan, the reading of each numeral in its paragraph, the subjects and the choice of
quantity rule run in C where engine/_quantities.c is built (:func:`compiled_numerals`,
:func:`compiled_readings`, :func:`compiled_subjects`, :func:`compiled_rules`; the Python methods
stay the reference).

Invariants: matching runs on the view, so a traditional-script document gives the same
quantities as its simplified form (``text`` alone is original; subject and unit come from
the view, i.e. simplified); ``text == original[span[0]:span[1]]``; boilerplate paragraphs
hold no quantities; age and duration are kept with their kind but are never achievements
(:data:`ACHIEVEMENT_KINDS`).
"""
from __future__ import annotations

import bisect
import functools
import itertools
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import ahocorasick
import regex

from . import numbers, prefilter
from .core import NATIVE, QUANTITIES
from .diagnostics import Diagnostic, RuleError, json_path
from .match import resolve_backend
from .match_hyperscan import HyperscanRegions, available as hyperscan_available
from .normalize import view, view_pattern
from .patterns import SHORT_SPAN, TIMEOUT_CALL, call_for, short_call as _short_call
from .rules import QUANTITY_FILE, Located, RuleSet, load_schema, load_yaml, schema_diagnostics

ACHIEVEMENT_KINDS = ("count", "money", "percent", "rate")
_ACHIEVEMENTS = frozenset(ACHIEVEMENT_KINDS)
# Clause boundaries for subjects: a subject never reaches across these.
CLAUSE_DELIMITERS = ",，。;；:：!！?？、\n"
_OPEN_QUOTES = "“「『〝‘《"
_CLOSE_QUOTES = "”」』〞’》"
_AMBIGUOUS_QUOTES = "\"＂'"
_SUBJECT_TRIM = "的为是"
_POST_TRIM = "和及与并、等"

_ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
# A Chinese numeral starts with a digit or 十: a bare 百/千/万 is a word (百县争创, 千方百计, 万村过硬).
# The character classes are also handed to the compiled scan (engine/_quantities.c) as they are.
_CN_DIGITS = "零〇一二三四五六七八九"
_CN_FIRST = _CN_DIGITS + "两十"
_CN_CLASS = _CN_FIRST + "百千万亿"
_POINT = "点"   # 一点六八亿
_CN = f"[{_CN_FIRST}][{_CN_CLASS}]*(?:{_POINT}[{_CN_DIGITS}]+)?"
_CN_NOT_AFTER = _CN_CLASS + "第"    # inside a longer numeral, or an ordinal (第一)
_PERCENT = "百分之"
_MULTIPLIERS = ("万亿", "亿", "千万", "万", "千")   # written after a numeral: 2.2万, 3千
_WITHIN = "万亿"   # a bare Chinese numeral holding one of these is a count (三万) not a word


# ---------------------------------------------------------------- model ---

@dataclass(frozen=True)
class Entry:
    """A trap, rate cue or quantity rule as written in the YAML (examples included)."""
    id: str
    description: str
    match: tuple[str, ...]
    no_match: tuple[str, ...]
    index: int                      # position in its list, for JSON paths
    section: str                    # "traps" | "rates" | "rules"


@dataclass(frozen=True)
class Trap:
    entry: Entry
    kind: str
    pattern: str


@dataclass(frozen=True)
class RateCue:
    entry: Entry
    pattern: str
    span_from_cue: bool


@dataclass(frozen=True)
class QuantityRule:
    entry: Entry
    theme: str                      # Chinese theme name
    cues: tuple[str, ...]           # normalized (view) literals
    patterns: tuple[str, ...]
    units: frozenset[str]           # empty: any unit

    @property
    def id(self) -> str:
        return self.entry.id


@dataclass(frozen=True)
class Grammar:
    """The quantity grammar of one rules directory (empty when it has no quantities.yaml)."""
    before: tuple[tuple[str, str], ...] = ()      # (word, qualifier), longest first
    not_after: dict = field(default_factory=dict)  # before-word -> words that, just before it, make it part of another word
    inside: dict = field(default_factory=dict)    # word -> qualifier (多, 余)
    after: tuple[tuple[str, str], ...] = ()
    units: dict = field(default_factory=dict)     # unit -> kind
    small_units: frozenset = frozenset()
    subject_stops: tuple[str, ...] = ()
    subject_skip: tuple[str, ...] = ()
    rates: tuple[RateCue, ...] = ()
    traps: tuple[Trap, ...] = ()
    rules: tuple[QuantityRule, ...] = ()
    evidence_weight: float = 0.5
    quote_max_chars: int = 15
    subject_max_chars: int = 24
    file: str = ""
    positions: dict = field(default_factory=dict, compare=False, repr=False)


class Quantity(NamedTuple):
    """A tuple, not a frozen dataclass: built by the thousand per megabyte, and a frozen
    dataclass of twelve fields costs ~3 µs to build."""
    start: int
    end: int
    text: str
    value: int | float
    range: tuple | None
    qualifier: str
    unit: str
    kind: str
    subject: str | None
    theme: str | None
    rule: str | None
    paragraph: int                  # line index of the paragraph

    @property
    def achievement(self) -> bool:
        return self.kind in ACHIEVEMENT_KINDS

    def as_dict(self) -> dict:
        return {
            "span": [self.start, self.end], "text": self.text, "value": self.value,
            "range": list(self.range) if self.range else None, "qualifier": self.qualifier,
            "unit": self.unit, "kind": self.kind, "subject": self.subject, "theme": self.theme,
            "rule": self.rule, "paragraph": self.paragraph,
        }


# Built straight from a tuple, skipping the Python-level constructor NamedTuple generates.
_quantity = functools.partial(tuple.__new__, Quantity)
_THEME = Quantity._fields.index("theme")


# ---------------------------------------------------------------- loading ---

def _entry(raw: dict, index: int, section: str) -> Entry:
    ex = raw.get("examples") or {}
    return Entry(raw["id"], raw.get("description", ""), tuple(ex.get("match") or ()), tuple(ex.get("no_match") or ()),
                 index, section)


def _check_regex(pattern: str, shown: str, located: Located, parts: tuple, entry_id: str, diags: list) -> bool:
    try:
        regex.compile(view_pattern(pattern))
        return True
    except regex.error as exc:
        line, col = located.where(parts)
        diags.append(Diagnostic(shown, line, col, "bad-regex", f"pattern does not compile: {exc}", json_path(parts),
                                "write it in Python `regex` syntax; quote it with '...' in YAML", rule=entry_id))
        return False


def collect(directory: Path | str, ruleset: RuleSet | None = None, shown: str | None = None) -> tuple[Grammar | None, list[Diagnostic]]:
    """Load ``quantities.yaml`` of a rules directory: the grammar (or None) and every problem found.

    A directory without the file gives an empty grammar (no quantities) and no diagnostics.
    """
    path = Path(directory) / QUANTITY_FILE
    if not path.exists():
        return Grammar(), []
    if shown is None:
        try:
            shown = os.path.relpath(path)
        except ValueError:
            shown = str(path)
    located, diags = load_yaml(path, shown)
    if located is None:
        return None, diags
    schema_problems = schema_diagnostics(located, load_schema("quantities.schema.json"), shown)
    diags.extend(schema_problems)
    if schema_problems:
        return None, diags
    data = located.data
    themes = {}
    if ruleset is not None:
        themes = {t.id: t.name for t in ruleset.themes} | {t.name: t.name for t in ruleset.themes}
    units = {u["unit"]: u["kind"] for u in data["units"]}
    unit_view = {view(u): k for u, k in units.items()}
    seen: dict[str, tuple] = {}

    def unique(entry_id: str, parts: tuple):
        if entry_id in seen:
            line, col = located.where(parts)
            other = located.where(seen[entry_id])
            diags.append(Diagnostic(shown, line, col, "duplicate-id", f"id `{entry_id}` is already used at line {other[0]}",
                                    json_path(parts), "ids must be unique in quantities.yaml", rule=entry_id))
        seen.setdefault(entry_id, parts)

    traps = []
    for i, raw in enumerate(data["traps"]):
        unique(raw["id"], ("traps", i, "id"))
        if _check_regex(raw["pattern"], shown, located, ("traps", i, "pattern"), raw["id"], diags):
            traps.append(Trap(_entry(raw, i, "traps"), raw["kind"], raw["pattern"]))
    rates = []
    for i, raw in enumerate(data.get("rates") or ()):
        unique(raw["id"], ("rates", i, "id"))
        if _check_regex(raw["pattern"], shown, located, ("rates", i, "pattern"), raw["id"], diags):
            rates.append(RateCue(_entry(raw, i, "rates"), raw["pattern"], bool(raw.get("span_from_cue", False))))
    rules = []
    for i, raw in enumerate(data["rules"]):
        unique(raw["id"], ("rules", i, "id"))
        ok = all(_check_regex(p, shown, located, ("rules", i, "patterns", j), raw["id"], diags)
                 for j, p in enumerate(raw.get("patterns") or ()))
        theme = themes.get(raw["theme"]) if ruleset is not None else raw["theme"]
        if theme is None:
            line, col = located.where(("rules", i, "theme"))
            diags.append(Diagnostic(shown, line, col, "unknown-theme", f"theme {raw['theme']!r} is not in taxonomy.yaml",
                                    json_path(("rules", i, "theme")),
                                    f"use one of: {', '.join(t.id for t in ruleset.themes)}", rule=raw["id"]))
            ok = False
        for j, u in enumerate(raw.get("units") or ()):
            if view(u) not in unit_view:
                line, col = located.where(("rules", i, "units", j))
                diags.append(Diagnostic(shown, line, col, "unknown-unit", f"unit {u!r} is not listed under `units`",
                                        json_path(("rules", i, "units", j)), "add it to `units` or fix the spelling",
                                        rule=raw["id"]))
                ok = False
        if ok:
            rules.append(QuantityRule(_entry(raw, i, "rules"), theme, tuple(view(c) for c in raw.get("cues") or ()),
                                      tuple(raw.get("patterns") or ()), frozenset(view(u) for u in raw.get("units") or ())))
    for i, u in enumerate(data.get("small_numeral_units") or ()):
        if view(u) not in unit_view:
            line, col = located.where(("small_numeral_units", i))
            diags.append(Diagnostic(shown, line, col, "unknown-unit", f"unit {u!r} is not listed under `units`",
                                    json_path(("small_numeral_units", i)), "add it to `units` or fix the spelling"))
    settings = data.get("settings") or {}

    def by_position(pos):
        words = [(view(q["word"]), q["qualifier"]) for q in data["qualifiers"] if q["position"] == pos]
        return tuple(sorted(words, key=lambda w: -len(w[0])))

    grammar = Grammar(
        before=by_position("before"), inside=dict(by_position("inside")), after=by_position("after"),
        not_after={view(q["word"]): tuple(view(w) for w in q["unless_after"])
                   for q in data["qualifiers"] if q.get("unless_after")},
        units=unit_view, small_units=frozenset(view(u) for u in data.get("small_numeral_units") or ()),
        subject_stops=tuple(view(w) for w in data.get("subject_stops") or ()),
        subject_skip=tuple(sorted((view(w) for w in data.get("subject_skip") or ()), key=len, reverse=True)),
        rates=tuple(rates), traps=tuple(traps), rules=tuple(rules),
        evidence_weight=float(settings.get("evidence_weight", 0.5)),
        quote_max_chars=int(settings.get("quote_max_chars", 15)),
        subject_max_chars=int(settings.get("subject_max_chars", 24)),
        file=shown, positions=located.positions,
    )
    if any(d.level == "error" for d in diags):
        return None, diags
    return grammar, diags


def load(directory: Path | str, ruleset: RuleSet | None = None) -> Grammar:
    """The grammar of a rules directory, or :class:`RuleError` with every problem found."""
    grammar, diags = collect(directory, ruleset)
    if grammar is None:
        raise RuleError(diags)
    return grammar


# ---------------------------------------------------------------- compiled ---

def slogan_bounds(hits) -> tuple[list[int], list[int]]:
    """The starts of the hits of theme rules (slogans, not structure rules) and, for each, the
    farthest end among them so far: whether a slogan holds a number is one bisection."""
    themed = [h for h in hits if h.rule.theme is not None]
    return [h.start for h in themed], list(itertools.accumulate([h.end for h in themed], max))


class Extractor:
    """A grammar with its patterns compiled once. Picklable (rebuilt from the grammar)."""

    def __init__(self, grammar: Grammar, backend: str | None = None):
        self.grammar = grammar
        self.backend = resolve_backend(backend)
        alt = lambda words: "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True))  # noqa: E731
        units = alt(grammar.units) or "(?!)"
        inside = alt(grammar.inside) or "(?!)"
        after = alt(w for w, _ in grammar.after) or "(?!)"
        mults = "|".join(_MULTIPLIERS)
        tail = (rf"(?P<v1>{inside})?(?P<mult>{mults})?(?P<v2>{inside})?"
                rf"(?P<unit>{units})?(?P<after>{after})?")
        self.candidate = regex.compile(
            rf"(?:(?<![\d.A-Za-z])(?P<num>{_ARABIC})|(?<![{_CN_NOT_AFTER}])(?P<cnum>{_CN})){tail}"
            rf"|{_PERCENT}(?P<pct>{_ARABIC}|{_CN})")
        # the same scan and refusals in C where engine/_quantities.c is built (numerals_python is
        # the reference)
        self._numerals = compiled_numerals(grammar)
        self._subjects = compiled_subjects(grammar)
        # group numbers of the candidate pattern, read with one call per candidate
        index = self.candidate.groupindex
        self._groups = tuple(index[name] for name in ("pct", "cnum", "num", "unit", "mult", "v1", "v2", "after"))
        self._pct_group, self._cnum_group, self._num_group, self._unit_group = \
            index["pct"], index["cnum"], index["num"], index["unit"]
        # what a multiplier after a numeral multiplies by (3千万 is 3 x 10^7: not read as 3千 x 万)
        self._factors = dict(zip(_MULTIPLIERS, (10 ** 12, 10 ** 8, 10 ** 7, 10 ** 4, 10 ** 3)))
        self.traps = [(t, regex.compile(view_pattern(t.pattern))) for t in grammar.traps]
        self._trap_groups = [prefilter.required_groups(p.pattern, p.flags) for _t, p in self.traps]
        self._trap_calls = {t.entry.id: _short_call(t.pattern) for t in grammar.traps}
        # with Hyperscan, one scan of a paragraph tells which traps may match in it
        # (whatever scans the literals of the rules, unless the portable path is asked for)
        self.trap_regions = HyperscanRegions([p.pattern for _t, p in self.traps]) \
            if self.backend != "portable" and hyperscan_available() and self.traps else None
        # rate cues are searched in the few words before each number: no per-call timeout
        # unless the pattern is risky (see patterns.needs_timeout)
        self.rates = [(r, regex.compile(view_pattern(r.pattern)), _short_call(r.pattern)) for r in grammar.rates]
        # ... each with its literal gate, so most numerals need no search at all (a rate cue needs 每 or 人均)
        self._rate_table = [(cue, pattern, call, _literal_gate(pattern)) for cue, pattern, call in self.rates]
        self.rule_patterns = {r.id: tuple(regex.compile(view_pattern(p)) for p in r.patterns) for r in grammar.rules}
        self._quantity_rules = [(i, r, r.units, self.rule_patterns[r.id]) for i, r in enumerate(grammar.rules)]
        self._rules_by_unit: dict[str, tuple] = {}   # base unit -> _rules_for(base unit), filled as met
        # every cue of every quantity rule in one automaton: cue -> indices of the rules it belongs to
        self.cues = ahocorasick.Automaton()
        owners: dict[str, list[int]] = {}
        for i, rule in enumerate(grammar.rules):
            for cue in rule.cues:
                owners.setdefault(cue, []).append(i)
        for cue, rule_indices in owners.items():
            self.cues.add_word(cue, frozenset(rule_indices))
        if owners:
            self.cues.make_automaton()
        self._has_cues = bool(owners)
        # the same choice in C where engine/_quantities.c is built (_rule_python is the reference)
        self._rule_picker = compiled_rules(self)
        self._after = dict(grammar.after)
        self._before: dict[str, str] = {}
        for word, qual in grammar.before:
            self._before.setdefault(word, qual)
        self._before_lengths = sorted({len(w) for w in self._before}, reverse=True)
        self._before_ends = frozenset(w[-1] for w in self._before)   # no word ends before most numerals
        # every numeral of a paragraph read in C where engine/_quantities.c is built (_candidate is the reference)
        self._readings = compiled_readings(self)
        # ... and with the compiled subjects and rule choice, a paragraph's whole loop (_paragraph):
        # the theme and id of each quantity rule, by the index the choice gives
        self._rule_fields = (tuple(r.theme for r in grammar.rules), tuple(r.id for r in grammar.rules)) \
            if None not in (self._readings, self._subjects, self._rule_picker) else None
        # Plain words and character classes are compiled with `re`, not `regex`: the same matches,
        # and a call on a short string costs a third as much.
        self._skip = re.compile("|".join(re.escape(w) for w in grammar.subject_skip)) \
            if grammar.subject_skip else None
        # the earliest subject stop word in one search (alternation order does not matter: only
        # where the first one starts is used)
        self._stops = re.compile("|".join(re.escape(w) for w in grammar.subject_stops)) \
            if grammar.subject_stops else None
        # A quoted name: an opening (or ambiguous) quote, then the next quote character if it closes
        # (or is ambiguous). Scanning on from each match pairs quotes as a left-to-right reader does:
        # a second opening quote starts afresh, a closing one with nothing open is skipped.
        quotes = re.escape(_OPEN_QUOTES + _CLOSE_QUOTES + _AMBIGUOUS_QUOTES)
        self._quoted = re.compile(f"[{re.escape(_OPEN_QUOTES + _AMBIGUOUS_QUOTES)}][^{quotes}]*"
                                  f"[{re.escape(_CLOSE_QUOTES + _AMBIGUOUS_QUOTES)}]")

    def __reduce__(self):
        return (Extractor, (self.grammar, self.backend))

    # -- claims -----------------------------------------------------------
    def trap_spans(self, text_view: str, paragraphs, wanted=None) -> list[tuple[int, int, str]]:
        """(start, end, trap id) of every trap match in the paragraphs (positions in the list;
        all of them unless ``wanted`` says which), each paragraph searched on its own (a trap
        never reaches across a line break).

        A trap runs only in the paragraphs it may match in: with Hyperscan, those where its
        prefilter (:class:`engine.match_hyperscan.HyperscanRegions`) ends a match; otherwise
        those holding a literal every one of its matches needs (the rarest such set in this
        document, found with ``str.count``). A scan of every paragraph by ~20 regexes was a
        third of the quantity stage; the regex calls themselves, one per paragraph, cost more
        than their scanning.
        """
        out = []
        starts = [p.start for p in paragraphs]
        regions = self.trap_regions.paragraphs(text_view, paragraphs, wanted) if self.trap_regions is not None \
            else [None] * len(self.traps)
        for (trap, pattern), groups, may in zip(self.traps, self._trap_groups, regions):
            if may is not None:
                chosen = sorted(may)
            elif groups is None:
                chosen = sorted(wanted) if wanted is not None else range(len(paragraphs))
            else:
                counts = [sum(text_view.count(s) for s in group) for group in groups]
                rarest = min(range(len(groups)), key=counts.__getitem__)
                if counts[rarest] == 0:
                    continue   # a literal every match needs is absent from the document
                chosen = set()
                for s in groups[rarest]:
                    i = text_view.find(s)
                    while i >= 0:
                        k = bisect.bisect_right(starts, i) - 1
                        if k >= 0 and i < paragraphs[k].end and (wanted is None or k in wanted):
                            chosen.add(k)
                        i = text_view.find(s, i + 1)
                chosen = sorted(chosen)
            try:
                if not chosen:
                    continue
                if NATIVE is not None:   # the same loop in C
                    stretches = [[p.start, p.end] for p in map(paragraphs.__getitem__, chosen) if p.kind != "boilerplate"]
                    NATIVE.search_windows(pattern.finditer, text_view, stretches, self._trap_calls[trap.entry.id],
                                          TIMEOUT_CALL, SHORT_SPAN, trap.entry.id, out)
                    continue
                for k in chosen:
                    p = paragraphs[k]
                    if p.kind == "boilerplate":
                        continue
                    call = call_for(self._trap_calls[trap.entry.id], p.end - p.start)
                    for m in pattern.finditer(text_view, p.start, p.end, **call):
                        if m.end() > m.start():
                            out.append((m.start(), m.end(), trap.entry.id))
            except TimeoutError:
                continue
        return sorted(out)

    def quoted_spans(self, text: str, start: int, end: int) -> list[tuple[int, int]]:
        """Spans of short quoted names in text[start:end] (quotes paired on the original characters)."""
        longest = self.grammar.quote_max_chars + 2   # the name and its two quotes
        return [m.span() for m in self._quoted.finditer(text, start, end) if m.end() - m.start() <= longest]

    # -- extraction -------------------------------------------------------
    def extract(self, text: str, text_view: str, paragraphs, hits=None, rule_table=None) -> list[Quantity]:
        """Every quantity of a document (themes from quantity rules only; see :func:`with_fallback`).
        ``rule_table``: the compiled core's table of the rules of ``hits`` (``Classifier``), which
        finds the slogans among them without reading the rule objects."""
        if not self.grammar.units:
            return []  # a rules directory without quantities.yaml: no grammar, no quantities
        # One scan for numerals over the whole document; most are refused on their own shape
        # (a bare year, 一线), and only paragraphs with one left are read further.
        starts = [p.start for p in paragraphs]
        live: dict[int, list] = {}
        for spans, groups in self.numerals(text_view):
            k = bisect.bisect_right(starts, spans[0]) - 1
            if k < 0 or spans[1] > paragraphs[k].end or paragraphs[k].kind == "boilerplate":
                continue
            live.setdefault(k, []).append((spans, groups))
        if not live:
            return []
        traps = self.trap_spans(text_view, paragraphs, live)
        trap_starts = [t[0] for t in traps]
        out: list[Quantity] = []
        for pi in sorted(live):
            p = paragraphs[pi]
            claimed = [(s, e) for s, e, _ in traps[max(0, bisect.bisect_left(trap_starts, p.start) - 8):
                                                   bisect.bisect_right(trap_starts, p.end)] if s < p.end and e > p.start]
            claimed += self.quoted_spans(text, p.start, p.end)
            # A theme hit claims a number only when it holds the whole number and counter
            # (四个意识, 三会一课), not when a volume cue reaches into it (培训干部230...).
            # The hits come sorted by start: such a hit exists when, among the hits that start at
            # or before the number, the farthest end reaches its counter (one bisection).
            if rule_table is not None and hits is not None:
                slogans = rule_table.slogans(hits, pi)   # reads packed kept hits as they are
            else:
                slogans = slogan_bounds(hits[pi] if hits is not None and pi < len(hits) else [])
            out.extend(self._paragraph(text, text_view, p, claimed, slogans, live[pi]))
        return out

    def numerals(self, text_view: str) -> list[tuple[tuple, tuple]]:
        """The numerals of a document that :meth:`_refused` keeps, in order: ((start, end,
        numeral start, numeral end, end of the numeral and its counter), groups as
        ``m.group(*self._groups)``). Compiled where engine/_quantities.c is built."""
        found = self._numerals.scan(text_view) if self._numerals is not None else None
        return found if found is not None else self.numerals_python(text_view)

    def numerals_python(self, text_view: str) -> list[tuple[tuple, tuple]]:
        """:meth:`numerals` with the candidate regex (the reference of the compiled scan)."""
        out = []
        refused, group_numbers = self._refused, self._groups
        arabic, chinese, pct_group, unit_group = self._num_group, self._cnum_group, self._pct_group, self._unit_group
        for m in self.candidate.finditer(text_view):
            # A numeral whose last group is its own has no counter or multiplier after it: a bare
            # Arabic number is refused outright, a bare Chinese one unless it holds 万/亿 (see
            # _refused); known from m.lastindex, before reading the groups.
            last = m.lastindex
            if last == arabic:
                continue
            if last == chinese and not _holds_any(m.group(last), _WITHIN):
                continue
            groups = m.group(*group_numbers)
            if refused(groups):
                continue
            if groups[0] is not None:
                num_start, num_end = m.span(pct_group)
                core_end = m.end()
            else:
                num_start, num_end = m.span(chinese if groups[1] is not None else arabic)
                core_end = m.end(unit_group) if groups[3] else m.end()
            out.append(((m.start(), m.end(), num_start, num_end, core_end), groups))
        return out

    def _refused(self, groups: tuple) -> bool:
        """The refusals that need nothing but the numeral's own match (its groups, as
        ``m.group(*self._groups)``); :meth:`_candidate` only sees numerals that passed them."""
        pct, cnum, arabic, unit, mult, v1, v2, _after = groups
        if pct is not None:
            return False
        num = cnum if cnum is not None else arabic
        # A bare number is a year, code, page or phone number unless it carries 万/亿.
        if not unit and not (mult or (cnum is not None and _holds_any(num, _WITHIN))):
            return True
        # 一 to 十 alone (not 十余, 一点六八亿) are usually words: 一线, 两个维护, 五个方面.
        return cnum is not None and len(num) == 1 and not mult and not (v1 or v2) \
            and (unit or "") not in self.grammar.small_units

    def _paragraph(self, text: str, text_view: str, p, claimed, slogans, matches) -> list[Quantity]:
        """The quantities of one paragraph from its numerals that passed :meth:`_refused`.
        In one C call where engine/_quantities.c is built (``Readings.quantities``: the loop
        below, with no Python call per quantity)."""
        if self._rule_fields is not None:
            return self._readings.quantities(text_view, text, p.start, p.end, p.index, claimed, slogans[0], slogans[1],
                                             matches, self._subjects, self._rule_picker, _ACHIEVEMENTS,
                                             *self._rule_fields, Quantity)
        if self._readings is not None:
            raw = self._readings.paragraph(text_view, p.start, claimed, slogans[0], slogans[1], matches)
        else:
            raw = []
            for spans, groups in matches:
                q = self._candidate(text_view, spans, groups, p, claimed, slogans)
                if q is not None:
                    raw.append(q)
        out = []
        last = len(raw) - 1
        for i, (start, end, value, rng, qualifier, unit, kind, pre_end, clause_start) in enumerate(raw):
            prev_end = raw[i - 1][1] if i else p.start
            next_start = raw[i + 1][0] if i < last else p.end
            subject, clause = self._subject(text_view, p, start, end, pre_end, clause_start, prev_end, next_start,
                                            claimed)
            rule = self._rule(subject, clause, unit) if kind in ACHIEVEMENT_KINDS else None
            out.append(_quantity((start, end, text[start:end], value, rng, qualifier, unit, kind, subject,
                                  rule.theme if rule else None, rule.id if rule else None, p.index)))
        return out

    def _candidate(self, text_view: str, spans: tuple, groups: tuple, p, claimed, slogans) -> tuple | None:
        """A numeral of :meth:`numerals`, read in its context: (start, end, value, range,
        qualifier, unit, kind, pre_end, clause_start), or None when refused there. A tuple, not a
        dict: built and read thousands of times per megabyte. The reference of the compiled
        ``Readings.paragraph`` (:func:`compiled_readings`), which reads a paragraph's numerals in
        one call."""
        g = self.grammar
        pct, cnum, arabic, unit, mult, v1, v2, after_word = groups
        start, end, num_start, num_end, core_end = spans
        if pct is not None:
            if _overlaps(num_start, num_end, claimed):
                return None
            try:
                value = numbers.parse(pct)
            except numbers.NotANumber:
                return None
            return start, end, value, None, "exact", "%", "percent", start, _clause_start(text_view, p.start, start)
        chinese = cnum is not None
        num = cnum if chinese else arabic
        unit = unit or ""
        mult = mult or ""
        vague = v1 or v2
        small = chinese and len(num) == 1 and not mult and not vague   # a small-numeral unit follows
        follow = text_view[end:end + 1]
        if unit and follow and follow == unit[-1]:
            return None  # reduplication: 一名名, 一次次 (each and every), not a count
        if follow and (follow.isascii() and follow.isalnum()):
            return None
        if text_view[num_start - 1:num_start] == "第":
            return None
        if _overlaps(num_start, core_end, claimed):   # the number and its counter
            return None
        slogan_starts, slogan_reach = slogans
        if slogan_starts:
            i = bisect.bisect_right(slogan_starts, num_start)
            if i and slogan_reach[i - 1] >= core_end:
                return None   # inside a theme hit
        if not chinese and num.isdecimal():
            head_value = int(num)   # the usual 6147: no Decimal needed
        else:
            try:
                head_value = numbers.to_decimal(num)
            except numbers.NotANumber:
                return None
        factor = self._factors[mult] if mult else 1
        kind = g.units.get(unit) if unit else "count"
        if small and head_value == 1 and kind != "duration":
            return None
        # Qualifier words around the number.
        start = num_start
        before_q = None
        lengths = self._before_lengths if text_view[num_start - 1:num_start] in self._before_ends else ()
        for length in lengths:      # longest word first, as listed
            at = num_start - length
            word = text_view[at:num_start] if at >= p.start else ""
            if word in self._before:
                # 下达/传达, 签约, 赶超: the word belongs to a verb, not to the number
                if any(text_view[max(p.start, at - len(w)):at] == w for w in g.not_after.get(word, ())):
                    break
                before_q, start = self._before[word], at
                break
        after_q = self._after.get(after_word) if after_word else None
        qualifier, rng = "exact", None
        if kind == "duration":
            start = num_start  # 近3年, 一年来: a time frame, not a qualifier
            before_q = None
        if vague:
            qualifier = g.inside.get(vague, "more_than")
            try:
                rng = _vague_range(num, chinese, factor, bool(v2))
            except numbers.NotANumber:
                return None   # 八万亿两万多: a range no reading gives, refused like an unreadable value
        elif after_q:
            qualifier = after_q
        elif before_q:
            qualifier = before_q
        value = head_value * factor
        if type(value) is not int:
            value = numbers.exact(value)
        if kind == "duration" and qualifier != "exact" and not vague:
            qualifier = "exact"
        pre_end = start  # the subject ends where the qualifier (or number) starts
        # Rates: a per-capita or per-occasion cue in the words just before the number.
        # (A rate's span may start at its cue, still inside this clause: clause_start holds.)
        clause_start = _clause_start(text_view, p.start, start)
        if kind == "count":
            rate = _rate(self._rate_table, text_view[clause_start:start], unit)
            if rate is not None:
                kind, (unit, offset) = "rate", rate
                if offset is not None:
                    start = clause_start + offset
        return start, end, value, rng, qualifier, unit, kind, pre_end, clause_start

    def _subject(self, text_view: str, p, start: int, end: int, pre_end: int, clause_start: int, prev_end: int,
                 next_start: int, claimed) -> tuple[str | None, str]:
        """(subject, clause): the words the number counts, and its whole clause for rule cues.
        Compiled where engine/_quantities.c is built (:meth:`_subject_python` is the reference)."""
        if self._subjects is not None:
            return self._subjects.subject(text_view, p.end, start, end, pre_end, clause_start, prev_end, next_start,
                                          claimed)
        return self._subject_python(text_view, p, start, end, pre_end, clause_start, prev_end, next_start, claimed)

    def _subject_python(self, text_view: str, p, start: int, end: int, pre_end: int, clause_start: int,
                        prev_end: int, next_start: int, claimed) -> tuple[str | None, str]:
        clause_end = _clause_end(text_view, p.end, end)
        subject = self._subject_words(text_view, start, end, pre_end, max(clause_start, prev_end), clause_end,
                                      next_start, claimed)
        if (subject is None or len(subject) < 2) and prev_end > clause_start:
            # 其中35岁以下的|占82.5%: one word left after the previous number; read the whole clause
            subject = self._subject_words(text_view, start, end, pre_end, clause_start, clause_end, next_start,
                                          claimed) or subject
        return subject, text_view[clause_start:clause_end]

    def _subject_words(self, text_view: str, start: int, end: int, pre_end: int, pre_start: int, clause_end: int,
                       next_start: int, claimed) -> str | None:
        g = self.grammar
        # Time frames and fillers at the head of the clause (2020年底, 去年, 其中) are no part of it.
        changed = True
        while changed and pre_start < start:
            changed = False
            # the first listed skip word at pre_start that leaves something after it
            skip = self._skip.match(text_view, pre_start, start - 1) if self._skip is not None else None
            if skip is not None:
                pre_start, changed = skip.end(), True
            else:
                for s, e in claimed:
                    if s == pre_start and e < start:
                        pre_start, changed = e, True
                        break
        pre = text_view[pre_start:pre_end].strip().strip(_SUBJECT_TRIM)
        post = text_view[end:min(clause_end, next_start)]
        stop = self._stops.search(post) if self._stops is not None else None
        post = post[:stop.start() if stop else len(post)].strip().rstrip(_POST_TRIM)
        if not (post and (_is_cjk(post[0]) or post[0] in "\"(")):
            post = ""
        # Verb before, noun after (选派24万名干部 -> 选派干部); otherwise whichever is there.
        room = max(0, g.subject_max_chars - len(post))
        subject = (pre[-room:] if room else "") + post if post else pre[-g.subject_max_chars:]
        return subject or None

    def _rule(self, subject: str | None, clause: str, unit: str) -> QuantityRule | None:
        """The first quantity rule (file order) for this unit whose cue or pattern is in the
        subject, else in the clause. Compiled where engine/_quantities.c is built
        (:meth:`_rule_python` is the reference)."""
        if self._rule_picker is not None:
            i = self._rule_picker.pick(subject, clause, unit)
            return None if i is None else self.grammar.rules[i]
        return self._rule_python(subject, clause, unit)

    def _rule_python(self, subject: str | None, clause: str, unit: str) -> QuantityRule | None:
        base_unit = unit.split("/", 1)[0]
        eligible = self._rules_by_unit.get(base_unit)
        if eligible is None:
            eligible = self._rules_by_unit[base_unit] = self._rules_for(base_unit)
        indices, patterned = eligible
        for where in (subject, clause):
            if not where:
                continue
            first = None   # the first rule, in file order, with a cue in `where`
            if self._has_cues:
                cued: set[int] = set()
                for _end, rule_indices in self.cues.iter(where):
                    cued.update(rule_indices)
                cued &= indices
                if cued:
                    first = min(cued)
            # only a rule with patterns that comes before it can still win
            for i, gate, patterns in patterned:
                if first is not None and i > first:
                    break
                if gate is not None and not _holds_any(where, gate):
                    continue
                for pattern in patterns:
                    if pattern.search(where):
                        return self.grammar.rules[i]
            if first is not None:
                return self.grammar.rules[first]
        return None

    def _rules_for(self, base_unit: str) -> tuple[frozenset, list]:
        """(indices of the rules that take this unit, [(index, literal gate, patterns)] of those
        with patterns; the gate is None unless every pattern has one)."""
        table = [(i, patterns) for i, _rule, units, patterns in self._quantity_rules if not units or base_unit in units]
        patterned = []
        for i, patterns in table:
            if patterns:
                patterned.append((i, _patterns_gate(patterns), patterns))
        return frozenset(i for i, _ in table), patterned


def compiled_numerals(grammar: Grammar, module=QUANTITIES):
    """The compiled scan of :meth:`Extractor.numerals` for this grammar (None without ``module``,
    the built engine/_quantities.c). It is given the character classes the candidate regex is
    written with, so both read numerals from one definition."""
    if module is None:
        return None
    return module.Numerals(
        tuple(grammar.inside), _MULTIPLIERS, tuple(grammar.units), tuple(w for w, _ in grammar.after),
        tuple(grammar.small_units),
        {"cn_first": _CN_FIRST, "cn_rest": _CN_CLASS, "cn_behind": _CN_NOT_AFTER, "cn_digits": _CN_DIGITS,
         "multiplier_within": _WITHIN, "point": _POINT, "percent": _PERCENT})


def compiled_readings(extractor: Extractor, module=QUANTITIES):
    """The compiled :meth:`Extractor._candidate` of an extractor's grammar, for whole
    paragraphs (None without ``module``). Values that are not plain integers, vague ranges and
    rate cues are handed back to the Python helpers below, the ones the reference calls."""
    if module is None:
        return None
    g = extractor.grammar
    return module.Readings(
        dict(g.units), dict(extractor._before), {w: tuple(o) for w, o in g.not_after.items()}, dict(extractor._after),
        dict(g.inside), dict(extractor._factors), [gate for *_cue, gate in extractor._rate_table], CLAUSE_DELIMITERS,
        {"to_decimal": numbers.to_decimal, "parse": numbers.parse, "vague_range": _vague_range,
         "exact": numbers.exact, "rate": functools.partial(_rate, extractor._rate_table),
         "not_a_number": numbers.NotANumber})


def compiled_rules(extractor: Extractor, module=QUANTITIES):
    """The compiled :meth:`Extractor._rule` of an extractor's grammar (None without ``module``):
    per rule its units, cues, the literal gate of its patterns and its compiled patterns."""
    if module is None:
        return None
    rules = []
    for rule in extractor.grammar.rules:
        patterns = extractor.rule_patterns[rule.id]
        rules.append((frozenset(rule.units), tuple(rule.cues), _patterns_gate(patterns), patterns))
    return module.QuantityRules(rules)


def _vague_range(num: str, chinese: bool, factor: int, after_multiplier: bool):
    """The range of a numeral with 多/余 (``num`` before any multiplier ``factor`` stands for)."""
    head, inner = numbers.split_multiplier(num) if chinese else (num, 1)
    if inner > 1:   # 两万多, 十万余: 多 stands after a multiplier written inside the numeral
        return numbers.vague_range(head, inner * factor, after_multiplier=True)
    return numbers.vague_range(num, factor, after_multiplier=after_multiplier)


def _rate(rate_table, pre: str, unit: str) -> tuple[str, int | None] | None:
    """The first rate cue (per capita, per occasion) in the words ``pre`` just before a count:
    (its unit, e.g. 元/人, and where in ``pre`` the quantity then starts, or None to keep its
    start), or None when there is no cue."""
    for cue, pattern, call, gate in rate_table:
        if gate is not None and not _holds_any(pre, gate):
            continue
        try:
            rm = pattern.search(pre, **call_for(call, len(pre)))
        except TimeoutError:
            rm = None
        if rm is None:
            continue
        per = rm.groupdict().get("per")
        if per:
            unit = f"{unit or '个'}/{per}"
        return unit, (rm.start() if cue.span_from_cue else None)
    return None


def compiled_subjects(grammar: Grammar, module=QUANTITIES):
    """The compiled :meth:`Extractor._subject` for this grammar (None without ``module``)."""
    if module is None:
        return None
    return module.Subjects(tuple(grammar.subject_skip), tuple(grammar.subject_stops), _SUBJECT_TRIM, _POST_TRIM,
                           grammar.subject_max_chars, CLAUSE_DELIMITERS)


def _literal_gate(pattern: regex.Pattern) -> tuple[str, ...] | None:
    """Literals one of which every match of ``pattern`` holds (None: not known): a string
    with none of them needs no search, and ``in`` costs far less than a search."""
    groups = prefilter.required_groups(pattern.pattern, pattern.flags)
    if not groups:
        return None
    gate = min(groups, key=len)
    return tuple(w for w in gate if not any(o != w and o in w for o in gate))   # 平均每 holds 每: 每 is enough


def _patterns_gate(patterns) -> tuple[str, ...] | None:
    """Literals one of which every match of any of ``patterns`` holds (None: not known for one of
    them): a quantity rule's patterns are searched only where one of them occurs."""
    gates = [_literal_gate(p) for p in patterns]
    return None if None in gates else tuple(dict.fromkeys(w for g in gates for w in g))


def _holds_any(text: str, literals) -> bool:
    for literal in literals:
        if literal in text:
            return True
    return False


def _overlaps(start: int, end: int, spans) -> bool:
    for s, e in spans:   # a plain loop: any() over a generator costs more, per numeral
        if s < end and start < e:
            return True
    return False


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


_DELIMITER_BEFORE = regex.compile("[" + regex.escape(CLAUSE_DELIMITERS) + "]", regex.REVERSE)
_DELIMITER = re.compile("[" + re.escape(CLAUSE_DELIMITERS) + "]")   # `re`: cheaper per call, same matches


def _clause_start(text_view: str, floor: int, pos: int) -> int:
    m = _DELIMITER_BEFORE.search(text_view, floor, pos)   # the last delimiter before pos
    return m.end() if m else min(floor, pos)


def _clause_end(text_view: str, ceiling: int, pos: int) -> int:
    m = _DELIMITER.search(text_view, pos, ceiling)
    return m.start() if m else max(pos, ceiling)


# ---------------------------------------------------------------- after labelling ---

def evidence(quantities: list[Quantity], paragraphs, weight: float) -> list[dict[str, float]]:
    """Per paragraph (list position): theme -> extra score.

    Modest on purpose: a theme gets ``weight`` once per paragraph however many of its
    achievements the paragraph lists, so numbers tip a borderline paragraph but never label
    one on their own (weight < the body threshold).
    """
    position = {p.index: i for i, p in enumerate(paragraphs)}
    out: list[dict[str, float]] = [{} for _ in paragraphs]
    for q in quantities:
        if q.rule is None or not q.achievement or weight <= 0:
            continue
        out[position[q.paragraph]][q.theme] = weight
    return out


def with_fallback(quantities: list[Quantity], labelled) -> list[Quantity]:
    """Quantities no rule themed take their paragraph's strongest theme (or its inherited one)."""
    by_index = {item.paragraph.index: item for item in labelled}
    out = []
    for q in quantities:
        if q.theme is None and q.kind in ACHIEVEMENT_KINDS:
            item = by_index.get(q.paragraph)
            if item is not None and item.themes:
                own = [t for t in item.themes if t in item.scores]
                theme = max(own, key=item.scores.__getitem__) if own else item.themes[0]
                q = _quantity((*q[:_THEME], theme, *q[_THEME + 1:]))   # q._replace(theme=theme), without its overhead
        out.append(q)
    return out


# ---------------------------------------------------------------- examples ---

@dataclass(frozen=True)
class ExampleOutcome:
    entry: Entry
    expect: str            # "match" | "no_match"
    n: int
    text: str
    found: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return bool(self.found) == (self.expect == "match")

    @property
    def test_id(self) -> str:
        return f"{self.entry.id}:{self.expect}:{self.n}"


def extract_text(extractor: Extractor, text: str) -> list[Quantity]:
    """Quantities of a text taken as one document of body paragraphs (no theme hits)."""
    from .segment import split_lines
    text_view = view(text)
    return extractor.extract(text, text_view, split_lines(text))


def example_outcomes(grammar: Grammar, extractor: Extractor | None = None) -> list[ExampleOutcome]:
    extractor = extractor or Extractor(grammar)
    out = []
    compiled = {t.entry.id: p for t, p in extractor.traps} | {r.entry.id: p for r, p, _call in extractor.rates}
    entries = [t.entry for t in grammar.traps] + [r.entry for r in grammar.rates] + [r.entry for r in grammar.rules]
    for entry in entries:
        for expect, texts in (("match", entry.match), ("no_match", entry.no_match)):
            for n, text in enumerate(texts):
                if entry.section == "rules":
                    found = tuple(q.text for q in extract_text(extractor, text) if q.rule == entry.id)
                else:
                    found = tuple(m.group() for m in compiled[entry.id].finditer(view(text)) if m.group())
                out.append(ExampleOutcome(entry, expect, n, text, found))
    return out


def example_diagnostics(grammar: Grammar, extractor: Extractor | None = None) -> list[Diagnostic]:
    """Failing examples of traps, rate cues and quantity rules, pointing at the example's line."""
    diags = []
    for o in example_outcomes(grammar, extractor):
        if o.ok:
            continue
        parts = (o.entry.section, o.entry.index, "examples", o.expect, o.n)
        probe = parts
        while probe and probe not in grammar.positions:
            probe = probe[:-1]
        line, col = grammar.positions.get(probe, (1, 1))
        if o.expect == "match":
            what = "gives no quantity themed by this rule" if o.entry.section == "rules" else "finds nothing"
            message = f"example should match but the entry {what} in {o.text!r}"
            hint = "widen the cues or pattern, or correct the example"
        else:
            message = f"example should not match but the entry finds {', '.join(map(repr, o.found))} in {o.text!r}"
            hint = "narrow the cues or pattern, or move the rule after a more specific one"
        diags.append(Diagnostic(grammar.file, line, col, f"example-{o.expect.replace('_', '-')}", message,
                                json_path(parts), hint, "error", o.entry.id))
    return diags


def check(directory: Path | str, ruleset: RuleSet | None) -> list[Diagnostic]:
    """Everything `tifa rules check` reports about quantities.yaml: loading problems, then examples."""
    grammar, diags = collect(directory, ruleset)
    if grammar is not None and grammar.file:
        diags = diags + example_diagnostics(grammar)
    return diags


def value_text(value: int | float | Decimal) -> str:
    """A value as analysts read it: no trailing .0, no exponent."""
    d = Decimal(str(value))
    return format(d.normalize(), "f") if d != d.to_integral_value() else str(int(d))
