"""lint: a loaded rule set -> diagnostics about rules that load fine but are probably wrong.

Input: a :class:`RuleSet` (already schema-valid; :mod:`engine.rules` did that) and optionally
its :class:`Matcher`. Output: :class:`Diagnostic` values, never exceptions.
Each check is a small pure function ``check_x(ruleset, matcher) -> list[Diagnostic]``
(yamllint's habit: one concern per function, one uniform interface); :data:`CHECKS` lists
them and :func:`lint` runs them all, so every problem surfaces in one run.

Levels: ``error`` when the rule set cannot do what it says (a lifecycle cycle, a phrase its
own exclusion always removes), ``warning`` for likely mistakes (the same phrase in two rules,
a shadowed rule, an exclusion that can never apply, a risky regex, a theme with no rules),
``info`` for notes (an exclusion no example exercises).
Example failures themselves come from :mod:`engine.check`; :func:`all_diagnostics` joins both.
"""
from __future__ import annotations

import os
from pathlib import Path

import regex

from .check import example_diagnostics
from .diagnostics import Diagnostic
from .match import Matcher
from .normalize import view, view_pattern
from .patterns import nested_quantifier
from .patterns import REGEX_TIMEOUT
from .rules import TAXONOMY_FILE, Rule, RuleSet, load_yaml, locate
from .segment import SENTENCE_END

MAX_PATTERN_CHARS = 300      # longer patterns are unreadable and slow; split them into `patterns`


def _where(ruleset: RuleSet, rule: Rule, *parts) -> tuple[int, int, str]:
    return locate(rule, ruleset.positions, *parts)


def _phrase_owners(ruleset: RuleSet) -> dict[str, list[tuple[int, int]]]:
    """Normalized phrase -> [(rule index, phrase index)] over all rules."""
    owners: dict[str, list[tuple[int, int]]] = {}
    for i, rule in enumerate(ruleset.rules):
        for j, phrase in enumerate(rule.phrases):
            owners.setdefault(view(phrase), []).append((i, j))
    return owners


# ------------------------------------------------------------------ checks ---

def check_duplicate_phrases(ruleset: RuleSet, matcher: Matcher) -> list[Diagnostic]:
    """The same phrase (after normalization) in two rules, or twice in one rule."""
    out = []
    for phrase, owners in _phrase_owners(ruleset).items():
        if len(owners) < 2:
            continue
        first_rule, _ = owners[0]
        first = ruleset.rules[first_rule]
        for i, j in owners[1:]:
            rule = ruleset.rules[i]
            line, col, path = _where(ruleset, rule, "phrases", j)
            if i == first_rule:
                message = f"phrase {phrase!r} is listed twice in this rule"
                hint = "remove the second copy"
            else:
                message = f"phrase {phrase!r} is also a phrase of `{first.id}` ({first.file}:{first.line})"
                hint = ("keep it in one rule; two rules of the same theme count it twice"
                        if first.theme == rule.theme else
                        f"it now counts for both {first.theme or first.role} and {rule.theme or rule.role}; "
                        "decide which theme it signals")
            out.append(Diagnostic(rule.file, line, col, "duplicate-phrase", message, path, hint, "warning", rule.id))
    return out


def _covers(other: Rule, rule: Rule) -> bool:
    """`other` fires wherever `rule` fires, as far as scope and exclusions go."""
    if other.unless and set(other.unless) - set(rule.unless):
        return False  # other can be excluded where rule is not
    return other.where == "any" or other.where == rule.where


def check_shadowed(ruleset: RuleSet, matcher: Matcher) -> list[Diagnostic]:
    """A phrase-only rule whose every phrase contains a match of one other rule.

    Wherever such a rule fires the other fires too, in the same sentence, so it never adds a
    paragraph of its own (it only adds weight). Rules with patterns are not judged: their
    matches cannot be enumerated.
    """
    out = []
    for i, rule in enumerate(ruleset.rules):
        if rule.patterns or not rule.phrases:
            continue
        common: set[int] | None = None
        for phrase in rule.phrases:
            hits, _ = matcher.find(view(phrase))
            makers = {h.rule for h in hits if h.rule != i and _covers(ruleset.rules[h.rule], rule)}
            common = makers if common is None else common & makers
            if not common:
                break
        if not common:
            continue
        other = ruleset.rules[min(common)]
        same = other.theme == rule.theme
        # a stronger rule shadowed by a weak generic one is usually deliberate: only a note
        level = "info" if same and rule.weight > other.weight else "warning"
        line, col, path = _where(ruleset, rule, "phrases")
        out.append(Diagnostic(
            rule.file, line, col, "shadowed",
            f"every match of this rule is also a match of `{other.id}` ({other.file}:{other.line})",
            path,
            ("it only adds weight where the other already fires; merge the phrases into one rule or give it a "
             "reason (a higher weight) to exist" if same else
             f"the other rule labels the same text {other.theme or other.role}; make one of them narrower"),
            level, rule.id))
    return out


def _literal(pattern: str) -> str | None:
    """The text a pattern stands for when it has no regex syntax at all, else None."""
    return None if regex.search(r"[.^$*+?{}\[\]\\|()]", pattern) else pattern


def check_exclusions(ruleset: RuleSet, matcher: Matcher) -> list[Diagnostic]:
    """Exclusions (`unless`) that can never apply, always apply, or are never exercised.

    An exclusion is searched in the sentence of the hit, so a literal exclusion spanning a
    sentence end (。;!?) never matches; one that matches inside a phrase itself removes that
    phrase everywhere; one that no example exercises is untested (info).
    """
    out = []
    for i, rule in enumerate(ruleset.rules):
        untested: list[tuple[int, str]] = []
        for k, pattern in enumerate(rule.unless):
            line, col, path = _where(ruleset, rule, "unless", k)
            compiled = regex.compile(view_pattern(pattern))
            literal = _literal(view_pattern(pattern))
            if literal is not None and any(ch in SENTENCE_END for ch in literal.rstrip(SENTENCE_END)):
                out.append(Diagnostic(rule.file, line, col, "unless-never",
                                      f"exclusion '{pattern}' spans a sentence end, but exclusions are searched "
                                      "within the hit's sentence, so it can never apply",
                                      path, "cut it at the sentence end", "warning", rule.id))
                continue
            for j, phrase in enumerate(rule.phrases):
                if compiled.search(view(phrase), timeout=REGEX_TIMEOUT):
                    pl, pc, pp = _where(ruleset, rule, "phrases", j)
                    out.append(Diagnostic(rule.file, pl, pc, "unless-always",
                                          f"exclusion '{pattern}' matches the phrase {phrase!r} itself, "
                                          "so that phrase can never fire",
                                          pp, "remove the phrase or narrow the exclusion", "error", rule.id))
            if not any(matcher.find_rule(i, view(ex.text)) and compiled.search(view(ex.text), timeout=REGEX_TIMEOUT)
                       for ex in rule.match_examples + rule.no_match_examples):
                untested.append((k, pattern))
        if untested:
            line, col, path = _where(ruleset, rule, "unless", untested[0][0])
            shown = ", ".join(f"'{p}'" for _, p in untested)
            out.append(Diagnostic(rule.file, line, col, "unless-untested",
                                  f"no example shows exclusion(s) {shown} at work",
                                  path, "add a no_match example where the rule fires and the exclusion occurs in "
                                  "the same sentence", "info", rule.id))
    return out


def check_empty_themes(ruleset: RuleSet, matcher: Matcher) -> list[Diagnostic]:
    """Themes of the taxonomy that no rule gives evidence for."""
    used = {r.theme for r in ruleset.rules}
    path = Path(ruleset.directory) / TAXONOMY_FILE
    shown = os.path.relpath(path)
    located, _ = load_yaml(path, shown)
    out = []
    for k, theme in enumerate(ruleset.themes):
        if theme.name in used:
            continue
        line, col = located.where(("themes", k, "id")) if located else (1, 1)
        out.append(Diagnostic(shown, line, col, "empty-theme", f"theme `{theme.id}` ({theme.name}) has no rules",
                              f"$.themes[{k}]", f"add a rules file with `theme: {theme.id}`, or remove the theme",
                              "warning"))
    return out


def _pattern_field(ruleset: RuleSet, rule: Rule, k: int) -> tuple:
    """JSON path parts of the k-th pattern: a `pattern:` field comes first, then `patterns:`."""
    has_single = ("rules", rule.index, "pattern") in ruleset.positions.get(rule.file, {})
    if has_single:
        return ("pattern",) if k == 0 else ("patterns", k - 1)
    return ("patterns", k)


def check_risky_regexes(ruleset: RuleSet, matcher: Matcher) -> list[Diagnostic]:
    """Patterns and exclusions with nested unbounded quantifiers, or longer than the bound."""
    out = []
    for rule in ruleset.rules:
        fields = [(_pattern_field(ruleset, rule, k), p) for k, p in enumerate(rule.patterns)]
        fields += [(("unless", k), p) for k, p in enumerate(rule.unless)]
        for parts, pattern in fields:
            line, col, path = _where(ruleset, rule, *parts)
            nested = nested_quantifier(pattern)
            if nested:
                out.append(Diagnostic(rule.file, line, col, "regex-nested-quantifier",
                                      f"'{nested}' repeats a repetition; on a near miss it can backtrack for a "
                                      "very long time", path,
                                      "bound the inner repetition ({1,10}) or use a possessive/atomic form "
                                      "(a++ or (?>...))", "warning", rule.id))
            if len(pattern) > MAX_PATTERN_CHARS:
                out.append(Diagnostic(rule.file, line, col, "regex-too-long",
                                      f"pattern is {len(pattern)} characters long (bound {MAX_PATTERN_CHARS})",
                                      path, "split it into several entries of `patterns`, or use `phrases` for "
                                      "plain words", "warning", rule.id))
    return out


def _supersession_chain(ruleset: RuleSet, rule: Rule) -> list[str]:
    """Ids along `superseded_by` from `rule`; ends when a rule repeats (a cycle) or the chain ends."""
    ids = {r.id: r for r in ruleset.rules}
    chain = [rule.id]
    current = rule
    while current.superseded_by and current.superseded_by in ids:
        if current.superseded_by in chain:
            chain.append(current.superseded_by)
            return chain
        chain.append(current.superseded_by)
        current = ids[current.superseded_by]
    return chain


def check_lifecycle(ruleset: RuleSet, matcher: Matcher) -> list[Diagnostic]:
    """`since`/`until`/`superseded_by` agree: no self or circular replacement, years in order."""
    ids = {r.id: r for r in ruleset.rules}
    out = []
    for rule in ruleset.rules:
        if not rule.superseded_by:
            continue
        line, col, path = _where(ruleset, rule, "superseded_by")
        chain = _supersession_chain(ruleset, rule)
        if rule.superseded_by == rule.id:
            out.append(Diagnostic(rule.file, line, col, "lifecycle-self", "a rule cannot supersede itself", path,
                                  "name the newer rule's id", "error", rule.id))
            continue
        if len(chain) > 1 and chain[-1] in chain[:-1]:
            out.append(Diagnostic(rule.file, line, col, "lifecycle-cycle",
                                  "superseded_by goes round in a circle: " + " -> ".join(chain), path,
                                  "the newest formulation must not be superseded", "error", rule.id))
            continue
        newer = ids.get(rule.superseded_by)
        if newer is None:
            continue  # reported by the loader as unknown-rule
        if rule.until is None:
            out.append(Diagnostic(rule.file, line, col, "lifecycle-until",
                                  f"superseded by `{newer.id}` but has no `until` year", path,
                                  f"add `until:` (the last year the formulation was current"
                                  f"{', e.g. ' + str(newer.since - 1) if newer.since else ''})", "info", rule.id))
        if rule.since is not None and newer.since is not None and newer.since < rule.since:
            nl, nc, np_ = _where(ruleset, newer, "since")
            out.append(Diagnostic(rule.file, line, col, "lifecycle-order",
                                  f"`{newer.id}` is in use since {newer.since}, before this rule ({rule.since}), "
                                  "yet it supersedes it", path, "check the years or the direction of superseded_by",
                                  "warning", rule.id))
        if rule.until is not None and newer.until is not None and newer.until < rule.until:
            out.append(Diagnostic(rule.file, line, col, "lifecycle-order",
                                  f"`{newer.id}` was retired in {newer.until}, before this rule ({rule.until})",
                                  path, "check the years", "warning", rule.id))
        if rule.theme != newer.theme:
            out.append(Diagnostic(rule.file, line, col, "lifecycle-theme",
                                  f"superseded by `{newer.id}` of another theme ({newer.theme or newer.role})",
                                  path, "a newer formulation normally keeps its theme", "info", rule.id))
    return out


CHECKS = (check_duplicate_phrases, check_shadowed, check_exclusions, check_empty_themes,
          check_risky_regexes, check_lifecycle)


def lint(ruleset: RuleSet, matcher: Matcher | None = None) -> list[Diagnostic]:
    """Every lint diagnostic of a rule set, sorted by file and position."""
    matcher = matcher or Matcher(ruleset)
    out: list[Diagnostic] = []
    for check in CHECKS:
        out.extend(check(ruleset, matcher))
    return sorted(out, key=lambda d: d.sort_key)


def all_diagnostics(ruleset: RuleSet, matcher: Matcher | None = None) -> list[Diagnostic]:
    """Examples (engine.check) plus lint: what `tifa rules check` adds after loading."""
    matcher = matcher or Matcher(ruleset)
    return sorted(example_diagnostics(ruleset, matcher) + lint(ruleset, matcher), key=lambda d: d.sort_key)
