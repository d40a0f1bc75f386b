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
    ``rule_table``: see :func:`own_scores`."""
    settings = ruleset.settings
    order = {name: i for i, name in enumerate(ruleset.theme_names)}
    heading_themes: dict[int, tuple[str, ...]] = {}
    out = []
    for n, (p, hs) in enumerate(zip(paragraphs, hits)):
        scores = own_scores(hs, rule_table)
        # An overview is judged on its phrases, not on its numbers, and only on themes with at
        # least a strong cue: passing words (支部, 领导干部) do not make a paragraph an overview.
        hit_themes = sum(1 for s in scores.values() if s >= settings.summary_min_score) if scores else 0
        for theme, weight in (extra[n] if extra else {}).items():
            scores[theme] = scores.get(theme, 0.0) + weight
        inherited: tuple[str, ...] = ()
        summary = False
        if p.kind in ("boilerplate", "closing"):
            own: list[str] = []
        elif p.kind == "heading":
            own = [t for t, s in scores.items() if s >= settings.heading_threshold]
            heading_themes[p.index] = tuple(sorted(own, key=order.get))
        else:
            own = [t for t, s in scores.items() if s >= settings.threshold]
            if hit_themes >= settings.summary_themes:
                summary, own = True, []
            if p.section is not None:
                inherited = heading_themes.get(p.section, ())
        themes = tuple(sorted(set(own) | set(inherited), key=order.get)) if own or inherited else ()
        out.append(Labelled(p, themes, scores, inherited, summary))
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
