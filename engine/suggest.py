"""suggest: a corpus + the rules -> candidate phrases for new rules, from text no rule covers.

Input: analyses of documents (``Classifier.analyse``), their ids and the rule set; optionally
a theme to look only inside paragraphs labelled with it. Output: :class:`Candidate` values of
two kinds, ranked, each with its count, the number of documents and one context line:
``formula`` quoted or numbered formulas (“X个Y”, 三Y一Z, “N+M”, any short quoted term) that
no rule matches, and ``term`` frequent words (jieba) outside every rule match, ranked by
count x inverse document frequency (jieba's own IDF table), so generic report words sink.
Invariants: jieba is used here only, never on the classification path; every rule phrase is
loaded into the tokenizer as a user word, so slogans are never cut and then re-suggested;
candidates are read on the normalized view (traditional reports give simplified candidates);
boilerplate and closing paragraphs are skipped; order is stable (score, then text).
"""
from __future__ import annotations

import functools
import json
import logging
from dataclasses import asdict, dataclass

import regex

from .normalize import QUOTE, view

CJK = r"\p{Han}"
_NUM = "一二两三四五六七八九十"
# Formula shapes, on the view (quotes are already one character, plus signs half-width).
FORMULAS = (
    ("quoted", regex.compile(rf'{QUOTE}([^{QUOTE}\n。,;:!?]{{2,12}}){QUOTE}')),
    ("numbered", regex.compile(rf"(?<![{_NUM}\d])[{_NUM}]个{CJK}{{2}}(?!的)")),
    ("paired", regex.compile(rf"(?<![{_NUM}\d{CJK}])[{_NUM}]{CJK}{{1,2}}[{_NUM}]{CJK}{{1,2}}(?![{CJK}])")),
    ("plus", regex.compile(r"(?<![\d.])\d{1,2}[+×]\d{1,2}(?![\d.%])(?:" + CJK + r"{0,4})")),
)
# Words every organization-work report uses; they are never useful cues on their own.
STOPWORDS = frozenset("""
工作 加强 推进 全面 坚持 深入 开展 建设 推动 实施 进一步 全省 全市 全区 全县 组织 部门 持续 不断 完善 健全 落实
积极 切实 扎实 重点 重要 提升 发展 提高 强化 机制 制度 体系 我们 一批 各级 有效 以及 通过 围绕 聚焦 着力
突出 深化 全国 同志 这个 一个 方面 中央 党委 省委 市委 县委 今年 去年 一年 一是 二是 三是 四是 五是 目前
已经 共计 其中 累计 进行 加快 做好 取得 成效 工作者 新时代 主要 相关 方式 作用 注重 形成 打造 构建 探索
我省 我市 大力 总书记 习近平 支持 优化 服务 创新 改革 高质量 专项
""".split())
MIN_TERM_CHARS = 2


@dataclass(frozen=True)
class Candidate:
    kind: str            # "formula" | "term"
    text: str            # on the normalized view (simplified script)
    count: int
    documents: int
    score: float
    context: str         # "doc:line: ...【text】..." from the original text
    shape: str = ""      # formula shape: quoted | numbered | paired | plus


@functools.cache
def _idf() -> tuple[dict, float]:
    from jieba.analyse.tfidf import TFIDF

    loader = TFIDF().idf_loader
    return loader.idf_freq, loader.median_idf


def tokenizer(ruleset):
    """A jieba tokenizer that knows every rule phrase as one word."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    for rule in ruleset.rules:
        for phrase in rule.phrases:
            word = view(phrase).replace(QUOTE, "").strip()
            if len(word) >= 2 and " " not in word:
                tok.add_word(word, freq=max(tok.suggest_freq(word, False), 10))
    return tok


def _context(text: str, start: int, end: int, doc: str, line: int, width: int = 18) -> str:
    left = text[max(0, start - width):start].split("\n")[-1]
    right = text[end:end + width].split("\n")[0]
    return f"{doc}:{line}: {left}【{text[start:end]}】{right}"


def _paragraph_ok(item, theme: str | None) -> bool:
    if item.paragraph.kind not in ("body", "heading"):
        return False
    return theme is None or theme in item.themes


def _known(matcher, text: str) -> bool:
    """True when some theme rule already matches inside `text`."""
    hits, _ = matcher.find(view(text))
    return any(matcher.rules[h.rule].theme for h in hits)


def suggest(analyses: list, doc_ids: list[str], ruleset, matcher, theme: str | None = None,
            limit: int = 20, min_count: int = 2, tok=None) -> list[Candidate]:
    """Ranked formula and term candidates (at most `limit` of each kind; terms seen `min_count`+ times)."""
    formulas: dict[str, dict] = {}
    terms: dict[str, dict] = {}
    tok = tok if tok is not None else tokenizer(ruleset)

    def note(table, key, doc, start, end, analysis, line, shape=""):
        entry = table.setdefault(key, {"count": 0, "docs": set(), "first": None, "shape": shape})
        entry["count"] += 1
        entry["docs"].add(doc)
        if entry["first"] is None:
            entry["first"] = _context(analysis.text, start, end, doc, line)

    for doc, analysis in zip(doc_ids, analyses):
        for i, item in enumerate(analysis.labelled):
            if not _paragraph_ok(item, theme):
                continue
            p = item.paragraph
            covered = [(h.start, h.end) for h in analysis.hits[i] if h.rule.theme]
            text_view = analysis.view[p.start:p.end]
            taken: list[tuple[int, int]] = []   # one occurrence counts once, under its first shape
            for shape, pattern in FORMULAS:
                for m in pattern.finditer(text_view):
                    group = 1 if shape == "quoted" else 0
                    cand = m.group(group)
                    if shape == "quoted" and not regex.search(CJK, cand):
                        continue
                    start, end = p.start + m.start(group), p.start + m.end(group)
                    if any(s < end and start < e for s, e in covered + taken) or _known(matcher, cand):
                        continue
                    taken.append((start, end))
                    note(formulas, cand, doc, start, end, analysis, p.index + 1, shape)
            for word, s, e in tok.tokenize(text_view):
                if (len(word) < MIN_TERM_CHARS or word in STOPWORDS or not regex.fullmatch(rf"{CJK}+", word)
                        or word[0] in "万亿余多"):  # "60万名" is cut as 60 / 万名: a count, not a term
                    continue
                start, end = p.start + s, p.start + e
                if any(cs < end and start < ce for cs, ce in covered):
                    continue
                note(terms, word, doc, start, end, analysis, p.index + 1)
    idf, median = _idf()
    formula_rows = sorted(
        (Candidate("formula", k, v["count"], len(v["docs"]), float(v["count"] * len(v["docs"])), v["first"], v["shape"])
         for k, v in formulas.items()),   # a formula is worth a look even once
        key=lambda c: (-c.score, -c.count, c.text))
    term_rows = sorted(
        (Candidate("term", k, v["count"], len(v["docs"]), round(v["count"] * idf.get(k, median), 2), v["first"])
         for k, v in terms.items() if v["count"] >= min_count and k not in formulas and not _known(matcher, k)),
        key=lambda c: (-c.score, c.text))
    return formula_rows[:limit] + term_rows[:limit]


def render_text(candidates: list[Candidate], theme: str | None) -> str:
    scope = f" in paragraphs of {theme}" if theme else ""
    out = []
    for kind, title in (("formula", f"formulas no rule knows{scope} (quoted, X个Y, 三Y一Z, N+M)"),
                        ("term", f"frequent terms outside every rule match{scope} (jieba; ranked by count x idf)")):
        rows = [c for c in candidates if c.kind == kind]
        out.append(f"{title}:")
        if not rows:
            out.append("  (none)")
        width = max([len(c.text) for c in rows] + [4])
        for c in rows:
            pad = width * 2 - sum(2 if ord(ch) > 0x2e80 else 1 for ch in c.text)
            out.append(f"  {c.text}{' ' * pad}  x{c.count:<3} {c.documents} doc(s)  {c.context}")
        out.append("")
    return "\n".join(out)


def render_json(candidates: list[Candidate]) -> str:
    return json.dumps([asdict(c) for c in candidates], ensure_ascii=False, indent=2) + "\n"


# ----------------------------------------------------------- command ---

def _command():
    import sys

    import click

    from .corpus import iter_sources
    from .cliutil import load_or_exit
    from .pipeline import Classifier
    from .stats import analyse_sources

    @click.command("suggest")
    @click.argument("paths", nargs=-1, required=True)
    @click.option("--theme", default=None, help="Only paragraphs labelled with this theme (id or Chinese name).")
    @click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True,
                  help="Candidates of each kind to show.")
    @click.option("--min-count", type=click.IntRange(min=1), default=2, show_default=True,
                  help="Ignore terms seen fewer times (formulas are listed from one occurrence).")
    @click.option("--rules", "rules_dir", type=click.Path(file_okay=False), default=None,
                  help="Rules directory (default: $TIFA_RULES, ./rules, or the rules installed with tifa).")
    @click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
    def suggest_command(paths, theme, limit, min_count, rules_dir, fmt):
        """Candidates for new rules from text no rule covers: quoted and numbered formulas no rule
        knows, and frequent terms, each with counts and one context line.

        \b
        Examples:
          tifa suggest seeds/
          tifa suggest seeds/ --theme talent --limit 10
        Exit status: 0 ok, 1 some documents could not be read, 2 usage or rule errors.
        """
        ruleset = load_or_exit(rules_dir)
        theme_name = None
        if theme is not None:
            by_key = {t.id: t.name for t in ruleset.themes} | {t.name: t.name for t in ruleset.themes}
            if theme not in by_key:
                raise click.BadParameter(f"unknown theme {theme!r}; use one of "
                                         f"{', '.join(t.id for t in ruleset.themes)}", param_hint="--theme")
            theme_name = by_key[theme]
        classifier = Classifier(ruleset)
        analyses, ids, failed = analyse_sources(classifier, iter_sources(list(paths)))
        found = suggest(analyses, ids, ruleset, classifier.matcher, theme_name, limit, min_count)
        click.echo(render_json(found) if fmt == "json" else render_text(found, theme_name), nl=False)
        for doc in failed:
            click.echo(f"tifa: document {doc} could not be read", err=True)
        sys.exit(1 if failed else 0)

    return suggest_command


command = _command()
