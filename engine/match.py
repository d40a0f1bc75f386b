"""match: a document's view -> every raw rule hit, in one compiled pass.

Input: the normalized view of a whole document. Output: :class:`RawHit` values (rule index,
start, end) for every occurrence of every phrase and pattern, overlapping matches included.
Invariants: all literal phrases of all rules live in one Aho-Corasick automaton, so the
cost of literals grows with the text, not with the number of rules; regex patterns run once
per document with a timeout; the set of hits does not depend on how the rules are ordered.
Filtering by paragraph kind (``where``) and exclusions (``unless``) happens in
:func:`filter_hits`, once paragraphs are known.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass

import ahocorasick
import regex

from .normalize import view
from .patterns import compile_pattern
from .rules import REGEX_TIMEOUT, Rule, RuleSet
from .segment import Paragraph, sentence_bounds


@dataclass(frozen=True, order=True)
class RawHit:
    start: int
    end: int
    rule: int          # index into RuleSet.rules


@dataclass(frozen=True)
class Hit:
    """A hit that survived `where` and `unless`: evidence for a theme or a structural role."""
    start: int
    end: int
    rule: Rule
    paragraph: int     # position in the paragraph list (not the line index)


@dataclass(frozen=True)
class Miss:
    """A raw hit that was dropped, kept so `tifa explain` can say why a rule did not count."""
    start: int
    end: int
    rule: Rule
    paragraph: int
    reason: str        # "unless: <pattern>" or "where: heading-only rule in a body paragraph" ...


class Matcher:
    """All rules of a rule set compiled for matching. Picklable (rebuilt from the rule set)."""

    def __init__(self, ruleset: RuleSet):
        self.ruleset = ruleset
        self.rules = ruleset.rules
        self.automaton = ahocorasick.Automaton()
        table: dict[str, list[int]] = {}
        for i, rule in enumerate(self.rules):
            for phrase in rule.phrases:
                key = view(phrase)
                owners = table.setdefault(key, [])
                if i not in owners:
                    owners.append(i)
        for key, owners in table.items():
            self.automaton.add_word(key, (len(key), tuple(owners)))
        self.literal_count = len(table)
        if table:
            self.automaton.make_automaton()
        self.patterns: list[tuple[int, regex.Pattern]] = [
            (i, compile_pattern(p))
            for i, rule in enumerate(self.rules) for p in rule.patterns
        ]
        self.unless: dict[int, tuple[regex.Pattern, ...]] = {
            i: tuple(compile_pattern(p) for p in rule.unless)
            for i, rule in enumerate(self.rules) if rule.unless
        }

    def __reduce__(self):
        return (Matcher, (self.ruleset,))

    def find(self, text_view: str) -> tuple[list[RawHit], list[str]]:
        """Every raw hit in a document view, sorted; plus warnings (regex timeouts)."""
        hits: list[RawHit] = []
        if self.literal_count:
            for end, (length, owners) in self.automaton.iter(text_view):
                start = end - length + 1
                for owner in owners:
                    hits.append(RawHit(start, end + 1, owner))
        warnings = []
        for owner, pattern in self.patterns:
            try:
                for m in pattern.finditer(text_view, timeout=REGEX_TIMEOUT):
                    if m.end() > m.start():
                        hits.append(RawHit(m.start(), m.end(), owner))
            except TimeoutError:
                warnings.append(f"rule {self.rules[owner].id}: pattern timed out after {REGEX_TIMEOUT}s and was skipped")
        hits = sorted(set(hits))
        return hits, warnings

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

    def excluded_by(self, rule_index: int, text_view: str, start: int, end: int, paragraph: Paragraph) -> str | None:
        """The `unless` pattern that matches in the hit's sentence, if any."""
        patterns = self.unless.get(rule_index)
        if not patterns:
            return None
        s, e = sentence_bounds(text_view, paragraph.start, paragraph.end, start, end)
        sentence = text_view[s:e]
        for p in patterns:
            if p.search(sentence, timeout=REGEX_TIMEOUT):
                return p.pattern
        return None


def _where_ok(rule: Rule, kind: str) -> bool:
    if rule.where == "any":
        return True
    if rule.where == "heading":
        return kind == "heading"
    return kind != "heading"


def by_paragraph(raw_hits: list[RawHit], paragraphs: list[Paragraph]) -> list[list[RawHit]]:
    """Group raw hits by the paragraph that contains them; hits across a line break are dropped."""
    starts = [p.start for p in paragraphs]
    groups: list[list[RawHit]] = [[] for _ in paragraphs]
    for h in raw_hits:
        i = bisect.bisect_right(starts, h.start) - 1
        if i >= 0 and h.end <= paragraphs[i].end:
            groups[i].append(h)
    return groups


def filter_hits(matcher: Matcher, text_view: str, paragraphs: list[Paragraph],
                groups: list[list[RawHit]]) -> tuple[list[list[Hit]], list[list[Miss]]]:
    """Apply each rule's `where` and `unless` to the raw hits of each paragraph."""
    kept: list[list[Hit]] = []
    missed: list[list[Miss]] = []
    for pi, (paragraph, raw) in enumerate(zip(paragraphs, groups)):
        good, bad = [], []
        for h in raw:
            rule = matcher.rules[h.rule]
            if rule.role is None and paragraph.kind == "boilerplate":
                continue  # page furniture is no evidence of any theme
            if not _where_ok(rule, paragraph.kind):
                bad.append(Miss(h.start, h.end, rule, pi, f"where: {rule.where}-only rule in a {paragraph.kind} paragraph"))
                continue
            excluded = matcher.excluded_by(h.rule, text_view, h.start, h.end, paragraph)
            if excluded:
                bad.append(Miss(h.start, h.end, rule, pi, f"unless: {excluded}"))
                continue
            good.append(Hit(h.start, h.end, rule, pi))
        kept.append(good)
        missed.append(bad)
    return kept, missed
