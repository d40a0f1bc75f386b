"""classify: paragraphs + hits -> paragraph labels and document theme scores.

Input: paragraphs with kinds and sections, the surviving hits of each paragraph, the rule
set's thresholds. Output: :class:`Labelled` per paragraph and :func:`document_themes`.
Invariants: a paragraph's own score for a theme is the summed weight of the *distinct*
rules of that theme that hit it (a slogan repeated five times is one piece of evidence);
headings need ``heading_threshold``, other paragraphs ``threshold``; a heading's themes
flow down to every paragraph of its section; an overview paragraph whose own evidence
spreads over ``summary_themes`` or more themes keeps only what it inherits; boilerplate and
closing paragraphs get no theme. Themes are listed in taxonomy order.
"""
from __future__ import annotations

import functools
from typing import NamedTuple

from .core import NATIVE
from .match import Hit
from .rules import RuleSet
from .segment import Paragraph


class Labelled(NamedTuple):
    """A tuple, not a frozen dataclass: one per paragraph, thousands per megabyte."""
    paragraph: Paragraph
    themes: tuple[str, ...]
    scores: dict            # theme -> own evidence (only themes with evidence)
    inherited: tuple[str, ...]
    summary: bool           # own evidence ignored as an overview of all lines of work


# built straight from a tuple, past the constructor NamedTuple generates (one per paragraph)
_labelled = functools.partial(tuple.__new__, Labelled)


def own_scores(hits: list[Hit], rule_table=None) -> dict[str, float]:
    """Theme -> summed weight of the distinct rules among the hits. ``rule_table``: the compiled
    core's table of the rule set (``Classifier``), which reads no rule object."""
    if rule_table is not None:
        return rule_table.own_scores(hits)
    if NATIVE is not None:
        return NATIVE.own_scores(hits)
    return own_scores_python(hits)


def own_scores_python(hits: list[Hit]) -> dict[str, float]:
    """:func:`own_scores` in Python: the reference of ``_hitcore.own_scores``."""
    scores: dict[str, float] = {}
    if not hits:
        return scores
    # each rule (by id) once, as its first hit has it, in the order of first hits (the order
    # the weights are summed in)
    first: dict = {}
    for h in hits:
        if h.rule.id not in first:
            first[h.rule.id] = h.rule
    for rule in first.values():
        theme = rule.theme
        if theme is not None:
            scores[theme] = scores.get(theme, 0.0) + rule.weight
    return scores


def label(paragraphs: list[Paragraph], hits: list[list[Hit]], ruleset: RuleSet,
          extra: list[dict[str, float]] | None = None, rule_table=None) -> list[Labelled]:
    """``extra``: optional per-paragraph theme -> score added to the own evidence (quantities);
    ``rule_table``: see :func:`own_scores`; its ``label`` runs this loop in C (None where a theme
    has no place in the taxonomy, which this loop then meets)."""
    settings = ruleset.settings
    if rule_table is not None:
        labelled = rule_table.label(paragraphs, hits, extra, _theme_order(ruleset.theme_names), settings.threshold,
                                    settings.heading_threshold, settings.summary_min_score,
                                    settings.summary_themes, Labelled)
        if labelled is not None:
            return labelled
    return label_python(paragraphs, hits, ruleset, extra, rule_table)


@functools.lru_cache(maxsize=64)
def _theme_order(theme_names: tuple[str, ...]) -> dict[str, int]:
    return {name: i for i, name in enumerate(theme_names)}


def label_python(paragraphs: list[Paragraph], hits: list[list[Hit]], ruleset: RuleSet,
                 extra: list[dict[str, float]] | None = None, rule_table=None) -> list[Labelled]:
    """:func:`label`'s loop in Python: the reference of ``RuleTable.label``."""
    settings = ruleset.settings
    # the settings and the scorer as locals: this loop runs for each of thousands of paragraphs
    threshold, heading_threshold = settings.threshold, settings.heading_threshold
    summary_min_score, summary_themes = settings.summary_min_score, settings.summary_themes
    scorer = rule_table.own_scores if rule_table is not None else own_scores
    in_order = {name: i for i, name in enumerate(ruleset.theme_names)}.get
    heading_themes: dict[int, tuple[str, ...]] = {}
    out = []
    for n, (p, hs) in enumerate(zip(paragraphs, hits)):
        scores = scorer(hs)
        # An overview is judged on its phrases, not on its numbers, and only on themes with at
        # least a strong cue: passing words (支部, 领导干部) do not make a paragraph an overview.
        hit_themes = len([s for s in scores.values() if s >= summary_min_score]) if scores else 0
        if extra:
            for theme, weight in extra[n].items():
                scores[theme] = scores.get(theme, 0.0) + weight
        inherited: tuple[str, ...] = ()
        summary = False
        kind = p.kind
        if kind == "boilerplate" or kind == "closing":
            own: list[str] = []
        elif kind == "heading":
            own = [t for t, s in scores.items() if s >= heading_threshold]
            heading_themes[p.index] = tuple(sorted(own, key=in_order))
        else:
            own = [t for t, s in scores.items() if s >= threshold]
            if hit_themes >= summary_themes:
                summary, own = True, []
            if p.section is not None:
                inherited = heading_themes.get(p.section, ())
        if inherited:
            themes = tuple(sorted(set(own) | set(inherited), key=in_order))
        else:   # a dict's keys: no repeats
            themes = tuple(sorted(own, key=in_order)) if len(own) > 1 else tuple(own)
        out.append(_labelled((p, themes, scores, inherited, summary)))
    return out


def document_themes(labelled: list[Labelled], ruleset: RuleSet) -> list[dict]:
    """Per theme: evidence counted in the paragraphs it labels, its share, and paragraph count.

    Sorted by score (descending), then by name, so equal scores keep a stable order.
    """
    score: dict[str, float] = {}
    count: dict[str, int] = {}
    for item in labelled:
        for theme in item.themes:
            count[theme] = count.get(theme, 0) + 1
            score[theme] = score.get(theme, 0.0) + item.scores.get(theme, 0.0)
    total = sum(score.values()) or 1.0
    rows = [{"theme": t, "score": round(score[t], 3), "share": round(score[t] / total, 4), "paragraphs": count[t]}
            for t in count]
    return sorted(rows, key=lambda r: (-r["score"], r["theme"]))
