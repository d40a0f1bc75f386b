"""match: a document's view -> every raw rule hit, in one compiled pass.

Input: the normalized view of a whole document. Output: :class:`RawHit` values (rule index,
start, end) for every occurrence of every phrase and pattern, overlapping matches included.
Invariants: all literal phrases of all rules live in one Aho-Corasick automaton, so the
cost of literals grows with the text, not with the number of rules; the set of hits does not
depend on how the rules are ordered, and equals what ``str.find`` and ``finditer`` give rule by
rule (:meth:`Matcher.find_slow`). Patterns that are finite sets of literals go into the same
automaton (with anchors or lookarounds, the regex is then tried only where one of the strings
starts); a pattern anchored at a paragraph start is tried at line starts only; the others run
only on documents holding their required literals, around them when their matches are short
(:mod:`engine.prefilter`). Whole-document scans carry the regex timeout; calls on one line or
stretch carry it only for risky patterns (:func:`engine.patterns.short_call`). The scanner is
the compiled core's automaton where it is built (:mod:`engine.core`), else Hyperscan where it
is installed (:mod:`engine.match_hyperscan`), else pyahocorasick, with identical hits.
Filtering by paragraph kind (``where``) and exclusions (``unless``) happens in
:func:`filter_hits`, once paragraphs are known.
"""
from __future__ import annotations

import bisect
import functools
import os
from typing import NamedTuple

import ahocorasick
import regex

from . import prefilter
from .core import COMPILED, NATIVE
from .normalize import view
from .patterns import INDENT, PARAGRAPH_START, REGEX_TIMEOUT, SHORT_SPAN, TIMEOUT_CALL, LazyPattern, call_for, compile_pattern, short_call as _short_call, starts_at_paragraph
from .rules import Rule, RuleSet
from .segment import SENTENCE_END, Paragraph, sentence_bounds, sentence_bounds_in, sentence_ends


class RawHit(NamedTuple):
    """A tuple, not a dataclass: a document makes tens of thousands of these."""
    start: int
    end: int
    rule: int          # index into RuleSet.rules


class Hit(NamedTuple):
    """A hit that survived `where` and `unless`: evidence for a theme or a structural role."""
    start: int
    end: int
    rule: Rule
    paragraph: int     # position in the paragraph list (not the line index)


# Built straight from a tuple, skipping the Python-level constructors NamedTuple generates
# (~0.4 µs each, and there are tens of thousands of hits per megabyte).
_raw_hit = functools.partial(tuple.__new__, RawHit)
_hit = functools.partial(tuple.__new__, Hit)


class Miss(NamedTuple):
    """A raw hit that was dropped, kept so `tifa explain` can say why a rule did not count."""
    start: int
    end: int
    rule: Rule
    paragraph: int
    reason: str        # "unless: <pattern>" or "where: heading-only rule in a body paragraph" ...


_miss = functools.partial(tuple.__new__, Miss)
# what keeps unless patterns from being joined into one alternation: back-references and group
# names (numbering would shift, names could clash) and flags for the whole pattern
_NOT_JOINABLE = regex.compile(r"\\[1-9g]|\(\?P[<=]|\(\?<[^=!]|\(\?[a-zA-Z]+\)")
# filter_hits in numbers, as _hitcore reads them: what a rule's hits need (Matcher.filter_codes):
# where the rule counts (the FILTER_WHERE bits), whether it is a structure rule (the only ones page
# furniture keeps) and whether it has `unless` patterns; the kinds of paragraphs; and the reason
# of each `where` miss by (where code - FILTER_HEADING_ONLY, kind), written once (a heading-only
# rule hits body text by the thousand)
FILTER_PLAIN, FILTER_HEADING_ONLY, FILTER_BODY_ONLY = 1, 2, 3
FILTER_WHERE, FILTER_ROLE, FILTER_UNLESS = 3, 4, 8
_WHERE_CODES = {"any": FILTER_PLAIN, "heading": FILTER_HEADING_ONLY, "body": FILTER_BODY_ONLY}
KINDS = ("body", "heading", "boilerplate", "closing")
_KIND_CODES = {kind: code for code, kind in enumerate(KINDS)}
_HEADING, _FURNITURE = _KIND_CODES["heading"], _KIND_CODES["boilerplate"]
_MISS_REASONS = tuple(f"where: {where}-only rule in a {kind} paragraph" for where in ("heading", "body") for kind in KINDS)


BACKENDS = ("auto", "native", "hyperscan", "portable")


def resolve_backend(requested: str | None = None) -> str:
    """The literal scanner: ``native`` (engine/_hitcore.c), ``hyperscan`` or ``portable``
    (pyahocorasick): the argument, else ``$TIFA_MATCHER``, else ``auto`` = the first of them that
    is there (native unless ``TIFA_CORE=python``). All give identical hits."""
    name = requested or os.environ.get("TIFA_MATCHER") or "auto"
    if name not in BACKENDS:
        raise ValueError(f"unknown matcher backend {name!r}; use one of {', '.join(BACKENDS)}")
    if name == "portable":
        return name
    if name == "native" or (name == "auto" and NATIVE is not None):
        if COMPILED is None:
            raise ValueError("matcher backend native needs engine/_hitcore.c compiled (pip install with a C compiler)")
        return "native"
    from .match_hyperscan import available
    if available():
        return "hyperscan"
    if name == "hyperscan":
        raise ValueError("matcher backend hyperscan needs the hyperscan package (pip install hyperscan), "
                         "which has wheels for x86_64 and arm64")
    return "portable"


class Matcher:
    """All rules of a rule set compiled for matching. Picklable (rebuilt from the rule set)."""

    def __init__(self, ruleset: RuleSet, backend: str | None = None):
        self.ruleset = ruleset
        self.rules = ruleset.rules
        table: dict[str, list[int]] = {}
        for i, rule in enumerate(self.rules):
            for phrase in rule.phrases:
                key = view(phrase)
                owners = table.setdefault(key, [])
                if i not in owners:
                    owners.append(i)
        self.literal_count = len(table)
        # each compiled when first used (find swaps in the compiled pattern): see LazyPattern
        self.patterns: list[tuple[int, regex.Pattern | LazyPattern]] = [
            (i, LazyPattern(p))
            for i, rule in enumerate(self.rules) for p in rule.patterns
        ]
        # (pattern, keyword arguments of a call on one sentence: the timeout only for risky ones)
        self.unless: dict[int, tuple[tuple[LazyPattern, dict], ...]] = {
            i: tuple((LazyPattern(p), _short_call(p)) for p in rule.unless)
            for i, rule in enumerate(self.rules) if rule.unless
        }
        # a rule's several unless patterns as one alternation: one search per sentence says
        # whether any matches, and only then are they tried in order for the one to report
        self._unless_any: dict[int, tuple[regex.Pattern, dict]] = {}
        for i, rule in enumerate(self.rules):
            if len(rule.unless) > 1 and not any(_NOT_JOINABLE.search(p) for p in rule.unless):
                joined = "|".join(f"(?:{p})" for p in rule.unless)
                try:
                    self._unless_any[i] = (compile_pattern(joined), _short_call(joined))
                except regex.error:
                    pass
        # what the hits of each rule need in filter_hits: a look at the paragraph's kind (`where`,
        # page furniture) and, for rules with `unless`, at the hit's sentence (most need neither)
        self.filter_codes = bytes(_WHERE_CODES[rule.where] | (FILTER_ROLE if rule.role is not None else 0)
                                  | (FILTER_UNLESS if i in self.unless else 0) for i, rule in enumerate(self.rules))
        # each rule's unless patterns as _hitcore.filter looks for them in a sentence (_unless_check)
        self.unless_checks = tuple(tuple(_unless_check(p, call) for p, call in self.unless[i]) if i in self.unless
                                   else None for i in range(len(self.rules)))
        self.backend = backend
        self._compile_fast(table, backend)

    def __reduce__(self):
        return (Matcher, (self.ruleset, self.backend))

    def _compile_fast(self, table: dict[str, list[int]], backend: str | None) -> None:
        """One literal pass for phrases *and* patterns (see :mod:`engine.prefilter`).

        Each key of the scanner carries ``(length, phrase owners, (pattern, priority)
        pairs of expanded patterns, patterns it gates)``; patterns with no usable literal
        run as regexes on every document.
        """
        keys: dict[str, tuple[list[int], list[tuple[int, int]], list[tuple[int, int]]]] = {
            k: (list(owners), [], []) for k, owners in table.items()}
        self._always: list[int] = []
        self._caseless: dict[int, tuple[regex.Pattern, ...]] = {}   # pattern -> a search for each literal set
        self._verify: dict[int, dict] = {}       # verified pattern -> keyword arguments of its match calls
        # verified pattern -> (not_before, not_after) per string, when those decide it alone
        self._conditions: dict[int, tuple] = {}
        self._gate_groups: dict[int, int] = {}   # gated pattern -> number of literal groups it needs
        self._window: dict[int, int] = {}        # gated pattern -> longest match, when bounded, no lookahead
        # patterns anchored at a paragraph start (boilerplate: ^来源, ^当前位置) are tried at the
        # first character of each line only: a scan of every position costs 50x more
        # (the anchor itself is dropped: it holds by construction at those places)
        self._line_start: dict[int, tuple[regex.Pattern, dict]] = {}
        # those tried only on the lines that hold a literal of each group their first line needs
        self._single_line: set[int] = set()
        self._line_literals: dict[int, tuple] = {}   # any other: literal sets its first line needs
        for pid, (owner, compiled) in enumerate(self.patterns):
            pl = prefilter.plan(compiled.pattern, compiled.flags)
            if pl.kind in ("gate", "always") and starts_at_paragraph(compiled):
                unanchored = regex.compile(compiled.pattern[len(PARAGRAPH_START):], compiled.flags)
                self._line_start[pid] = (unanchored, _short_call(compiled.pattern))
                groups = prefilter.first_line_groups(unanchored.pattern, unanchored.flags)
                if groups:
                    # necessary like the plan's own groups, and they also say which lines
                    pl = prefilter.Plan("gate", tuple(sorted({x for g in groups for x in g})), groups, None)
                    self._single_line.add(pid)
                else:
                    # none for the automaton; short ones (the - of a date) still rule out most lines
                    short = prefilter.first_line_groups(unanchored.pattern, unanchored.flags, min_chars=1)
                    if short:
                        self._line_literals[pid] = short
            if pl.kind == "verify" and prefilter.overlap_free(pl.strings):
                conditions = prefilter.conditions(compiled.pattern, compiled.flags)
                if conditions is not None:
                    # no choice between occurrences, and a look at the characters around each
                    # one decides it: no regex call (see prefilter.conditions)
                    self._conditions[pid] = conditions
            if pl.kind == "verify" and pid not in self._conditions:
                self._verify[pid] = _short_call(compiled.pattern)
            if pl.kind == "expand" and prefilter.overlap_free(pl.strings):
                # no choice for finditer to make between occurrences: they are counted as phrases
                for string in pl.strings:
                    owners = keys.setdefault(string, ([], [], []))[0]
                    if owner not in owners:
                        owners.append(owner)
            elif pl.kind in ("expand", "verify"):
                for priority, string in enumerate(pl.strings):
                    keys.setdefault(string, ([], [], []))[1].append((pid, priority))
            elif pl.kind == "gate":
                self._gate_groups[pid] = len(pl.groups)
                if pl.width is not None:
                    self._window[pid] = pl.width
                for gi, group in enumerate(pl.groups):
                    for string in group:
                        keys.setdefault(string, ([], [], []))[2].append((pid, gi))
            elif compiled.flags & regex.IGNORECASE and (groups := prefilter.caseless_groups(compiled.pattern,
                                                                                      compiled.flags)):
                # each set searched as one alternation with the pattern's own folding (one
                # quick search each, instead of the pattern's scan of the whole document)
                folding = regex.IGNORECASE | (compiled.flags & (regex.ASCII | regex.UNICODE))
                self._caseless[pid] = tuple(regex.compile("|".join(map(regex.escape, group)), folding)
                                            for group in groups)
            else:
                self._always.append(pid)
        placed = set(self._window) | self._single_line   # patterns that need every place of their literals
        names = list(keys)
        self._key_length = [len(k) for k in names]
        self._key_gates = [tuple(g) for (_o, _e, g) in keys.values()]
        self._groups_needed = [self._gate_groups.get(pid, 0) for pid in range(len(self.patterns))]
        # a stretch around a literal is short: the timeout only for risky patterns (patterns.short_call)
        self._window_calls = {pid: _short_call(self.patterns[pid][1].pattern) for pid in self._window}
        # windowed or single-line pattern -> its literal groups, each as the ids of its keys
        group_keys: dict[int, dict[int, list[int]]] = {}
        for kid, gates in enumerate(self._key_gates):
            for pid, gi in gates:
                if pid in placed:
                    group_keys.setdefault(pid, {}).setdefault(gi, []).append(kid)
        self._group_keys = {pid: tuple(map(tuple, groups.values())) for pid, groups in group_keys.items()}
        self.backend_name = resolve_backend(backend)
        # the entry of each key for the Python-side scanners (the native one takes the lists)
        entries = [] if self.backend_name == "native" else \
            [(len(k), tuple(o), tuple(e), tuple(g), kid) for kid, (k, (o, e, g)) in enumerate(keys.items())]
        if self.backend_name == "native":
            # the scan, owners and expansions done in C (engine/_hitcore.c): no Python per occurrence
            # and the finite patterns that need no regex call resolved there too (the loop over
            # `expanded` in find): the verified ones alone come back as occurrences
            expanded = {pid for (_o, e, _g) in keys.values() for pid, _priority in e}
            resolve = [(self.patterns[pid][0], self._conditions.get(pid))
                       if pid in expanded and pid not in self._verify else None for pid in range(len(self.patterns))]
            self._scanner = COMPILED.Automaton(
                names, [o for (o, _e, _g) in keys.values()], [e for (_o, e, _g) in keys.values()],
                [bool(g) for (_o, _e, g) in keys.values()], resolve)
        elif self.backend_name == "hyperscan":
            from .match_hyperscan import HyperscanLiterals
            # every occurrence is needed of phrases, expansions and the literals windows centre on
            every = [bool(o or e or any(pid in placed for pid, _gi in g))
                     for (o, e, g) in keys.values()]
            self._scanner = HyperscanLiterals(names, entries, every)
        else:
            self._scanner = ahocorasick.Automaton()
            for key, entry in zip(names, entries):
                self._scanner.add_word(key, entry)
            if names:
                self._scanner.make_automaton()
        self._has_keys = bool(names)

    def find(self, text_view: str, packed: bool = False) -> tuple[list[RawHit] | bytes, list[str]]:
        """Every raw hit in a document view, sorted; plus warnings (regex timeouts).

        ``packed``: where the compiled core does the stages after this one (``NATIVE``) and the
        scanner is the native one, the hits come as the int32 (start, end, rule) triples that
        :func:`by_paragraph`, :func:`role_hits` and :func:`filter_hits` read, with no object per
        hit (the pipeline's way; a list of :class:`RawHit` otherwise).

        Same hits as running every phrase with ``str.find`` and every pattern with
        ``finditer``: expanded patterns are resolved from the scanner's occurrences the way
        the regex engine would choose (lowest priority string at each start, left to right,
        no overlap); gated patterns run only when a literal of each of their groups occurs,
        and patterns with short, context-free matches only around those literals.
        """
        native = self.backend_name == "native"
        expanded: dict[int, list[tuple[int, int, int]]]
        key_places: dict[int, list[int]]          # gate key -> its start offsets
        if native:
            # phrase hits stay packed in C; the patterns' hits join them in _hitcore.merge
            owned, expanded, key_places = self._scanner.scan(text_view) if self._has_keys else (b"", {}, {})
            hits: list | set = []
            add = hits.append
        else:
            hits, expanded, key_places = set(), {}, {}
            add = hits.add
            for end, (length, owners, expands, gates, kid) in self._scanner.iter(text_view) if self._has_keys else ():
                start = end - length + 1
                for owner in owners:
                    add((start, end + 1, owner))
                for pid, priority in expands:
                    expanded.setdefault(pid, []).append((start, priority, length))
                if gates:
                    places = key_places.get(kid)
                    if places is None:
                        key_places[kid] = [start]
                    else:
                        places.append(start)
        enabled = self._enabled(key_places) if key_places else set()
        enabled.update(self._always)
        for pid, searches in self._caseless.items():
            if all(search.search(text_view) is not None for search in searches):
                enabled.add(pid)
        for pid, found in expanded.items():
            owner, pattern = self.patterns[pid]
            if type(pattern) is LazyPattern:
                pattern = self._compile(pid)
            conditions = self._conditions.get(pid)
            if conditions is not None:
                for start, priority, length in found:
                    before, after = conditions[priority]
                    if before and _ends_with_any(text_view, start, before):
                        continue
                    if after and _starts_with_any(text_view, start + length, after):
                        continue
                    add((start, start + length, owner))
                continue
            found.sort()
            if pid in self._verify:
                # try the regex where one of its strings starts, as finditer would walk
                call, pos = self._verify[pid], -1
                for start, _priority, _length in found:
                    if start < pos:
                        continue
                    m = pattern.match(text_view, start, **call)
                    if m is not None and m.end() > m.start():
                        add((start, m.end(), owner))
                        pos = m.end()
                continue
            pos = -1
            for start, _priority, length in found:
                if start >= pos:
                    add((start, start + length, owner))
                    pos = start + length
        warnings = []
        line_starts = None
        for pid in sorted(enabled):
            owner, pattern = self.patterns[pid]
            if type(pattern) is LazyPattern:
                pattern = self._compile(pid)
            try:
                if pid in self._line_start:
                    if line_starts is None:
                        line_starts = [m.end() for m in _LINE_INDENT.finditer(text_view)]
                    unanchored, call = self._line_start[pid]
                    # a match's first line holds a literal of each group: the lines of the rarest one's
                    if pid in self._single_line:
                        groups = self._group_keys[pid]
                        places = [s for k in groups[_rarest(groups, key_places)] for s in key_places.get(k, ())]
                    elif pid in self._line_literals:
                        places = _rarest_occurrences(text_view, self._line_literals[pid])
                    else:
                        places = None
                    lines = range(len(line_starts)) if places is None else \
                        sorted({bisect.bisect_right(line_starts, s) - 1 for s in places})
                    _match_at_line_starts(unanchored, call, text_view, line_starts, lines, owner, add)
                    continue
                # bounded, no lookahead: every match lies within `width` characters of a literal
                # of each group, so only the stretches around the rarest one that hold the others
                # are searched (when they are few; a search has its own cost)
                if native and NATIVE is not None and pid in self._window:
                    # the stretches and their searches in one C call (False: too many, none searched)
                    if NATIVE.search_windowed(pattern.finditer, self._group_keys[pid], key_places, self._key_length,
                                              self._window[pid], text_view, self._window_calls[pid], TIMEOUT_CALL,
                                              SHORT_SPAN, owner, hits):
                        continue
                    stretches = None
                else:
                    stretches = self._windows(self._group_keys[pid], key_places, self._window[pid], len(text_view)) \
                        if pid in self._window else None
                if stretches is not None and len(stretches) * 300 < len(text_view):
                    call = self._window_calls[pid]
                    for a, b in stretches:
                        for m in pattern.finditer(text_view, a, b, **call_for(call, b - a)):
                            if m.end() > m.start():
                                add((m.start(), m.end(), owner))
                    continue
                for m in pattern.finditer(text_view, timeout=REGEX_TIMEOUT):
                    if m.end() > m.start():
                        add((m.start(), m.end(), owner))
            except TimeoutError:
                warnings.append(f"rule {self.rules[owner].id}: pattern timed out after {REGEX_TIMEOUT}s and was skipped")
        if native:
            return COMPILED.merge(owned, hits, None if packed and NATIVE is not None else RawHit), warnings
        return list(map(_raw_hit, sorted(hits))), warnings

    def _compile(self, pid: int) -> regex.Pattern:
        """Pattern ``pid`` compiled, in place of its LazyPattern from now on."""
        owner, lazy = self.patterns[pid]
        self.patterns[pid] = owner, lazy.compiled
        return lazy.compiled

    def _enabled(self, key_places: dict[int, list[int]]) -> set[int]:
        """The gated patterns that have a literal of each of their groups among the keys found
        in a document (in C where the compiled core is built)."""
        if NATIVE is not None:
            return NATIVE.enabled(key_places, self._key_gates, self._groups_needed)
        return self._enabled_python(key_places)

    def _enabled_python(self, key_places) -> set[int]:
        gated = {gate for kid in key_places for gate in self._key_gates[kid]}
        groups_seen: dict[int, int] = {}
        for pid, _group in gated:
            groups_seen[pid] = groups_seen.get(pid, 0) + 1
        return {pid for pid, n in groups_seen.items() if n == self._gate_groups[pid]}

    def _windows(self, groups: tuple[tuple[int, ...], ...], key_places: dict[int, list[int]], width: int,
                 n: int) -> list[list[int]]:
        """Where a windowed pattern is searched in a text of ``n`` characters: the disjoint
        stretches within ``width`` of an occurrence of its rarest literal group here, those
        that hold a whole literal of each other group (a stretch without one holds no match).
        In C where the compiled core is built; :meth:`_windows_python` is the reference."""
        if NATIVE is not None:
            return NATIVE.windows(groups, key_places, self._key_length, width, n)
        return self._windows_python(groups, key_places, width, n)

    def _windows_python(self, groups, key_places, width: int, n: int) -> list[list[int]]:
        length = self._key_length
        spans = [[(s, s + length[k]) for k in kids for s in key_places.get(k, ())] for kids in groups]
        rarest = _rarest(groups, key_places)
        return _holding(_merge(spans[rarest], width, n), [x for g, x in enumerate(spans) if g != rarest])

    def find_slow(self, text_view: str) -> list[RawHit]:
        """Reference semantics of :meth:`find` (every phrase, every pattern, one by one); tests only."""
        hits = set()
        for i in range(len(self.rules)):
            hits.update(self.find_rule(i, text_view))
        return sorted(hits)

    def find_rule(self, rule_index: int, text_view: str) -> list[RawHit]:
        """Raw hits of one rule (used to run a rule's examples); same semantics as :meth:`find`."""
        rule = self.rules[rule_index]
        hits = set()
        for phrase in rule.phrases:
            key = view(phrase)
            pos = text_view.find(key)
            while pos >= 0:
                hits.add(RawHit(pos, pos + len(key), rule_index))
                pos = text_view.find(key, pos + 1)
        for owner, pattern in self.patterns:
            if owner == rule_index:
                for m in pattern.finditer(text_view, timeout=REGEX_TIMEOUT):
                    if m.end() > m.start():
                        hits.add(RawHit(m.start(), m.end(), rule_index))
        return sorted(hits)

    def excluded_by(self, rule_index: int, text_view: str, start: int, end: int, paragraph: Paragraph,
                    memo: dict | None = None) -> str | None:
        """The `unless` pattern that matches in the hit's sentence, if any.

        ``memo`` (one dict per document) remembers the answer per rule and sentence, for
        rules that hit the same sentence more than once, and (keyed by the paragraph's start)
        where the paragraph's sentences end, for paragraphs with many such hits."""
        patterns = self.unless.get(rule_index)
        if not patterns:
            return None
        if memo is None:
            s, e = sentence_bounds(text_view, paragraph.start, paragraph.end, start, end)
        else:
            ends = memo.get(paragraph.start)
            if ends is None:
                ends = memo[paragraph.start] = sentence_ends(text_view, paragraph.start, paragraph.end)
            s, e = sentence_bounds_in(ends, paragraph.start, paragraph.end, start, end)
            key = (rule_index, s, e)
            if key in memo:
                return memo[key]
        sentence = text_view[s:e]
        found = None
        joined = self._unless_any.get(rule_index)
        if joined is not None and not joined[0].search(sentence, **call_for(joined[1], e - s)):
            patterns = ()   # none of them matches
        for p, call in patterns:
            if p.search(sentence, **call_for(call, e - s)):
                found = p.pattern
                break
        if memo is not None:
            memo[key] = found
        return found


_LINE_INDENT = regex.compile(rf"^{INDENT}*", regex.MULTILINE)   # ends where PARAGRAPH_START holds


def _match_at_line_starts(pattern: regex.Pattern, call: dict, text_view: str, line_starts: list[int],
                          lines, owner: int, add) -> None:
    """What ``finditer`` finds for a pattern whose matches all start at a line's first
    non-blank character: a match at each such place, left to right, never inside the last.
    ``lines``: the (ascending) indices of the lines worth trying; the others cannot match."""
    end = -1
    n = len(line_starts)
    for i in lines:
        if i < 0:
            continue   # a literal in the indentation before the first line start
        pos = line_starts[i]
        if pos < end:
            continue
        line_end = line_starts[i + 1] if i + 1 < n else len(text_view)
        m = pattern.match(text_view, pos, **call_for(call, line_end - pos))
        if m is not None and m.end() > m.start():
            add((m.start(), m.end(), owner))
            end = m.end()


def _rarest(groups: tuple[tuple[int, ...], ...], key_places: dict[int, list[int]]) -> int:
    """The position of the group of keys with the fewest places in a document (the first such).
    Every match holds a literal of *each* group, so the places of any one of them cover all
    matches; the rarest gives the fewest windows or lines to try."""
    if len(groups) == 1:
        return 0
    counts = [sum([len(key_places.get(k, ())) for k in kids]) for kids in groups]
    return counts.index(min(counts))


def _rarest_occurrences(text_view: str, groups) -> list[int]:
    """Where the literals of the rarest of these groups of strings occur in the text (the groups
    of :func:`engine.prefilter.first_line_groups` with one-character literals, which the
    automaton does not hold: found with ``str.count`` and ``str.find``)."""
    counts = [sum([text_view.count(x) for x in group]) for group in groups]
    out = []
    for x in groups[counts.index(min(counts))]:
        i = text_view.find(x)
        while i >= 0:
            out.append(i)
            i = text_view.find(x, i + 1)
    return out


def _ends_with_any(text: str, end: int, strings: tuple[str, ...]) -> bool:
    """Whether one of ``strings`` ends at ``end`` of ``text``."""
    for x in strings:
        if len(x) <= end and text.startswith(x, end - len(x)):
            return True
    return False


def _starts_with_any(text: str, start: int, strings: tuple[str, ...]) -> bool:
    for x in strings:
        if text.startswith(x, start):
            return True
    return False


def _holding(stretches: list[list[int]], groups: list[list[tuple[int, int]]]) -> list[list[int]]:
    """The stretches holding, for each group, one of its (start, end) occurrences whole."""
    return [[a, b] for a, b in stretches if all(any(a <= s and e <= b for s, e in group) for group in groups)]


def _merge(places: list[tuple[int, int]], width: int, n: int) -> list[list[int]]:
    """Disjoint stretches covering ``width`` characters on each side of every place."""
    out: list[list[int]] = []
    last = None
    for start, end in sorted(places):
        a, b = start - width, end + width
        if last is not None and a <= last[1]:
            if b > last[1]:
                last[1] = b
        else:
            last = [a, b]
            out.append(last)
    # clipped to the text once, at the two ends (the stretches are disjoint and sorted)
    if out:
        out[0][0] = max(0, out[0][0])
        out[-1][1] = min(n, out[-1][1])
    return out


def by_paragraph(raw_hits: list[RawHit] | bytes, paragraphs: list[Paragraph]) -> list[list[RawHit]] | tuple:
    """Group raw hits by the paragraph that contains them; hits across a line break are dropped.
    Packed hits (``Matcher.find(..., packed=True)``) give packed groups: ``(hits, offsets)``."""
    if NATIVE is not None:
        return NATIVE.by_paragraph(raw_hits, [p.start for p in paragraphs], [p.end for p in paragraphs])
    return by_paragraph_python(raw_hits, paragraphs)


def by_paragraph_python(raw_hits: list[RawHit], paragraphs: list[Paragraph]) -> list[list[RawHit]]:
    """:func:`by_paragraph` in Python: the reference of ``_hitcore.by_paragraph``."""
    # The hits come sorted by start: each paragraph takes one slice of them (two bisections
    # per paragraph rather than one per hit, which counts at tens of thousands of hits).
    hit_starts = [h[0] for h in raw_hits]
    groups: list[list[RawHit]] = []
    lo = 0
    for p in paragraphs:
        lo = bisect.bisect_left(hit_starts, p.start, lo)
        hi = bisect.bisect_left(hit_starts, p.end, lo)
        end = p.end
        groups.append([h for h in raw_hits[lo:hi] if h[1] <= end] if hi > lo else [])
        lo = hi
    return groups


def role_hits(groups: list[list[RawHit]] | tuple, codes: bytes) -> list[list[RawHit]]:
    """The raw hits of structure rules (``FILTER_ROLE`` in ``codes``) in each paragraph's group:
    the few that :func:`engine.segment.assign_kinds` needs, out of tens of thousands (made
    :class:`RawHit` from packed groups)."""
    if NATIVE is not None:
        return NATIVE.role_hits(groups, codes, RawHit)
    return role_hits_python(groups, codes)


def role_hits_python(groups: list[list[RawHit]], codes: bytes) -> list[list[RawHit]]:
    """:func:`role_hits` in Python: the reference of ``_hitcore.role_hits``."""
    return [[h for h in group if codes[h[2]] & FILTER_ROLE] for group in groups]


def filter_hits(matcher: Matcher, text_view: str, paragraphs: list[Paragraph],
                groups: list[list[RawHit]], packed: bool = False) -> tuple[list[list[Hit]], list[list[Miss]]]:
    """Apply each rule's `where` and `unless` to the raw hits of each paragraph: the kept
    :class:`Hit` values and the :class:`Miss` values of each paragraph.

    ``packed``: with the compiled core, the kept hits come as ``_hitcore.KeptHits`` (the
    pipeline's way): a sequence of the same lists, each made only when read, whose (start, end,
    rule) triples the rule table's ``label``, ``paragraphs_json`` and ``slogans`` read without
    an object per hit."""
    kinds = bytes([_KIND_CODES[p.kind] for p in paragraphs])
    if NATIVE is not None:
        return NATIVE.filter(groups, kinds, matcher.filter_codes, matcher.rules, Hit, Miss, _MISS_REASONS,
                             text_view, paragraphs, SENTENCE_END, matcher.unless_checks, packed)
    memo: dict = {}

    def excluded(raw: RawHit, pi: int) -> str | None:
        return matcher.excluded_by(raw[2], text_view, raw[0], raw[1], paragraphs[pi], memo)

    return filter_python(groups, kinds, matcher.filter_codes, matcher.rules, excluded)


def filter_python(groups, kinds: bytes, codes: bytes, rules, excluded):
    """The loop of :func:`filter_hits` in Python (the reference of ``_hitcore.filter``): page
    furniture keeps the hits of structure rules only; a `where` rule's hits are kept or missed
    by the paragraph's kind; ``excluded(raw hit, paragraph position)`` gives the `unless` pattern
    that matches in the hit's sentence, if any (most hits need neither look)."""
    kept: list[list[Hit]] = []
    missed: list[list[Miss]] = []
    for pi, raw in enumerate(groups):
        good, bad = [], []
        kind = kinds[pi]
        for h in raw:
            code = codes[h[2]]
            if kind == _FURNITURE and not code & FILTER_ROLE:
                continue   # page furniture is no evidence of any theme
            where = code & FILTER_WHERE
            if where != FILTER_PLAIN and (where == FILTER_HEADING_ONLY) != (kind == _HEADING):
                reason = _MISS_REASONS[(where - FILTER_HEADING_ONLY) * len(KINDS) + kind]
                bad.append(_miss((h[0], h[1], rules[h[2]], pi, reason)))
            elif code & FILTER_UNLESS and (pattern := excluded(h, pi)):
                bad.append(_miss((h[0], h[1], rules[h[2]], pi, f"unless: {pattern}")))
            else:
                good.append(_hit((h[0], h[1], rules[h[2]], pi)))
        kept.append(good)
        missed.append(bad)
    return kept, missed


def _unless_check(pattern: regex.Pattern, call: dict) -> tuple:
    """How ``_hitcore.filter`` looks for one `unless` pattern in a sentence ``text_view[s:e]``:
    ``(reason, strings, groups, search)``. A pattern that is a finite set of strings
    (:mod:`engine.prefilter`) matches there exactly when one of them occurs, which a substring
    search tells without the regex; any other runs ``search(text_view, s, e)``, only when each
    group of literals that every match holds has one in the sentence."""
    plan = prefilter.plan(pattern.pattern, pattern.flags)
    reason = f"unless: {pattern.pattern}"
    if plan.kind == "expand":
        return reason, plan.strings, (), None
    return reason, None, plan.groups if plan.kind == "gate" else (), functools.partial(_search_sentence, pattern, call)


def _search_sentence(pattern: regex.Pattern, call: dict, text_view: str, s: int, e: int) -> bool:
    """Whether an `unless` pattern matches in the sentence ``text_view[s:e]`` (as excluded_by searches it)."""
    return pattern.search(text_view[s:e], **call_for(call, e - s)) is not None
