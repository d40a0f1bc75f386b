"""stats: a corpus + a rule set -> how each rule behaves on it (Snorkel-style rule analysis).

Input: analyses of documents (``Classifier.analyse``), their ids, and optionally gold
paragraph labels (``seeds/gold/seeds.themes.jsonl`` format, doc names resolved through
manifest aliases as in :mod:`engine.evaluate`). Output: :class:`RuleStats` per rule and
:class:`CorpusStats`, rendered as text, CSV or JSON.
Definitions, per rule, in paragraphs (a rule hitting a paragraph five times counts once):
``coverage`` paragraphs with a surviving hit of the rule (after `where` and `unless`; theme
rules never hit boilerplate, structure rules mostly do), share of all paragraphs; ``overlaps`` of those, paragraphs another rule also hits; ``conflicts`` of those,
paragraphs a rule of *another* theme also hits; ``labels`` paragraphs where the rule's theme
became a label; with gold, ``correct``/``incorrect``: hit paragraphs with gold labels whose
gold themes do / do not contain the rule's theme (structure rules have no theme: not scored).
Corpus: paragraphs per kind and the share of body paragraphs left without any theme.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from .rules import RuleSet


@dataclass(frozen=True)
class RuleStats:
    rule: str
    theme: str               # theme name, or "role:<role>" for structure rules
    coverage: int
    share: float             # coverage / eligible paragraphs
    overlaps: int
    conflicts: int
    labels: int
    correct: int | None = None
    incorrect: int | None = None

    @property
    def accuracy(self) -> float | None:
        if self.correct is None or not (self.correct + self.incorrect):
            return None
        return self.correct / (self.correct + self.incorrect)


@dataclass(frozen=True)
class CorpusStats:
    documents: int
    paragraphs: dict          # kind -> count
    body_without_theme: int
    themes: dict              # theme -> paragraphs labelled
    gold_paragraphs: int | None = None

    @property
    def body_without_theme_share(self) -> float:
        body = self.paragraphs.get("body", 0)
        return self.body_without_theme / body if body else 0.0


def _gold_index(gold: list[dict], doc_ids: list[str], aliases: dict[str, str]) -> dict[tuple[str, int], set[str]]:
    known = set(doc_ids)
    out = {}
    for row in gold:
        name = row["doc"]
        for candidate in (aliases.get(name), name, name.rsplit(".", 1)[0]):
            if candidate in known:
                out[(candidate, row["line"])] = set(row["themes"])
                break
    return out


def compute(analyses: list, doc_ids: list[str], ruleset: RuleSet, gold: list[dict] | None = None,
            aliases: dict[str, str] | None = None) -> tuple[list[RuleStats], CorpusStats]:
    """Rule and corpus statistics over analysed documents (same order as `doc_ids`)."""
    gold_index = _gold_index(gold, doc_ids, aliases or {}) if gold is not None else None
    n = len(ruleset.rules)
    ids = [r.id for r in ruleset.rules]
    pos = {rid: i for i, rid in enumerate(ids)}
    coverage, overlaps, conflicts, labels, correct, incorrect = ([0] * n for _ in range(6))
    kinds: dict[str, int] = {}
    themes: dict[str, int] = {}
    eligible = 0
    body_without = 0
    for doc, analysis in zip(doc_ids, analyses):
        for hits, item in zip(analysis.hits, analysis.labelled):
            p = item.paragraph
            kinds[p.kind] = kinds.get(p.kind, 0) + 1
            for t in item.themes:
                themes[t] = themes.get(t, 0) + 1
            if p.kind == "body" and not item.themes:
                body_without += 1
            # Boilerplate paragraphs carry only structure-rule hits (theme hits are dropped
            # there by the matcher), so counting them shows what each boilerplate rule catches.
            eligible += 1
            fired = {}
            for h in hits:
                fired.setdefault(h.rule.id, h.rule)
            truth = gold_index.get((doc, p.index)) if gold_index is not None else None
            fired_themes = {r.theme for r in fired.values() if r.theme}
            for rid, rule in fired.items():
                i = pos[rid]
                coverage[i] += 1
                if len(fired) > 1:
                    overlaps[i] += 1
                if rule.theme and fired_themes - {rule.theme}:
                    conflicts[i] += 1
                if rule.theme and rule.theme in item.themes:
                    labels[i] += 1
                if truth is not None and rule.theme:
                    if rule.theme in truth:
                        correct[i] += 1
                    else:
                        incorrect[i] += 1
    rows = []
    for i, rule in enumerate(ruleset.rules):
        scored = gold_index is not None and rule.theme is not None
        rows.append(RuleStats(rule.id, rule.theme or f"role:{rule.role}", coverage[i],
                              coverage[i] / eligible if eligible else 0.0, overlaps[i], conflicts[i], labels[i],
                              correct[i] if scored else None, incorrect[i] if scored else None))
    order = {name: k for k, name in enumerate(ruleset.theme_names)}
    corpus = CorpusStats(len(doc_ids), dict(sorted(kinds.items())), body_without,
                         {t: themes[t] for t in sorted(themes, key=order.get)},
                         len(gold_index) if gold_index is not None else None)
    return rows, corpus


SORTS = {
    "rule": lambda r: (0,),
    "coverage": lambda r: (-r.coverage, r.rule),
    "conflicts": lambda r: (-r.conflicts, r.rule),
    "accuracy": lambda r: (r.accuracy if r.accuracy is not None else 2.0, r.rule),
}


def sort_rows(rows: list[RuleStats], key: str) -> list[RuleStats]:
    return rows if key == "rule" else sorted(rows, key=SORTS[key])


def render_text(rows: list[RuleStats], corpus: CorpusStats) -> str:
    gold = corpus.gold_paragraphs is not None
    width = max([len(r.rule) for r in rows] + [4])
    head = f"{'rule':<{width}} {'theme':<16} {'cover':>5} {'share':>6} {'overlap':>7} {'conflict':>8} {'labels':>6}"
    if gold:
        head += f" {'correct':>7} {'wrong':>5} {'acc':>5}"
    out = [head]
    for r in rows:
        line = (f"{r.rule:<{width}} {r.theme:<{16 - sum(1 for ch in r.theme if ord(ch) > 0x2e80)}} "
                f"{r.coverage:>5} {r.share:>6.1%} {r.overlaps:>7} {r.conflicts:>8} {r.labels:>6}")
        if gold:
            acc = f"{r.accuracy:>5.2f}" if r.accuracy is not None else f"{'-':>5}"
            line += (f" {r.correct if r.correct is not None else '-':>7} {r.incorrect if r.incorrect is not None else '-':>5}"
                     f" {acc}")
        out.append(line)
    dead = [r.rule for r in rows if r.coverage == 0]
    out.append("")
    kinds = ", ".join(f"{k} {v}" for k, v in corpus.paragraphs.items())
    out.append(f"{corpus.documents} document(s); paragraphs: {kinds}")
    out.append("paragraphs per theme: " + (", ".join(f"{t} {c}" for t, c in corpus.themes.items()) or "-"))
    out.append(f"body paragraphs without a theme: {corpus.body_without_theme} of {corpus.paragraphs.get('body', 0)} "
               f"({corpus.body_without_theme_share:.1%})")
    if gold:
        out.append(f"gold paragraphs matched: {corpus.gold_paragraphs}")
    out.append(f"rules that never fired: {len(dead)} of {len(rows)}")
    return "\n".join(out) + "\n"


def render_csv(rows: list[RuleStats]) -> str:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["rule", "theme", "coverage", "share", "overlaps", "conflicts", "labels", "correct", "incorrect",
                     "accuracy"])
    for r in rows:
        writer.writerow([r.rule, r.theme, r.coverage, f"{r.share:.4f}", r.overlaps, r.conflicts, r.labels,
                         "" if r.correct is None else r.correct, "" if r.incorrect is None else r.incorrect,
                         "" if r.accuracy is None else f"{r.accuracy:.4f}"])
    return buf.getvalue()


def render_json(rows: list[RuleStats], corpus: CorpusStats) -> str:
    data = {
        "rules": [asdict(r) | {"accuracy": None if r.accuracy is None else round(r.accuracy, 4),
                               "share": round(r.share, 4)} for r in rows],
        "corpus": asdict(corpus) | {"body_without_theme_share": round(corpus.body_without_theme_share, 4)},
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# ----------------------------------------------------------- command ---

def analyse_sources(classifier, sources) -> tuple[list, list[str], list[str]]:
    """(analyses, ids, failed ids) for engine.corpus sources; unreadable documents are skipped."""
    from .read import ReadError, read_bytes

    analyses, ids, failed = [], [], []
    for s in sources:
        if s.error:
            failed.append(s.id)
            continue
        try:
            text = s.text if s.text is not None else read_bytes(s.data).text
        except ReadError:
            failed.append(s.id)
            continue
        analyses.append(classifier.analyse(text))
        ids.append(s.id)
    return analyses, ids, failed


def _command():
    import sys

    import click

    from .corpus import iter_sources, load_manifest_names
    from .evaluate import read_gold
    from .cliutil import load_or_exit
    from .pipeline import Classifier

    @click.command("stats")
    @click.argument("paths", nargs=-1, required=True)
    @click.option("--gold", "gold_path", type=click.Path(exists=True, dir_okay=False), default=None,
                  help="Gold paragraph labels (JSON Lines: doc, line, themes): adds correct/incorrect per rule.")
    @click.option("--rules", "rules_dir", type=click.Path(file_okay=False), default=None,
                  help="Rules directory (default: $TIFA_RULES, ./rules, or the rules installed with tifa).")
    @click.option("--sort", "sort_key", type=click.Choice(sorted(SORTS)), default="rule", show_default=True,
                  help="Row order; `rule` keeps the order of the rule files.")
    @click.option("--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text", show_default=True)
    def stats_command(paths, gold_path, rules_dir, sort_key, fmt):
        """Per rule on a corpus: paragraphs hit (coverage), overlaps with other rules, conflicts
        with other themes, paragraphs labelled, and with --gold correct/incorrect counts; plus the
        share of body paragraphs left without a theme.

        \b
        Example:
          tifa stats seeds/ --gold seeds/gold/seeds.themes.jsonl --sort accuracy
        Exit status: 0 ok, 1 some documents could not be read, 2 usage or rule errors.
        """
        ruleset = load_or_exit(rules_dir)
        gold = None
        if gold_path:
            try:
                gold = read_gold(gold_path)
            except ValueError as exc:
                click.echo(f"tifa: {exc}", err=True)
                sys.exit(2)
        analyses, ids, failed = analyse_sources(Classifier(ruleset), iter_sources(list(paths)))
        rows, corpus = compute(analyses, ids, ruleset, gold, load_manifest_names(list(paths)))
        rows = sort_rows(rows, sort_key)
        if fmt == "json":
            click.echo(render_json(rows, corpus), nl=False)
        elif fmt == "csv":
            click.echo(render_csv(rows), nl=False)
        else:
            click.echo(render_text(rows, corpus), nl=False)
        for doc in failed:
            click.echo(f"tifa: document {doc} could not be read", err=True)
        sys.exit(1 if failed else 0)

    return stats_command


command = _command()
