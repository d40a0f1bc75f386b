"""explain: one document's analysis -> why each paragraph got its themes, and why not others.

Input: an :class:`~engine.pipeline.Analysis` (from ``Classifier.analyse``) and its rule set,
optionally narrowed to one line (1-based, as editors and ``file:line`` count) or one rule id.
Output: :class:`Explanation` values per paragraph and :func:`render_text` to print them.
Invariants: nothing is recomputed here; every statement comes from what the pipeline did:
hits with the exact original text and rule id, quantities whose rule added evidence, the
heading a theme was inherited from, each
theme's own score against the threshold that applied, and near misses (a hit dropped by
``unless`` or by ``where``), plus the rule's lifecycle (since / until / superseded_by).
Paragraph ``index`` is the 0-based line number used by the snapshots (``L18``); ``line`` is
``index + 1``.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from .classify import own_scores
from .rules import Rule, RuleSet


@dataclass(frozen=True)
class Evidence:
    rule: str
    theme: str | None        # theme name, or None for structure rules
    role: str | None
    weight: float
    texts: tuple[str, ...]   # original text of each occurrence, in order
    spans: tuple[tuple[int, int], ...]
    lifecycle: str           # "" or e.g. "since 2016; until 2020, superseded by political.x"


@dataclass(frozen=True)
class QuantityEvidence:
    rule: str
    theme: str | None
    text: str                # e.g. 培训干部230多万人次's number and unit, as in the original
    span: tuple[int, int]


@dataclass(frozen=True)
class NearMiss:
    rule: str
    theme: str | None
    text: str
    span: tuple[int, int]
    reason: str              # plain words: why the hit was dropped


@dataclass(frozen=True)
class Score:
    theme: str
    score: float
    threshold: float
    verdict: str             # "own" | "below threshold" | "ignored (overview)" | "ignored (boilerplate)" ...
    from_quantities: float = 0.0   # part of `score` added by quantity rules, not by theme rules


@dataclass(frozen=True)
class Explanation:
    index: int
    line: int
    kind: str
    text: str
    themes: tuple[str, ...]
    section: int | None
    section_heading: str | None
    inherited: tuple[str, ...]
    scores: tuple[Score, ...]
    hits: tuple[Evidence, ...]
    misses: tuple[NearMiss, ...]
    notes: tuple[str, ...]
    quantities: tuple[QuantityEvidence, ...] = ()   # achievements whose quantity rule added evidence

    def as_dict(self) -> dict:
        return asdict(self)


def lifecycle(rule: Rule) -> str:
    parts = []
    if rule.since:
        parts.append(f"since {rule.since}")
    if rule.until:
        parts.append(f"until {rule.until}")
    if rule.superseded_by:
        parts.append(f"superseded by {rule.superseded_by}")
    return "; ".join(parts)


def _reason(raw: str) -> str:
    """Turn a Miss.reason of engine.match into words for rule authors."""
    if raw.startswith("unless: "):
        return f"excluded by unless {raw[len('unless: '):]!r} in the same sentence"
    if raw.startswith("where: "):
        detail = raw[len("where: "):]
        return f"scope: {detail}"
    return raw


def _evidence(text: str, hits) -> tuple[Evidence, ...]:
    grouped: dict[str, list] = {}
    for h in hits:
        grouped.setdefault(h.rule.id, []).append(h)
    out = []
    for rule_id, items in grouped.items():
        rule = items[0].rule
        out.append(Evidence(rule_id, rule.theme, rule.role, rule.weight,
                            tuple(text[h.start:h.end] for h in items), tuple((h.start, h.end) for h in items),
                            lifecycle(rule)))
    return tuple(out)


def explain(analysis, ruleset: RuleSet, line: int | None = None, rule_id: str | None = None) -> list[Explanation]:
    """Explanations for the paragraphs of `analysis`, narrowed to `line` and/or to where `rule_id` fired."""
    settings = ruleset.settings
    by_index = {p.index: p for p in analysis.paragraphs}
    counted: dict[int, list] = {}
    for q in getattr(analysis, "quantities", None) or ():
        if q.rule is not None and getattr(q, "achievement", True):
            counted.setdefault(q.paragraph, []).append(QuantityEvidence(q.rule, q.theme, q.text, (q.start, q.end)))
    out = []
    for i, item in enumerate(analysis.labelled):
        p = item.paragraph
        if line is not None and p.index != line - 1:
            continue
        hits, misses = analysis.hits[i], analysis.misses[i]
        if rule_id is not None and not any(h.rule.id == rule_id for h in list(hits) + list(misses)):
            continue
        threshold = settings.heading_threshold if p.kind == "heading" else settings.threshold
        from_rules = own_scores(hits)
        notes = []
        scores = []
        for theme in sorted(item.scores, key=lambda t: (-item.scores[t], t)):
            value = item.scores[theme]
            if p.kind in ("boilerplate", "closing"):
                verdict = f"ignored ({p.kind})"
            elif item.summary:
                verdict = "ignored (overview)"
            elif value >= threshold:
                verdict = "own"
            elif theme in item.inherited:
                verdict = "below threshold (inherited anyway)"
            else:
                verdict = "below threshold"
            scores.append(Score(theme, value, threshold, verdict, round(value - from_rules.get(theme, 0.0), 3)))
        if p.kind == "boilerplate":
            notes.append("boilerplate (page furniture): theme rules are not counted here")
        elif p.kind == "closing":
            notes.append("closing paragraph: gets no theme and ends the current section")
        elif p.kind == "heading":
            if p.section is None:
                notes.append("title block (a heading before any body text): opens no section")
            else:
                notes.append("heading: its themes flow down to the paragraphs of its section")
        if item.summary:
            notes.append(f"overview: own evidence touches {len(item.scores)} themes (>= {settings.summary_themes}), "
                         "so only inherited themes are kept")
        if not item.themes and p.kind in ("body", "heading") and not item.scores:
            notes.append("no rule of any theme fired here" + (" (see the near misses)" if misses else ""))
        heading = None
        if p.section is not None and p.kind != "heading" and p.section in by_index:
            h = by_index[p.section]
            heading = analysis.text[h.start:h.end]
        out.append(Explanation(
            index=p.index, line=p.index + 1, kind=p.kind, text=analysis.text[p.start:p.end], themes=item.themes,
            section=p.section, section_heading=heading, inherited=tuple(item.inherited), scores=tuple(scores),
            hits=_evidence(analysis.text, hits),
            misses=tuple(NearMiss(m.rule.id, m.rule.theme, analysis.text[m.start:m.end], (m.start, m.end),
                                  _reason(m.reason)) for m in misses),
            notes=tuple(notes), quantities=tuple(counted.get(p.index, ()))))
    return out


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _fmt(value: float) -> str:
    return f"{value:g}"


def rule_header(rule: Rule) -> str:
    what = rule.theme or f"role {rule.role}"
    lines = [f"rule {rule.id} ({what}, weight {_fmt(rule.weight)}, where {rule.where}) at {rule.file}:{rule.line}"]
    if rule.description:
        lines.append(f"  {rule.description}")
    if lifecycle(rule):
        lines.append(f"  lifecycle: {lifecycle(rule)}")
    return "\n".join(lines)


def render_text(explanations: list[Explanation], document: str) -> str:
    """The terminal text of `tifa explain`: one block per paragraph."""
    blocks = []
    for e in explanations:
        head = f"{document}:{e.line} L{e.index} {e.kind}: {', '.join(e.themes) or 'no theme'}"
        rows = [head, f"  「{_short(e.text)}」"]
        if e.inherited:
            rows.append(f"  inherited {', '.join(e.inherited)} from heading L{e.section} 「{_short(e.section_heading or '', 30)}」")
        for h in e.hits:
            label = h.theme or f"role {h.role}"
            count = f" x{len(h.texts)}" if len(h.texts) > 1 else ""
            texts = " ".join(f"「{t}」" for t in dict.fromkeys(h.texts))
            life = f"  [{h.lifecycle}]" if h.lifecycle else ""
            rows.append(f"  hit  {h.rule} -> {label} +{_fmt(h.weight)}{count} {texts}{life}")
        for q in e.quantities:
            rows.append(f"  qty  {q.rule} -> {q.theme or '-'} 「{q.text}」")
        for m in e.misses:
            rows.append(f"  miss {m.rule} -> {m.theme or '-'} 「{m.text}」: {m.reason}")
        if e.scores:
            parts = []
            for s in e.scores:
                sign = ">=" if s.score >= s.threshold else "<"
                extra = f" (quantities +{_fmt(s.from_quantities)})" if s.from_quantities else ""
                parts.append(f"{s.theme} {_fmt(s.score)}{extra} {sign} {_fmt(s.threshold)} {s.verdict}")
            rows.append("  scores: " + "; ".join(parts))
        for note in e.notes:
            rows.append(f"  note: {note}")
        blocks.append("\n".join(rows))
    return "\n\n".join(blocks) + ("\n" if blocks else "")


# ------------------------------------------------------------------ command ---

def _command():
    import json
    import sys

    import click

    from .corpus import iter_sources
    from .cliutil import load_or_exit
    from .pipeline import Classifier
    from .read import ReadError, read_bytes

    @click.command("explain")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
    @click.option("--line", "line", type=click.IntRange(min=1), default=None,
                  help="Only the paragraph on this line (1-based, as editors count; snapshot L18 is line 19).")
    @click.option("--rule", "rule_id", default=None, help="Only paragraphs where this rule hit or was dropped.")
    @click.option("--rules", "rules_dir", type=click.Path(file_okay=False), default=None,
                  help="Rules directory (default: $TIFA_RULES, ./rules, or the rules installed with tifa).")
    @click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
    def explain_command(file, line, rule_id, rules_dir, fmt):
        """Why each paragraph of FILE got its themes, and why not others.

        \b
        Example:
          tifa explain seeds/hunan-2021-press.txt --line 25
          tifa explain seeds/hunan-2021-press.txt --rule political.two-safeguards
        For each paragraph: the hits (rule id, exact text, weight, lifecycle), the heading it
        inherited themes from, each theme's score against the threshold, and near misses: hits
        dropped by `unless` or by `where`. Exit status: 0 ok, 1 the file cannot be read, 2 usage or rule errors.
        """
        ruleset = load_or_exit(rules_dir)
        if rule_id is not None and rule_id not in {r.id for r in ruleset.rules}:
            click.echo(f"tifa: no rule with id {rule_id!r}", err=True)
            sys.exit(2)
        source = next(iter_sources([file]))
        try:
            text = source.text if source.text is not None else read_bytes(source.data).text
        except ReadError as exc:
            click.echo(f"tifa: {file}: {exc}", err=True)
            sys.exit(1)
        analysis = Classifier(ruleset).analyse(text)
        found = explain(analysis, ruleset, line, rule_id)
        if fmt == "json":
            click.echo(json.dumps([e.as_dict() for e in found], ensure_ascii=False, indent=2))
            sys.exit(0)
        if rule_id is not None:
            click.echo(rule_header(ruleset.rule(rule_id)) + "\n")
        if line is not None and not found:
            lines = text.split("\n")
            what = "is empty" if line <= len(lines) else f"is past the end ({len(lines)} lines)"
            click.echo(f"{file}:{line} {what}: no paragraph there")
        elif not found:
            click.echo(f"{file}: rule {rule_id} neither hit nor was dropped in any paragraph")
        click.echo(render_text(found, file), nl=False)
        sys.exit(0)

    return explain_command


command = _command()
